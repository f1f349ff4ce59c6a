/* Python threads: which of the two runtimes a load() starts, loading the
 * threaded one, and its pool of workers.
 *
 * Two builds ship (docs/threads.md has the measurements behind that):
 * coldbrew.wasm, single-threaded, whose Emscripten factory is part of this
 * file; and coldbrew-threads.js + coldbrew-threads.wasm, CPython built with
 * pthreads, where each running Python thread has a worker of its own (a Web
 * Worker, or a worker_threads Worker in Node) from a pool of
 * load({threadWorkers}) workers started by load(). Both Modules look the same
 * to the rest of the API (lifecycle.js drives either), so this module only
 * decides, loads the threaded factory, and stops the pool.
 *
 * When every worker is busy: in Node a new worker is started for the thread
 * (it loads on its own thread while Python waits); in a browser a worker
 * started while Python runs could not load before the page's thread is free,
 * so Thread.start() fails with a RuntimeError that names the option (the
 * reason handed to cb_threads.c). */
import { CB_IS_NODE, cbNoSharedMemory } from './host.js';

export const CB_THREADS_SCRIPT = 'coldbrew-threads.js';
export const CB_THREADS_WASM = 'coldbrew-threads.wasm';

/* For these load() options: {threaded, workers, reason}. `reason` completes
 * CPython's "can't start new thread" in this runtime. */
export function cbThreadPlan(opts) {
  const n = opts.threadWorkers;
  if (n === undefined) {
    return { threaded: false, workers: 0,
      reason: 'Python threads are off in this runtime; load Coldbrew with load({threadWorkers: N}) to run up to N at once' };
  }
  const missing = cbNoSharedMemory();
  if (missing) {
    return { threaded: false, workers: 0,
      reason: `Python threads need SharedArrayBuffer, and ${missing}; load({threadWorkers: ${n}}) started Coldbrew without threads` };
  }
  return { threaded: true, workers: n,
    reason: `every thread worker is busy: load({threadWorkers: ${n}}) started ${n}, and each running Python thread ` +
      'holds one until it ends; start fewer at once (join some first, or use a ThreadPoolExecutor with ' +
      `max_workers <= ${n}), or load with a larger threadWorkers` };
}

/* The threaded build's Emscripten factory (createColdbrewThreadsModule), from `where`. */
export async function cbLoadThreadsFactory(where) {
  if (CB_IS_NODE) {
    if (/^https?:/.test(where)) {
      throw new Error(`Coldbrew.load(): threads in Node need ${CB_THREADS_SCRIPT} as a file, not ${where}`);
    }
    return require(where.startsWith('file:') ? require('url').fileURLToPath(where) : where);
  }
  if (typeof globalThis.createColdbrewThreadsModule !== 'function') {
    if (typeof document !== 'undefined') {
      await new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = where;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`Coldbrew.load(): could not load ${where} (threaded runtime)`));
        document.head.appendChild(script);
      });
    } else if (typeof importScripts === 'function') {
      importScripts(where);   // a classic worker (worker mode)
    } else {
      const response = await fetch(where);   // a module worker: no importScripts
      if (!response.ok) throw new Error(`Coldbrew.load(): fetching ${where} failed: HTTP ${response.status}`);
      (0, eval)(`${await response.text()}\n//# sourceURL=${where}`);
    }
  }
  if (typeof globalThis.createColdbrewThreadsModule !== 'function') {
    throw new Error(`Coldbrew.load(): ${where} did not define createColdbrewThreadsModule`);
  }
  return globalThis.createColdbrewThreadsModule;
}

/* Ends every thread's worker (unload()): threads still running, daemons included, stop where they are. */
export function cbStopThreadWorkers(Module) {
  const pool = Module && Module.PThread;
  if (pool) pool.terminateAllThreads();
}
