// The standard library in two parts (build/split_stdlib.py): load() fetches
// the core (start-up and the common imports), and the rest comes one bundle
// (stdlib/NAME.zip) at a time on first import (src/py/_coldbrew/stdlib_bundles.py).
// The static tables of unicodedata and the CJK codecs come the same way
// (build/static_tables.py: stdlib/_tables_NAME.zip), written back before the
// module's init.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Coldbrew, capture, py } from './helpers.mjs';
import { COMMON } from '../../build/stdlib_core.mjs';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

/* A loaded instance whose asset lookups are recorded (and may be redirected). */
async function spied(redirect = {}) {
  const located = [];
  const cb = Coldbrew.createNewInstance();
  await cb.load({
    hideWarnings: true,
    locateFile: (name) => { located.push(name); return redirect[name] || path.join(dist, name); },
  });
  capture(cb);
  return { cb, located, bundles: () => located.filter((n) => n.startsWith('stdlib/')) };
}

/* The active data segments of a wasm (memory 0, i32.const offsets): [[address, length]].
 * The read position lives in an object, not in a `let` the helper closure
 * writes: Node 26.10's V8 (14.6), when Maglev compiled this loop on the stack
 * (OSR) mid-run, went on reading a stale copy of such a captured `let` after
 * the closure had moved it, and this parse came out wrong in about one run of
 * five (right every time with --no-maglev-osr, and on Node 20 and 24). */
function dataSegments(wasm) {
  const at = { pos: 8 };
  const leb = () => {
    let value = 0, shift = 0, byte;
    do { byte = wasm[at.pos++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const segments = [];
  while (at.pos < wasm.length) {
    const id = wasm[at.pos++], size = leb(), end = at.pos + size;
    if (id === 11) {
      for (let n = leb(); n > 0; n--) {
        const flags = leb();
        let address = null;
        if (flags === 0 || flags === 2) {
          if (flags === 2) leb();   // memory index
          at.pos++;                 // i32.const
          address = leb();
          at.pos++;                 // end
        }
        const length = leb();
        if (address !== null) segments.push([address, length]);
        at.pos += length;
      }
    }
    at.pos = end;
  }
  return segments;
}

/* The ranges a _tables_NAME.zip writes back: [[address, length]] (tables.bin, stored). */
function tableRanges(name) {
  const zip = fs.readFileSync(path.join(dist, 'stdlib', `_tables_${name}.zip`));
  const at = zip.indexOf('CBTB');
  return Array.from({ length: zip.readUInt32LE(at + 4) }, (_, i) => [zip.readUInt32LE(at + 8 + 8 * i), zip.readUInt32LE(at + 12 + 8 * i)]);
}

describe('stdlib bundles', () => {
  test('the dist has the core zip, its index and the bundles it names', () => {
    assert.ok(fs.statSync(path.join(dist, 'coldbrew-stdlib.zip')).size < 2e6, 'the core zip is the small part');
    assert.ok(fs.existsSync(path.join(dist, 'stdlib', 'email.zip')));
    assert.ok(fs.existsSync(path.join(dist, 'stdlib', 'email.zip.br')));
  });

  test('start-up and the common imports fetch no bundle', async () => {
    const { cb, bundles } = await spied();
    assert.equal(py(cb, `import ${COMMON.join(', ')}\nprint(json.dumps(dataclasses.asdict(dataclasses.make_dataclass("P", ["x"])(1))))`), '{"x": 1}');
    assert.throws(() => cb.run('1 / 0'), /ZeroDivisionError/);   // a traceback needs nothing more either
    assert.deepEqual(bundles(), []);
    cb.unload();
  });

  test('other modules come from their bundle on first import, once', async () => {
    const { cb, bundles } = await spied();
    const out = py(cb, `
import email.mime.text, xml.dom.minidom, zoneinfo, datetime
m = email.mime.text.MIMEText("hi")
print(m["Content-Type"])
print(xml.dom.minidom.parseString("<a><b/></a>").documentElement.firstChild.tagName)
print(datetime.datetime(2024, 7, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")).utcoffset())
print(email.__file__)
import email.parser, email.mime.text
print("again")`);
    assert.equal(out, 'text/plain; charset="us-ascii"\nb\n2:00:00\n/usr/local/lib/python3.13/stdlib-bundles/email.zip/email/__init__.pyc\nagain');
    const fetched = bundles();
    for (const b of ['stdlib/email.zip', 'stdlib/xml.zip', 'stdlib/zoneinfo.zip', 'stdlib/tzdata.zip']) assert.ok(fetched.includes(b), b);
    assert.equal(fetched.length, new Set(fetched).size, 'each bundle fetched once');
    cb.unload();
  });

  test('a bundle module shows its source lines in tracebacks', async () => {
    const { cb } = await spied();
    let err;
    try { cb.run('import email.utils\nemail.utils.parsedate_to_datetime(None)'); } catch (e) { err = e; }
    assert.match(err.errorData.traceback, /email\/utils\.py", line \d+, in parsedate_to_datetime\n\s+raise ValueError/);
    cb.unload();
  });

  test('a bundle that cannot be fetched: ImportError naming where, and the runtime goes on', async () => {
    const missing = path.join(dist, 'no-such-folder', 'email.zip');
    const { cb } = await spied({ 'stdlib/email.zip': missing });
    const out = py(cb, `
try:
    import email.message
except ImportError as e:
    print(type(e).__name__, e.name, "${missing}" in str(e))
import json
print(json.dumps([1]))`);
    assert.equal(out, 'ImportError email True\n[1]');
    assert.throws(() => cb.run('import no_such_module_at_all'), /ModuleNotFoundError: No module named 'no_such_module_at_all'/);
    cb.unload();
  });

  test('unicodedata and the CJK codecs: their tables are not in the wasm, and come on first import, once', async () => {
    const { cb, bundles } = await spied();
    assert.deepEqual(bundles(), []);
    // The values native CPython 3.13 gives.
    const out = py(cb, String.raw`
import unicodedata
print(unicodedata.name("é"), unicodedata.lookup("BULLET"), unicodedata.normalize("NFD", "é").encode("unicode_escape"),
      unicodedata.category("A"), unicodedata.east_asian_width("テ"), unicodedata.ucd_3_2_0.name("a"))
print(eval('"\\N{GREEK SMALL LETTER ALPHA}"'))
print("テスト".encode("shift_jis"), b"\x83e\x83X\x83g".decode("shift_jis"), "中文".encode("gbk"), "한국".encode("euc_kr"),
      "測試".encode("big5"), "𠄌".encode("big5hkscs"), "テ".encode("iso2022_jp"))
import importlib, _codecs_jp
importlib.reload(unicodedata)
print(unicodedata.name("ß"))`);
    assert.equal(out, "LATIN SMALL LETTER E WITH ACUTE • b'e\\\\u0301' Lu W LATIN SMALL LETTER A\nα\n" +
      "b'\\x83e\\x83X\\x83g' テスト b'\\xd6\\xd0\\xce\\xc4' b'\\xc7\\xd1\\xb1\\xb9' b'\\xb4\\xfa\\xb8\\xd5' b'\\x88E' b'\\x1b$B%F\\x1b(B'\n" +
      'LATIN SMALL LETTER SHARP S');
    const fetched = bundles();
    for (const m of ['unicodedata', '_codecs_jp', '_codecs_cn', '_codecs_kr', '_codecs_tw', '_codecs_hk']) {
      assert.equal(fetched.filter((b) => b === `stdlib/_tables_${m}.zip`).length, 1, `${m}: ${fetched}`);
    }
    cb.unload();
  });

  test('the wasm carries nothing for the tables, not even zeros: memory starts zeroed there', () => {
    const segments = dataSegments(fs.readFileSync(path.join(dist, 'coldbrew.wasm')));
    let bytes = 0;
    for (const m of ['unicodedata', '_codecs_jp', '_codecs_cn', '_codecs_kr', '_codecs_tw', '_codecs_hk']) {
      for (const [address, length] of tableRanges(m)) {
        bytes += length;
        const covering = segments.filter(([a, n]) => n > 0 && a < address + length && address < a + n);
        assert.deepEqual(covering, [], `${m}: the table at ${address} (${length} bytes) is still in a data segment`);
      }
    }
    assert.ok(bytes > 1e6, `the tables hold ${bytes} bytes`);
    assert.ok(segments.length > 1000, `${segments.length} data segments read`);
  });

  test('the tables come back however the module is imported (the init itself restores them)', async () => {
    const { cb, bundles } = await spied();
    // Only the built-in importer left on sys.meta_path, and a \\N{...} escape, which imports unicodedata itself.
    const out = py(cb, String.raw`
import sys, importlib.machinery
saved = sys.meta_path[:]
sys.meta_path[:] = [importlib.machinery.BuiltinImporter]
import _codecs_kr
sys.meta_path[:] = saved
import codecs
print(codecs.encode("한국", "euc_kr"), eval('"\N{BULLET}"'))
try:
    Coldbrew._tables_out(["no_such_module"])
except ValueError as e:
    print(e)`);
    assert.equal(out, "b'\\xc7\\xd1\\xb1\\xb9' •\nColdbrew._tables_out: no_such_module has no tables that can be left out");
    assert.ok(bundles().includes('stdlib/_tables__codecs_kr.zip') && bundles().includes('stdlib/_tables_unicodedata.zip'), bundles().join(' '));
    cb.unload();
  });

  test('tables that cannot be fetched: ImportError naming where; bad table data is refused', async () => {
    const missing = path.join(dist, 'no-such-folder', '_tables_unicodedata.zip');
    const { cb } = await spied({ 'stdlib/_tables_unicodedata.zip': missing });
    // Refused: no header, a range below the static data, a range longer than the bytes given, not bytes.
    const out = py(cb, String.raw`
try:
    import unicodedata
except ImportError as e:
    print(type(e).__name__, e.name, "${missing}" in str(e))
for data in (b"", b"CBTB", b"CBTB\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00x", b"CBTB\x01\x00\x00\x00\x00\x04\x00\x00\x02\x00\x00\x00x", 42):
    try:
        Coldbrew._restore_static_tables(data)
    except (ValueError, TypeError) as e:
        print(type(e).__name__)
print("still fine")`);
    assert.equal(out, 'ImportError unicodedata True\nValueError\nValueError\nValueError\nValueError\nTypeError\nstill fine');
    cb.unload();
  });

  test('getUsedFiles lists what came from bundles, in stdlib zip paths', async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true, monitorFileUsage: true });
    cb.run('import email.mime.text');
    const used = cb.getUsedFiles().split('\n');
    assert.ok(used.includes('email/mime/text.pyc'), used.join(' '));
    assert.ok(used.includes('encodings/__init__.pyc'), 'start-up\'s own files, from the core');
    cb.unload();
  });
});
