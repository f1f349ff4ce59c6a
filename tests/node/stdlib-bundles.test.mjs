// The standard library in two parts (build/split_stdlib.py): load() fetches
// the core (start-up and the common imports), and the rest comes one bundle
// (stdlib/NAME.zip) at a time on first import (src/py/_coldbrew/stdlib_bundles.py).
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
