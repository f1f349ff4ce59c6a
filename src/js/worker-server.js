/* Worker mode, the worker's half: a Coldbrew instance in a Web Worker or a
 * Node worker_threads Worker, driven by messages from worker-client.js.
 *
 * Started by api.js when this file's bundle finds itself in a worker made by
 * the client (Node: workerData.coldbrewWorker; browsers: the worker's name).
 * Each request {id, method, args} is one call of the local instance's API;
 * the answer {id, ok, value | error} carries plain values as they are, a
 * Python object as {$remote: id} (kept in a table here until the calling
 * thread releases it), and a PythonError as its errorData. Standard output
 * and error go up as events; standard input is asked for with an event and
 * waited for on a SharedArrayBuffer the client answers in (Atomics.wait:
 * this thread may block). Coldbrew.interrupt() on the calling thread writes
 * into the instance's signal cell, shared the same way.
 */
import { CB_IS_NODE } from './host.js';
import { PythonError } from './options.js';
import { PythonKeywords, PythonVariable } from './bridge.js';
import { cbPageScope } from './page-scope.js';
import { cbUnreadStdin } from './stdio.js';

const CB_EINTR = 27;

/* How this worker talks to the thread that made it, or null if it is not a Coldbrew worker. */
export function cbWorkerChannel() {
  if (CB_IS_NODE) {
    let wt;
    try { wt = require('worker_threads'); } catch (e) { return null; }
    if (wt.isMainThread || !wt.workerData || !wt.workerData.coldbrewWorker) return null;
    return { post: (m) => wt.parentPort.postMessage(m), listen: (f) => wt.parentPort.on('message', f) };
  }
  if (typeof WorkerGlobalScope === 'undefined' || !(self instanceof WorkerGlobalScope) || self.name !== 'coldbrew-worker') return null;
  return { post: (m) => self.postMessage(m), listen: (f) => self.addEventListener('message', (e) => f(e.data)) };
}

/* The error of a failed request, as the client rebuilds it. */
function errorToWire(e) {
  if (e instanceof PythonError) return { python: e.errorData };
  if (e && typeof e === 'object') return { name: e.name, message: e.message, code: e.code, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function cbServeWorker(channel, cb, inst) {
  const remotes = new Map();   // id -> Python variable the calling thread holds
  let nextRemote = 1;
  let stdin = null;            // {ctl: Int32Array [state, length], data: Uint8Array}

  const toWire = (v) => {
    if (PythonVariable.isPythonVariable(v)) {
      const id = nextRemote++;
      remotes.set(id, v);
      return { $remote: id, type: v.__type__ };
    }
    if (Array.isArray(v)) return v.map(toWire);
    return v;
  };
  const fromWire = (v) => {
    if (v === null || typeof v !== 'object') return v;
    if (typeof v.$remote === 'number') {
      const r = remotes.get(v.$remote);
      if (!r) throw new Error('Coldbrew: this Python variable was released');
      return r;
    }
    if (v.$keywords) return new PythonKeywords(Object.fromEntries(Object.entries(v.$keywords).map(([k, x]) => [k, fromWire(x)])));
    if (Array.isArray(v)) return v.map(fromWire);
    return v;
  };
  const remote = (id) => {
    const r = remotes.get(id);
    if (!r) throw new Error('Coldbrew: this Python variable was released (__destroy__(), or collected on the calling thread)');
    return r;
  };

  /* onStandardInRead in the worker: asks the calling thread and waits. */
  function readStdin(size) {
    const { ctl, data } = stdin;
    Atomics.store(ctl, 0, 0);
    channel.post({ event: 'stdin', size: Math.min(size, data.length) });
    while (Atomics.load(ctl, 0) === 0) {
      Atomics.wait(ctl, 0, 0, 50);
      if (Atomics.load(inst.signal, 0) !== 0) {   // interrupt(): input() raises KeyboardInterrupt
        inst.Module._cb_async_take_signal();
        throw Object.assign(new Error('interrupted'), { cbErrno: CB_EINTR });
      }
    }
    if (Atomics.load(inst.signal, 0) !== 0) {   // the answer came with an interrupt (Ctrl-C at a prompt)
      inst.Module._cb_async_take_signal();
      throw Object.assign(new Error('interrupted'), { cbErrno: CB_EINTR });
    }
    const n = Atomics.load(ctl, 1);
    return n < 0 ? null : data.slice(0, n);
  }

  /* Without shared memory: input is what the calling thread handed over; a
   * read past it ends input, or, when a callback there would have been asked,
   * fails with the reason (the callback cannot be asked mid-run). */
  let stdinAsks = false, noShared = null;
  function readHandedOver() {
    if (!stdinAsks) return null;
    const why = `Coldbrew: input() in worker mode asks onStandardInRead through a SharedArrayBuffer, and ${noShared}; ` +
      'put the input in Coldbrew.standardInBuffer before the run instead';
    channel.post({ event: 'stderr', line: why });   // the program's OSError alone would not say why
    throw new Error(why);
  }
  /* Without shared memory Python's Coldbrew.run & co. cannot wait for the calling thread. */
  function unreachableScope() {
    const refuse = () => {
      throw new Error(`Coldbrew: Python in worker mode reaches the calling thread's globals through a SharedArrayBuffer, and ${noShared}`);
    };
    return { get global() { return refuse(); }, evaluate: refuse };
  }

  const requests = {
    async load(options, shared) {
      inst.sharedSignal = shared.signal ? new Int32Array(shared.signal) : null;
      stdin = shared.stdin ? { ctl: new Int32Array(shared.stdin, 0, 2), data: new Uint8Array(shared.stdin, 8) } : null;
      await cb.load({ ...options, locateFile: (name) => shared.assets[name] || name });
      noShared = shared.noShared;
      // Python reaches the calling thread
      inst.Module.coldbrew.scope = shared.page ? cbPageScope(shared.page, channel.post) : unreachableScope();
      cb.onStandardOut = (line, partial) => channel.post({ event: 'stdout', line, partial });
      cb.onStandardErr = (line, partial) => channel.post({ event: 'stderr', line, partial });
      cb.standardInBuffer = '';   // the calling thread keeps the buffer and its default text
      cb.onStandardInRead = stdin ? readStdin : readHandedOver;
    },
    $stdin(text, asks) {
      cb.standardInBuffer = cbUnreadStdin(inst) + text;
      stdinAsks = asks;
    },
    call(method, args) {
      if (typeof cb[method] !== 'function') throw new TypeError(`Coldbrew.${method} is not a function in worker mode`);
      return cb[method](...args.map(fromWire));
    },
    $get: (id, key) => remote(id)[key],
    $set: (id, key, value) => { remote(id)[key] = fromWire(value); return true; },
    $call: (id, args, construct) => {
      const fn = remote(id);
      const a = args.map(fromWire);
      return construct ? new fn(...a) : fn(...a);
    },
    $str: (id) => String(remote(id)),
    $destroy: (id) => { const r = remotes.get(id); remotes.delete(id); if (r) r.__destroy__(); },
    $release: (id) => { remotes.delete(id); },
  };

  channel.listen(async ({ id, method, args }) => {
    try {
      const value = toWire(await requests[method](...args));
      if (id !== undefined) channel.post({ id, ok: true, value });
    } catch (e) {
      if (id !== undefined) channel.post({ id, ok: false, error: errorToWire(e) });
    }
  });
  channel.post({ event: 'ready' });
}
