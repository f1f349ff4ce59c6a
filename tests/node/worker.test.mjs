// Worker mode (load({worker: true})): what only worker mode has — Promises,
// remote variables, interrupts and time limits, the calling thread's scope.
// The synchronous API's bodies run in both modes in modes.test.mjs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Coldbrew } from './helpers.mjs';

/* An instance in worker mode, its output captured. */
async function workerInstance(options = {}) {
  const cb = Coldbrew.createNewInstance();
  await cb.load({ hideWarnings: true, worker: true, ...options });
  cb.out = [];
  cb.onStandardOut = (line) => cb.out.push(line);
  return cb;
}

describe('worker mode', () => {
  let cb;
  before(async () => { cb = await workerInstance(); });
  after(() => cb.unload());

  test('every method returns a Promise; the yield rate is Infinity and cannot be set', async () => {
    for (const p of [cb.run('1'), cb.getcwd(), cb.getenv(), cb.listFiles('/'), cb.getAsyncYieldRate()]) assert.ok(p instanceof Promise);
    assert.equal(await cb.getAsyncYieldRate(), Infinity);
    await assert.rejects(cb.setAsyncYieldRate(5), /worker mode.*Infinity/);
  });

  test('a Python object is a remote variable: reads and calls chain and are Promises', async () => {
    await cb.run('import collections\nt_c = collections.Counter("aab")\nclass T:\n    def __init__(self, v):\n        self.v = v\n    def twice(self):\n        return 2 * self.v');
    const c = await cb.getVariable('t_c');
    assert.equal(c.__type__, 'Counter');
    assert.equal(await c.a, 2);
    assert.deepEqual(await c.mostCommon(1), [['a', 2]]);
    assert.equal(await c.toString(), "Counter({'a': 2, 'b': 1})");
    const T = await cb.getVariable('T');
    const t = await new T(21);
    assert.equal(await t.twice(), 42);
    assert.equal(await cb.runFunction('len', c), 2);   // a remote variable passed back is the object
    await c.__destroy__();
    await assert.rejects(async () => c.a, /released/);
    await cb.run('del t_c, T');
  });

  test('interrupt(): a loop, time.sleep, a C-level regex, input(), a recursion — each KeyboardInterrupt promptly', async () => {
    cb.standardInBuffer = '';
    cb.onStandardInReadAsync = () => new Promise(() => {});
    try {
      for (const source of ['while True:\n    pass', 'import time\ntime.sleep(100)', 'import re\nre.match("(a+)+$", "a" * 40 + "b")',
        'input()', 'def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError:\n    pass\nwhile True:\n    pass']) {
        const run = cb.run(source);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const t0 = performance.now();
        assert.equal(await cb.interrupt(), true);
        await assert.rejects(run, (e) => e.errorData.exctype === 'KeyboardInterrupt', source);
        const ms = performance.now() - t0;
        assert.ok(ms < 1000, `${source}: ${ms.toFixed(1)} ms`);   // latency itself: bench/worker.mjs
      }
    } finally {
      cb.onStandardInReadAsync = null;
    }
    assert.equal(await cb.interrupt(), false);   // nothing runs
    assert.equal(await cb.run('x = 2'), 0);
  });

  test('a time limit: KeyboardInterrupt first; a program that ignores it loses its worker', async () => {
    await assert.rejects(cb.run('while True:\n    pass', { timeout: 100 }), (e) => e.errorData.exctype === 'KeyboardInterrupt');
    assert.equal(await cb.run('print("still here")', { timeout: 1000 }), 0);
    const other = await workerInstance();
    const t0 = performance.now();
    await assert.rejects(other.run('while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass',
      { timeout: 100, grace: 200 }), (e) => e.code === 'COLDBREW_TIMEOUT' && /call Coldbrew.load\(\)/.test(e.message));
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(other.run, undefined);   // unloaded
    await other.load({ worker: true, hideWarnings: true });
    assert.equal(await other.run('x = 1'), 0);
    other.unload();
    await assert.rejects(cb.run('1', { timeout: -1 }), /timeout must be a number/);
  });

  test('unload() ends the worker and its pending calls; load() works again; two instances are separate', async () => {
    const a = await workerInstance();
    const b = await workerInstance();
    await a.run('who = "a"');
    await b.run('who = "b"');
    assert.deepEqual([await a.getVariable('who'), await b.getVariable('who')], ['a', 'b']);
    const pending = a.run('while True:\n    pass');
    a.unload();
    await assert.rejects(pending, (e) => e.code === 'COLDBREW_UNLOADED');
    await a.load({ worker: true, hideWarnings: true });
    await assert.rejects(a.getVariable('who'), (e) => e.errorData.exctype === 'NameError');
    a.unload();
    b.unload();
  });

  test('persistence and zip in worker mode', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-worker-'));
    const a = await workerInstance({ fsOptions: { persistHome: true, storage } });
    await a.run('open("/home/kept.txt", "w").write("from the worker")');
    assert.equal(await a.saveFiles(), true);
    const zip = path.join(storage, 'home.zip');
    const bytes = await a.downloadPathToZip('/home', zip);
    assert.ok(bytes instanceof Uint8Array && fs.existsSync(zip));
    assert.equal(await a.addFilesFromZip('/files/unzipped', zip), 1);
    assert.equal(await a.readFile('/files/unzipped/kept.txt'), 'from the worker');
    a.unload();
    const b = await workerInstance({ fsOptions: { persistHome: true, storage } });
    assert.equal(await b.readFile('/home/kept.txt'), 'from the worker');
    b.unload();
  });

  test("Python's Coldbrew.run / get_variable / run_function reach the calling thread's globals", async () => {
    class Box { constructor(v) { this.v = v; } twice() { return 2 * this.v; } }
    Object.assign(globalThis, { cbPageAdd: (x, y) => x + y, cbPageObj: { items: [1, 2], greet: (n) => `hi ${n}` }, cbPageBox: Box });
    cb.out.length = 0;
    await cb.run(`
print(Coldbrew.run_function("cbPageAdd", 2, 3), Coldbrew.get_variable("cbPageObj").greet("py"), Coldbrew.get_variable("cbPageObj")["items"])
b = Coldbrew.get_variable("cbPageBox")(21)
print(b.twice(), b.v, type(b).__name__)
Coldbrew.run("globalThis.cbFromWorker = 'set by Python in the worker'")
try:
    Coldbrew.run("throw new RangeError('thrown on the calling thread')")
except Coldbrew.JavaScriptError as e:
    print(e.error_data["name"], e.error_data["message"])
try:
    Coldbrew.run_function("cbPageAdd", object(), 1)
except Coldbrew.JavaScriptError as e:
    print("refused:", "only plain data" in e.error_data["message"])
del b
`);
    assert.deepEqual(cb.out, ['5 hi py [1, 2]', '42 21 JavaScriptVariable', 'RangeError thrown on the calling thread', 'refused: True']);
    assert.equal(globalThis.cbFromWorker, 'set by Python in the worker');
    for (const k of ['cbPageAdd', 'cbPageObj', 'cbPageBox', 'cbFromWorker']) delete globalThis[k];
  });

  test('bad input still rejects with the clear errors', async () => {
    await assert.rejects(cb.run(42), /source must be a string/);
    await assert.rejects(cb.runFunction('print', () => 1), /worker mode, arguments must be plain data/);
    await assert.rejects(cb.readFile('/no/such'), (e) => e.code === 'ENOENT');
  });
});
