/* Runs of Python code: run, runFile, runAsync, runFileAsync, and the async
 * run machinery the async-variable steps share.
 *
 * A run is an entry point of the C core (cb_rt_run, cb_rt_run_file, or a
 * bridge export) called with prepared operands: prepare() returns [args,
 * cleanup]. Synchronous and asynchronous runs share the operands and differ
 * only in how the export is called: cbSyncCall calls it inside cbEnter;
 * cbAsyncCall calls cb_rt_async_call through WebAssembly.promising where the
 * engine has JSPI (Python then yields to the event loop at the periodic hook,
 * in time.sleep, stdin reads and asyncio waits), else synchronously.
 */
import { CB_ENTRY_CALL, CB_ENTRY_CALL_NAMED, CB_ENTRY_CONSTRUCT, CB_ENTRY_GET, CB_ENTRY_LOOKUP, CB_ENTRY_RUN,
  CB_ENTRY_RUN_FILE } from 'coldbrew-protocol';
import { CB_JSPI, CB_YIELD_MS, CB_CHECK_TICKS } from './jspi.js';
import { CB_LOAD_OPTIONS, cbCheckString, cbCheckTimeout } from './options.js';
import { cbRequireLoaded, cbUnloadedError } from './instance.js';
import { cbBegin, cbCheck, cbConcurrencyError, cbCrash, cbCStrings, cbEnd, cbEnter, cbInterrupt, cbPythonError } from './calls.js';
import { cbSetRunEnv } from './environment.js';
import { cbHeap } from './heap.js';

const CB_ENTRY_OF = {
  cb_rt_run: CB_ENTRY_RUN, cb_rt_run_file: CB_ENTRY_RUN_FILE, cb_py_call_named: CB_ENTRY_CALL_NAMED,
  cb_py_lookup: CB_ENTRY_LOOKUP, cb_py_get: CB_ENTRY_GET, cb_py_call: CB_ENTRY_CALL, cb_py_construct: CB_ENTRY_CONSTRUCT,
};

/* The operands of cb_rt_run: the source with an explicit length (a NUL is Python's to report). */
function runOperands(inst, source) {
  const Module = inst.Module;
  const n = Module.lengthBytesUTF8(source);
  const p = Module._malloc(n + 1);
  Module.stringToUTF8(source, p, n + 1);
  return [[p, n], () => { if (inst.Module) Module._free(p); }];
}

/* The operands of cb_rt_run_file; the run's environment is set until cleanup. */
function runFileOperands(inst, path, cwd, envEntries, argStrings) {
  const Module = inst.Module;
  const restoreEnv = cbSetRunEnv(inst, envEntries);
  let ptrs, cleanup;
  try {
    [ptrs, cleanup] = cbCStrings(inst, [path, cwd, ...argStrings]);
  } catch (e) {
    restoreEnv();
    throw e;
  }
  const argv = Module._malloc(4 * Math.max(1, argStrings.length));
  ptrs.slice(2).forEach((p, i) => { cbHeap(Module).u32[(argv >> 2) + i] = p; });
  return [[ptrs[0], ptrs[1], argv, argStrings.length], () => {
    cleanup();
    if (inst.Module) Module._free(argv);
    restoreEnv();
  }];
}

/* A time limit on the calling thread: runAsync & co. take {timeout} (ms; at
 * the limit, KeyboardInterrupt, as interrupt() raises it); a synchronous run
 * cannot be stopped from this thread, and nothing here can end a run that
 * ignores the interrupt ({grace}): both are worker mode's. The checked timeout, or null. */
function timeLimit(fn, options, known) {
  for (const k of Object.keys(options)) {
    if (k === 'grace' || (k === 'timeout' && !fn.endsWith('Async'))) {
      throw new TypeError(`Coldbrew.${fn}(): {${k}} needs worker mode (load({worker: true})): on the calling thread ` +
        (k === 'grace' ? 'nothing can end a run that ignores KeyboardInterrupt' : 'nothing can stop a synchronous run; runAsync takes {timeout}'));
    }
    if (k !== 'timeout' && !known.includes(k)) throw new TypeError(`Coldbrew.${fn}(): unknown option '${k}' (known: ${[...known, 'timeout'].join(', ')})`);
  }
  if (options.timeout === undefined) return null;
  cbCheckTimeout(fn, options.timeout);
  if (!CB_JSPI) {
    throw new TypeError(`Coldbrew.${fn}(): {timeout} needs worker mode (load({worker: true})) on this engine: without JSPI ` +
      `${fn} runs synchronously and no timer can fire`);
  }
  return options.timeout;
}

/* run's and runAsync's options ({timeout} for runAsync). */
function runOptions(fn, options) {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object') throw new TypeError(`Coldbrew.${fn}(): options must be an object`);
  return timeLimit(fn, options, []);
}

/* Interrupts the run if it is still going after ms. */
async function limited(inst, ms, run) {
  if (ms === null) return run();
  const timer = setTimeout(() => { if (inst.state === 'loaded') cbInterrupt(inst); }, ms);
  try {
    return await run();
  } finally {
    clearTimeout(timer);
  }
}

/* runFile's and runFileAsync's options, checked: [cwd, env entries, args, timeout]. */
function runFileOptions(fn, path, options) {
  cbCheckString(fn, 'path', path);
  if (options === null || typeof options !== 'object') throw new TypeError(`Coldbrew.${fn}(): options must be an object`);
  const { cwd = null, env = {}, args = [] } = options;
  const timeout = timeLimit(fn, options, ['cwd', 'env', 'args']);
  if (cwd !== null) cbCheckString(fn, 'options.cwd', cwd);
  if (env === null || typeof env !== 'object') throw new TypeError(`Coldbrew.${fn}(): options.env must be an object`);
  if (!Array.isArray(args)) throw new TypeError(`Coldbrew.${fn}(): options.args must be an array of strings`);
  const argStrings = args.map((a) => {
    if (typeof a !== 'string' && typeof a !== 'number') throw new TypeError(`Coldbrew.${fn}(): options.args must hold strings`);
    return String(a);
  });
  return [cwd, Object.entries(env).map(([k, v]) => [k, String(v)]), argStrings, timeout];
}

/* Calls an entry point synchronously with its prepared operands. */
function cbSyncCall(inst, fn, exportName, prepare) {
  return cbEnter(inst, fn, () => {
    const [args, cleanup] = prepare();
    try {
      return cbCheck(inst, inst.Module[`_${exportName}`](...args));
    } finally {
      cleanup();
    }
  });
}

/* The record of one async run: when it is due to yield, and its pauses. */
function asyncRunRecord(inst) {
  return {
    resumed: performance.now(),
    ticks: 0,
    interval: CB_CHECK_TICKS,
    /* How many interpreter checks between two ticks of the hook. */
    rearm() {
      const rate = inst.yieldRate;
      this.interval = rate === null ? CB_CHECK_TICKS : rate === Infinity ? 0x3fffffff
        : Math.max(1, Math.min(Math.round(rate), CB_CHECK_TICKS));
      return this.interval;
    },
    due() {
      const rate = inst.yieldRate;
      if (rate === null) return performance.now() - this.resumed >= CB_YIELD_MS;
      if (rate === Infinity) return false;
      this.ticks += this.interval;
      if (this.ticks < rate) return false;
      this.ticks = 0;
      return true;
    },
    /* Suspended until promise settles (null: only until the next microtask).
     * kind 'await': Python waits for a JS value in a bridge operation, so
     * JS may use Python variables meanwhile (calls.js cbBegin); true: Python
     * is suspended elsewhere (the periodic hook, sleep, stdin, asyncio). */
    pause(promise, kind = true) {
      inst.paused = kind;
      const myLife = inst.life;
      // A wait (not an await of a JS value) ends early on interrupt().
      // (An interrupt that came before the wait began ends it at once.)
      const interrupted = inst.signal !== null && Atomics.load(inst.signal, 0) !== 0;
      const waited = promise && kind === true
        ? (interrupted ? Promise.resolve() : Promise.race([promise, new Promise((resolve) => { inst.wake = resolve; })]))
        : promise;
      return new Promise((resolve, reject) => {
        myLife.pauses.add(reject);
        (waited || Promise.resolve()).then(() => {
          inst.wake = null;
          myLife.pauses.delete(reject);
          if (!myLife.alive) return;
          inst.paused = false;
          if (promise) this.resumed = performance.now();
          resolve();
        }, (e) => {
          myLife.pauses.delete(reject);
          reject(e);
        });
      });
    },
  };
}

/* Calls an entry point as an async run; finish(rc) turns its result into a value. */
export async function cbAsyncCall(inst, fn, exportName, prepare, finish) {
  cbRequireLoaded(inst, fn);
  if (inst.asyncRun || inst.depth > 0) throw cbConcurrencyError(fn);
  const Module = inst.Module;
  const [args, cleanup] = prepare();
  const run = asyncRunRecord(inst);
  cbBegin(inst, fn);
  inst.asyncRun = run;
  if (CB_JSPI) {
    Module._cb_async_set(1, run.rearm());
    inst.paused = true;   // until the wasm stack has really started (cb_js_async_entered)
    Module.coldbrew.asyncEntered = () => { inst.paused = false; };
  }
  const myGeneration = inst.generation;
  let rc;
  try {
    rc = CB_JSPI ? await WebAssembly.promising(inst.rawExports.cb_rt_async_call)(CB_ENTRY_OF[exportName], ...args, 0, 0, 0, 0)
      : Module[`_${exportName}`](...args);
  } catch (e) {
    if (myGeneration !== inst.generation) throw cbUnloadedError(fn);
    throw cbCrash(inst, fn, e);
  } finally {
    if (myGeneration === inst.generation) {
      if (CB_JSPI && inst.state === 'loaded') Module._cb_async_set(0, 0);
      inst.asyncRun = null;
      inst.paused = false;
      cbEnd(inst);
      cleanup();
    }
  }
  if (myGeneration !== inst.generation) throw cbUnloadedError(fn);
  return finish(rc);
}

function runResult(inst, rc) {
  if (rc !== 0) throw cbPythonError(inst);
  return 0;
}

export function cbRun(inst, source, options) {
  cbCheckString('run', 'source', source);
  runOptions('run', options);
  return cbSyncCall(inst, 'run', 'cb_rt_run', () => runOperands(inst, source));
}

export function cbRunFile(inst, path, options) {
  const [cwd, envEntries, argStrings] = runFileOptions('runFile', path, options);
  return cbSyncCall(inst, 'runFile', 'cb_rt_run_file', () => runFileOperands(inst, path, cwd, envEntries, argStrings));
}

export async function cbRunAsync(inst, source, options) {
  cbCheckString('runAsync', 'source', source);
  const timeout = runOptions('runAsync', options);
  return limited(inst, timeout, () => cbAsyncCall(inst, 'runAsync', 'cb_rt_run', () => runOperands(inst, source),
    (rc) => runResult(inst, rc)));
}

export async function cbRunFileAsync(inst, path, options) {
  const [cwd, envEntries, argStrings, timeout] = runFileOptions('runFileAsync', path, options);
  return limited(inst, timeout, () => cbAsyncCall(inst, 'runFileAsync', 'cb_rt_run_file',
    () => runFileOperands(inst, path, cwd, envEntries, argStrings), (rc) => runResult(inst, rc)));
}

export function cbSetAsyncYieldRate(inst, rate) {
  const problem = CB_LOAD_OPTIONS.asyncYieldRate(rate);
  if (problem) throw new TypeError(`Coldbrew.setAsyncYieldRate(): the rate ${problem}`);
  inst.yieldRate = rate;
}
