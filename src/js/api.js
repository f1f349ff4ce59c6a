/* Coldbrew JavaScript API: the Coldbrew object.
 *
 * The entry module of the bundle (build/assemble_js.py runs esbuild on it);
 * the bundle sits after Emscripten's factory `createColdbrewModule` and before
 * a CommonJS / classic-script or an ES-module epilogue. It owns what lives
 * per instance (createColdbrew): the loader's sequence, the standard-stream
 * devices, sync and async runs, async variables, the file-system, zip and
 * persistence helpers; what is the same for every instance is in its own
 * module (options, loader, stdio, jspi, http, storage, vfs, bridge, text).
 * Anything that touches Python objects is a call into the C core (cb_rt_* and,
 * through the bridge, cb_py_* exports).
 *
 * Expects from the prelude: cbScriptBase (URL or directory of this file, or null);
 * from build/assemble_js.py: CB_EXAMPLES (file name -> text of src/examples/*.py).
 */
import { CB_ENTRY_CALL, CB_ENTRY_CALL_NAMED, CB_ENTRY_CONSTRUCT, CB_ENTRY_GET, CB_ENTRY_LOOKUP, CB_ENTRY_RUN,
  CB_ENTRY_RUN_FILE, CB_SITE_PACKAGES_PATH, CB_STDLIB_PATH } from 'coldbrew-protocol';
import { CB_IS_NODE } from './host.js';
import { cbArgumentError, cbCheckText, cbDecodeText, cbEncodeText, cbTextLength, cbWriteText } from './text.js';
import { PythonKeywords, PythonVariable, cbCreateBridge } from './bridge.js';
import { cbGuardFileSystem, cbMakeFolders } from './vfs.js';
import { cbRestore, cbSnapshot, cbStorage } from './storage.js';
import { PythonError, CB_LOAD_OPTIONS, cbCheckOptions, cbCheckString } from './options.js';
import { cbAssetLocation, cbFetchBytes, cbInstantiateWasm, cbCRecursionBudget } from './loader.js';
import { CbLineSink } from './stdio.js';
import { CB_JSPI, CB_YIELD_MS, CB_CHECK_TICKS, cbWrapImports, cbAioQueue } from './jspi.js';
import { cbHost } from './http.js';

export { PythonError };

function createColdbrew() {
  const api = {};
  let Module = null;
  let state = 'unloaded';     // unloaded | loading | loaded | crashed
  let loading = null;
  let crashReason = null;
  let hideWarnings = false;
  let lastException = null;
  let depth = 0;              // nesting of calls into Python (JS -> Python -> JS -> Python ...)
  let failing = null;        // the error fail() is throwing, so enter() passes it through
  let bridge = null;
  let stdoutSink = null, stderrSink = null;
  let stdinPending = new Uint8Array(0);
  let loadOptions = {};     // asyncYieldRate, transformVariableCasing: read by the async and bridge subsystems
  let generation = 0;        // bumped by unload(), so a load() still in flight is dropped
  let rawExports = null;     // the wasm's own exports (for WebAssembly.promising)
  let asyncRun = null;       // the async run in progress, if any (see runAsyncCall)
  let aio = null;            // settled Promises for Python's asyncio loop (cbAioQueue)
  let paused = false;        // that run is suspended, waiting for the event loop
  let orphans = 0;           // calls into Python still on the stack from before an unload()
  let life = { alive: true, pauses: new Set() };   // this load's; unload() ends it (pending pauses reject)
  let inCallback = null;     // the stdio callback Python is waiting for (calls into Python are refused)
  let yieldRate = null;      // null: by time (CB_YIELD_MS); a number: interpreter checks; Infinity: never
  const storeSeen = new Map();   // persisted root -> generation of the store this instance last loaded/saved

  api.PythonError = PythonError;
  api.PythonKeywords = PythonKeywords;
  api.PythonVariable = PythonVariable;
  api.onStandardOut = (line) => console.log(line);
  api.onStandardErr = (line) => console.warn(line);
  api.onStandardInRead = null;
  api.onStandardInReadAsync = null;   // async runs: (size) => Promise of a string (or null at the end)
  api.standardInBuffer = '';

  function warn(text) {
    if (!hideWarnings) console.warn(`Coldbrew warning: ${text}`);
  }

  /* Python slept in a synchronous run (src/core/cb_async.c): said once per run. */
  let sleepWarned = false;
  function warnSyncSleep() {
    if (sleepWarned) return;
    sleepWarned = true;
    warn('time.sleep() in a synchronous run blocks JavaScript (timers, I/O, the page) until it returns; ' +
      'run the code with runAsync() to let JavaScript run while Python sleeps');
  }

  function requireLoaded(fn) {
    if (state === 'loaded') return;
    if (state === 'crashed') {
      throw new Error(`Coldbrew.${fn}(): the Python runtime stopped after a fatal error (${crashReason}); ` +
        'call Coldbrew.unload() and Coldbrew.load() to start a new one');
    }
    if (state === 'loading') throw new Error(`Coldbrew.${fn}(): Coldbrew is still loading; wait for the Promise from Coldbrew.load() first`);
    throw new Error(`Coldbrew.${fn}(): Coldbrew is not loaded; call and await Coldbrew.load() first`);
  }

  /* Calls into the wasm core; re-entrant (JS called from Python may call
   * Python again). begin/end bracket every call (the bridge's hot path uses
   * them directly); crash() sorts what escaped: a Python error being thrown
   * on purpose passes through, anything else escaping wasm (engine stack
   * overflow, wasm trap) leaves the interpreter in an unknown state, so the
   * instance is marked crashed. */
  function begin(fn) {
    requireLoaded(fn);
    if (inCallback) {
      // Python is inside a write to stdout/stderr or a read of stdin (holding
      // its stream's lock, half-way through a system call): it cannot run
      // other code until the callback returns.
      throw new Error(`Coldbrew.${fn}(): cannot call into Python from ${inCallback}, while Python waits for it; ` +
        'defer the call (queueMicrotask, setTimeout) so that it runs after the callback returns');
    }
    if (paused) {
      throw new Error(`Coldbrew.${fn}(): Python is busy with an asynchronous run on this instance; ` +
        'wait for its Promise before calling Python again');
    }
    // A call nested in an async run (JS called from that Python calling
    // Python again) runs synchronously: no suspending imports under it.
    if (asyncRun && depth === 1 && CB_JSPI) Module._cb_async_set(0, 0);
    if (depth === 0) sleepWarned = false;
    depth++;
  }

  /* The error of every call and run that unload() interrupted. */
  function unloadedError(fn = 'run') {
    const err = new Error(`Coldbrew.${fn}(): Coldbrew.unload() was called while Python was running; the run was ended`);
    err.code = 'COLDBREW_UNLOADED';
    return err;
  }

  /* Waiters for the instance to be free of runs (async variable steps). */
  let idleWaiters = [];
  const idle = () => state !== 'loaded' || (asyncRun === null && depth === 0);
  function notifyIdle() {
    if (!idleWaiters.length || !idle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function end() {
    if (orphans > 0) {
      // A call that was in progress when unload() ran: it ends with that error.
      orphans--;
      throw unloadedError();
    }
    if (asyncRun && depth === 2 && CB_JSPI && state === 'loaded') Module._cb_async_set(1, asyncRun.rearm());
    if (bridge) bridge.flushReleases();
    if (--depth === 0 && state === 'loaded') {
      // The last line without a newline. Python has finished: a callback that
      // throws here is reported, not turned into a failure of the run.
      for (const sink of [stdoutSink, stderrSink]) {
        try {
          if (sink) sink.flush();
        } catch (e) {
          console.error(`Coldbrew: ${sink === stdoutSink ? 'onStandardOut' : 'onStandardErr'} threw:`, e);
        }
      }
      if (bridge) bridge.drainReleases();
    }
    if (depth === 0 && idleWaiters.length) queueMicrotask(notifyIdle);
  }

  function crash(fn, e) {
    if (orphans > 0) return unloadedError(fn);
    if (e && e.cbArgument) return e;   // a bad argument found before Python ran
    if (e === failing || e instanceof PythonError) {
      failing = null;
      return e;
    }
    if (state === 'crashed') return e;   // reported by a nested call already
    state = 'crashed';
    Module.coldbrew.crashed = true;
    crashReason = e && e.name === 'ExitStatus'
      ? `Python's C code exited with status ${e.status}; the host process was not affected`
      : `${e && e.name}: ${e && e.message}`;
    return new Error(`Coldbrew.${fn}(): the Python runtime crashed (${crashReason}); ` +
      'call Coldbrew.unload() and Coldbrew.load() to start a new one', { cause: e });
  }

  function enter(fn, body) {
    begin(fn);
    try {
      return body();
    } catch (e) {
      throw crash(fn, e);
    } finally {
      end();
    }
  }

  /* Runs a C function with strings converted to malloc'd UTF-8. */
  /* Copies strings (null stays a NULL pointer) into malloc'd C strings;
   * returns the pointers and what frees them. */
  function cStrings(strings) {
    const ptrs = [];
    const free = () => { if (Module) for (const p of ptrs) if (p) Module._free(p); };
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

  /* Runs body(...pointers) with the strings as C strings, freed afterwards. */
  function withStrings(strings, body) {
    const [ptrs, free] = cStrings(strings);
    try {
      return body(...ptrs);
    } finally {
      free();
    }
  }

  /* The error the C core just reported: a PythonError, or, for a
   * JavaScriptError that reached the top, the JS value originally thrown. */
  function pythonError() {
    const record = Module.coldbrew.pythonError;
    Module.coldbrew.pythonError = null;
    const info = record ? record.info : { type: 'SystemError', message: 'unknown error', filename: null, line: null, traceback: '' };
    lastException = info;
    if (record && record.hasJs) return record.js;
    const err = new PythonError(info);
    // lets the same exception pass back into Python as itself (cb_error.c)
    Object.defineProperty(err, 'cbSerial', { value: record ? record.serial : 0 });
    Object.defineProperty(err, 'cbModule', { value: Module });
    return err;
  }

  /* Throws it from inside enter(), which lets it through. */
  function fail() {
    failing = pythonError();
    throw failing;
  }

  function check(rc) {
    if (rc === 0) return 0;
    return fail();
  }

  function makeStdio() {
    const FS = Module.FS;
    const myLife = life;
    stdoutSink = new CbLineSink((line, partial) => api.onStandardOut(line, partial));
    stderrSink = new CbLineSink((line, partial) => api.onStandardErr(line, partial));
    const encoder = new TextEncoder();
    /* A JS exception must never unwind through the wasm stack: callback
     * failures become EIO, which Python raises as OSError. */
    function guarded(what, body) {
      const outer = inCallback;
      inCallback = what;
      let result;
      try {
        result = body();
      } catch (e) {
        if (!myLife.alive) throw unloadedError();
        console.error(`Coldbrew: ${what} threw:`, e);
        throw new FS.ErrnoError(29);
      } finally {
        inCallback = outer;
      }
      if (!myLife.alive) throw unloadedError();   // unload() from the callback: unwind the run
      return result;
    }
    function refillStdin(size) {
      if (typeof api.standardInBuffer === 'string' && api.standardInBuffer.length) {
        stdinPending = encoder.encode(api.standardInBuffer);
        api.standardInBuffer = '';
        return;
      }
      if (typeof api.onStandardInRead === 'function') {
        stdoutSink.flush();   // show a prompt written without a newline
        take(api.onStandardInRead(size), 'onStandardInRead');
      }
    }
    function take(s, from) {
      if (typeof s === 'string') stdinPending = encoder.encode(s);
      else if (s instanceof Uint8Array) stdinPending = s;
      else if (s != null) throw new TypeError(`Coldbrew.${from} must return a string (or null for end of input)`);
    }
    /* Async runs (src/core/cb_async.c's read()): before a read of stdin that
     * would find nothing, onStandardInReadAsync's Promise is awaited. */
    let stdinFailed = false;
    Module.coldbrew.stdin = {
      wantsAsync: () => stdinPending.length === 0 && typeof api.onStandardInReadAsync === 'function' &&
        !(typeof api.standardInBuffer === 'string' && api.standardInBuffer.length),
      readAsync(size) {
        stdoutSink.flush();   // show a prompt written without a newline
        return Promise.resolve().then(() => api.onStandardInReadAsync(size)).then(
          (s) => take(s, 'onStandardInReadAsync'),
        ).catch((e) => {
          console.error('Coldbrew: onStandardInReadAsync failed:', e);
          stdinFailed = true;   // the read that follows raises OSError (EIO)
        });
      },
    };
    const ops = (sink) => ({
      open() {}, close() {},
      fsync() { if (sink) guarded(sink === stdoutSink ? 'onStandardOut' : 'onStandardErr', () => sink.flush()); },
      read(stream, buffer, offset, length) {
        if (sink) return 0;
        if (stdinFailed) {
          stdinFailed = false;
          throw new FS.ErrnoError(29);
        }
        if (stdinPending.length === 0) guarded('onStandardInRead', () => refillStdin(length));
        const n = Math.min(length, stdinPending.length);
        buffer.set(stdinPending.subarray(0, n), offset);
        stdinPending = stdinPending.subarray(n);
        return n;
      },
      write(stream, buffer, offset, length) {
        if (!sink) throw new FS.ErrnoError(8);
        const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice();
        guarded(sink === stdoutSink ? 'onStandardOut' : 'onStandardErr', () => sink.write(bytes));
        return length;
      },
    });
    const devs = [['stdin', null], ['stdout', stdoutSink], ['stderr', stderrSink]];
    for (let i = 0; i < 3; i++) {
      const [name, sink] = devs[i];
      const dev = FS.makedev(64, i);
      FS.registerDevice(dev, ops(sink));
      const path = `/dev/coldbrew-${name}`;
      FS.mkdev(path, i === 0 ? 0o444 : 0o222, dev);
      FS.close(FS.streams[i]);
      const s = FS.open(path, i === 0 ? 'r' : 'w');
      if (s.fd !== i) throw new Error(`Coldbrew.load(): could not set up ${name}`);
    }
  }

  function makeFolders() {
    const FS = Module.FS;
    for (const d of ['/files', '/home', '/tmp', '/lib', '/lib/python3.13', CB_SITE_PACKAGES_PATH,
      '/coldbrew', '/coldbrew/examples']) {
      try { FS.mkdir(d); } catch (e) { /* already there */ }
    }
    try { FS.rmdir('/home/web_user'); } catch (e) { /* not there */ }
    for (const [name, text] of Object.entries(CB_EXAMPLES)) {
      FS.writeFile(`/coldbrew/examples/${name}`, text);
    }
    FS.chdir('/files');
  }

  api.load = function load(options) {
    let opts;
    try {
      opts = cbCheckOptions(options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (state === 'loaded' || state === 'loading') {
      if (Object.keys(opts).length) {
        warn(`load(): Coldbrew is already ${state}, so these options were not applied: ${Object.keys(opts).join(', ')}; ` +
          'call Coldbrew.unload() first to load with other options');
      }
      return state === 'loaded' ? Promise.resolve() : loading;
    }
    if (orphans > 0) {
      return Promise.reject(new Error('Coldbrew.load(): the run that unload() interrupted has not ended yet; ' +
        'call load() after the callback that called unload() has returned'));
    }
    loadOptions = opts;
    hideWarnings = !!opts.hideWarnings;
    state = 'loading';
    const myGeneration = ++generation;
    loading = (async () => {
      // The wasm and the stdlib download side by side; onProgress hears of both.
      const total = CB_ASSET_SIZES['coldbrew.wasm'] + CB_ASSET_SIZES['coldbrew-stdlib.zip'];
      let loaded = 0;
      const progress = (n) => {
        loaded += n;
        if (opts.onProgress && myGeneration === generation) opts.onProgress({ loaded: Math.min(loaded, total), total });
      };
      const stdlibPromise = cbFetchBytes('load', cbAssetLocation('coldbrew-stdlib.zip'), progress);
      let wasmFailed;
      const wasmFailure = new Promise((resolve, reject) => { wasmFailed = reject; });
      const startupErrors = [];
      const modPromise = createColdbrewModule({
        locateFile: (name) => cbAssetLocation(name),
        instantiateWasm(imports, receive) {
          cbWrapImports(imports, { asyncRun: () => asyncRun, bridge: () => bridge, aio: () => aio, stdin: () => Module.coldbrew.stdin });
          cbInstantiateWasm(imports, progress).then((r) => {
            rawExports = r.instance.exports;
            receive(r.instance, r.module);
          }, wasmFailed);
          return {};
        },
        // Emscripten's own messages: kept while starting (shown if start-up
        // fails), then passed to the console like warnings.
        print: (t) => (state === 'loading' ? startupErrors.push(t) : warn(t)),
        printErr: (t) => (state === 'loading' ? startupErrors.push(t) : warn(t)),
        // Emscripten would set process.exitCode when Python's C code exits
        // (os._exit, exit(), a fatal signal): here the exit unwinds to the
        // call into Python instead (see exitedError), and the host process is
        // never touched.
        quit: (status, toThrow) => { throw toThrow; },
        // The text rule for Emscripten's UTF-8 functions (src/js/emscripten-strings.js).
        cbText: { decode: cbDecodeText, length: cbTextLength, write: cbWriteText },
        preRun: [(m) => {
          // `_` (Emscripten's name for the host's script path) is undefined:
          // Emscripten leaves undefined entries out of the environment.
          Object.assign(m.ENV, { HOME: '/home', PWD: '/files', USER: 'coldbrew', LOGNAME: 'coldbrew',
            LANG: 'C.UTF-8', PATH: '/usr/local/bin:/usr/bin:/bin', _: undefined });
          cbGuardFileSystem(m.FS);
        }],
      });
      const [mod, stdlib] = await Promise.all([Promise.race([modPromise, wasmFailure]), stdlibPromise]);
      if (myGeneration !== generation) throw new Error('Coldbrew.load(): unload() was called while loading');
      Module = mod;
      // The one interface between the C core's JavaScript (EM_JS in src/core)
      // and this API: every field C reads or writes is listed here.
      Module.coldbrew = {
        bridge: null,          // bridge.js: jsOp, jsOpAsync, handleValue, holdLastError, takeResult, ...
        aio: null,             // settled Promises for asyncio (cbAioQueue): poll, wait, take, watch
        stdin: null,           // async stdin (makeStdio): wantsAsync(), readAsync(size)
        yieldRate: null,       // Coldbrew.set/get_async_yield_rate: get(), set(v)
        asyncEntered: () => {},   // an async run has started on the wasm stack (runAsyncCall)
        warnSyncSleep,         // Python slept in a synchronous run
        crashed: false,        // the runtime is lost: bridge operations rethrow
        pythonError: null,     // the one error record of the last failed entry point: {info, serial, hasJs, js}
        jsError: undefined,    // the JS value just thrown into C (read by cb_error.c, cb_module.c)
        jsFailed: null,        // (error) => CB_R_ERROR: keeps a JS throw for Python (bridge.failed)
        envOut: null,          // getenv's answer while cb_rt_getenv runs
        sleepCell: null,       // an Int32Array for Atomics.wait (cb_async.c makes it)
      };
      bridge = cbCreateBridge(Module, {
        casing: opts.transformVariableCasing !== false,
        requireLoaded,
        begin,
        end,
        crash,
        unloadedError,
        pythonError,
        depth: () => depth,
      });
      Module.coldbrew.bridge = bridge;
      Module.coldbrew.jsFailed = bridge.failed;
      aio = cbAioQueue();
      Module.coldbrew.aio = aio;
      makeFolders();
      Module.FS.writeFile(CB_STDLIB_PATH, stdlib);
      makeStdio();
      const rc = Module._cb_rt_init();
      if (rc !== 0) {
        const info = Module.coldbrew.pythonError && Module.coldbrew.pythonError.info;
        throw new Error(`Coldbrew.load(): Python failed to start: ${info ? info.traceback : startupErrors.join('\n')}`);
      }
      Module._cb_rt_set_c_recursion_limit(cbCRecursionBudget());
      Module._cb_py_set_casing(opts.transformVariableCasing !== false ? 1 : 0);
      yieldRate = opts.asyncYieldRate === undefined ? null : opts.asyncYieldRate;
      Module.coldbrew.yieldRate = { get: () => yieldRate, set: (v) => { yieldRate = v; } };
      state = 'loaded';
      bridge.callNamed("__import__('_coldbrew').set_host", [cbHost(() => CB_JSPI && asyncRun !== null && depth === 1, aio)]);
      if (persistedRoots().length) await api.loadFiles();
      if (opts.onProgress) opts.onProgress({ loaded: total, total });
    })().catch((e) => {
      if (myGeneration === generation) {
        state = 'unloaded';
        Module = null;
      }
      throw e;
    });
    return loading;
  };

  api.unload = function unload() {
    if (Module && (depth > 0 || asyncRun)) {
      // Called from JS that Python called (a callback, a bridge call): the
      // run on the stack ends with an error as soon as control returns to it;
      // pure Python work is stopped by the periodic hook (cb_async_abandon).
      orphans += depth - (asyncRun ? 1 : 0);
      try { Module._cb_async_abandon(); } catch (e) { /* the instance is gone anyway */ }
    }
    life.alive = false;
    const err = unloadedError('runAsync');
    for (const reject of life.pauses) reject(err);
    life = { alive: true, pauses: new Set() };
    generation++;
    asyncRun = null;
    paused = false;
    rawExports = null;
    if (bridge) bridge.kill();
    bridge = null;
    depth = 0;
    Module = null;
    state = 'unloaded';
    loading = null;
    lastException = null;
    notifyIdle();   // queued async-variable steps fail with "not loaded" instead of waiting
    stdoutSink = stderrSink = null;
    stdinPending = new Uint8Array(0);
  };

  api.createNewInstance = function createNewInstance() {
    return createColdbrew();
  };

  /* The operands of cb_rt_run and cb_rt_run_file in wasm memory, and what
   * frees them (and puts a run's environment back). Synchronous and
   * asynchronous runs share them and differ only in how the export is called:
   * syncCall here, runAsyncCall below. */
  function runOperands(source) {
    const n = Module.lengthBytesUTF8(source);   // explicit length: a NUL is Python's to report
    const p = Module._malloc(n + 1);
    Module.stringToUTF8(source, p, n + 1);
    return [[p, n], () => { if (Module) Module._free(p); }];
  }

  function runFileOperands(path, cwd, envEntries, argStrings) {
    const restoreEnv = setRunEnv(envEntries);   // for this run only
    let ptrs, cleanup;
    try {
      [ptrs, cleanup] = cStrings([path, cwd, ...argStrings]);
    } catch (e) {
      restoreEnv();
      throw e;
    }
    const argv = Module._malloc(4 * Math.max(1, argStrings.length));
    ptrs.slice(2).forEach((p, i) => { Module.HEAPU32[(argv >> 2) + i] = p; });
    return [[ptrs[0], ptrs[1], argv, argStrings.length], () => {
      cleanup();
      if (Module) Module._free(argv);
      restoreEnv();
    }];
  }

  /* Calls an entry point synchronously with its prepared operands. */
  function syncCall(fn, exportName, prepare) {
    return enter(fn, () => {
      const [args, cleanup] = prepare();
      try {
        return check(Module[`_${exportName}`](...args));
      } finally {
        cleanup();
      }
    });
  }

  api.run = function run(source) {
    cbCheckString('run', 'source', source);
    return syncCall('run', 'cb_rt_run', () => runOperands(source));
  };

  /* runFile's and runFileAsync's options, checked: [cwd, env entries, args]. */
  function runFileOptions(fn, path, options) {
    cbCheckString(fn, 'path', path);
    if (options === null || typeof options !== 'object') throw new TypeError(`Coldbrew.${fn}(): options must be an object`);
    const { cwd = null, env = {}, args = [] } = options;
    for (const k of Object.keys(options)) {
      if (!['cwd', 'env', 'args'].includes(k)) throw new TypeError(`Coldbrew.${fn}(): unknown option '${k}' (known: cwd, env, args)`);
    }
    if (cwd !== null) cbCheckString(fn, 'options.cwd', cwd);
    if (env === null || typeof env !== 'object') throw new TypeError(`Coldbrew.${fn}(): options.env must be an object`);
    if (!Array.isArray(args)) throw new TypeError(`Coldbrew.${fn}(): options.args must be an array of strings`);
    const argStrings = args.map((a) => {
      if (typeof a !== 'string' && typeof a !== 'number') throw new TypeError(`Coldbrew.${fn}(): options.args must hold strings`);
      return String(a);
    });
    return [cwd, Object.entries(env).map(([k, v]) => [k, String(v)]), argStrings];
  }

  /* Sets environment variables for one run; returns what puts them back. */
  function setRunEnv(envEntries) {
    if (!envEntries.length) return () => {};
    const saved = readEnv();
    for (const [k, v] of envEntries) withStrings([k, v], (kp, vp) => check(Module._cb_rt_setenv(kp, vp)));
    return () => {
      if (state !== 'loaded') return;
      for (const [k] of envEntries) {
        if (k in saved) withStrings([k, saved[k]], (kp, vp) => Module._cb_rt_setenv(kp, vp));
        else withStrings([k], (kp) => Module._cb_rt_unsetenv(kp));
      }
    };
  }

  api.runFile = function runFile(path, options = {}) {
    const [cwd, envEntries, argStrings] = runFileOptions('runFile', path, options);
    return syncCall('runFile', 'cb_rt_run_file', () => runFileOperands(path, cwd, envEntries, argStrings));
  };

  /* ---- asynchronous runs ---------------------------------------------------- */

  /* Runs a wasm export as an async run: through WebAssembly.promising where
   * the engine has JSPI, so Python yields to the event loop; else synchronously.
   * prepare() returns [args, cleanup]; finish(rc) turns the result into a value. */
  async function runAsyncCall(fn, exportName, prepare, finish) {
    requireLoaded(fn);
    if (asyncRun || depth > 0) {
      throw new Error(`Coldbrew.${fn}(): Python is already running on this instance; ` +
        'wait for the other run to finish (one run at a time per instance)');
    }
    const [args, cleanup] = prepare();
    const run = {
      resumed: performance.now(),
      ticks: 0,
      interval: CB_CHECK_TICKS,
      /* How many interpreter checks between two ticks of the hook. */
      rearm() {
        this.interval = yieldRate === null ? CB_CHECK_TICKS : yieldRate === Infinity ? 0x3fffffff
          : Math.max(1, Math.min(Math.round(yieldRate), CB_CHECK_TICKS));
        return this.interval;
      },
      due() {
        if (yieldRate === null) return performance.now() - this.resumed >= CB_YIELD_MS;
        if (yieldRate === Infinity) return false;
        this.ticks += this.interval;
        if (this.ticks < yieldRate) return false;
        this.ticks = 0;
        return true;
      },
      /* Suspended until promise settles (null: only until the next microtask). */
      pause(promise) {
        paused = true;
        const myLife = life;
        return new Promise((resolve, reject) => {
          myLife.pauses.add(reject);
          (promise || Promise.resolve()).then(() => {
            myLife.pauses.delete(reject);
            if (!myLife.alive) return;
            paused = false;
            if (promise) this.resumed = performance.now();
            resolve();
          }, (e) => {
            myLife.pauses.delete(reject);
            reject(e);
          });
        });
      },
    };
    begin(fn);
    asyncRun = run;
    if (CB_JSPI) {
      Module._cb_async_set(1, run.rearm());
      paused = true;   // until the wasm stack has really started (cb_js_async_entered)
      Module.coldbrew.asyncEntered = () => { paused = false; };
    }
    const myGeneration = generation;
    const which = { cb_rt_run: CB_ENTRY_RUN, cb_rt_run_file: CB_ENTRY_RUN_FILE, cb_py_call_named: CB_ENTRY_CALL_NAMED,
      cb_py_lookup: CB_ENTRY_LOOKUP, cb_py_get: CB_ENTRY_GET, cb_py_call: CB_ENTRY_CALL,
      cb_py_construct: CB_ENTRY_CONSTRUCT }[exportName];
    let rc;
    try {
      rc = CB_JSPI ? await WebAssembly.promising(rawExports.cb_rt_async_call)(which, ...args, 0, 0, 0, 0)
        : Module[`_${exportName}`](...args);
    } catch (e) {
      if (myGeneration !== generation) throw unloadedError(fn);
      throw crash(fn, e);
    } finally {
      if (myGeneration === generation) {
        if (CB_JSPI && state === 'loaded') Module._cb_async_set(0, 0);
        asyncRun = null;
        paused = false;
        end();
      }
      if (myGeneration === generation) cleanup();
    }
    if (myGeneration !== generation) throw unloadedError(fn);
    return finish(rc);
  }

  function asyncResult(rc) {
    if (rc !== 0) throw pythonError();
    return 0;
  }

  api.runAsync = async function runAsync(source) {
    cbCheckString('runAsync', 'source', source);
    return runAsyncCall('runAsync', 'cb_rt_run', () => runOperands(source), asyncResult);
  };

  api.runFileAsync = async function runFileAsync(path, options = {}) {
    const [cwd, envEntries, argStrings] = runFileOptions('runFileAsync', path, options);
    return runAsyncCall('runFileAsync', 'cb_rt_run_file', () => runFileOperands(path, cwd, envEntries, argStrings),
      asyncResult);
  };

  api.runFunctionAsync = async function runFunctionAsync(name, ...args) {
    cbCheckString('runFunctionAsync', 'name', name);
    requireLoaded('runFunctionAsync');
    const call = bridge.prepareCallNamed(name, args);
    return runAsyncCall('runFunctionAsync', 'cb_py_call_named', () => call.prepare(), (r) => call.finish(r));
  };

  /* ---- async bridge variables (getVariableAsync) ----------------------------
   * getVariableAsync returns a thenable Proxy right away. Each property read
   * or call on it is one more step of a chain; every step that touches a
   * Python object is an async run of its own (so urlopen(...).read() may wait
   * on the network), started when the steps it needs have settled, and queued
   * behind other async work on this instance instead of failing as busy.
   * Awaiting a step gives its value: a plain value or an ordinary PythonVariable. */
  let asyncQueue = Promise.resolve();
  function queued(step) {
    const next = asyncQueue.then(async () => {
      while (!idle()) await new Promise((resolve) => idleWaiters.push(resolve));
      return step();
    });
    asyncQueue = next.catch(() => {});
    return next;
  }
  function asyncStep(prepared, exportName) {
    return runAsyncCall('getVariableAsync', exportName, () => prepared.prepare(), (r) => prepared.finish(r));
  }
  function asyncGet(value, key) {
    const prepared = bridge.prepareGet(value, key);
    if (prepared) return asyncStep(prepared, 'cb_py_get');
    if (value === null || value === undefined) throw new TypeError(`Cannot read properties of ${value} (reading '${key}')`);
    return value[key];
  }
  function asyncApply(self, fn, args, construct) {
    const prepared = bridge.prepareCall(fn, args);
    if (prepared) return asyncStep(prepared, construct ? 'cb_py_construct' : 'cb_py_call');
    if (typeof fn !== 'function') throw new TypeError(`${fn === null ? 'null' : typeof fn} is not a function`);
    return construct ? new fn(...args) : Reflect.apply(fn, self, args);
  }
  function asyncVariable(promise, parent) {
    promise.catch(() => {});   // a failed step is reported where the chain is awaited
    const proxy = new Proxy(function AsyncPythonVariable() {}, {
      get(target, prop) {
        if (prop === 'then') return (ok, fail) => promise.then(ok, fail);
        if (prop === 'catch') return (fail) => promise.catch(fail);
        if (prop === 'finally') return (f) => promise.finally(f);
        if (typeof prop === 'symbol') return undefined;
        return asyncVariable(promise.then((v) => queued(() => asyncGet(v, prop))), promise);
      },
      apply(target, thisArg, args) {
        const step = Promise.all([parent, promise, ...args]).then(([self, fn, ...a]) => queued(() => asyncApply(self, fn, a, false)));
        return asyncVariable(step, null);
      },
      construct(target, args) {
        const step = Promise.all([promise, ...args]).then(([fn, ...a]) => queued(() => asyncApply(undefined, fn, a, true)));
        return asyncVariable(step, null);
      },
      set() {
        throw new TypeError('Coldbrew: an async Python variable cannot be assigned to; await it first');
      },
    });
    return proxy;
  }

  api.getVariableAsync = function getVariableAsync(name) {
    const lookup = Promise.resolve().then(() => {
      cbCheckString('getVariableAsync', 'name', name);
      requireLoaded('getVariableAsync');
      return queued(() => {
        const call = bridge.prepareLookup(name);
        return runAsyncCall('getVariableAsync', 'cb_py_lookup', () => call.prepare(), (r) => call.finish(r));
      });
    });
    return asyncVariable(lookup, undefined);
  };

  api.setAsyncYieldRate = function setAsyncYieldRate(rate) {
    const problem = CB_LOAD_OPTIONS.asyncYieldRate(rate);
    if (problem) throw new TypeError(`Coldbrew.setAsyncYieldRate(): the rate ${problem}`);
    yieldRate = rate;
  };

  api.getAsyncYieldRate = function getAsyncYieldRate() {
    return yieldRate;
  };

  /* ---- values and bridge variables (src/js/bridge.js) --------------------- */

  api.getVariable = function getVariable(name) {
    cbCheckString('getVariable', 'name', name);
    requireLoaded('getVariable');
    return bridge.lookup(name);
  };

  api.runFunction = function runFunction(name, ...args) {
    cbCheckString('runFunction', 'name', name);
    requireLoaded('runFunction');
    return bridge.callNamed(name, args);
  };

  api.destroyAllVariables = function destroyAllVariables() {
    requireLoaded('destroyAllVariables');
    bridge.destroyAll();
  };

  /* For leak checks: Python objects JS holds, JS values Python holds. */
  api.liveVariableCounts = function liveVariableCounts() {
    requireLoaded('liveVariableCounts');
    return bridge.counts();
  };

  api.getExceptionInfo = function getExceptionInfo() {
    requireLoaded('getExceptionInfo');
    return lastException;
  };

  api.getcwd = function getcwd() {
    return enter('getcwd', () => {
      const p = Module._cb_rt_getcwd();
      const s = Module.UTF8ToString(p);
      Module._free(p);
      return s;
    });
  };

  api.chdir = function chdir(path) {
    cbCheckString('chdir', 'path', path);
    return enter('chdir', () => withStrings([path], (p) => check(Module._cb_rt_chdir(p))));
  };

  api.setenv = function setenv(key, value) {
    cbCheckString('setenv', 'key', key);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError('Coldbrew.setenv(): value must be a string');
    }
    return enter('setenv', () => withStrings([key, String(value)], (k, v) => check(Module._cb_rt_setenv(k, v))));
  };

  api.unsetenv = function unsetenv(key) {
    cbCheckString('unsetenv', 'key', key);
    return enter('unsetenv', () => withStrings([key], (k) => check(Module._cb_rt_unsetenv(k))));
  };

  function readEnv() {
    Module.coldbrew.envOut = {};
    try {
      check(Module._cb_rt_getenv());
      return Module.coldbrew.envOut;
    } finally {
      Module.coldbrew.envOut = null;
    }
  }

  api.getenv = function getenv() {
    return enter('getenv', readEnv);
  };

  api.resetenv = function resetenv() {
    return enter('resetenv', () => check(Module._cb_rt_resetenv()));
  };

  api.reset = function reset() {
    return enter('reset', () => {
      check(Module._cb_rt_reset());
      check(Module._cb_rt_resetenv());
      withStrings(['/files'], (p) => check(Module._cb_rt_chdir(p)));
      lastException = null;
      return 0;
    });
  };

  /* ---- the virtual file system -------------------------------------------- */

  function fsError(fn, e, path) {
    if (e && e.errno !== undefined && e.name === 'ErrnoError') {
      const codes = { 44: ['ENOENT', 'No such file or directory'], 54: ['ENOTDIR', 'Not a directory'],
        31: ['EISDIR', 'Is a directory'], 20: ['EEXIST', 'File exists'], 55: ['ENOTEMPTY', 'Directory not empty'],
        2: ['EACCES', 'Permission denied'], 63: ['EPERM', 'Operation not permitted'], 10: ['EBUSY', 'Resource busy'] };
      const [code, text] = codes[e.errno] || ['EIO', `error ${e.errno}`];
      const err = new Error(`Coldbrew.${fn}(): ${text}: '${path}'`);
      err.code = code;
      err.path = path;
      return err;
    }
    return e;
  }

  function fsCall(fn, path, body) {
    cbCheckString(fn, 'path', path);
    if (path.includes('\0')) throw new TypeError(`Coldbrew.${fn}(): path holds a NUL character`);
    requireLoaded(fn);
    try {
      return body(Module.FS);
    } catch (e) {
      throw fsError(fn, e, path);
    }
  }

  function pathInfo(FS, path) {
    const lookup = FS.lookupPath(path, { follow: true });
    const st = FS.stat(path);
    const full = FS.getPath(lookup.node);
    return {
      name: full === '/' ? '/' : full.slice(full.lastIndexOf('/') + 1),
      path: full,
      isFile: FS.isFile(st.mode),
      isFolder: FS.isDir(st.mode),
      size: st.size,
      modified: st.mtime instanceof Date ? st.mtime.getTime() : Number(st.mtime),
    };
  }

  api.listFiles = function listFiles(path = '/') {
    return fsCall('listFiles', path, (FS) => {
      const base = pathInfo(FS, path).path;
      return FS.readdir(path).filter((n) => n !== '.' && n !== '..').sort()
        .map((n) => pathInfo(FS, base === '/' ? `/${n}` : `${base}/${n}`));
    });
  };

  api.createFolder = function createFolder(path) {
    return fsCall('createFolder', path, (FS) => { cbMakeFolders(FS, path); return true; });
  };

  api.addFile = function addFile(path, data) {
    return fsCall('addFile', path, (FS) => {
      let bytes;
      if (typeof data === 'string') bytes = cbEncodeText(cbCheckText('addFile', 'data', data));
      else if (data instanceof Uint8Array) bytes = data;
      else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
      else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      else throw new TypeError('Coldbrew.addFile(): data must be a string, Uint8Array or ArrayBuffer');
      const slash = path.lastIndexOf('/');
      if (slash > 0) cbMakeFolders(FS, path.slice(0, slash));
      FS.writeFile(path, bytes);
      return true;
    });
  };

  api.pathExists = function pathExists(path) {
    return fsCall('pathExists', path, (FS) => {
      try {
        return pathInfo(FS, path);
      } catch (e) {
        if (e && e.name === 'ErrnoError') return null;
        throw e;
      }
    });
  };

  api.readFile = function readFile(path) {
    // The whole file, NUL included; invalid UTF-8 by the text rule (src/js/text.js).
    return fsCall('readFile', path, (FS) => cbDecodeText(FS.readFile(path, { encoding: 'binary' })));
  };

  api.readBinaryFile = function readBinaryFile(path) {
    return fsCall('readBinaryFile', path, (FS) => FS.readFile(path, { encoding: 'binary' }));
  };

  api.deletePath = function deletePath(path) {
    return fsCall('deletePath', path, (FS) => {
      const remove = (p) => {
        const st = FS.lstat(p);
        if (FS.isDir(st.mode)) {
          for (const n of FS.readdir(p)) if (n !== '.' && n !== '..') remove(`${p.replace(/\/$/, '')}/${n}`);
          FS.rmdir(p);
        } else {
          FS.unlink(p);
        }
      };
      remove(path);
      return true;
    });
  };

  /* ---- zip archives (Python's zipfile, src/py/_coldbrew/files.py) --------- */

  let zipSerial = 0;
  function callFilesHelper(fn, name, args) {
    requireLoaded(fn);
    return bridge.callNamed(`__import__('_coldbrew.files').files.${name}`, args);
  }

  /* Fetches a zip (URL; in Node also a file path) and extracts it into path. Resolves to the number of entries. */
  api.addFilesFromZip = async function addFilesFromZip(path, url) {
    cbCheckString('addFilesFromZip', 'path', path);
    cbCheckString('addFilesFromZip', 'url', url);
    requireLoaded('addFilesFromZip');
    const bytes = await cbFetchBytes('addFilesFromZip', url, null);
    requireLoaded('addFilesFromZip');
    const tmp = `/tmp/.coldbrew-zip-${++zipSerial}.zip`;
    Module.FS.writeFile(tmp, bytes);
    try {
      return callFilesHelper('addFilesFromZip', 'unzip', [tmp, path]);
    } finally {
      try { Module.FS.unlink(tmp); } catch (e) { /* already gone */ }
    }
  };

  /* Zips a file or folder. Browsers download it as `name`; Node writes `name`
   * (relative to the current directory). Returns the zip's bytes. */
  api.downloadPathToZip = function downloadPathToZip(path, name = 'download.zip') {
    cbCheckString('downloadPathToZip', 'path', path);
    cbCheckString('downloadPathToZip', 'name', name);
    requireLoaded('downloadPathToZip');
    if (!api.pathExists(path)) {
      const err = new Error(`Coldbrew.downloadPathToZip(): No such file or directory: '${path}'`);
      err.code = 'ENOENT';
      throw err;
    }
    const tmp = `/tmp/.coldbrew-zip-${++zipSerial}.zip`;
    let bytes;
    try {
      callFilesHelper('downloadPathToZip', 'zip_path', [path, tmp]);
      bytes = Module.FS.readFile(tmp, { encoding: 'binary' });
    } finally {
      try { Module.FS.unlink(tmp); } catch (e) { /* never written */ }
    }
    if (CB_IS_NODE) {
      require('fs').writeFileSync(name, bytes);
    } else if (typeof document === 'object') {
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/zip' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    }
    return bytes;
  };

  /* ---- persistence of /home and /tmp ---------------------------------------- */

  function persistedRoots() {
    const fo = loadOptions.fsOptions || {};
    return [fo.persistHome && '/home', fo.persistTmp && '/tmp'].filter(Boolean);
  }

  function requirePersistence(fn) {
    requireLoaded(fn);
    if (!persistedRoots().length) {
      throw new Error(`Coldbrew.${fn}(): nothing to persist; load with fsOptions: {persistHome: true} and/or {persistTmp: true}`);
    }
  }

  /* Saves /home and/or /tmp (as chosen in fsOptions) to browser storage
   * (IndexedDB) or, in Node, to a folder (fsOptions.storage, default
   * ~/.coldbrew/files); src/js/storage.js has the format and the rules.
   * Resolves to the number of files saved. options.overwrite: replace what
   * another instance saved there since this one last loaded or saved. */
  api.saveFiles = async function saveFiles(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('Coldbrew.saveFiles(): options must be an object');
    for (const k of Object.keys(options)) {
      if (k !== 'overwrite') throw new TypeError(`Coldbrew.saveFiles(): unknown option '${k}' (known: overwrite)`);
    }
    requirePersistence('saveFiles');
    const roots = persistedRoots();
    const files = cbSnapshot(Module.FS, roots, (skipped) => {
      warn(`saveFiles(): ${skipped.length} special file(s) (devices, pipes, sockets) are not saved: ${skipped.slice(0, 5).join(', ')}`);
    });
    const store = cbStorage(loadOptions.fsOptions);
    await persisting(() => store.write('saveFiles', roots, files, storeSeen, options.overwrite === true));
    return [...files.values()].filter((f) => f.data).length;
  };

  /* Puts the saved files back into /home and/or /tmp. Resolves to the number of files loaded. */
  api.loadFiles = async function loadFiles() {
    requirePersistence('loadFiles');
    const roots = persistedRoots();
    const store = cbStorage(loadOptions.fsOptions);
    const files = await persisting(() => store.read('loadFiles', roots, storeSeen));
    requireLoaded('loadFiles');
    const [count, problems] = cbRestore(Module.FS, files);
    if (problems.length) {
      warn(`loadFiles(): ${problems.length} saved path(s) from ${store.where} could not be restored:\n  ${problems.slice(0, 20).join('\n  ')}`);
    }
    return count;
  };

  /* Saves and loads of one instance run one after another: two saves started
   * together (an autosave timer and a button) must not see each other's new
   * generation as another instance's. */
  let persistQueue = Promise.resolve();
  function persisting(step) {
    const next = persistQueue.then(step);
    persistQueue = next.catch(() => {});
    return next;
  }

  /* For tests and tools: the Emscripten module of this instance (or null). */
  Object.defineProperty(api, '_module', { get: () => Module });
  return api;
}

export const Coldbrew = createColdbrew();
