/* The discipline of a call into the wasm core, for one instance.
 *
 * Calls are re-entrant (JS called from Python may call Python again):
 * cbBegin/cbEnd bracket every one (the bridge's hot path uses them directly),
 * cbCrash sorts what escaped. A Python error being thrown on purpose passes
 * through; anything else escaping wasm (engine stack overflow, wasm trap)
 * leaves the interpreter in an unknown state, so the instance is marked
 * crashed. Also here: C strings for arguments, and the one error record the
 * C core leaves for a failed entry point (Module.coldbrew.pythonError).
 */
import { CB_JSPI } from './jspi.js';
import { PythonError } from './options.js';
import { cbArgumentError, cbCheckText } from './text.js';
import { cbRequireLoaded, cbUnloadedError, cbWarn } from './instance.js';
import { cbFlushSinks } from './stdio.js';

/* onVariable: the call is an operation on a Python variable (a Proxy trap),
 * allowed while an async run waits for a JS Promise in a bridge operation:
 * Python is then at a known point, as in a nested call. */
export function cbBegin(inst, fn, onVariable = false) {
  cbRequireLoaded(inst, fn);
  if (inst.inCallback) {
    // Python is inside a write to stdout/stderr or a read of stdin (holding
    // its stream's lock, half-way through a system call): it cannot run
    // other code until the callback returns.
    throw new Error(`Coldbrew.${fn}(): cannot call into Python from ${inst.inCallback}, while Python waits for it; ` +
      'defer the call (queueMicrotask, setTimeout) so that it runs after the callback returns');
  }
  if (inst.paused && !(onVariable && inst.paused === 'await')) throw cbConcurrencyError(fn);
  // A call nested in an async run (JS called from that Python calling
  // Python again) runs synchronously: no suspending imports under it.
  if (inst.asyncRun && inst.depth === 1 && CB_JSPI) inst.Module._cb_async_set(0, 0);
  if (inst.depth === 0 && inst.signal) Atomics.store(inst.signal, 0, 0);   // an interrupt() of an earlier run is spent
  inst.depth++;
}

/* The cell Coldbrew.interrupt() writes a signal number into (SIGINT, 2):
 * an Int32Array, on a SharedArrayBuffer where the host has one. */
export function cbSignalCell() {
  let shared = null;
  try { shared = new SharedArrayBuffer(4); } catch (e) { /* a page that is not cross-origin isolated */ }
  return new Int32Array(shared || new ArrayBuffer(4));
}

/* Coldbrew.interrupt(): KeyboardInterrupt in the running Python program,
 * at its next check (or at once where it waits: sleep, input, asyncio).
 * false when nothing runs. */
export function cbInterrupt(inst) {
  cbRequireLoaded(inst, 'interrupt');
  if (inst.depth === 0 && inst.asyncRun === null) return false;
  Atomics.store(inst.signal, 0, 2);
  if (inst.signal.buffer instanceof SharedArrayBuffer) Atomics.notify(inst.signal, 0);
  if (inst.wake) inst.wake();   // an async run's wait on a timer, on input or on asyncio ends now
  return true;
}

/* A call while an asynchronous run is in flight on the instance (the
 * original Coldbrew's message and flag, coldbrewConcurrencyError). */
export function cbConcurrencyError(fn) {
  const err = new Error(`Coldbrew.${fn}(): the Python interpreter is already running on this instance and cannot run ` +
    'concurrently; wait for the run in progress (its Promise) to finish before calling Python again');
  err.coldbrewConcurrencyError = true;
  return err;
}

export function cbEnd(inst) {
  if (inst.orphans > 0) {
    // A call that was in progress when unload() ran: it ends with that error.
    inst.orphans--;
    throw cbUnloadedError();
  }
  const loaded = inst.state === 'loaded';
  if (inst.asyncRun && inst.depth === 2 && CB_JSPI && loaded) inst.Module._cb_async_set(1, inst.asyncRun.rearm());
  if (inst.bridge) inst.bridge.flushReleases();
  if (--inst.depth === 0 && loaded) {
    // Python has finished: the last line without a newline goes out.
    cbFlushSinks(inst);
    if (inst.bridge) inst.bridge.drainReleases();
  }
  if (inst.depth === 0 && inst.idleWaiters.length) queueMicrotask(() => cbNotifyIdle(inst));
}

export function cbCrash(inst, fn, e) {
  if (inst.orphans > 0) return cbUnloadedError(fn);
  if (e && e.cbArgument) return e;   // a bad argument found before Python ran
  if (e === inst.failing || e instanceof PythonError) {
    inst.failing = null;
    return e;
  }
  if (inst.state === 'crashed') return e;   // reported by a nested call already
  inst.state = 'crashed';
  inst.Module.coldbrew.crashed = true;
  inst.crashReason = e && e.name === 'ExitStatus'
    ? `Python's C code exited with status ${e.status}; the host process was not affected`
    : `${e && e.name}: ${e && e.message}`;
  return new Error(`Coldbrew.${fn}(): the Python runtime crashed (${inst.crashReason}); ` +
    'call Coldbrew.unload() and Coldbrew.load() to start a new one', { cause: e });
}

/* body() as one call into Python named fn. */
export function cbEnter(inst, fn, body) {
  cbBegin(inst, fn);
  try {
    return body();
  } catch (e) {
    throw cbCrash(inst, fn, e);
  } finally {
    cbEnd(inst);
  }
}

/* Python slept in a synchronous run (src/core/cb_libc.c): said on each
 * call, as the original Coldbrew did (hideWarnings silences it). */
export function cbWarnSyncSleep(inst) {
  cbWarn(inst, 'time.sleep() in a synchronous run blocks JavaScript (timers, I/O, the page) until it returns; ' +
    'run the code with runAsync(), runFileAsync() or runFunctionAsync() to let JavaScript run while Python sleeps');
}

/* Free of runs: async variable steps wait for this (async-variables.js). */
export function cbIdle(inst) {
  return inst.state !== 'loaded' || (inst.asyncRun === null && inst.depth === 0);
}

export function cbWhenIdle(inst) {
  return new Promise((resolve) => inst.idleWaiters.push(resolve));
}

export function cbNotifyIdle(inst) {
  if (!inst.idleWaiters.length || !cbIdle(inst)) return;
  const waiters = inst.idleWaiters;
  inst.idleWaiters = [];
  for (const w of waiters) w();
}

/* Copies strings (null stays a NULL pointer) into malloc'd C strings;
 * returns the pointers and what frees them. */
export function cbCStrings(inst, strings) {
  const Module = inst.Module;
  const ptrs = [];
  const free = () => { if (inst.Module) for (const p of ptrs) if (p) Module._free(p); };
  try {
    for (const s of strings) {
      if (s !== null && s.includes('\0')) {
        throw cbArgumentError(`Coldbrew: ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s)} holds a NUL ` +
          'character, which a path, an environment variable or an argument cannot hold');
      }
      if (s !== null) cbCheckText(null, 'a string argument', s);
      ptrs.push(s === null ? 0 : Module.stringToNewUTF8(s));
    }
  } catch (e) {
    free();
    throw e;
  }
  return [ptrs, free];
}

/* body(...pointers) with the strings as C strings, freed afterwards. */
export function cbWithStrings(inst, strings, body) {
  const [ptrs, free] = cbCStrings(inst, strings);
  try {
    return body(...ptrs);
  } finally {
    free();
  }
}

/* The error the C core just reported: a PythonError, or, for a
 * JavaScriptError that reached the top, the JS value originally thrown. */
export function cbPythonError(inst) {
  const Module = inst.Module;
  const record = Module.coldbrew.pythonError;
  Module.coldbrew.pythonError = null;
  const info = record ? record.info : { type: 'SystemError', message: 'unknown error', filename: null, line: null, traceback: '' };
  inst.lastException = info;
  if (record && record.hasJs) return record.js;
  const err = new PythonError(info);
  // lets the same exception pass back into Python as itself (cb_error.c)
  Object.defineProperty(err, 'cbSerial', { value: record ? record.serial : 0 });
  Object.defineProperty(err, 'cbModule', { value: Module });
  return err;
}

/* A C status: 0 is success; otherwise the error is thrown from inside
 * cbEnter, which lets it through. */
export function cbCheck(inst, rc) {
  if (rc === 0) return 0;
  inst.failing = cbPythonError(inst);
  throw inst.failing;
}
