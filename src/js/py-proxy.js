/* Python objects seen from JS: the Proxy that stands for a Python object
 * (a bridge variable, PythonVariable) and the calls into the C core's cb_py_*
 * exports (src/core/cb_pyobj.c) that its traps make, one export per trap.
 *
 * Every function here takes the bridge's state record b (bridge.js); a
 * Proxy's state {ptr, flags, destroyed, bridge: b, typeName} names its
 * bridge, so one handler serves every instance. Lifetime: a Proxy owns one
 * reference to its Python object, given back on __destroy__(),
 * destroyAllVariables(), or when the Proxy is garbage-collected
 * (FinalizationRegistry, b.registry).
 */
import { CB_F_CALLABLE, CB_F_ITERABLE, CB_T } from 'coldbrew-protocol';
import { CB_STOP, CbEncoder, cbPut, cbPutKey } from './records.js';
import { cbHeap } from './heap.js';

export const CB_PY_STATE = Symbol('coldbrew.pythonVariable');
export const CB_ASYNC_PROMISE = Symbol('coldbrew.asyncVariable');   // an async variable's Promise (async-variables.js)
const CB_INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Keyword arguments for a Python call: f(1, Coldbrew.PythonKeywords({y: 2})). Works with or without `new`. */
export function PythonKeywords(keywords) {
  if (!(this instanceof PythonKeywords)) return new PythonKeywords(keywords);
  if (keywords === null || typeof keywords !== 'object') {
    throw new TypeError('Coldbrew.PythonKeywords(): expects an object of keyword names to values');
  }
  this.keywords = keywords;
}

/* Room on the engine's stack. A stack overflow inside wasm would unwind
 * through C frames and lose the interpreter, so a JS -> Python call nested
 * CB_PROBE_DEPTH or more calls deep first checks, in plain JS, that a good
 * margin of stack is left, and otherwise fails as a RangeError that Python
 * sees as a JavaScriptError. */
const CB_PROBE_DEPTH = 16;
const CB_PROBE_FRAMES = 1500;
function cbProbe(n) {
  return n === 0 ? 0 : 1 + cbProbe(n - 1);
}
function cbCheckStack() {
  try {
    cbProbe(CB_PROBE_FRAMES);
  } catch (e) {
    throw new RangeError('Coldbrew: JavaScript and Python call each other too deeply (the engine stack is nearly used up)');
  }
}

/* A result JS cannot hold (see readResult). */
class CbUnrepresentable {
  constructor(error) {
    this.error = error;
  }
}

/* ---- calls into C ---------------------------------------------------------- */

/* The encoder for one call's operands (a fresh one if a user-defined Proxy
 * runs code while an encoding is in progress). */
export function cbEncoderFor(b) {
  const e = b.enc.busy ? new CbEncoder() : b.enc;
  e.busy = true;
  e.pos = 0;
  return e;
}

/* The result record at r, or a CbUnrepresentable when JS cannot hold it (a
 * Python str longer than the engine's longest string): the call itself
 * succeeded and the interpreter is fine, so that is an error of the call,
 * not a crash of the runtime. */
function readResult(b, r) {
  try {
    return b.reader.at(r);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return new CbUnrepresentable(new RangeError(`Coldbrew: the Python value cannot be represented in JavaScript (${err.message})`));
  }
}

/* Copies the operands in e to the wasm stack, calls cfn(ptr, args, a, b)
 * and returns the decoded result record. */
function callC(b, name, cfn, ptr, e, x, y) {
  const { Module, runtime } = b;
  e.busy = false;
  const len = e.pos;
  runtime.begin(name, ptr !== 0);   // ptr 0: getVariable / runFunction by name
  let r, v;
  const sp = Module.stackSave();
  const big = len > 65536;
  let args = 0;
  try {
    args = big ? Module._malloc(len) : Module.stackAlloc(len);
    cbHeap(Module).u8.set(e.u8.subarray(0, len), args);
    r = cfn(ptr, args, x, y) >>> 0;
    if (r !== 0) v = readResult(b, r);
  } catch (err) {
    throw runtime.crash(name, err);
  } finally {
    if (big && args) Module._free(args);
    Module.stackRestore(sp);
    runtime.end();
  }
  if (r === 0) throw runtime.pythonError();
  if (v instanceof CbUnrepresentable) throw v.error;
  return v;
}

/* callC with the operands written by build(e). */
export function cbCallWith(b, name, cfn, ptr, build, x, y) {
  b.runtime.requireLoaded(name);
  if (b.runtime.depth() >= CB_PROBE_DEPTH) cbCheckStack();
  const e = cbEncoderFor(b);
  try {
    build(e);
  } catch (err) {
    e.busy = false;
    throw err;
  }
  return callC(b, name, cfn, ptr, e, x, y);
}

/* A call with no operand record: cfn(ptr, a). */
function callResult(b, name, cfn, ptr, a) {
  const runtime = b.runtime;
  runtime.begin(name, true);
  let r, v;
  try {
    r = cfn(ptr, a) >>> 0;
    if (r !== 0) v = readResult(b, r);
  } catch (err) {
    throw runtime.crash(name, err);
  } finally {
    runtime.end();
  }
  if (r === 0) throw runtime.pythonError();
  if (v instanceof CbUnrepresentable) throw v.error;
  return v;
}

/* For async calls: the operands in e copied into malloc'd memory when the
 * run starts, the call made by the API (runs.js, through
 * WebAssembly.promising), the result read by finish(). */
export function cbAsyncCall(b, e, argsOf) {
  const bytes = e.u8.slice(0, e.pos);
  const Module = b.Module;
  return {
    prepare() {
      const p = Module._malloc(bytes.length);
      cbHeap(Module).u8.set(bytes, p);
      return [argsOf(p), () => { if (!b.dead) Module._free(p); }];
    },
    finish(r) {
      r >>>= 0;
      if (r === 0) throw b.runtime.pythonError();
      const v = b.reader.at(r);
      b.handles.flush();
      return v;
    },
  };
}

/* ---- Python objects seen from JS ------------------------------------------- */

function destroyedError(st) {
  return new Error(`Coldbrew: this Python variable (${st.typeName || 'object'}) was destroyed with __destroy__() or destroyAllVariables(); it can no longer be used`);
}

export function cbLive(st) {
  if (st.bridge.dead) throw new Error('Coldbrew: this Python variable belongs to a Coldbrew instance that was unloaded');
  if (st.destroyed) throw destroyedError(st);
  return st;
}

export function cbDestroy(st) {
  const b = st.bridge;
  if (st.destroyed || b.dead) return;
  st.destroyed = true;
  b.liveStates.delete(st);
  b.registry.unregister(st);
  b.Module._cb_py_release(st.ptr);
}

/* Writes a Python variable (st) into a record: its pointer, for this bridge only. */
export function cbPutPython(b, e, st) {
  if (st.bridge !== b) throw new Error('Coldbrew: this Python variable belongs to another Coldbrew instance (or one that was unloaded)');
  if (st.destroyed) throw destroyedError(st);
  e.word(CB_T.PYOBJ);
  e.word(st.ptr);
  e.word(0);
}

/* A call's operands as C reads them: the keywords (a trailing
 * PythonKeywords) first, then the positional arguments; returns how many
 * are positional (args.length > that: keywords were given). */
export function cbPutArgs(b, e, args) {
  let n = args.length;
  const kw = n > 0 && args[n - 1] instanceof PythonKeywords ? args[--n] : null;
  if (kw) {
    // Each value converts as a positional argument would (a function or a
    // Map crosses as a JavaScriptVariable), inside one DICT record.
    const keys = Object.keys(kw.keywords);
    e.word(CB_T.DICT);
    e.word(keys.length);
    for (const k of keys) {
      e.string(k);
      cbPut(b, e, kw.keywords[k]);
    }
  }
  for (let i = 0; i < n; i++) cbPut(b, e, args[i]);
  return n;
}

function pyGet(st, key) {
  const b = st.bridge;
  return cbCallWith(b, 'getVariable', b.Module._cb_py_get, cbLive(st).ptr, (e) => cbPutKey(e, key));
}

/* The hot path (a JS -> Python call): no closures. */
function pyCall(st, args, construct) {
  const b = st.bridge;
  const name = construct ? 'new' : 'call';
  b.runtime.requireLoaded(name);
  cbLive(st);
  if (b.runtime.depth() >= CB_PROBE_DEPTH) cbCheckStack();
  const e = cbEncoderFor(b);
  let n;
  try {
    n = cbPutArgs(b, e, args);
  } catch (err) {
    e.busy = false;
    throw err;
  }
  return callC(b, name, construct ? b.Module._cb_py_construct : b.Module._cb_py_call, st.ptr, e, n, args.length > n ? 1 : 0);
}

function pyStr(st, repr) {
  return callResult(st.bridge, 'toString', st.bridge.Module._cb_py_str, cbLive(st).ptr, repr ? 1 : 0);
}

function pyType(st) {
  if (!st.typeName) st.typeName = callResult(st.bridge, '__type__', st.bridge.Module._cb_py_type, cbLive(st).ptr, 0);
  return st.typeName;
}

function* pyIterate(st) {
  const b = st.bridge;
  const { Module, runtime } = b;
  cbLive(st);
  runtime.begin('iterate', true);
  let it;
  try {
    it = Module._cb_py_iter(st.ptr) >>> 0;
  } catch (err) {
    throw runtime.crash('iterate', err);
  } finally {
    runtime.end();
  }
  if (it === 0) throw runtime.pythonError();
  try {
    for (;;) {
      const v = callResult(b, 'iterate', Module._cb_py_next, it, 0);
      if (v === CB_STOP) return;
      yield v;
    }
  } finally {
    if (!b.dead) Module._cb_py_decref(it);
  }
}

/* The names a Python variable shows JS: its own, then dir() as JS spells it. */
const CB_PY_OWN_NAMES = ['__type__', '__uid__', '__inspect__', '__destroy__', '__destroyed__', 'toString', 'toJSON'];
function pyNames(st) {
  return [...CB_PY_OWN_NAMES, ...callResult(st.bridge, 'keys', st.bridge.Module._cb_py_dir, cbLive(st).ptr, 0)];
}

/* What v.__proto__ shows (dev tools draw it): __type__, and a getter per
 * dir() name that reads the attribute when it is looked at. */
function pyShape(st) {
  const shape = { __type__: pyType(st) };
  for (const name of callResult(st.bridge, 'keys', st.bridge.Module._cb_py_dir, cbLive(st).ptr, 0)) {
    if (name === '__proto__') continue;
    Object.defineProperty(shape, name, { get: () => pyGet(st, name), enumerable: true, configurable: true });
  }
  return shape;
}

function inspectPython() {
  const st = this[CB_PY_STATE];
  if (!st || st.destroyed || st.bridge.dead) return '[PythonVariable (destroyed)]';
  return `[PythonVariable ${pyType(st)}: ${pyStr(st, true)}]`;
}

/* The traps: each is one call into a cb_py_* export. */
const handler = {
  get(target, key) {
    const st = target[CB_PY_STATE];
    if (typeof key === 'symbol') {
      if (key === CB_PY_STATE) return st;
      if (key === Symbol.iterator) return (st.flags & CB_F_ITERABLE) ? () => pyIterate(st) : undefined;
      if (key === Symbol.toPrimitive) return (hint) => (hint === 'number' ? Number(pyStr(st, false)) : pyStr(st, false));
      if (key === Symbol.toStringTag) return 'PythonVariable';
      if (key === CB_INSPECT) return inspectPython;
      return undefined;
    }
    switch (key) {
      case '__destroyed__': return st.destroyed;
      case '__destroy__': return () => cbDestroy(st);
      case '__type__': return pyType(st);
      case '__uid__': return st.uid;   // readable after __destroy__() too
      case '__inspect__': return () => pyNames(st);
      case 'toString': return () => pyStr(st, false);
      case 'toJSON': return () => callResult(st.bridge, 'toJSON', st.bridge.Module._cb_py_to_json, cbLive(st).ptr, 0);
      case 'then': return undefined;   // a Python variable is not a thenable
      case '__proto__': return pyShape(st);
      default: return pyGet(st, key);
    }
  },
  set(target, key, value) {
    if (typeof key === 'symbol') return false;
    const st = cbLive(target[CB_PY_STATE]);
    const b = st.bridge;
    cbCallWith(b, 'set', b.Module._cb_py_set, st.ptr, (e) => { cbPutKey(e, key); cbPut(b, e, value); });
    return true;
  },
  deleteProperty(target, key) {
    if (typeof key === 'symbol') return false;
    const st = cbLive(target[CB_PY_STATE]);
    cbCallWith(st.bridge, 'delete', st.bridge.Module._cb_py_delete, st.ptr, (e) => cbPutKey(e, key));
    return true;
  },
  has(target, key) {
    if (typeof key === 'symbol') return key === Symbol.iterator && (target[CB_PY_STATE].flags & CB_F_ITERABLE) !== 0;
    const st = cbLive(target[CB_PY_STATE]);
    return cbCallWith(st.bridge, 'has', st.bridge.Module._cb_py_has, st.ptr, (e) => cbPutKey(e, key));
  },
  apply(target, thisArg, args) {
    return pyCall(target[CB_PY_STATE], args, false);
  },
  construct(target, args) {
    return pyCall(target[CB_PY_STATE], args, true);
  },
  ownKeys(target) {
    const names = [...new Set(pyNames(cbLive(target[CB_PY_STATE])))];
    if (typeof target === 'function') names.push('prototype');
    return names;
  },
  getOwnPropertyDescriptor(target, key) {
    if (key === 'prototype' && typeof target === 'function') return Reflect.getOwnPropertyDescriptor(target, key);
    if (typeof key === 'symbol') return undefined;
    if (CB_PY_OWN_NAMES.includes(key)) return { value: handler.get(target, key), writable: false, enumerable: true, configurable: true };
    const value = pyGet(cbLive(target[CB_PY_STATE]), key);
    if (value === undefined) return undefined;
    return { value, writable: true, enumerable: true, configurable: true };
  },
  defineProperty() {
    return false;
  },
};
const objectTargetProto = Object.create(null);
objectTargetProto[CB_INSPECT] = inspectPython;

/* The Proxy for a Python object C handed over (one reference, now JS's). */
export function cbWrapPython(b, ptr, flags) {
  const st = { ptr, flags, destroyed: false, bridge: b, typeName: null, uid: `py-${ptr.toString(16)}` };
  let target;
  if (flags & CB_F_CALLABLE) {
    target = function PythonVariable() {};
    target[CB_INSPECT] = inspectPython;
  } else {
    target = Object.create(objectTargetProto);
  }
  target[CB_PY_STATE] = st;
  const proxy = new Proxy(target, handler);
  b.pyStates.set(proxy, st);
  b.liveStates.add(st);
  b.registry.register(proxy, st, st);
  return proxy;
}

/* The registry that gives back the reference of a collected Proxy (deferred
 * while Python runs: releasing may run Python code, a __del__). */
export function cbProxyRegistry(b) {
  return new FinalizationRegistry((st) => {
    if (st.destroyed || b.dead) return;
    st.destroyed = true;
    b.liveStates.delete(st);
    if (b.runtime.depth() > 0) b.releaseQueue.push(st.ptr);
    else b.Module._cb_py_release(st.ptr);
  });
}
