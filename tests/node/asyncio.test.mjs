// asyncio driven by the JS event loop (src/py/_coldbrew/aio.py) and standard
// input answered asynchronously (onStandardInReadAsync). With JSPI (Node >= 24)
// coroutines await JS Promises in async runs; without it the *Async functions
// run synchronously, where a Promise cannot settle, and the tests assert the
// clear error instead.
import { test, describe, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { loadedInstance, py } from './helpers.mjs';

const JSPI = typeof WebAssembly.Suspending === 'function';
const SYNC_AWAIT = /cannot settle while Python runs synchronously/;

describe('asyncio on the JS event loop', () => {
  let cb;
  before(async () => {
    cb = await loadedInstance();
    globalThis.cbLater = (v, ms) => new Promise((resolve) => setTimeout(() => resolve(v), ms));
    globalThis.cbReject = (ms) => new Promise((_, reject) => setTimeout(() => reject(new RangeError('went wrong')), ms));
  });
  afterEach(() => { cb.onStandardInReadAsync = null; });

  test('asyncio.run with sleep, gather and tasks works in a synchronous run', () => {
    const out = py(cb, `
import asyncio, time
async def tick(name, delay, log):
    await asyncio.sleep(delay)
    log.append(name)
    return name.upper()
async def main():
    log = []
    t = time.monotonic()
    r = await asyncio.gather(tick("slow", 0.06, log), tick("fast", 0.01, log))
    return r, log, time.monotonic() - t
r, log, took = asyncio.run(main())
print(r, log, 0.05 < took < 1.0)
print(type(asyncio.new_event_loop()).__name__)
`);
    assert.equal(out, "['SLOW', 'FAST'] ['fast', 'slow'] True\nHostEventLoop");
  });

  test('coroutines await JS Promises concurrently in an async run; a rejection is a JavaScriptError', async () => {
    const source = `
import asyncio
later = Coldbrew.get_variable("cbLater")
async def wait(name, ms, log):
    value = await later(name, ms)
    log.append(value)
async def main():
    log = []
    await asyncio.gather(wait("a", 60, log), wait("b", 5, log), wait("c", 30, log))
    print(log)
    p = Coldbrew.run_function("cbLater", {"n": 7}, 1)
    print(Coldbrew.JavaScriptVariable.is_javascript_variable(p), (await p)["n"])
    try:
        await Coldbrew.run_function("cbReject", 5)
    except Coldbrew.JavaScriptError as e:
        print("caught", e.error_data["name"], e.error_data["message"])
    try:
        await Coldbrew.get_variable("Math")
    except TypeError as e:
        print("TypeError", "not a Promise" in str(e))
try:
    asyncio.run(main())
finally:
    del later
`;
    cb.out.length = 0;
    if (JSPI) {
      assert.equal(await cb.runAsync(source), 0);
      assert.deepEqual(cb.out, ["['b', 'c', 'a']", 'True 7', 'caught RangeError went wrong', 'TypeError True']);
    } else {
      await assert.rejects(cb.runAsync(source), (e) => e.errorData.type === 'RuntimeError' && SYNC_AWAIT.test(e.message));
    }
    assert.equal(py(cb, 'print("usable")'), 'usable');
  });

  test('outside a running loop, an async run still resolves Promises for plain calls', async () => {
    cb.out.length = 0;
    const source = 'print(Coldbrew.run_function("cbLater", "plain", 5))';
    if (JSPI) {
      await cb.runAsync(source);
      assert.deepEqual(cb.out, ['plain']);
    } else {
      await assert.rejects(cb.runAsync(source), /outside asynchronous mode/);
    }
  });

  test('awaiting a JS Promise in a synchronous run is a clear error; the runtime stays usable', () => {
    assert.throws(() => cb.run(`
import asyncio
async def main():
    return await Coldbrew.run_function("cbLater", 1, 5)
asyncio.run(main())
`), (e) => e.errorData.type === 'RuntimeError' && SYNC_AWAIT.test(e.message) && /runAsync/.test(e.message));
    // A loop with nothing left to wait for says so instead of hanging.
    assert.throws(() => cb.run('import asyncio\nasyncio.run(asyncio.Event().wait())'),
      (e) => e.errorData.type === 'RuntimeError' && /nothing left to wait for/.test(e.message));
    assert.equal(py(cb, 'import asyncio\nasync def f():\n    return 5\nprint(asyncio.run(f()))'), '5');
  });

  test('awaiting a Promise outside Coldbrew\'s loop is a clear error', () => {
    globalThis.cbHolder = { promise: Promise.resolve(1) };   // an attribute read is not a call: no resolving
    assert.throws(() => cb.run('Coldbrew.get_variable("cbHolder").promise.__await__()'),
      (e) => e.errorData.type === 'RuntimeError' && /Coldbrew's asyncio event loop/.test(e.message));
    delete globalThis.cbHolder;
  });

  test('onStandardInReadAsync answers input() and sys.stdin in an async run; null ends the input', async () => {
    const answers = ['Ada\n', '36\n', 'more text', null];
    const sizes = [];
    cb.onStandardInReadAsync = (size) => {
      sizes.push(size);
      return new Promise((resolve) => setTimeout(() => resolve(answers.shift()), 10));
    };
    cb.out.length = 0;
    const source = `
import sys
name = input("name? ")
age = int(input("age? "))
print("hello", name, age + 1, repr(sys.stdin.read()))
`;
    if (JSPI) {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      try {
        assert.equal(await cb.runAsync(source), 0);
      } finally {
        clearInterval(timer);
      }
      assert.deepEqual(cb.out, ['name? ', 'age? ', "hello Ada 37 'more text'"]);
      assert.equal(sizes.length, 4);
      assert.ok(sizes.every((n) => Number.isInteger(n) && n > 0));
      assert.ok(ticks >= 5, `timer ticks while Python waited for input: ${ticks}`);
    } else {   // a synchronous run cannot wait: input() meets the end of input
      await assert.rejects(cb.runAsync(source), (e) => e.errorData.type === 'EOFError');
    }
  });

  test('a rejected onStandardInReadAsync is an OSError in Python; standardInBuffer comes first', async () => {
    if (!JSPI) return;
    cb.onStandardInReadAsync = () => Promise.reject(new Error('no keyboard'));
    const quiet = console.error;
    console.error = () => {};
    try {
      await assert.rejects(cb.runAsync('input()'), (e) => e.errorData.type === 'OSError');
    } finally {
      console.error = quiet;
    }
    // A value that is not a string (or null) is a bad answer: an OSError too, and the runtime goes on.
    cb.onStandardInReadAsync = () => Promise.resolve(42);
    console.error = () => {};
    try {
      await assert.rejects(cb.runAsync('input()'), (e) => e.errorData.type === 'OSError');
    } finally {
      console.error = quiet;
    }
    cb.onStandardInReadAsync = () => Promise.resolve('from the callback\n');
    cb.standardInBuffer = 'from the buffer\n';
    cb.out.length = 0;
    await cb.runAsync('print(input())\nprint(input())');
    assert.deepEqual(cb.out, ['from the buffer', 'from the callback']);
  });
});
