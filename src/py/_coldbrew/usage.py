"""Which parts of Python a program used, for slimming a custom build.

load({monitorFileUsage: true}) calls start(): from then on every read from the
standard library zip, or from a bundle of it fetched on first import
(stdlib_bundles.py), is recorded (module code through zipimport, and data
files such as zoneinfo's through zipfile), on top of what start-up had already
loaded. Coldbrew.getUsedFiles() returns used_files(): the zip's paths, one a
line, the format of a custom build's keeplist.txt (docs/custom-builds.md).
Coldbrew.getUnusedModules() returns unused_modules(): the built-in C modules
no code imported, the list for its UNUSED_BUILTIN_MODULES setting.
"""
import sys

from .stdlib_bundles import member

_used = None


def start(archive):
    """Starts recording reads from `archive` (the standard library zip) and its bundles."""
    global _used
    import zipimport
    _used = set()
    for module in list(sys.modules.values()):   # what start-up loaded (frozen modules have no file)
        _note(getattr(module, "__file__", None))

    read_entry = zipimport._get_data   # every module and resource zipimport reads

    def _get_data(archive_path, toc_entry):
        _note(toc_entry[0])
        return read_entry(archive_path, toc_entry)
    zipimport._get_data = _get_data

    # importlib.resources reads a zipped package's data files with zipfile
    # (zoneinfo's tzdata, for one); zipfile is watched from its first such use,
    # so that recording imports nothing the program would not have imported.
    get_reader = zipimport.zipimporter.get_resource_reader

    def get_resource_reader(self, fullname):
        reader = get_reader(self, fullname)
        _watch_zipfile()
        return reader
    zipimport.zipimporter.get_resource_reader = get_resource_reader


def _watch_zipfile():
    zipfile = sys.modules.get("zipfile")
    if zipfile is None or getattr(zipfile.ZipFile.open, "_coldbrew_usage", False):
        return
    open_member = zipfile.ZipFile.open

    def open(self, name, *args, **kwargs):
        if isinstance(self.filename, str):
            _note(self.filename + "/" + (name.filename if isinstance(name, zipfile.ZipInfo) else name))
        return open_member(self, name, *args, **kwargs)
    open._coldbrew_usage = True
    zipfile.ZipFile.open = open


def _note(path):
    inside = member(path)
    if inside is not None:
        _used.add(inside)


def used_files():
    """The standard library files read since start-up, sorted, one a line."""
    if _used is None:
        raise RuntimeError("file usage is not being recorded: load Coldbrew with "
                           "load({monitorFileUsage: true}), run the program, then ask")
    return "\n".join(sorted(_used))


def unused_modules():
    """The built-in C modules that were never imported, sorted."""
    return sorted(set(sys.builtin_module_names) - set(sys.modules))
