"""Packs CPython's standard library for Coldbrew.

Writes
  coldbrew-stdlib.zip  the stdlib as .pyc (compiled by this same CPython 3.13,
                       so the magic number matches), the build's sysconfig
                       data, and a `tzdata` package made from Debian's zoneinfo
                       (zoneinfo finds it through importlib.resources, which
                       works inside a zip). Mounted at /usr/local/lib/python313.zip.
  coldbrew-stdlib-src.zip  the same modules' sources (deflated), which
                       tracebacks and inspect read on first need
                       (src/py/_coldbrew/sources.py), never at start-up.
  cpython-tests.zip    Lib/test as source plus its data files, for the
                       conformance run of CPython's own regression suite.

Left out of the stdlib: the test suite, IDLE, tkinter/turtle (no Tk), ensurepip
(no bundled wheels), and __pycache__ folders.
"""
import argparse
import importlib.util
import io
import marshal
import os
import pathlib
import sys
import zipfile

EXCLUDED_TOP = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "__pycache__",
                "site-packages", "__phello__", "turtle.py"}
ZIP_ROOT = "/usr/local/lib/python313.zip"   # CB_STDLIB_PATH of src/core/cb_protocol.h


def pyc_bytes(source: bytes, display_name: str) -> bytes:
    code = compile(source, display_name, "exec", dont_inherit=True, optimize=0)
    data = bytearray(importlib.util.MAGIC_NUMBER)
    data += (0b11).to_bytes(4, "little")        # unchecked hash-based pyc: no mtime to compare
    data += importlib.util.source_hash(source)
    data += marshal.dumps(code)
    return bytes(data)


def add(zf: zipfile.ZipFile, name: str, data: bytes, stored: bool = True) -> None:
    """Stdlib entries are stored, not deflated: the zip is sent brotli-compressed
    (build/precompress.mjs), which shrinks the whole archive far better than
    per-file deflate (2.9 MB against 4.5 MB), and imports skip inflating."""
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=None if stored else 9)


def pack_stdlib(lib: pathlib.Path, sysconfigdata: pathlib.Path, zoneinfo: pathlib.Path, out: pathlib.Path,
                sources_out: pathlib.Path):
    count = 0
    with zipfile.ZipFile(out, "w") as zf, zipfile.ZipFile(sources_out, "w") as src:
        sources = [p for p in sorted(lib.rglob("*.py"))
                   if p.relative_to(lib).parts[0] not in EXCLUDED_TOP
                   and "__pycache__" not in p.parts and "test" not in p.relative_to(lib).parts[:1]]
        sources.append(sysconfigdata)
        for path in sources:
            rel = path.name if path == sysconfigdata else path.relative_to(lib).as_posix()
            try:
                data = pyc_bytes(path.read_bytes(), f"{ZIP_ROOT}/{rel}")
            except SyntaxError as e:   # e.g. lib2to3-style test fixtures: skip, say so
                print(f"skipped (does not compile): {rel}: {e}", file=sys.stderr)
                continue
            add(zf, rel[:-3] + ".pyc", data)
            add(src, rel, path.read_bytes(), stored=False)
            count += 1
        count += pack_tzdata(zf, zoneinfo)
    print(f"{out}: {count} files, {out.stat().st_size} bytes; sources {sources_out.stat().st_size} bytes")


def pack_tzdata(zf: zipfile.ZipFile, zoneinfo: pathlib.Path) -> int:
    version = "unknown"
    zi = zoneinfo / "tzdata.zi"
    if zi.exists():
        first = zi.read_text().splitlines()[0]
        version = first.split()[-1] if first.startswith("# version") else version
    add(zf, "tzdata/__init__.py", f'"""IANA time zone data, from Debian\'s tzdata."""\nIANA_VERSION = "{version}"\n'
        '__version__ = IANA_VERSION\n'.encode())
    zones, packages = [], {"tzdata/zoneinfo"}
    for path in sorted(zoneinfo.rglob("*")):
        rel = path.relative_to(zoneinfo)
        if rel.parts[0] in ("posix", "right") or not path.is_file():
            continue
        data = path.read_bytes()
        if not data.startswith(b"TZif"):
            continue
        zones.append(rel.as_posix())
        add(zf, f"tzdata/zoneinfo/{rel.as_posix()}", data)
        for i in range(1, len(rel.parts)):
            packages.add("tzdata/zoneinfo/" + "/".join(rel.parts[:i]))
    for pkg in sorted(packages):
        add(zf, f"{pkg}/__init__.py", b"")
    add(zf, "tzdata/zones", ("\n".join(zones) + "\n").encode())
    return len(zones) + len(packages) + 2


def pack_tests(lib: pathlib.Path, out: pathlib.Path):
    with zipfile.ZipFile(out, "w") as zf:
        for path in sorted((lib / "test").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                add(zf, path.relative_to(lib).as_posix(), path.read_bytes(), stored=False)
    print(f"{out}: {out.stat().st_size} bytes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpython", required=True, type=pathlib.Path, help="built CPython source tree")
    ap.add_argument("--lib", type=pathlib.Path, help="Lib/ to pack (default: the tree's own)")
    ap.add_argument("--zoneinfo", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--sources-out", required=True, type=pathlib.Path)
    ap.add_argument("--tests-out", required=True, type=pathlib.Path)
    a = ap.parse_args()
    builddir = (a.cpython / "pybuilddir.txt").read_text().strip()
    sysconfigdata = next((a.cpython / builddir).glob("_sysconfigdata_*.py"))
    lib = a.lib or a.cpython / "Lib"
    pack_stdlib(lib, sysconfigdata, a.zoneinfo, a.out, a.sources_out)
    pack_tests(lib, a.tests_out)


if __name__ == "__main__":
    main()
