// Coldbrew.interrupt(): KeyboardInterrupt in the running program, on the
// calling thread (async runs, and sync runs from a callback). Worker mode has
// its own tests.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadedInstance } from './helpers.mjs';

const JSPI = typeof WebAssembly.Suspending === 'function';
let cb;
before(async () => { cb = await loadedInstance(); });

/* Starts run(), interrupts it after ms; resolves to [outcome, ms from interrupt() to settling]. */
async function interruptAfter(run, ms) {
  const p = run();
  let t0 = 0;
  setTimeout(() => { t0 = performance.now(); assert.equal(cb.interrupt(), true); }, ms);
  let outcome;
  try {
    outcome = await p;
  } catch (e) {
    outcome = e;
  }
  return [outcome, performance.now() - t0];
}

const isInterrupt = (e) => e instanceof cb.PythonError && e.errorData.exctype === 'KeyboardInterrupt';

describe('interrupt() in async runs', { skip: !JSPI && 'needs JSPI' }, () => {
  for (const [name, source] of [
    ['a busy loop', 'while True:\n    pass'],
    ['time.sleep(100)', 'import time\ntime.sleep(100)'],
    ['a deep recursion, then a loop', 'import sys\ndef f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError:\n    pass\nwhile True:\n    pass'],
  ]) {
    test(`${name} ends with KeyboardInterrupt promptly (well before its own end); the runtime stays usable`, async () => {
      const [outcome, ms] = await interruptAfter(() => cb.runAsync(source), 50);
      assert.ok(isInterrupt(outcome), String(outcome));
      assert.ok(ms < 1000, `settled ${ms.toFixed(1)} ms after interrupt()`);   // latency itself: bench/worker.mjs
      assert.equal(cb.run('x = 1'), 0);
    });
  }

  test('an asyncio wait is interrupted once the loop waits (KeyboardInterrupt from asyncio.run)', async () => {
    cb.run('import asyncio');
    const saved = cb.onStandardOut;
    let waiting;
    const started = new Promise((resolve) => { waiting = resolve; });
    cb.onStandardOut = (line) => { if (line === 'waiting') waiting(); };
    try {
      const run = cb.runAsync('async def main():\n    print("waiting")\n    await asyncio.sleep(100)\nasyncio.run(main())');
      await started;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const t0 = performance.now();
      assert.equal(cb.interrupt(), true);
      await assert.rejects(run, isInterrupt);
      assert.ok(performance.now() - t0 < 1000);   // latency itself: bench/worker.mjs
    } finally {
      cb.onStandardOut = saved;
    }
    assert.equal(cb.run('x = 1'), 0);
  });

  test('input() waiting for onStandardInReadAsync is interrupted', async () => {
    cb.onStandardInReadAsync = () => new Promise(() => {});
    try {
      const [outcome, ms] = await interruptAfter(() => cb.runAsync('input()'), 50);
      assert.ok(isInterrupt(outcome), String(outcome));
      assert.ok(ms < 1000, `${ms} ms`);
    } finally {
      cb.onStandardInReadAsync = null;
    }
  });

  test('Python may catch KeyboardInterrupt and go on', async () => {
    const p = cb.runAsync('caught = 0\nwhile caught < 2:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        caught += 1');
    setTimeout(() => cb.interrupt(), 30);
    setTimeout(() => cb.interrupt(), 90);
    assert.equal(await p, 0);
    assert.equal(cb.getVariable('caught'), 2);
  });
});

describe('interrupt() otherwise', () => {
  test('from a callback of a synchronous run', () => {
    const seen = [];
    const saved = cb.onStandardOut;
    cb.onStandardOut = (line) => { seen.push(line); if (line === '100') cb.interrupt(); };
    try {
      assert.throws(() => cb.run('i = 0\nwhile True:\n    i += 1\n    print(i)'), isInterrupt);
    } finally {
      cb.onStandardOut = saved;
    }
    assert.ok(seen.length >= 100 && seen.length < 2000, `${seen.length} lines`);
  });

  test('a reference kept past unload() says the instance is not loaded', async () => {
    const { Coldbrew } = await import('./helpers.mjs');
    const other = Coldbrew.createNewInstance();
    await other.load({ hideWarnings: true });
    const { interrupt } = other;
    other.unload();
    assert.equal(other.interrupt, undefined);
    assert.throws(() => interrupt(), /not loaded/);
  });

  test('with nothing running it does nothing (false), and a later run is not interrupted', () => {
    assert.equal(cb.interrupt(), false);
    assert.equal(cb.run('import time\ntime.sleep(0.01)\nx = 2'), 0);
  });
});

describe('a time limit on the calling thread', () => {
  test('runAsync(source, {timeout}): KeyboardInterrupt at the limit (with JSPI); a synchronous run refuses one and says why', async () => {
    const cb = await loadedInstance();
    const jspi = typeof WebAssembly.Suspending === 'function';
    if (jspi) {
      const t0 = performance.now();
      await assert.rejects(cb.runAsync('while True:\n    pass', { timeout: 100 }), (e) => e.errorData.type === 'KeyboardInterrupt');
      assert.ok(performance.now() - t0 < 1000);
      cb.addFile('/files/spin.py', 'while True:\n    pass');
      await assert.rejects(cb.runFileAsync('/files/spin.py', { timeout: 50 }), (e) => e.errorData.type === 'KeyboardInterrupt');
      assert.equal(await cb.runAsync('x = 1', { timeout: 1000 }), 0);
    } else {
      await assert.rejects(cb.runAsync('x = 1', { timeout: 100 }), /needs worker mode .* without JSPI/);
    }
    assert.throws(() => cb.run('x = 1', { timeout: 100 }), /\{timeout\} needs worker mode.*runAsync takes \{timeout\}/);
    assert.throws(() => cb.runFile('/files/x.py', { timeout: 100 }), /\{timeout\} needs worker mode/);
    await assert.rejects(cb.runAsync('x = 1', { grace: 10 }), /\{grace\} needs worker mode/);
    await assert.rejects(cb.runAsync('x = 1', { timeout: 0 }), /timeout must be a number/);
    assert.throws(() => cb.run('x = 1', 'fast'), /options must be an object/);
    assert.equal(cb.run('x = 2'), 0);
  });
});
