/* The state of one Coldbrew instance, and the three rules every subsystem
 * checks against it.
 *
 * Every per-instance module (calls, runs, async-variables, environment,
 * files, persistence, lifecycle) is a set of plain functions taking this
 * record as their first argument, so what each subsystem reads and writes is
 * visible at the call, and a second instance (createNewInstance) is just a
 * second record. Fields are grouped by the subsystem that owns them; another
 * subsystem may read a field, only its owner writes it.
 */

export function cbNewInstance(api) {
  return {
    api,                       // the public object (callbacks: onStandardOut, standardInBuffer, ...)
    // lifecycle.js
    Module: null,              // the Emscripten module of this load
    state: 'unloaded',         // unloaded | loading | loaded | crashed
    loading: null,             // load()'s Promise while loading
    generation: 0,             // bumped by unload(), so a load() or run still in flight is dropped
    loadOptions: {},           // the checked options of load()
    hideWarnings: false,
    rawExports: null,          // the wasm's own exports (for WebAssembly.promising)
    bridge: null,              // bridge.js, made per load
    aio: null,                 // settled Promises for Python's asyncio loop (jspi.js cbAioQueue)
    life: { alive: true, pauses: new Set() },   // this load's; unload() ends it (pending pauses reject)
    orphans: 0,                // calls into Python still on the stack from before an unload()
    // calls.js
    depth: 0,                  // nesting of calls into Python (JS -> Python -> JS -> Python ...)
    failing: null,             // the error fail() is throwing, so enter() passes it through
    crashReason: null,
    lastException: null,       // getExceptionInfo()
    idleWaiters: [],
    // stdio.js
    stdoutSink: null,
    stderrSink: null,
    stdinPending: new Uint8Array(0),
    stdinText: null,           // api.standardInBuffer (an accessor): the text, and how much of it was read
    stdinPos: 0,
    inCallback: null,          // the stdio callback Python is waiting for (calls into Python are refused)
    // runs.js
    asyncRun: null,            // the async run in progress, if any
    paused: false,             // that run is suspended, waiting for the event loop
    yieldRate: null,           // null: by time (CB_YIELD_MS); a number: interpreter checks; Infinity: never
    signal: null,              // calls.js cbSignalCell: where interrupt() writes SIGINT for the periodic hook
    sharedSignal: null,        // worker mode, in the worker: the calling thread's cell (worker-server.js)
    worker: null,              // worker mode, on the calling thread: the client (worker-client.js)
    wake: null,                // ends the async run's current wait (interrupt())
    // async-variables.js
    asyncQueue: Promise.resolve(),
    // files.js
    zipSerial: 0,
    // persistence.js
    storeSeen: new Map(),      // persisted root -> generation of the store this instance last loaded/saved
    persistQueue: Promise.resolve(),
    persistChanged: null,      // Node: paths under persisted folders changed since the last save
    restoring: false,          // loadFiles is putting files back (not changes to save)
    nodeSavesSaid: false,
  };
}

export function cbWarn(inst, text) {
  if (!inst.hideWarnings) console.warn(`Coldbrew warning: ${text}`);
}

/* The one line each load() and reset() prints (unless hideWarnings), as the original did. */
export function cbSayInitialized(inst) {
  if (!inst.hideWarnings) console.warn(`Coldbrew: the Python environment was initialized (Python ${CB_PYVERSION}, Coldbrew ${CB_VERSION})`);
}

export function cbRequireLoaded(inst, fn) {
  if (inst.state === 'loaded') return;
  if (inst.state === 'crashed') {
    throw new Error(`Coldbrew.${fn}(): the Python runtime stopped after a fatal error (${inst.crashReason}); ` +
      'call Coldbrew.unload() and Coldbrew.load() to start a new one');
  }
  if (inst.state === 'loading') throw new Error(`Coldbrew.${fn}(): Coldbrew is still loading; wait for the Promise from Coldbrew.load() first`);
  throw new Error(`Coldbrew.${fn}(): Coldbrew is not loaded; call and await Coldbrew.load() first`);
}

/* The error of every call and run that unload() interrupted. */
export function cbUnloadedError(fn = 'run') {
  const err = new Error(`Coldbrew.${fn}(): Coldbrew.unload() was called while Python was running; the run was ended`);
  err.code = 'COLDBREW_UNLOADED';
  return err;
}
