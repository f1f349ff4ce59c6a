/* Coldbrew's HTTP for Python's http.client (src/py/_coldbrew/http.py): the
 * host's fetch in a Node helper worker (synchronous runs), synchronous XHR in
 * browsers, fetch as a Promise in async runs; and the host services object
 * handed to Python at load(). */
import { CB_IS_NODE } from './host.js';

/* ---- HTTP for Python's http.client (src/py/_coldbrew/http.py) ------------- */

/* Request headers the host's HTTP stack sets itself (browsers refuse them). */
export const CB_HTTP_SKIP = /^(host|connection|content-length|transfer-encoding|keep-alive|upgrade|te|trailer|expect|accept-encoding|proxy-.*|sec-.*)$/i;
let cbHttpWorker = null;

/* Node: fetch() runs in a helper worker thread while this thread waits on
 * Atomics.wait, so a synchronous Python call can make a real HTTP request.
 * The wait watches the instance's signal cell too: Coldbrew.interrupt() (from
 * the calling thread, in worker mode) ends it with an EINTR error, which
 * Python raises as KeyboardInterrupt; the late reply is dropped by its number. */
let cbHttpSeq = 0;
export function cbHttpNode(req, signal) {
  const { Worker, MessageChannel, receiveMessageOnPort } = require('worker_threads');
  if (!cbHttpWorker) {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(`
      const { workerData } = require('worker_threads');
      const { port, flag } = workerData;
      const fetchReply = ${cbHttpFetch.toString()};
      port.on('message', async ({ seq, req }) => {
        port.postMessage({ seq, reply: await fetchReply(req, 'manual') });
        Atomics.store(flag, 0, 1);
        Atomics.notify(flag, 0);
      });`, { eval: true, workerData: { port: port2, flag }, transferList: [port2] });
    worker.unref();
    cbHttpWorker = { worker, port: port1, flag };
  }
  const { port, flag } = cbHttpWorker;
  const seq = ++cbHttpSeq;
  Atomics.store(flag, 0, 0);
  port.postMessage({ seq, req });
  for (;;) {
    let m = receiveMessageOnPort(port);
    while (m && m.message.seq !== seq) m = receiveMessageOnPort(port);   // a reply to an interrupted request
    if (m) return m.message.reply;
    if (signal && Atomics.load(signal, 0) !== 0) {
      Atomics.store(signal, 0, 0);   // Python raises KeyboardInterrupt itself (http.py)
      return { error: { code: 'EINTR', message: 'interrupted' } };
    }
    Atomics.wait(flag, 0, 0, signal ? 50 : undefined);
    Atomics.store(flag, 0, 0);
  }
}

/* Browsers: a synchronous XMLHttpRequest (redirects are followed by the browser). */
export function cbHttpBrowser(req) {
  const xhr = new XMLHttpRequest();
  xhr.open(req.method, req.url, false);
  const inWorker = typeof document === 'undefined';
  if (inWorker) xhr.responseType = 'arraybuffer';
  else xhr.overrideMimeType('text/plain; charset=x-user-defined');
  for (const [k, v] of req.headers) {
    try { xhr.setRequestHeader(k, v); } catch (e) { /* a header the browser keeps for itself */ }
  }
  try {
    xhr.send(req.body ?? null);
  } catch (e) {
    return { error: { code: 'ECONNREFUSED', message: `${e.name}: ${e.message}` } };
  }
  let body;
  if (inWorker) body = new Uint8Array(xhr.response);
  else {
    const text = xhr.responseText;
    body = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) body[i] = text.charCodeAt(i) & 0xff;
  }
  const headers = xhr.getAllResponseHeaders().trim().split(/\r?\n/).filter(Boolean)
    .map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]);
  return { status: xhr.status, statusText: xhr.statusText, headers, body };
}

/* The same request with fetch(), as a Promise: for async runs, where the
 * bridge resolves it while the event loop keeps running. */
export async function cbHttpFetch(req, redirect) {
  // No free variables: the Node helper worker runs this function's source too.
  try {
    const r = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body ?? undefined,
      redirect, signal: req.timeout > 0 ? AbortSignal.timeout(req.timeout) : undefined });
    return { status: r.status, statusText: r.statusText, headers: [...r.headers], body: new Uint8Array(await r.arrayBuffer()) };
  } catch (e) {
    const c = e.cause || e;
    const code = typeof c.code === 'string' ? c.code : e.name === 'TimeoutError' ? 'ETIMEDOUT'
      : (redirect === 'manual' ? e.name : 'ECONNREFUSED');
    return { error: { code, message: c.message || e.message } };
  }
}

/* The host services handed to Python at load() (_coldbrew.host; snake_case
 * names work with transformVariableCasing off too). inAsyncRun() says whether
 * a request comes straight from an async run (then it need not block);
 * locate(name) is the instance's asset locator (loader.js). */
export function cbHost(inAsyncRun, aio, signal, locate) {
  return {
    /* An asset file next to the runtime, synchronously (src/py/_coldbrew/sources.py
     * reads the stdlib's sources so): its bytes, or null if it is not there. */
    asset_bytes(name) {
      let where;
      try {
        where = locate(name);
      } catch (e) {
        return null;   // a locateFile() that knows no such file
      }
      if (CB_IS_NODE && !/^https?:/i.test(where)) {
        try {
          return new Uint8Array(require('fs').readFileSync(where.startsWith('file:') ? require('url').fileURLToPath(where) : where));
        } catch (e) {
          return null;
        }
      }
      const req = { method: 'GET', url: where, headers: [], body: null, timeout: 0 };
      const reply = CB_IS_NODE ? cbHttpNode(req, null) : cbHttpBrowser(req);
      return reply.error || reply.status !== 200 ? null : reply.body;
    },
    /* Where asset_bytes(name) looks (for error messages), or null. */
    asset_where(name) {
      try {
        return String(locate(name));
      } catch (e) {
        return null;
      }
    },
    aio_watch: aio.watch,
    aio_take: aio.take,
    http_request(method, url, headers, body, timeout) {
      for (const [k, v] of headers) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || /[\r\n\0]/.test(v)) {
          throw new TypeError(`Coldbrew: refusing the HTTP header ${JSON.stringify(k)}: names must be tokens and values may not hold CR, LF or NUL`);
        }
      }
      const req = { method, url, headers: headers.filter(([k]) => !CB_HTTP_SKIP.test(k)), body: body == null ? null : body, timeout };
      if (inAsyncRun()) return cbHttpFetch(req, CB_IS_NODE ? 'manual' : 'follow');
      return CB_IS_NODE ? cbHttpNode(req, signal()) : cbHttpBrowser(req);
    },
  };
}

