// Asynchronous runs: runAsync, runFileAsync, runFunctionAsync, getVariableAsync,
// the yield rate, async time.sleep, and the one-run-at-a-time rule. With JSPI
// (Node >= 24) Python yields to the event loop; without it (Node 20) the same
// calls run synchronously and their Promises settle the same way.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadedInstance, py } from './helpers.mjs';

const JSPI = typeof WebAssembly.Suspending === 'function';
const LOOP = 'total = 0\nfor i in range(2_000_000):\n    total += i\nprint(total)';

/* Runs fn while a 5 ms interval timer ticks; returns the ticks and the largest gap between them. */
async function withTicks(fn) {
  let ticks = 0, maxGap = 0, last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 5);
  try {
    const value = await fn();
    maxGap = Math.max(maxGap, performance.now() - last);
    return { value, ticks, maxGap };
  } finally {
    clearInterval(timer);
  }
}

describe('asynchronous runs', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('runAsync resolves to 0 with the output; JS timers keep firing meanwhile (JSPI)', async () => {
    // One-time costs (the first promising call, wasm tier-up) are not what this measures.
    await cb.runAsync('sum(range(300_000))');
    cb.out.length = 0;
    const r = await withTicks(() => cb.runAsync(LOOP));
    assert.equal(r.value, 0);
    assert.deepEqual(cb.out, ['1999999000000']);
    if (JSPI) {
      assert.ok(r.ticks >= 5, `timer ticks during the run: ${r.ticks}`);
      assert.ok(r.maxGap < 50, `largest gap between timer ticks: ${r.maxGap.toFixed(1)} ms`);
    } else {
      assert.equal(r.ticks, 0, 'without JSPI the run is synchronous');
    }
  });

  test('setAsyncYieldRate(Infinity) never yields; a number yields by interpreter checks; null is the default', async () => {
    assert.equal(cb.getAsyncYieldRate(), null);
    cb.setAsyncYieldRate(Infinity);
    const never = await withTicks(() => cb.runAsync(LOOP));
    assert.equal(never.ticks, 0);
    cb.setAsyncYieldRate(1000);
    assert.equal(cb.getAsyncYieldRate(), 1000);
    const often = await withTicks(() => cb.runAsync(LOOP));
    if (JSPI) assert.ok(often.ticks >= 5, `ticks with rate 1000: ${often.ticks}`);
    assert.throws(() => cb.setAsyncYieldRate(0), /greater than 0/);
    assert.equal(py(cb, 'print(Coldbrew.get_async_yield_rate())\nColdbrew.set_async_yield_rate(None)\nprint(Coldbrew.get_async_yield_rate())'), '1000\nNone');
    assert.equal(cb.getAsyncYieldRate(), null);
    cb.run('Coldbrew.set_async_yield_rate(float("inf"))');
    assert.equal(cb.getAsyncYieldRate(), Infinity);
    cb.setAsyncYieldRate(null);
  });

  test('time.sleep in an async run lets the event loop run', async () => {
    const r = await withTicks(() => cb.runAsync('import time\nt = time.monotonic()\ntime.sleep(0.3)\nprint(time.monotonic() - t >= 0.3)'));
    assert.equal(cb.out.at(-1), 'True');
    if (JSPI) assert.ok(r.ticks >= 20, `timer ticks during a 300 ms sleep: ${r.ticks}`);
  });

  test('time.sleep in a synchronous run blocks for its duration and warns on each call, as the original (unless hideWarnings)', async () => {
    const loud = await loadedInstance({ hideWarnings: false });
    const warnings = [];
    const original = console.warn;
    console.warn = (...a) => warnings.push(a.join(' '));
    try {
      const t0 = performance.now();
      loud.run('import time\ntime.sleep(0.05)\ntime.sleep(0.05)');
      assert.ok(performance.now() - t0 >= 95, 'slept the whole time');
      assert.equal(warnings.length, 2);
      assert.match(warnings[0], /Coldbrew warning: time\.sleep\(\) in a synchronous run blocks JavaScript.*runAsync\(\), runFileAsync\(\) or runFunctionAsync\(\)/);
      warnings.length = 1;
      loud.run('import time\ntime.sleep(0.01)');
      assert.equal(warnings.length, 2, 'each call');
      if (JSPI) {
        await loud.runAsync('import time\ntime.sleep(0.01)');
        assert.equal(warnings.length, 2, 'an async run does not block, so no warning');
      }
      cb.run('import time\ntime.sleep(0.01)');   // cb was loaded with hideWarnings: true
      assert.equal(warnings.length, 2);
    } finally {
      console.warn = original;
      loud.unload();
    }
  });

  test('runFunctionAsync and getVariableAsync resolve to values; runFileAsync runs a file', async () => {
    cb.run('def power(x, y=0):\n    return x ** y\nbig = list(range(5))');
    assert.equal(await cb.runFunctionAsync('power', 2, cb.PythonKeywords({ y: 20 })), 2 ** 20);
    assert.deepEqual(await cb.getVariableAsync('big'), [0, 1, 2, 3, 4]);
    cb.out.length = 0;
    assert.equal(await cb.runFileAsync('add.py', { cwd: '/coldbrew/examples', args: ['5', '15'] }), 0);
    assert.deepEqual(cb.out, ['20']);
    // options.env applies to that run only
    cb.run('with open("/tmp/env.py", "w") as f:\n    f.write("import os\\nprint(os.environ.get(\'CB_COLOUR\'))")');
    cb.out.length = 0;
    assert.equal(await cb.runFileAsync('/tmp/env.py', { env: { CB_COLOUR: 'teal' } }), 0);
    assert.equal(await cb.runFileAsync('/tmp/env.py'), 0);
    assert.deepEqual(cb.out, ['teal', 'None']);
  });

  test('getVariableAsync: property reads, calls and `new` chain without awaiting each step; each step is an async run', async () => {
    cb.run(`
import time
class Doubler:
    def __init__(self, n, *, step=2):
        self.n, self.step = n, step
    def grow(self):
        time.sleep(0.05)   # in an async run: the event loop keeps running
        return Doubler(self.n * self.step, step=self.step)
    def value(self):
        return self.n
table = {"rows": [[1, 2], [3, 4]]}
`);
    const Doubler = cb.getVariableAsync('Doubler');
    assert.equal(typeof Doubler.then, 'function');
    const r = await withTicks(() => new Doubler(3, cb.PythonKeywords({ step: 3 })).grow().grow().value());
    assert.equal(r.value, 27);
    if (JSPI) assert.ok(r.ticks >= 10, `timer ticks during two 50 ms sleeps: ${r.ticks}`);
    assert.deepEqual(await cb.getVariableAsync('table').rows[1], [3, 4]);
    const counter = await cb.getVariableAsync('__import__')('collections').Counter('abracadabra');
    assert.ok(cb.PythonVariable.isPythonVariable(counter), 'a non-plain result is an ordinary Python variable');
    assert.deepEqual(counter.mostCommon(1), [['a', 5]]);
    // A step waits for an async run in progress instead of failing as busy.
    const running = cb.runAsync('import time\ntime.sleep(0.05)\nqueued_value = 7');
    assert.equal(await cb.getVariableAsync('queued_value'), 7);
    assert.equal(await running, 0);
    // Two chains at once are queued, not refused as busy.
    const both = await Promise.all([cb.getVariableAsync('Doubler')(1).grow().value(), cb.getVariableAsync('Doubler')(5).value()]);
    assert.deepEqual(both, [2, 5]);
    // A failing step rejects the chain with the PythonError; the runtime stays usable.
    await assert.rejects(async () => await cb.getVariableAsync('Doubler')(1).value(5), (e) =>
      e instanceof cb.PythonError && e.errorData.type === 'TypeError' && /positional argument/.test(e.message));
    await assert.rejects(async () => await cb.getVariableAsync('Doubler')(1).no_such_method(), /undefined is not a function/);
    await assert.rejects(async () => await cb.getVariableAsync('no_such_name').x, (e) => e.errorData.type === 'NameError');
    assert.throws(() => { cb.getVariableAsync('table').rows = 1; }, /cannot be assigned/);
    assert.equal(await cb.runAsync('ok = 2'), 0);
  });

  test('an exception rejects with PythonError and the runtime stays usable', async () => {
    await assert.rejects(cb.runAsync('x = 1\nraise ValueError("async boom")'), (e) =>
      e instanceof cb.PythonError && e.errorData.type === 'ValueError' && e.errorData.message === 'async boom');
    await assert.rejects(async () => await cb.runFunctionAsync('no_such_function'), (e) => e.errorData.type === 'NameError');
    assert.equal(await cb.runAsync('y = 2'), 0);
    assert.equal(py(cb, 'print(x + y)'), '3');
  });

  test('bad input: non-string source or name, bad options, an unknown file', async () => {
    await assert.rejects(cb.runAsync(42), /source must be a string/);
    await assert.rejects(async () => await cb.runFunctionAsync(null), /name must be a string/);
    await assert.rejects(async () => await cb.getVariableAsync({}), /name must be a string/);
    await assert.rejects(cb.runFileAsync('add.py', null), /options must be an object/);
    await assert.rejects(cb.runFileAsync('add.py', { env: null }), /options.env must be an object/);
    await assert.rejects(cb.runFileAsync('add.py', { colour: 1 }), /unknown option 'colour'/);
    await assert.rejects(cb.runFileAsync('/no/such/file.py'), (e) => e instanceof cb.PythonError);
    assert.equal(await cb.runAsync('ok = 1'), 0);
  });

  test('one run at a time: a second run while one is in progress is a clear error', async () => {
    const first = cb.runAsync(LOOP);
    if (JSPI) {
      assert.throws(() => cb.run('1'), (e) => /is already running/.test(e.message) && e.coldbrewConcurrencyError === true);
      assert.throws(() => cb.getVariable('total'), /cannot run concurrently/);
      await assert.rejects(cb.runAsync('1'), (e) => /already running/.test(e.message) && e.coldbrewConcurrencyError === true);
    }
    assert.equal(await first, 0);
    assert.equal(cb.run('z = 3'), 0);
  });

  test('Promises from JS are resolved for Python in an async run; a rejection is a JavaScriptError', async () => {
    globalThis.cbLater = (v, ms) => new Promise((resolve) => setTimeout(() => resolve(v), ms));
    globalThis.cbFails = () => Promise.reject(new RangeError('no luck'));
    globalThis.cbReady = Promise.resolve({ answer: 42 });
    cb.out.length = 0;
    const source = `
v = Coldbrew.run_function("cbLater", "done", 100)
print(v, Coldbrew.get_variable("cbReady")["answer"])
later = Coldbrew.get_variable("cbLater")
print(later([1, 2], 10))
try:
    Coldbrew.run_function("cbFails")
except Coldbrew.JavaScriptError as e:
    print("JavaScriptError", e.error_data["name"], e.error_data["message"])
`;
    if (JSPI) {
      const r = await withTicks(() => cb.runAsync(source));
      cb.run('del later');   // the JS function a global held (the leak check counts it)
      assert.deepEqual(cb.out, ['done 42', '[1, 2]', 'JavaScriptError RangeError no luck']);
      assert.ok(r.ticks >= 10, `timer ticks while Python waited: ${r.ticks}`);
    } else {   // no JSPI: the run is synchronous, so the Promise cannot be waited for
      // (an uncaught JavaScriptError reaches JS as the original error)
      await assert.rejects(cb.runAsync(source), (e) => e instanceof cb.PythonError && e.errorData.type === 'RuntimeError' &&
        /outside asynchronous mode/.test(e.message));
    }
    delete globalThis.cbLater;
    delete globalThis.cbFails;
    delete globalThis.cbReady;
  });

  test('in a synchronous run, a Promise to resolve is a RuntimeError in Python, said on the console too', () => {
    globalThis.cbLater = () => new Promise((resolve) => setTimeout(resolve, 10));
    const said = [];
    const saved = console.error;
    console.error = (...a) => said.push(a.join(' '));
    try {
      assert.throws(() => cb.run('Coldbrew.run_function("cbLater")'), (e) =>
        e instanceof cb.PythonError && e.errorData.type === 'RuntimeError' &&
        /Python tried to access a JavaScript Promise outside asynchronous mode/.test(e.errorData.message) &&
        /runAsync\(\)/.test(e.errorData.message));
      cb.run('try:\n    Coldbrew.run_function("cbLater")\nexcept RuntimeError as e:\n    caught = str(e)');
      assert.match(cb.getVariable('caught'), /outside asynchronous mode/);
    } finally {
      console.error = saved;
    }
    assert.equal(said.length, 2);
    assert.match(said[0], /outside asynchronous mode/);
    assert.equal(cb.getExceptionInfo().type, 'RuntimeError');
    assert.equal(cb.run('x = 1\ndel caught'), 0);
    delete globalThis.cbLater;
  });

  test('JS called from an async run may call Python again (nested, synchronous)', async () => {
    globalThis.cbNested = (n) => cb.runFunction('double', n);
    cb.run('def double(n):\n    return 2 * n');
    cb.out.length = 0;
    assert.equal(await cb.runAsync('import time\ntime.sleep(0.01)\nprint(Coldbrew.run_function("cbNested", 21))\ntime.sleep(0.01)\nprint("after")'), 0);
    assert.deepEqual(cb.out, ['42', 'after']);
    delete globalThis.cbNested;
  });
});
