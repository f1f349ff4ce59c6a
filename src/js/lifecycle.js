/* load() and unload() of one instance: the loader's sequence.
 *
 * load: check the options, pick the runtime (single-threaded, or the threaded
 * one when load({threadWorkers}) asks and the engine allows: threads.js),
 * download the wasm and the standard library side by side (progress reported
 * for both), instantiate that runtime's Emscripten factory with the
 * JSPI-wrapped imports, make the one interface object between the C core's
 * JavaScript and this API (Module.coldbrew), the bridge, the folders and the
 * standard streams, start Python (cb_rt_init), and restore persisted files.
 * unload: end this load's life; a run still on the stack unwinds with
 * COLDBREW_UNLOADED as soon as control returns to it.
 */
import { CB_PYTHON_HOME, CB_SITE_PACKAGES_PATH, CB_STDLIB_BUNDLES_PATH, CB_STDLIB_PATH } from 'coldbrew-protocol';
import { cbDecodeText, cbTextLength, cbWriteText } from './text.js';
import { cbHeap } from './heap.js';
import { cbCreateBridge } from './bridge.js';
import { cbGuardFileSystem } from './vfs.js';
import { cbCheckOptions } from './options.js';
import { cbAssetLocator, cbFetchBytes, cbStartWasm, cbCRecursionBudget } from './loader.js';
import { cbMakeStdio } from './stdio.js';
import { CB_JSPI, cbWrapImports, cbAioQueue } from './jspi.js';
import { cbHost } from './http.js';
import { cbRequireLoaded, cbSayInitialized, cbUnloadedError, cbWarn } from './instance.js';
import { cbBegin, cbCrash, cbEnd, cbNotifyIdle, cbPythonError, cbSignalCell, cbWarnSyncSleep, cbWithStrings } from './calls.js';
import { cbUnzipBytes } from './files.js';
import { cbFlushChanges, cbLoadFiles, cbPersistedRoots, cbWatchPersisted } from './persistence.js';
import { CB_THREADS_SCRIPT, CB_THREADS_WASM, cbLoadThreadsFactory, cbStopThreadWorkers, cbThreadPlan } from './threads.js';

/* The folders Python finds, and the examples (CB_EXAMPLES, from build/assemble_js.py). */
function makeFolders(FS) {
  for (const d of ['/files', '/home', '/tmp', '/usr', '/usr/local', '/usr/local/lib', '/usr/local/lib/python3.13',
    CB_SITE_PACKAGES_PATH, '/coldbrew', '/coldbrew/examples']) {
    try { FS.mkdir(d); } catch (e) { /* already there */ }
  }
  try { FS.rmdir('/home/web_user'); } catch (e) { /* not there */ }
  for (const [name, text] of Object.entries(CB_EXAMPLES)) {
    FS.writeFile(`/coldbrew/examples/${name}`, text);
  }
  FS.chdir('/files');
}

/* The one interface between the C core's JavaScript (EM_JS in src/core) and
 * this API: every field C reads or writes is listed here. */
function interfaceObject(inst) {
  return {
    bridge: null,          // bridge.js: jsOp, jsOpAsync, handleValue, holdLastError, takeResult, ...
    aio: null,             // settled Promises for asyncio (cbAioQueue): poll, wait, take, watch
    stdin: null,           // async stdin (stdio.js): wantsAsync(), readAsync(size)
    yieldRate: { get: () => inst.yieldRate, set: (v) => { inst.yieldRate = v; } },   // Coldbrew.set/get_async_yield_rate
    asyncEntered: () => {},   // an async run has started on the wasm stack (runs.js)
    warnSyncSleep: () => cbWarnSyncSleep(inst),   // Python slept in a synchronous run
    crashed: false,        // the runtime is lost: bridge operations rethrow
    pythonError: null,     // the one error record of the last failed entry point: {info, serial, hasJs, js}
    jsError: undefined,    // the JS value just thrown into C (read by cb_error.c, cb_module.c)
    jsFailed: null,        // (error) => CB_R_ERROR: keeps a JS throw for Python (bridge.failed)
    envOut: null,          // getenv's answer while cb_rt_getenv runs
    sleepCell: null,       // an Int32Array for Atomics.wait (cb_libc.c makes it)
    // Where Python's Coldbrew.run / get_variable / run_function look: this
    // thread's globals (worker mode, in the worker: the calling thread's, worker-server.js).
    scope: { global: globalThis, evaluate: (source) => (0, eval)(source) },
  };
}

export function cbLoad(inst, options) {
  let opts;
  try {
    opts = cbCheckOptions(options);
  } catch (e) {
    return Promise.reject(e);
  }
  if (inst.state === 'loaded' || inst.state === 'loading') {
    if (Object.keys(opts).length) {
      cbWarn(inst, `load(): Coldbrew is already ${inst.state}, so these options were not applied: ${Object.keys(opts).join(', ')}; ` +
        'call Coldbrew.unload() first to load with other options');
    }
    return inst.state === 'loaded' ? Promise.resolve() : inst.loading;
  }
  if (inst.orphans > 0) {
    return Promise.reject(new Error('Coldbrew.load(): the run that unload() interrupted has not ended yet; ' +
      'call load() after the callback that called unload() has returned'));
  }
  inst.loadOptions = opts;
  inst.hideWarnings = !!opts.hideWarnings;
  inst.state = 'loading';
  const myGeneration = ++inst.generation;
  inst.loading = start(inst, opts, myGeneration).catch((e) => {
    if (myGeneration === inst.generation) {
      inst.state = 'unloaded';
      inst.Module = null;
    }
    throw e;
  });
  return inst.loading;
}

/* cb_rt_init with python3's interpreter options (load({pythonFlags}), checked by
 * options.js) as a C argv: CPython parses them itself. */
function startInterpreter(Module, flags) {
  if (!flags.length) return Module._cb_rt_init(0, 0);
  const strings = ['python3', ...flags].map((s) => Module.stringToNewUTF8(s));
  const argv = Module._malloc(4 * strings.length);
  strings.forEach((p, i) => { cbHeap(Module).u32[(argv >> 2) + i] = p; });
  try {
    return Module._cb_rt_init(strings.length, argv);
  } finally {
    for (const p of strings) Module._free(p);
    Module._free(argv);
  }
}

/* Py_Initialize's first need is 24 random bytes for the hash secret, which
 * Emscripten's getentropy takes from Web Crypto; that source's first use sets
 * itself up (5-6 ms in a new Node process). Done here, while the wasm is read
 * and compiled off the main thread, it is not paid inside Python's start. */
function warmEntropy() {
  if (typeof crypto === 'object' && crypto && typeof crypto.getRandomValues === 'function') {
    crypto.getRandomValues(new Uint8Array(1));
  }
}

async function start(inst, opts, myGeneration) {
  const threads = inst.threads = cbThreadPlan(opts);
  const wasmName = threads.threaded ? CB_THREADS_WASM : 'coldbrew.wasm';
  // The wasm and the stdlib download side by side; onProgress hears of both.
  // A custom build's bundled files (CB_FILES_ZIP, build/custom_build.py) come too.
  const total = CB_ASSET_SIZES[wasmName] + CB_ASSET_SIZES['coldbrew-stdlib.zip'] + (CB_FILES_ZIP ? CB_ASSET_SIZES[CB_FILES_ZIP] : 0);
  let loaded = 0;
  const progress = (n) => {
    loaded += n;
    if (opts.onProgress && myGeneration === inst.generation) opts.onProgress({ loaded: Math.min(loaded, total), total });
  };
  const locate = cbAssetLocator(opts);
  // First, so that it is read (in Node, and compiled) beside everything below
  // (the factory's set-up most of all) instead of after it.
  const wasm = cbStartWasm(locate(wasmName), progress);
  const stdlibPromise = cbFetchBytes('load', locate('coldbrew-stdlib.zip'), progress);
  const filesPromise = CB_FILES_ZIP ? cbFetchBytes('load', locate(CB_FILES_ZIP), progress) : null;
  // The stdlib's bundles are fetched on first import, by the main thread
  // (src/py/_coldbrew/stdlib_bundles.py); threads may not call JavaScript, so
  // the threaded runtime has them all at start. One that cannot be fetched is
  // left to the main thread's import, whose ImportError names its URL.
  // (The threaded wasm keeps the tables of build/static_tables.py: their bundles are not needed.)
  const bundlesPromise = threads.threaded
    ? Promise.all(CB_STDLIB_BUNDLES.filter((b) => !b.startsWith('_tables_')).map((b) => cbFetchBytes('load', locate(`stdlib/${b}.zip`)).then((bytes) => [b, bytes], () => [b, null])))
    : null;
  let wasmFailed;
  const wasmFailure = new Promise((resolve, reject) => { wasmFailed = reject; });
  const startupErrors = [];
  let factory = createColdbrewModule;
  const threadArgs = {};
  // What instantiation yields is kept here, not on inst, until this load is
  // known to be current: a load that was rejected (say, its stdlib was
  // missing) still finishes instantiating its wasm in the background, and
  // must not hand its memory to the load that followed it.
  let rawExports = null;
  let memory = null;
  if (threads.threaded) {
    const script = locate(CB_THREADS_SCRIPT);
    factory = await cbLoadThreadsFactory(script);
    // The pool's size (Emscripten's PTHREAD_POOL_SIZE reads it: build/runtime.mk)
    // and the script each worker loads (not this one, which holds the API).
    Object.assign(threadArgs, { threadWorkers: threads.workers, mainScriptUrlOrBlob: script });
  }
  const modPromise = factory({
    ...threadArgs,
    locateFile: (name) => locate(name),
    instantiateWasm(imports, receive) {
      cbWrapImports(imports, { asyncRun: () => inst.asyncRun, bridge: () => inst.bridge, aio: () => inst.aio,
        stdin: () => inst.Module.coldbrew.stdin });
      wasm.instantiate(imports).then((r) => {
        rawExports = r.instance.exports;
        // Imported (shared) by the threaded runtime, exported by the other.
        memory = (imports.env && imports.env.memory) || r.instance.exports.memory;
        receive(r.instance, r.module);
      }, wasmFailed);
      return {};
    },
    // Emscripten's own messages: kept while starting (shown if start-up
    // fails), then passed to the console like warnings.
    print: (t) => (inst.state === 'loading' ? startupErrors.push(t) : cbWarn(inst, t)),
    printErr: (t) => (inst.state === 'loading' ? startupErrors.push(t) : cbWarn(inst, t)),
    // Emscripten would set process.exitCode when Python's C code exits
    // (os._exit, exit(), a fatal signal): here the exit unwinds to the call
    // into Python instead, and the host process is never touched.
    quit: (status, toThrow) => { throw toThrow; },
    // The text rule for Emscripten's UTF-8 functions (src/js/emscripten-strings.js).
    cbText: { decode: cbDecodeText, length: cbTextLength, write: cbWriteText },
    preRun: [(m) => {
      // `_` (Emscripten's name for the host's script path) is undefined:
      // Emscripten leaves undefined entries out of the environment.
      Object.assign(m.ENV, { HOME: '/home', PWD: '/files', USER: 'coldbrew', LOGNAME: 'coldbrew',
        LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin', _: undefined,
        // The original Coldbrew's variables, for code that reads them.
        PYTHONHOME: CB_PYTHON_HOME, FILES: '/files', COLDBREW: 'true', PYVERSION: CB_PYVERSION,
        COLDBREW_VERSION: CB_VERSION, COLDBREW_MODULE_NAME: CB_MODULE_NAME, COLDBREW_MODULE_NAME_LOWER: CB_MODULE_NAME.toLowerCase(),
        COLDBREW_WARNINGS: opts.hideWarnings ? '0' : '1' });
      cbGuardFileSystem(m.FS);
    }],
  });
  warmEntropy();
  const [Module, stdlib] = await Promise.all([Promise.race([modPromise, wasmFailure]), stdlibPromise]);
  if (myGeneration !== inst.generation) throw new Error('Coldbrew.load(): unload() was called while loading');
  inst.Module = Module;
  inst.rawExports = rawExports;
  inst.memory = memory;
  Module.coldbrew = interfaceObject(inst);
  Module.cbMemory = memory;
  const bridge = inst.bridge = cbCreateBridge(Module, {
    casing: opts.transformVariableCasing !== false,
    requireLoaded: (fn) => cbRequireLoaded(inst, fn),
    begin: (fn, onVariable) => cbBegin(inst, fn, onVariable),
    end: () => cbEnd(inst),
    crash: (fn, e) => cbCrash(inst, fn, e),
    unloadedError: cbUnloadedError,
    pythonError: () => cbPythonError(inst),
    depth: () => inst.depth,
  });
  Module.coldbrew.bridge = bridge;
  Module.coldbrew.jsFailed = bridge.failed;
  inst.aio = Module.coldbrew.aio = cbAioQueue();
  makeFolders(Module.FS);
  Module.FS.writeFile(CB_STDLIB_PATH, stdlib);
  if (bundlesPromise) {
    Module.FS.mkdirTree(CB_STDLIB_BUNDLES_PATH);
    for (const [b, bytes] of await bundlesPromise) if (bytes) Module.FS.writeFile(`${CB_STDLIB_BUNDLES_PATH}/${b}.zip`, bytes);
  }
  cbMakeStdio(inst);
  cbWithStrings(inst, [threads.reason], (p) => Module._cb_threads_set_reason(p));
  if (startInterpreter(Module, opts.pythonFlags || []) !== 0) {
    const info = Module.coldbrew.pythonError && Module.coldbrew.pythonError.info;
    throw new Error(`Coldbrew.load(): Python failed to start: ${info ? info.traceback : startupErrors.join('\n')}`);
  }
  Module._cb_rt_set_c_recursion_limit(cbCRecursionBudget());
  // Coldbrew.interrupt() writes SIGINT here; the periodic hook (cb_async.c)
  // takes it. Shared where the host allows, so that a sleep can be woken.
  Module.Py_EmscriptenSignalBuffer = inst.signal = inst.sharedSignal || cbSignalCell();
  Module._cb_async_set(0, 0);   // the hook on: it looks for a signal every ~1000 interpreter checks
  Module._cb_names_set_casing(opts.transformVariableCasing !== false ? 1 : 0);
  inst.yieldRate = opts.asyncYieldRate === undefined ? null : opts.asyncYieldRate;
  inst.state = 'loaded';
  // The C modules whose tables coldbrew.wasm lacks (build/static_tables.py); the threaded wasm has them all.
  bridge.callNamed("__import__('_coldbrew').set_host",
    [cbHost(() => CB_JSPI && inst.asyncRun !== null && inst.depth === 1, inst.aio, () => inst.signal, locate),
      threads.threaded ? [] : CB_TABLE_MODULES]);
  if (filesPromise) cbUnzipBytes(inst, 'load', await filesPromise, '/files');   // a custom build's files/
  if (opts.monitorFileUsage) {
    // Coldbrew.getUsedFiles() / getUnusedModules() read what it records (src/py/_coldbrew/usage.py).
    bridge.callNamed("__import__('_coldbrew.usage', fromlist=['start']).start", [CB_STDLIB_PATH]);
  }
  if (cbPersistedRoots(inst).length) await cbLoadFiles(inst, 'load');
  cbWatchPersisted(inst);   // Node: saved as they change from now on
  if (opts.onProgress) opts.onProgress({ loaded: total, total });
  cbSayInitialized(inst);
}

export function cbUnload(inst) {
  cbFlushChanges(inst, 'unload').catch(() => {});   // Node: the last changes, taken before the file system goes
  if (inst.Module && (inst.depth > 0 || inst.asyncRun)) {
    // Called from JS that Python called (a callback, a bridge call): the run
    // on the stack ends with an error as soon as control returns to it; pure
    // Python work is stopped by the periodic hook (cb_async_abandon).
    inst.orphans += inst.depth - (inst.asyncRun ? 1 : 0);
    try { inst.Module._cb_async_abandon(); } catch (e) { /* the instance is gone anyway */ }
  }
  cbStopThreadWorkers(inst.Module);   // every Python thread's worker, daemons included
  inst.life.alive = false;
  const err = cbUnloadedError('runAsync');
  for (const reject of inst.life.pauses) reject(err);
  inst.life = { alive: true, pauses: new Set() };
  inst.generation++;
  inst.asyncRun = null;
  inst.paused = false;
  inst.rawExports = null;
  if (inst.bridge) inst.bridge.kill();
  inst.bridge = null;
  inst.depth = 0;
  inst.Module = null;
  inst.state = 'unloaded';
  inst.loading = null;
  inst.lastException = null;
  cbNotifyIdle(inst);   // queued async-variable steps fail with "not loaded" instead of waiting
  inst.stdoutSink = inst.stderrSink = null;
  inst.stdinPending = new Uint8Array(0);
}
