/* Worker mode, the calling thread's half: load({worker: true}) runs Python in
 * a Web Worker (browsers) or a worker_threads Worker (Node) running this same
 * coldbrew.js (worker-server.js answers there). Every method of the API then
 * returns a Promise, as the original Coldbrew's worker mode did; callbacks
 * (onStandardOut/Err, standardInBuffer, onStandardInRead[Async]) stay on this
 * thread. A Python object comes back as a remote variable: a Proxy whose
 * property reads and calls are Promises that chain (`await v.mostCommon(1)`).
 *
 * Stopping: interrupt() writes SIGINT into a cell shared with the worker
 * (the periodic hook there takes it: KeyboardInterrupt, also in time.sleep
 * and input()). run/runFile (and their *Async forms) take {timeout} (ms):
 * when it passes, the program is interrupted; if it has not stopped after
 * {grace} ms more (1000 by default: stuck in C, or it ignores
 * KeyboardInterrupt), the worker is terminated, the call rejects with
 * code COLDBREW_TIMEOUT and the instance is unloaded: load() starts a fresh
 * one. Needs SharedArrayBuffer for input and interrupts (always in Node; in
 * browsers, a cross-origin isolated page: COOP same-origin + COEP
 * require-corp, as bin/coldbrew-serve sends).
 *
 * Without SharedArrayBuffer (a page not isolated, or an engine without it:
 * WebKit/Safari) worker mode still runs Python off the page, with three
 * differences, each a clear error rather than a silent change: the text of
 * standardInBuffer goes to the worker with each call (input() reads it, but
 * onStandardInRead[Async] cannot be asked mid-run); interrupt() refuses and
 * names unload() and {timeout}; a time limit ends the worker at once; and
 * Python's Coldbrew.run/get_variable/run_function say they cannot reach the page.
 */
import { CB_IS_NODE, cbNoSharedMemory } from './host.js';
import { PythonError, cbCheckString, cbCheckTimeout } from './options.js';
import { PythonKeywords } from './bridge.js';
import { cbAssetLocator } from './loader.js';
import { cbUnreadStdin } from './stdio.js';
import { cbUnloadedError } from './instance.js';
import { cbOfferDownload } from './files.js';
import { cbPageBuffer, cbPageSide } from './page-scope.js';
import { cbAbsoluteRequirements } from './packages.js';

const CB_STDIN_BYTES = 65536;
const CB_GRACE_MS = 1000;

function sharedBuffer(bytes) {
  try { return new SharedArrayBuffer(bytes); } catch (e) { return null; }
}

/* JavaScript's own error classes keep their class across the thread
 * boundary (a TypeError from a bad argument is a TypeError here too). */
const CB_BUILTIN_ERRORS = { TypeError, RangeError, SyntaxError, ReferenceError, URIError, EvalError };

function rebuildError(error) {
  if (error.python) return new PythonError(error.python);
  const e = new (CB_BUILTIN_ERRORS[error.name] || Error)(error.message);
  if (error.name) e.name = error.name;
  if (error.code) e.code = error.code;
  return e;
}

/* Starts the worker and loads Python in it; resolves to the client. */
export async function cbStartWorker(inst, options) {
  // The worker finds the assets where this thread would (a function cannot cross: the answers do).
  const { worker: _, indexURL: _i, locateFile: _l, ...workerOptions } = options;
  const locate = cbAssetLocator(options);
  const assets = Object.fromEntries(['coldbrew.wasm', 'coldbrew-stdlib.zip', 'coldbrew-threads.js', 'coldbrew-threads.wasm', 'coldbrew-stdlib-src.zip',
    ...CB_STDLIB_BUNDLES.map((b) => `stdlib/${b}.zip`)].map((name) => [name, locate(name)]));
  const signalBuffer = sharedBuffer(4);
  const stdinBuffer = sharedBuffer(8 + CB_STDIN_BYTES);
  const pageBuffer = cbPageBuffer();
  const answerPage = cbPageSide();
  const client = {
    pending: new Map(), nextId: 1, dead: false, remotes: new Map(), ids: new WeakMap(),
    signal: signalBuffer ? new Int32Array(signalBuffer) : null,
    stdin: stdinBuffer ? { ctl: new Int32Array(stdinBuffer, 0, 2), data: new Uint8Array(stdinBuffer, 8) } : null,
    stdinPending: new Uint8Array(0),
    running: 0,
  };
  const script = locate('coldbrew.js');
  let port;
  if (CB_IS_NODE) {
    const { Worker } = require('worker_threads');
    client.worker = new Worker(script, { workerData: { coldbrewWorker: true } });
    port = { post: (m) => client.worker.postMessage(m), on: (f) => client.worker.on('message', f),
      error: (f) => client.worker.on('error', f) };
    client.worker.unref();   // an idle worker does not keep Node running
  } else {
    client.worker = new Worker(script, { name: 'coldbrew-worker' });
    port = { post: (m) => client.worker.postMessage(m), on: (f) => client.worker.addEventListener('message', (e) => f(e.data)),
      error: (f) => client.worker.addEventListener('error', f) };
  }
  client.post = port.post;
  client.registry = new FinalizationRegistry((id) => { if (!client.dead) client.post({ method: '$release', args: [id] }); });
  const ready = new Promise((resolve, reject) => {
    port.on((m) => {
      if (m.event === 'ready') resolve();
      else if (m.event === 'stdout') inst.api.onStandardOut(m.line, m.partial);
      else if (m.event === 'stderr') inst.api.onStandardErr(m.line, m.partial);
      else if (m.event === 'stdin') answerStdin(inst, client, m.size);
      else if (m.event === 'page') answerPage(pageBuffer, m.req);
      else settle(client, m);
    });
    port.error((e) => {
      const err = new Error(`Coldbrew.load(): the worker failed: ${e && e.message ? e.message : e}`);
      reject(err);
      failAll(client, err);
    });
  });
  await ready;
  client.noShared = signalBuffer ? null : cbNoSharedMemory();
  await request(client, 'load', [workerOptions, { signal: signalBuffer, stdin: stdinBuffer, page: pageBuffer, noShared: client.noShared, assets }]);
  return client;
}

function request(client, method, args) {
  if (client.dead) return Promise.reject(cbUnloadedError(method));
  const id = client.nextId++;
  return new Promise((resolve, reject) => {
    client.pending.set(id, { resolve, reject });
    try {
      client.post({ id, method, args });
    } catch (e) {   // a value that cannot cross to the worker (a function, a DOM node)
      client.pending.delete(id);
      reject(new TypeError(`Coldbrew: in worker mode, arguments must be plain data or Python variables (${e.message})`));
    }
  });
}

function settle(client, { id, ok, value, error }) {
  const p = client.pending.get(id);
  if (!p) return;
  client.pending.delete(id);
  if (ok) p.resolve(fromWorker(client, value));
  else p.reject(rebuildError(error));
}

function failAll(client, err) {
  client.dead = true;
  for (const p of client.pending.values()) p.reject(err);
  client.pending.clear();
}

/* Ends the worker (unload(), or a run past its time limit). */
export function cbStopWorker(client, err) {
  if (!client || client.dead) return;
  failAll(client, err || cbUnloadedError('run'));
  client.worker.terminate();
}

/* ---- values across the thread boundary -------------------------------------- */

function toWorker(client, v) {
  if ((typeof v === 'object' || typeof v === 'function') && v !== null) {
    const id = client.ids.get(v);
    if (id !== undefined) return { $remote: id };
    if (v instanceof PythonKeywords) {
      return { $keywords: Object.fromEntries(Object.entries(v.keywords).map(([k, x]) => [k, toWorker(client, x)])) };
    }
    if (Array.isArray(v)) return v.map((x) => toWorker(client, x));
  }
  return v;
}

function fromWorker(client, v) {
  if (v !== null && typeof v === 'object') {
    if (typeof v.$remote === 'number') return remoteVariable(client, v.$remote, v.type);
    if (Array.isArray(v)) return v.map((x) => fromWorker(client, x));
  }
  return v;
}

/* A step of a chain on remote values: awaitable, and readable / callable on. */
function chain(client, promise, parent) {
  promise.catch(() => {});
  return new Proxy(function RemoteStep() {}, {
    get(target, prop) {
      if (prop === 'then') return (ok, fail) => promise.then(ok, fail);
      if (prop === 'catch') return (fail) => promise.catch(fail);
      if (prop === 'finally') return (f) => promise.finally(f);
      if (typeof prop === 'symbol') return undefined;
      return chain(client, promise.then((v) => (client.ids.has(v) ? request(client, '$get', [client.ids.get(v), prop]) : v[prop])), promise);
    },
    apply(target, thisArg, args) {
      return chain(client, Promise.all([promise, ...args]).then(([fn, ...a]) => {
        if (!client.ids.has(fn)) throw new TypeError(`${typeof fn} is not a function`);
        return request(client, '$call', [client.ids.get(fn), a.map((x) => toWorker(client, x)), false]);
      }), null);
    },
  });
}

/* A Python object in the worker, seen from this thread. */
function remoteVariable(client, id, type) {
  const known = client.remotes.get(id);
  if (known) { const v = known.deref(); if (v) return v; }
  const call = (method, args) => request(client, method, [id, ...args]);
  const proxy = new Proxy(function RemotePythonVariable() {}, {
    get(target, prop) {
      if (typeof prop === 'symbol' || prop === 'then') return undefined;   // not a thenable itself
      if (prop === '__type__') return type;
      if (prop === '__destroy__') return () => call('$destroy', []);
      if (prop === 'toString') return () => call('$str', []);
      return chain(client, call('$get', [prop]), proxy);
    },
    set(target, prop, value) {
      call('$set', [prop, toWorker(client, value)]).catch((e) => console.error('Coldbrew: setting a Python attribute failed:', e));
      return true;
    },
    apply(target, thisArg, args) {
      return chain(client, Promise.all(args).then((a) => call('$call', [a.map((x) => toWorker(client, x)), false])), null);
    },
    construct(target, args) {
      return chain(client, Promise.all(args).then((a) => call('$call', [a.map((x) => toWorker(client, x)), true])), null);
    },
  });
  client.ids.set(proxy, id);
  client.remotes.set(id, new WeakRef(proxy));
  client.registry.register(proxy, id);
  return proxy;
}

/* ---- standard input, answered from this thread --------------------------------- */

async function answerStdin(inst, client, size) {
  const { api } = inst;
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(0);
  try {
    if (!client.stdinPending.length) {
      const unread = cbUnreadStdin(inst);
      let text = null;
      if (unread.length) {
        text = unread;
        inst.stdinPos = inst.stdinText.length;
      } else if (typeof api.onStandardInRead === 'function') {
        text = api.onStandardInRead(size);
      } else if (typeof api.onStandardInReadAsync === 'function') {
        text = await api.onStandardInReadAsync(size);
      }
      if (typeof text === 'string') client.stdinPending = encoder.encode(text);
      else if (text instanceof Uint8Array) client.stdinPending = text;
    }
    bytes = client.stdinPending.subarray(0, Math.min(size, client.stdin.data.length));
    client.stdinPending = client.stdinPending.subarray(bytes.length);
  } catch (e) {
    console.error('Coldbrew: reading standard input failed:', e);
  }
  const { ctl, data } = client.stdin;
  data.set(bytes);
  Atomics.store(ctl, 1, bytes.length ? bytes.length : -1);
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
}

/* Without shared memory the worker cannot ask for input mid-run: what
 * standardInBuffer holds unread goes with the next call (in order, before it),
 * and the worker is told whether a callback would have been asked. */
function handOverStdin(inst, client) {
  const { api } = inst;
  const text = cbUnreadStdin(inst);
  inst.stdinPos = typeof inst.stdinText === 'string' ? inst.stdinText.length : 0;
  const asks = typeof api.onStandardInRead === 'function' || typeof api.onStandardInReadAsync === 'function';
  if (text || asks !== client.stdinAsks) {
    client.stdinAsks = asks;
    client.post({ method: '$stdin', args: [text, asks] });
  }
}

/* ---- the API in worker mode --------------------------------------------------- */

/* run/runFile options: the time limit, taken off before the worker sees them. */
function limits(fn, options) {
  if (options === undefined || options === null) return [undefined, null];
  if (typeof options !== 'object') throw new TypeError(`Coldbrew.${fn}(): options must be an object`);
  const { timeout, grace = CB_GRACE_MS, ...rest } = options;
  if (timeout !== undefined) cbCheckTimeout(fn, timeout);
  if (!(typeof grace === 'number' && grace >= 0)) throw new TypeError(`Coldbrew.${fn}(): options.grace must be a number >= 0`);
  return [rest, timeout === undefined ? null : { timeout, grace }];
}

export function cbInterruptWorker(client) {
  if (!client.signal) {
    throw new Error(`Coldbrew.interrupt(): worker mode interrupts Python through a SharedArrayBuffer, and ${client.noShared}; ` +
      'to stop a run here, call unload() (it ends the worker; load() starts a fresh one) or give the run a time limit: run(source, {timeout})');
  }
  if (client.running === 0) return false;
  Atomics.store(client.signal, 0, 2);
  Atomics.notify(client.signal, 0);
  return true;
}

/* The API's members in worker mode; unload: what the instance's unload() does. */
export function cbWorkerMembers(inst, client, unload) {
  const call = (method, ...args) => {
    if (!client.stdin) handOverStdin(inst, client);
    return request(client, 'call', [method, args.map((x) => toWorker(client, x))]);
  };
  /* A run: counted (interrupt() acts only then), with its time limit. */
  const run = (fn, method, first, options, extra = []) => {
    let rest, limit;
    try {
      [rest, limit] = limits(fn, options);
    } catch (e) {
      return Promise.reject(e);
    }
    client.running++;
    const done = call(method, first, ...(rest === undefined ? [] : [rest]), ...extra);
    const finished = done.finally(() => { client.running--; });
    if (!limit) return finished;
    return new Promise((resolve, reject) => {
      const stopAt = setTimeout(() => {
        const why = client.signal ? `Python did not stop within ${limit.grace} ms after KeyboardInterrupt` :
          `Python could not be interrupted first: ${client.noShared}`;
        if (client.signal) cbInterruptWorker(client);
        const killAt = setTimeout(() => {
          const err = new Error(`Coldbrew.${fn}(): the time limit of ${limit.timeout} ms passed and ${why}; ` +
            'the worker was stopped: call Coldbrew.load() for a fresh one');
          err.code = 'COLDBREW_TIMEOUT';
          reject(err);
          unload(err);
        }, client.signal ? limit.grace : 0);
        finished.finally(() => clearTimeout(killAt)).catch(() => {});
      }, limit.timeout);
      finished.finally(() => clearTimeout(stopAt)).then(resolve, reject);
    });
  };
  const checked = (fn, name, v, body) => {
    try {
      cbCheckString(fn, name, v);
    } catch (e) {
      return Promise.reject(e);
    }
    return body();
  };
  return {
    run: (source, options) => checked('run', 'source', source, () => run('run', 'run', source, options)),
    runAsync: (source, options) => checked('runAsync', 'source', source, () => run('runAsync', 'run', source, options)),
    runFile: (path, options = {}) => run('runFile', 'runFile', path, options),
    runFileAsync: (path, options = {}) => run('runFileAsync', 'runFile', path, options),
    runFunction: (name, ...args) => { client.running++; return call('runFunction', name, ...args).finally(() => { client.running--; }); },
    runFunctionAsync: (name, ...args) => Promise.all(args).then((a) => { client.running++; return call('runFunction', name, ...a); })
      .finally(() => { client.running--; }),
    getVariable: (name) => call('getVariable', name),
    getVariableAsync: (name) => call('getVariable', name),
    setAsyncYieldRate: () => Promise.reject(new Error('Coldbrew.setAsyncYieldRate(): in worker mode Python runs in its own ' +
      'thread and never needs to yield to the page, so the rate is always Infinity')),
    getAsyncYieldRate: () => Promise.resolve(Infinity),
    interrupt: () => { try { return Promise.resolve(cbInterruptWorker(client)); } catch (e) { return Promise.reject(e); } },
    destroyAllVariables: () => call('destroyAllVariables'),
    liveVariableCounts: () => call('liveVariableCounts'),
    getExceptionInfo: () => call('getExceptionInfo'),
    getUsedFiles: () => call('getUsedFiles'),
    getUnusedModules: () => call('getUnusedModules'),
    installPackages: (requirements, options = {}) => call('installPackages', ...cbAbsoluteRequirements(requirements, options)),
    getcwd: () => call('getcwd'),
    chdir: (path) => call('chdir', path),
    setenv: (key, value) => call('setenv', key, value),
    unsetenv: (key) => call('unsetenv', key),
    getenv: () => call('getenv'),
    resetenv: () => call('resetenv'),
    reset: () => { inst.stdinPos = 0; return call('reset'); },
    listFiles: (path = '/') => call('listFiles', path),
    createFolder: (path) => call('createFolder', path),
    addFile: (path, data) => call('addFile', path, data),
    pathExists: (path) => call('pathExists', path),
    readFile: (path) => call('readFile', path),
    readBinaryFile: (path) => call('readBinaryFile', path),
    deletePath: (path) => call('deletePath', path),
    mountHostDirectory: (hostPath, vfsPath, options) => call('mountHostDirectory', hostPath, vfsPath, ...(options === undefined ? [] : [options])),
    // A URL is the page's (the worker's base is the script's folder).
    addFilesFromZip: (path, url) => call('addFilesFromZip', path,
      !CB_IS_NODE && typeof url === 'string' && typeof location === 'object' ? new URL(url, location.href).href : url),
    downloadPathToZip: (path, name = 'download.zip') => call('downloadPathToZip', path, name).then((bytes) => {
      if (!CB_IS_NODE) cbOfferDownload(bytes, name);   // the page downloads what the worker zipped
      return bytes;
    }),
    saveFiles: (options = {}) => call('saveFiles', options),
    loadFiles: () => call('loadFiles'),
  };
}
