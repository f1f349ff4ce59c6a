/* Worker mode: Python's Coldbrew.run / get_variable / run_function reach the
 * calling thread's JavaScript (the page's window, or Node's main thread), as
 * in the original Coldbrew's worker mode.
 *
 * Worker side (cbPageScope): a JS value of the calling thread is a Proxy here
 * whose traps (get, set, has, delete, keys, call, new) each ask the calling
 * thread and wait for the answer on a SharedArrayBuffer (Atomics.wait; the
 * worker may block), so the bridge (js-ops.js) uses it like any JS value and
 * Python holds it as a live JavaScriptVariable. Calling-thread side
 * (cbAnswerPage): runs the operation on its handle table (0: globalThis) and
 * writes the answer as JSON: plain data is copied, anything else stays there
 * as a handle. Python objects cannot be passed to the calling thread's
 * functions (that thread could not call back into the busy worker).
 */
const CB_PAGE_BYTES = 1 << 20;

export function cbPageBuffer() {
  try { return new SharedArrayBuffer(8 + CB_PAGE_BYTES); } catch (e) { return null; }
}

/* ---- the answer's encoding (both sides) ---- */

function isPlain(v, depth = 0) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object' || depth > 50) return false;
  if (Array.isArray(v)) return Object.getPrototypeOf(v) === Array.prototype && v.every((x) => isPlain(x, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  // As records.js decides on one thread: only enumerable data properties (a class's prototype is not plain).
  if (Object.getOwnPropertyNames(v).length !== Object.keys(v).length || Object.getOwnPropertySymbols(v).length) return false;
  return Object.keys(v).every((k) => { const d = Object.getOwnPropertyDescriptor(v, k); return 'value' in d && isPlain(d.value, depth + 1); });
}

/* ---- the calling thread ---- */

export function cbPageSide() {
  const handles = new Map([[0, globalThis]]);
  let next = 1;
  const encode = (v) => {
    if (v === undefined) return { u: 1 };
    if (typeof v === 'number' && !isPlain(v)) return { n: String(v) };
    if (typeof v === 'bigint') return { b: String(v) };
    if (isPlain(v)) return { v };
    const id = next++;
    handles.set(id, v);
    return { h: id, fn: typeof v === 'function' };
  };
  const decode = (a) => (a && typeof a === 'object' && 'h' in a ? handles.get(a.h) : a.v);
  function run(req) {
    const target = handles.get(req.id);
    switch (req.op) {
      case 'eval': return (0, eval)(req.source);
      case 'get': return target[req.key];
      case 'set': target[req.key] = decode(req.value); return true;
      case 'has': return req.key in Object(target);
      case 'delete': return delete target[req.key];
      case 'keys': return Reflect.ownKeys(Object(target)).filter((k) => typeof k === 'string');
      case 'call': return Reflect.apply(target, decode(req.self), req.args.map(decode));
      case 'new': return Reflect.construct(target, req.args.map(decode));
      case 'release': handles.delete(req.id); return undefined;
      default: throw new Error(`Coldbrew: unknown page operation ${req.op}`);
    }
  }
  /* Answers one request into the shared buffer. */
  return function answer(sab, req) {
    let reply;
    try {
      reply = encode(run(req));
    } catch (e) {
      const err = e && typeof e === 'object' ? e : { name: typeof e, message: String(e) };
      reply = { e: { name: String(err.name ?? 'Error'), message: String(err.message ?? err), stack: String(err.stack ?? '') } };
    }
    if (req.op === 'release') return;
    let bytes = new TextEncoder().encode(JSON.stringify(reply));
    if (bytes.length > CB_PAGE_BYTES) {
      bytes = new TextEncoder().encode(JSON.stringify({ e: { name: 'RangeError', message: 'Coldbrew: this value is too large to reach the worker as a copy', stack: '' } }));
    }
    const ctl = new Int32Array(sab, 0, 2);
    new Uint8Array(sab, 8).set(bytes);
    Atomics.store(ctl, 1, bytes.length);
    Atomics.store(ctl, 0, 1);
    Atomics.notify(ctl, 0);
  };
}

/* ---- the worker ---- */

/* The calling thread's global scope, for Module.coldbrew.scope. post: sends
 * an event to the calling thread. */
export function cbPageScope(sab, post) {
  const ctl = new Int32Array(sab, 0, 2);
  const data = new Uint8Array(sab, 8);
  const ids = new WeakMap();   // proxy -> its handle on the calling thread
  const registry = new FinalizationRegistry((id) => post({ event: 'page', req: { op: 'release', id } }));
  const shapeProto = Object.create(null);   // not plain: the bridge keeps such a value live, never copies it
  function ask(req) {
    Atomics.store(ctl, 0, 0);
    post({ event: 'page', req });
    while (Atomics.load(ctl, 0) === 0) Atomics.wait(ctl, 0, 0, 1000);
    const reply = JSON.parse(new TextDecoder().decode(data.slice(0, Atomics.load(ctl, 1))));
    if (reply.e) throw Object.assign(new Error(reply.e.message), { name: reply.e.name, stack: reply.e.stack });
    if (reply.u) return undefined;
    if ('n' in reply) return Number(reply.n);
    if ('b' in reply) return BigInt(reply.b);
    if ('h' in reply) return value(reply.h, reply.fn);
    return reply.v;
  }
  const encode = (v) => {
    if ((typeof v === 'object' || typeof v === 'function') && v !== null && ids.has(v)) return { h: ids.get(v) };
    if (v === undefined || isPlain(v)) return { v };
    throw new TypeError('Coldbrew: in worker mode only plain data and values of the calling thread can be passed to its functions');
  };
  function value(id, callable) {
    const target = callable ? function CallingThreadValue() {} : Object.create(shapeProto);
    const proxy = new Proxy(target, {
      get: (t, key) => (typeof key === 'symbol' ? undefined : ask({ op: 'get', id, key })),
      set: (t, key, v) => { if (typeof key !== 'symbol') ask({ op: 'set', id, key, value: encode(v) }); return true; },
      has: (t, key) => typeof key !== 'symbol' && ask({ op: 'has', id, key }),
      deleteProperty: (t, key) => typeof key !== 'symbol' && ask({ op: 'delete', id, key }),
      ownKeys: (t) => {
        const keys = ask({ op: 'keys', id });
        return callable ? [...new Set([...keys, 'prototype'])] : keys;
      },
      getOwnPropertyDescriptor: (t, key) => (key === 'prototype' && callable ? Reflect.getOwnPropertyDescriptor(t, key)
        : { value: ask({ op: 'get', id, key }), writable: true, enumerable: true, configurable: true }),
      apply: (t, self, args) => ask({ op: 'call', id, self: encode(self), args: args.map(encode) }),
      construct: (t, args) => ask({ op: 'new', id, args: args.map(encode) }),
    });
    ids.set(proxy, id);
    if (id !== 0) registry.register(proxy, id);
    return proxy;
  }
  return { global: value(0, false), evaluate: (source) => ask({ op: 'eval', source }) };
}
