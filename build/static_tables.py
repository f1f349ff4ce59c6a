"""Takes the big static tables of rarely imported C modules out of coldbrew.wasm.

unicodedata's database and the CJK codecs' mapping tables are read-only data:
1.3 MB of the wasm, about 490 KiB of its brotli (docs/performance.md), which
every page used to download at load(). In a static link each table sits at a
fixed address in linear memory, and only its own module reads it. So after the
link this script:

- finds those tables in the linker's map (-Wl,-Map: each static array is its
  own .rodata section, named with its object file);
- copies their bytes out of the wasm's data segments into one bundle per
  module, stdlib/_tables_MODULE.zip (a zip holding tables.bin);
- leaves those ranges out of the wasm's data segments: memory starts zeroed,
  so the tables' addresses read as zeros until their bundle writes them back.
  Every other address keeps its place; only the segments' encoding changes
  (a segment with a table inside becomes the pieces around it: the first
  keeps the segment's index, the rest go to the end of the data section, and
  the DataCount section says the new count). The raw wasm is 1.1 MB smaller,
  which the browser's network stack and Node's file read no longer move
  (docs/performance.md, Finding 13); its brotli is a few KB larger.

On the first import of such a module, src/py/_coldbrew/stdlib_bundles.py
fetches its bundle like any stdlib bundle and writes the bytes back
(Coldbrew._restore_static_tables) before the module's init runs.

tables.bin: b"CBTB", a little-endian u32 count, count pairs of u32 (address,
length), then the bytes of each range in that order.

  static_tables.py --wasm coldbrew.wasm --map coldbrew.map --full FULL.wasm --out-dir DIR
writes the untouched wasm to FULL.wasm (custom builds link or copy that one)
and prints the modules it took tables from.
"""
import argparse
import pathlib
import re
import shutil
import struct
import zipfile

# The modules whose tables go (object file name -> module name). Only sections
# of 1 KiB or more: the small ones (docstrings, method tables) stay.
MODULES = {"unicodedata": "unicodedata", "_codecs_cn": "_codecs_cn", "_codecs_hk": "_codecs_hk",
           "_codecs_jp": "_codecs_jp", "_codecs_kr": "_codecs_kr", "_codecs_tw": "_codecs_tw"}
MIN_TABLE = 1024
MAP_LINE = re.compile(r"\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S*\((\w+)\.o\):\((\.rodata\.[^)]*)\)")


def tables(map_text):
    """module -> [(address, length)] of its read-only tables."""
    found = {}
    for line in map_text.splitlines():
        m = MAP_LINE.match(line)
        if not m:
            continue
        address, length, obj, section = int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)
        # .rodata.str* are merged string literals, shared between objects: never taken.
        if obj in MODULES and length >= MIN_TABLE and not section.startswith((".rodata.str", ".rodata..")):
            found.setdefault(MODULES[obj], []).append((address, length))
    return found


def _leb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _sections(wasm):
    """[(section id, body offset, end offset)] of the module's sections, in order."""
    sections, pos = [], 8
    while pos < len(wasm):
        size, body = _leb(wasm, pos + 1)
        sections.append((wasm[pos], body, body + size))
        pos = body + size
    return sections


def _segments(wasm, body):
    """The data section (at `body`) segment by segment: [(start, flags, address,
    data offset, length, end)], address None unless the segment is active; the
    segment's encoding is wasm[start:end], its bytes wasm[data offset:end]."""
    count, p = _leb(wasm, body)
    segments = []
    for _ in range(count):
        start = p
        flags, p = _leb(wasm, p)
        address = None
        if flags in (0, 2):   # active: 2 names its memory
            if flags == 2:
                _, p = _leb(wasm, p)
            if wasm[p] != 0x41:
                raise SystemExit("static_tables: a data segment's offset is not an i32.const")
            address, p = _leb(wasm, p + 1)
            if wasm[p] != 0x0B:
                raise SystemExit("static_tables: a data segment's offset expression is not a constant")
            p += 1
        length, p = _leb(wasm, p)
        segments.append((start, flags, address, p, length, p + length))
        p += length
    return segments


def active_segments(wasm):
    """[(memory address, file offset, length)] of the data section's active segments."""
    return [(address, offset, length)
            for section_id, body, _ in _sections(wasm) if section_id == 11
            for _, _, address, offset, length, _ in _segments(wasm, body) if address is not None]


def cut(wasm, segments, address, length):
    """The bytes of [address, address + length) as instantiation writes them
    (zeros where no segment covers)."""
    out = bytearray(length)
    for seg_address, offset, seg_length in segments:
        lo, hi = max(address, seg_address), min(address + length, seg_address + seg_length)
        if lo < hi:
            start = offset + lo - seg_address
            out[lo - address:hi - address] = wasm[start:start + hi - lo]
    return bytes(out)


def _uleb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _sleb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        done = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def _active(address, data):
    """An active segment of memory 0 at a constant address."""
    return b"\x00\x41" + _sleb(address) + b"\x0b" + _uleb(len(data)) + data


def _outside(address, data, holes):
    """[(address, bytes)]: the pieces of a segment at `address` outside the sorted `holes`."""
    pieces, start = [], address
    for lo, length in holes:
        lo, hi = max(lo, start), min(lo + length, address + len(data))
        if lo >= hi:
            continue
        if lo > start:
            pieces.append((start, data[start - address:lo - address]))
        start = hi
    if start < address + len(data):
        pieces.append((start, data[start - address:]))
    return pieces


def without_ranges(wasm, holes):
    """The wasm with the sorted address ranges `holes` left out of its active
    segments. Segment indices (which memory.init and data.drop name) stay: a
    split segment's first piece takes its place, the others are appended."""
    sections = _sections(wasm)
    data_section = None
    count_of_segments = None
    for section_id, body, _ in sections:
        if section_id != 11:
            continue
        in_place, appended = [], []
        for start, flags, address, offset, _, end in _segments(wasm, body):
            if flags != 0:   # passive, or another memory's: kept as it is
                in_place.append(bytes(wasm[start:end]))
                continue
            pieces = _outside(address, bytes(wasm[offset:end]), holes) or [(address, b"")]
            in_place.append(_active(*pieces[0]))
            appended.extend(_active(*piece) for piece in pieces[1:])
        segments = in_place + appended
        count_of_segments = len(segments)
        data_section = _uleb(len(segments)) + b"".join(segments)
    out = bytearray(wasm[:8])
    for section_id, body, end in sections:
        if section_id == 11:
            content = data_section
        elif section_id == 12:   # DataCount: must equal the data section's count
            content = _uleb(count_of_segments)
        else:
            content = bytes(wasm[body:end])
        out += bytes([section_id]) + _uleb(len(content)) + content
    return bytes(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasm", required=True, type=pathlib.Path)
    ap.add_argument("--map", required=True, type=pathlib.Path)
    ap.add_argument("--full", required=True, type=pathlib.Path)
    ap.add_argument("--out-dir", required=True, type=pathlib.Path)
    a = ap.parse_args()
    shutil.copyfile(a.wasm, a.full)
    wasm = bytearray(a.wasm.read_bytes())
    segments = active_segments(wasm)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    holes = []
    for module, ranges in sorted(tables(a.map.read_text()).items()):
        ranges.sort()
        blob = b"CBTB" + struct.pack("<I", len(ranges)) + b"".join(struct.pack("<II", *r) for r in ranges)
        blob += b"".join(cut(wasm, segments, address, length) for address, length in ranges)
        with zipfile.ZipFile(a.out_dir / f"_tables_{module}.zip", "w", zipfile.ZIP_STORED) as z:   # brotli (.br) compresses it, as the other bundles
            z.writestr("tables.bin", blob)
        holes += ranges
        print(f"static_tables: {module}: {len(ranges)} tables, {sum(n for _, n in ranges)} bytes")
    smaller = without_ranges(wasm, sorted(holes))
    print(f"static_tables: coldbrew.wasm {len(wasm)} -> {len(smaller)} bytes")
    a.wasm.write_bytes(smaller)


if __name__ == "__main__":
    main()
