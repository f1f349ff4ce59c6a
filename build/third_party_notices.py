"""Writes THIRD-PARTY-NOTICES.txt: the licences of the code inside
coldbrew.wasm and the stdlib zip, taken from the pinned source tarballs
themselves (build/sources.sha256), so the notices always match what was built.

CPython's Doc/license.rst carries the licences of what CPython bundles
(expat, libmpdec, HACL*, mimalloc, ...); the IANA time zone data packed as
the tzdata package is in the public domain (Debian's copyright file says so).

Usage: third_party_notices.py SOURCES_DIR PINS OUT [TZDATA_COPYRIGHT]"""
import pathlib
import sys
import tarfile

# package (as pinned) -> what it is, and the licence files at the top of its tree
WANTED = {
    "python3.13": ("CPython 3.13 (the interpreter and its standard library)", ["LICENSE", "Doc/license.rst"]),
    "zlib": ("zlib", ["LICENSE"]),
    "bzip2": ("bzip2 / libbzip2", ["LICENSE"]),
    "xz-utils": ("XZ Utils (liblzma)", ["COPYING", "COPYING.0BSD"]),
    "sqlite3": ("SQLite", ["LICENSE.md"]),
    "libffi": ("libffi", ["LICENSE"]),
}

sources, pins, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
tarballs = {line.split()[1].split("_")[0]: line.split()[1] for line in pins.read_text().splitlines() if line.strip()}
parts = ["Coldbrew contains code from the projects below, each under its own licence.\n"
         "Coldbrew's own code is under the MIT licence (LICENSE).\n"]
for package, (title, files) in WANTED.items():
    name = tarballs.get(package)
    if not name:
        raise SystemExit(f"third_party_notices: no pinned tarball for {package}")
    found = {}
    with tarfile.open(sources / name) as tar:
        for member in tar:
            top, _, rest = member.name.partition("/")
            if rest in files and member.isfile():
                found[rest] = tar.extractfile(member).read().decode("utf-8", "replace")
    missing = [f for f in files if f not in found]
    if missing:
        raise SystemExit(f"third_party_notices: {name} has no {', '.join(missing)}")
    for f in files:
        parts.append(f"{'=' * 78}\n{title}: {f} (from {name})\n{'=' * 78}\n\n{found[f].strip()}\n")
if len(sys.argv) > 4 and pathlib.Path(sys.argv[4]).exists():
    parts.append(f"{'=' * 78}\nThe IANA time zone database (the tzdata package in the stdlib): "
                 f"Debian's copyright file\n{'=' * 78}\n\n{pathlib.Path(sys.argv[4]).read_text().strip()}\n")
out.write_text("\n".join(parts))
