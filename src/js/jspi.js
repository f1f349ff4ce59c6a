/* Coldbrew's asynchronous machinery that is the same for every instance:
 * JSPI detection, the suspending imports, yielding to the event loop, and the
 * queue of settled Promises asyncio waits on. The runs themselves are per
 * instance (runAsyncCall in api.js). */

/* ---- asynchronous runs (JSPI) ----------------------------------------------
 * Where the engine has JS Promise Integration (WebAssembly.Suspending /
 * WebAssembly.promising: Node >= 24, current Chromium), an async run calls the
 * same wasm export through WebAssembly.promising, and two imports may then
 * suspend the whole Python stack: the periodic hook (cb_js_async_tick, every
 * CB_CHECK_TICKS function calls / loop iterations, src/core/cb_async.c)
 * yields to the event loop when the yield rate says so, and
 * cb_js_sleep_async (time.sleep) waits on a timer. The wasm is the same as
 * for synchronous runs, which pay nothing for it (the hook is off). Engines
 * without JSPI run the *Async functions synchronously (the Promise still
 * resolves or rejects the same way). */
export const CB_JSPI = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
export const CB_YIELD_MS = 10;        // default: yield after this much Python work
export const CB_CHECK_TICKS = 2000;   // interpreter checks between two calls of the periodic hook (by default)

/* Node: setImmediate runs after the timers and I/O that are due. Browsers: a
 * timer task, so other timers (which a message-channel task could starve)
 * get their turn. */
export function cbYieldToEventLoop() {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/* Wraps the suspending imports; `runtime` answers whether an async run is active. */
export function cbWrapImports(imports, runtime) {
  if (!CB_JSPI) return;
  const env = imports.env;
  // Both are only called while cb_async_set(1, ...) is in force: directly
  // under a WebAssembly.promising export call. V8 suspends at every call of
  // a Suspending import (a plain result is awaited too), so every call marks
  // the run as paused until the wasm stack resumes.
  env.cb_js_op_async = new WebAssembly.Suspending((...args) => runtime.bridge().jsOpAsync(runtime.asyncRun(), ...args));
  env.cb_js_async_tick = new WebAssembly.Suspending(() => {
    const run = runtime.asyncRun();
    return run.pause(run.due() ? cbYieldToEventLoop() : null);
  });
  env.cb_js_aio_wait_async = new WebAssembly.Suspending((ms) => {
    const aio = runtime.aio();
    return runtime.asyncRun().pause(aio.wait(ms)).then(() => aio.length);
  });
  env.cb_js_stdin_async = new WebAssembly.Suspending((size) => runtime.asyncRun().pause(runtime.stdin().readAsync(size)));
  env.cb_js_sleep_async = new WebAssembly.Suspending((ms) => {
    const run = runtime.asyncRun();
    const end = performance.now() + ms;
    const wait = (resolve) => {
      const left = end - performance.now();
      if (left <= 0) resolve();
      else setTimeout(() => wait(resolve), Math.ceil(left));   // timers may fire a little early
    };
    return run.pause(new Promise(wait));
  });
}

/* Settled Promises that Python coroutines await (src/py/_coldbrew/aio.py):
 * their callbacks queue [token, ok, value]; the asyncio loop takes them when
 * it wakes (Coldbrew._asyncio_wait, src/core/cb_async.c). */
export function cbAioQueue() {
  let queue = [];
  let wake = null;
  const push = (entry) => {
    queue.push(entry);
    if (wake) wake();
  };
  return {
    watch(promise, token) {
      Promise.resolve(promise).then((v) => push([token, true, v]), (e) => push([token, false, e]));
    },
    take() {
      const q = queue;
      queue = [];
      return q;
    },
    get length() { return queue.length; },
    /* Without waiting: how many settled; else -1 (only Promises left to wait
     * for: a sync run cannot), -2 (nothing at all), 0 (sleep ms). */
    poll(ms, pending) {
      return queue.length || (ms < 0 ? (pending ? -1 : -2) : 0);
    },
    /* Async runs: settles when a Promise settles, or after ms (< 0: no limit). */
    wait(ms) {
      if (queue.length) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = ms >= 0 ? setTimeout(() => { wake = null; resolve(); }, Math.ceil(ms)) : null;
        wake = () => {
          wake = null;
          if (timer !== null) clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

