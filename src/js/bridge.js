/* Coldbrew bridge: values and bridge variables between JS and Python (JS half),
 * for one loaded instance.
 *
 * cbCreateBridge makes the bridge's state record b, which its parts share:
 *   records.js   values as binary records (the JS half of cb_value.c)
 *   handles.js   the table of JS values Python holds (cb_jsvar.c's handles)
 *   py-proxy.js  Python objects seen from JS: the Proxy, one cb_py_* export per trap
 *   js-ops.js    JS values seen from Python: one jsOp() per operation of cb_jsvar.c
 * and returns the bridge object: what the C core's JavaScript calls
 * (Module.coldbrew.bridge: jsOp, jsOpAsync, takeResult, handleValue, ...)
 * and what the API calls (lookup, callNamed, prepare*, destroyAll, counts).
 *
 * runtime (from lifecycle.js): casing, requireLoaded, begin, end, crash,
 * unloadedError, pythonError, depth — the call discipline of calls.js.
 */
import { CbEncoder, CbReader, cbPutKey } from './records.js';
import { CbHandleTable } from './handles.js';
import {
  CB_ASYNC_PROMISE, CB_PY_STATE, PythonKeywords, cbAsyncCall, cbCallWith, cbDestroy, cbEncoderFor, cbLive, cbProxyRegistry,
  cbPutArgs, cbPutPython, cbWrapPython,
} from './py-proxy.js';
import { cbFailed, cbJsErrorData, cbJsOp, cbJsOpAsync } from './js-ops.js';
import { cbHeap } from './heap.js';

export { PythonKeywords };

export function cbCreateBridge(Module, runtime) {
  const b = {
    Module,
    runtime,
    casing: runtime.casing,
    dead: false,                 // the instance was unloaded
    handles: new CbHandleTable(),
    pyStates: new WeakMap(),     // Proxy -> its state
    liveStates: new Set(),       // states of Proxies not yet destroyed (destroyAllVariables)
    releaseQueue: [],            // Python objects of collected Proxies, released when Python is idle
    pendingResult: null,         // a result record too big for C's buffer (takeResult)
    camelNames: new Map(),       // js-ops.js: names converted by cb_names.c, remembered
    snakeNames: new Map(),
    enc: new CbEncoder(),
    reader: null,
    registry: null,
    putPython: null,
  };
  b.reader = new CbReader(Module, b.handles.values, (ptr, flags) => cbWrapPython(b, ptr, flags));
  b.registry = cbProxyRegistry(b);
  b.putPython = (e, st) => cbPutPython(b, e, st);

  function withOperands(build) {
    const e = cbEncoderFor(b);
    try {
      build(e);
    } finally {
      e.busy = false;
    }
    return e;
  }

  return {
    // For the C core's JavaScript (EM_JS in src/core).
    jsOp: (op, h, th, args, out, cap) => cbJsOp(b, op, h, th, args, out, cap),
    jsOpAsync: (run, op, h, th, args, out, cap) => cbJsOpAsync(b, run, op, h, th, args, out, cap),
    failed: (err) => cbFailed(b, err),
    takeResult(out) {
      cbHeap(Module).u8.set(b.pendingResult, out);
      b.pendingResult = null;
    },
    releaseHandle: (h) => b.handles.release(h),
    handleValue: (h) => b.handles.values[h],
    holdLastError() {
      const h = b.handles.hold(Module.coldbrew.jsError);
      Module.coldbrew.jsError = undefined;   // Python holds it now
      return h;
    },
    isPythonVariable: (v) => b.pyStates.has(v),
    jsErrorData: cbJsErrorData,

    // For the API: Python's view of a value (getVariable / runFunction).
    lookup(name) {
      return cbCallWith(b, 'getVariable', (p, args) => Module._cb_py_lookup(args), 0, (e) => e.string(name));
    },
    callNamed(name, args) {
      const kw = args.length > 0 && args[args.length - 1] instanceof PythonKeywords ? 1 : 0;
      return cbCallWith(b, 'runFunction', (p, a, nargs, hasKw) => Module._cb_py_call_named(a, nargs, hasKw), 0, (e) => {
        e.string(name);
        cbPutArgs(b, e, args);
      }, args.length - kw, kw);
    },
    /* For async calls (runs.js): the operands copied now, the call made
     * later through WebAssembly.promising, the result read by finish(). */
    prepareCallNamed(name, args) {
      let n;
      const e = withOperands((e) => {
        e.string(name);
        n = cbPutArgs(b, e, args);
      });
      return cbAsyncCall(b, e, (p) => [p, n, args.length > n ? 1 : 0]);
    },
    /* The same for a property read or a call on a Python variable (the
     * proxies of getVariableAsync): null if v is not a Python variable. */
    prepareGet(v, key) {
      const st = b.pyStates.get(v);
      if (!st) return null;
      const e = withOperands((e) => cbPutKey(e, String(key)));
      return cbAsyncCall(b, e, (p) => [cbLive(st).ptr, p]);
    },
    prepareCall(v, args) {
      const st = b.pyStates.get(v);
      if (!st) return null;
      let n;
      const e = withOperands((e) => { n = cbPutArgs(b, e, args); });
      return cbAsyncCall(b, e, (p) => [cbLive(st).ptr, p, n, args.length > n ? 1 : 0]);
    },
    prepareLookup(name) {
      const e = withOperands((e) => e.string(name));
      return cbAsyncCall(b, e, (p) => [p]);
    },
    destroyAll() {
      for (const st of [...b.liveStates]) cbDestroy(st);
    },
    flushReleases: () => b.handles.flush(),
    counts() {
      b.handles.flush();
      return { python: Module._cb_py_live_count(), javascript: b.handles.live };
    },
    drainReleases() {
      const queue = b.releaseQueue;
      while (queue.length) Module._cb_py_release(queue.pop());
    },
    kill() {
      b.dead = true;
      b.liveStates.clear();
    },
  };
}

export const PythonVariable = {
  /** Is v a Python object seen from JavaScript (a bridge variable)? For an
   * async variable (getVariableAsync, runFunctionAsync): a Promise of the answer for its value. */
  isPythonVariable(v) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
    const pending = v[CB_ASYNC_PROMISE];
    if (pending instanceof Promise) return pending.then((value) => PythonVariable.isPythonVariable(value));
    const st = v[CB_PY_STATE];   // only a Python variable's Proxy answers this symbol
    return st !== undefined && typeof st === 'object' && st !== null && 'ptr' in st;
  },
};
