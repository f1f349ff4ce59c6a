"""The standard library's modules that load() does not fetch, found on first import.

load() fetches the core of the stdlib (start-up's modules and the common
imports, build/stdlib-core.txt); the rest lies next to it as one zip per
top-level name, stdlib/NAME.zip (build/split_stdlib.py). The core's
coldbrew-stdlib-bundles.txt names the bundle of each module left out.
install() puts a finder at the end of sys.meta_path: for a module of that
index it fetches the bundle synchronously through the host (Node reads the
file; a browser makes a synchronous request), writes it under BUNDLES_DIR
and hands the import to zipimport, so __file__, resources and source lines
work as for the core. A fetch that fails raises ImportError naming the URL.

The threaded runtime writes every bundle there at load() (src/js/lifecycle.js),
since only the main thread may call JavaScript; elsewhere a thread that
imports a module not fetched yet gets an ImportError saying so.
A custom build's stdlib zip has no index: everything it keeps is in it.

The static tables of some C modules (unicodedata, the CJK codecs) are not in
coldbrew.wasm either (build/static_tables.py): their bundle _tables_NAME.zip
holds the bytes. The module's init is wrapped in C (src/core/cb_module.c): on
its first import, restore_tables() fetches that bundle and writes the tables
back into memory (Coldbrew._restore_static_tables) before the init runs.
"""
import sys

BUNDLES_DIR = "/usr/local/lib/python3.13/stdlib-bundles"
INDEX = "coldbrew-stdlib-bundles.txt"

_core = None        # the core zip's path
_bundle_of = None   # module name -> bundle name, read from the index on first need


def install(core):
    """Adds the finder for the stdlib whose core zip is `core` (once). Start-up
    does not read the index: the finder does, the first time an import gets to it."""
    global _core
    _core = core
    if BundleFinder not in sys.meta_path:
        sys.meta_path.append(BundleFinder)


def install_tables(modules):
    """The C modules whose tables the wasm lacks (none in the threaded runtime
    or a custom build: their wasm has them). Their init (wrapped in C,
    src/core/cb_module.c) calls restore_tables() before it runs."""
    import Coldbrew
    Coldbrew._tables_out(modules)


def restore_tables(name):
    """Fetches the bundle of `name`'s tables and writes them back into memory."""
    import zipimport
    import Coldbrew
    import _coldbrew
    if _coldbrew.host is None:
        raise ImportError(f"cannot import {name!r} here: its tables come through the runtime's host, which "
                          "only the main interpreter has; import it there first", name=name)
    data = zipimport.zipimporter(_archive(f"_tables_{name}", name)).get_data("tables.bin")
    Coldbrew._restore_static_tables(data)


def _index():
    global _bundle_of
    if _bundle_of is None:
        import zipimport
        importer = sys.path_importer_cache.get(_core)
        if not isinstance(importer, zipimport.zipimporter):
            importer = zipimport.zipimporter(_core)
        try:
            text = importer.get_data(INDEX).decode()
        except OSError:
            text = ""   # a custom build's stdlib: no bundles
        _bundle_of = dict(line.split(" ", 1) for line in text.splitlines() if line)
    return _bundle_of


def asset(bundle):
    """The asset name of a bundle, as the host locates it."""
    return f"stdlib/{bundle}.zip"


def _archive(bundle, fullname):
    import os
    path = f"{BUNDLES_DIR}/{bundle}.zip"
    if os.path.exists(path):
        return path
    import _coldbrew
    name = asset(bundle)
    try:
        data = _coldbrew.host.asset_bytes(name)
    except Exception as e:   # another thread than the main one (JavaScript is the main thread's)
        raise ImportError(f"cannot import {fullname!r} here: its standard library bundle {name} is not fetched "
                          f"yet and only the main thread can fetch it ({e}); import it once on the main thread",
                          name=fullname) from None
    if data is None:
        raise ImportError(f"cannot import {fullname!r}: fetching its standard library bundle from "
                          f"{_coldbrew.host.asset_where(name)} failed", name=fullname)
    os.makedirs(BUNDLES_DIR, exist_ok=True)
    with open(path + ".part", "wb") as f:
        f.write(bytes(data))
    os.replace(path + ".part", path)
    return path


class BundleFinder:
    """sys.meta_path's last finder: stdlib modules that live in a bundle."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        bundle = _index().get(fullname)
        if bundle is None:
            return None
        import zipimport
        parent = fullname.rpartition(".")[0]
        where = _archive(bundle, fullname) + "/" + (parent.replace(".", "/") + "/" if parent else "")
        return zipimport.zipimporter(where).find_spec(fullname)

    @classmethod
    def invalidate_caches(cls):
        pass


def member(path):
    """The stdlib zip path of a file the core or a bundle holds, or None."""
    if not isinstance(path, str):
        return None
    if _core and path.startswith(_core + "/"):
        return path[len(_core) + 1:]
    if path.startswith(BUNDLES_DIR + "/"):
        rest = path[len(BUNDLES_DIR) + 1:]
        archive, sep, inner = rest.partition(".zip/")
        if sep and "/" not in archive:
            return inner
    return None
