"""Splits the packed standard library into what load() fetches and what it
fetches on first import.

Reads the whole stdlib zip (build/pack_stdlib.py) and build/stdlib-core.txt
(the files start-up and the common imports read, one zip path a line;
build/stdlib_core.mjs regenerates it). Writes, in --out-dir:
  coldbrew-stdlib.zip   the core: the listed files, every data file of a package
                        that has one of them (importlib.resources reads a
                        package's data beside its code), and
                        coldbrew-stdlib-bundles.txt, the index: "module bundle"
                        a line for each module left out.
  stdlib/NAME.zip       a bundle for each top-level name (package or module):
                        its files that the core does not hold, at the same zip
                        paths; small ones share a bundle (small-N.zip). src/py/_coldbrew/stdlib_bundles.py fetches one the
                        first time a module in it is imported.
The zips are stored, not deflated, like the whole one: they travel brotli-
compressed (build/precompress.mjs).
"""
import argparse
import pathlib
import zipfile

INDEX = "coldbrew-stdlib-bundles.txt"
# The finder that fetches bundles cannot come from one.
FINDER = {"_coldbrew/__init__.pyc", "_coldbrew/stdlib_bundles.pyc"}


def module_name(path):
    """The module a .pyc (or .py, as tzdata's) zip path holds ("email/mime/__init__.pyc" -> "email.mime"), or None."""
    if not path.endswith((".pyc", ".py")):
        return None
    parts = path.rsplit(".", 1)[0].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Bundlers inline small assets as data: URLs (Vite: under 4 KiB), which a page's
# Content-Security-Policy may refuse to fetch: top-level names smaller than this
# share a bundle with their neighbours in name order (small-1, small-2, ...).
MIN_BUNDLE = 8192


def merge_small(bundles):
    out, group, size = {}, [], 0
    groups = []
    for name, members in sorted(bundles.items()):
        n = sum(i.file_size for i in members)
        if n >= MIN_BUNDLE:
            out[name] = members
            continue
        group += members
        size += n
        if size >= MIN_BUNDLE:
            groups.append(group)
            group, size = [], 0
    if group:
        if groups:
            groups[-1] += group   # the remainder joins the last group, keeping each at the minimum
        else:
            groups.append(group)
    for number, members in enumerate(groups, 1):
        out[f"small-{number}"] = members
    return out


def copy(src, dst, info):
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_STORED
    out.external_attr = info.external_attr
    dst.writestr(out, src.read(info))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stdlib", required=True, type=pathlib.Path, help="the whole stdlib zip")
    ap.add_argument("--core-list", required=True, type=pathlib.Path, help="build/stdlib-core.txt")
    ap.add_argument("--out-dir", required=True, type=pathlib.Path)
    a = ap.parse_args()

    wanted = {line.strip() for line in a.core_list.read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    with zipfile.ZipFile(a.stdlib) as whole:
        infos = whole.infolist()
        names = {i.filename for i in infos}
        core_dirs = {f.rsplit("/", 1)[0] for f in wanted if "/" in f}
        in_core = {i.filename for i in infos
                   if i.filename in wanted or i.filename in FINDER
                   or (not i.filename.endswith(".pyc") and i.filename.rsplit("/", 1)[0] in core_dirs)}
        # Start-up's frozen modules appear as NAME.py (their __file__); the zip has no copy.
        missing = sorted(f for f in wanted - names if not f.endswith(".py"))
        if missing:
            raise SystemExit(f"split_stdlib: build/stdlib-core.txt names files the stdlib does not have: {missing[:5]}")

        bundles = {}
        for info in infos:
            if info.filename not in in_core:
                bundles.setdefault(info.filename.split("/")[0].removesuffix(".pyc"), []).append(info)
        bundles = merge_small(bundles)

        index = []
        (a.out_dir / "stdlib").mkdir(parents=True, exist_ok=True)
        for bundle, members in sorted(bundles.items()):
            with zipfile.ZipFile(a.out_dir / "stdlib" / f"{bundle}.zip", "w") as out:
                for info in members:
                    copy(whole, out, info)
                    module = module_name(info.filename)
                    if module:
                        index.append(f"{module} {bundle}")

        with zipfile.ZipFile(a.out_dir / "coldbrew-stdlib.zip", "w") as core:
            for info in infos:
                if info.filename in in_core:
                    copy(whole, core, info)
            entry = zipfile.ZipInfo(INDEX, date_time=(2025, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            core.writestr(entry, "\n".join(index) + "\n")
    print(f"split_stdlib: core {len(in_core)} files, {len(bundles)} bundles holding {len(index)} modules")


if __name__ == "__main__":
    main()
