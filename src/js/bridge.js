/* Coldbrew bridge: values and bridge variables between JS and Python (JS half).
 *
 * Values cross as binary records (format: src/core/cb_value.c). This file
 * writes records for JS values (CbEncoder), reads records written by C
 * (reader functions in cbCreateBridge), keeps the handle table of JS values
 * Python holds, and makes the Proxy that stands for a Python object in JS.
 * Every Proxy trap is one call into a cb_py_* export of the C core; every
 * operation Python does on a JS value arrives here as one jsOp() call from
 * cb_jsvar.c. JS exceptions never unwind through wasm: jsOp catches them and
 * C raises Coldbrew.JavaScriptError.
 *
 * Lifetime: a Proxy owns one reference to its Python object, given back on
 * __destroy__(), destroyAllVariables(), or when the Proxy is garbage-collected
 * (FinalizationRegistry). A JS value Python holds stays in the handle table
 * until Python drops its JavaScriptVariable.
 */

// The protocol's numbers: src/core/cb_protocol.h, generated as a module by build/assemble_js.py.
import {
  CB_BINOP_ADD, CB_BINOP_AND, CB_BINOP_DIV, CB_BINOP_EQ, CB_BINOP_GE, CB_BINOP_GT,
  CB_BINOP_LE, CB_BINOP_LSHIFT, CB_BINOP_LT, CB_BINOP_MOD, CB_BINOP_MUL, CB_BINOP_NE,
  CB_BINOP_OR, CB_BINOP_POW, CB_BINOP_RSHIFT, CB_BINOP_SUB, CB_BINOP_XOR, CB_F_CALLABLE,
  CB_F_ITERABLE, CB_MAX_COPY_ITEMS, CB_MAX_DEPTH, CB_OP_BINOP, CB_OP_BOOL, CB_OP_CALL,
  CB_OP_CONTAINS, CB_OP_DEL, CB_OP_DELITEM, CB_OP_DIR, CB_OP_GET, CB_OP_GETITEM,
  CB_OP_GLOBAL, CB_OP_HASH, CB_OP_ITER, CB_OP_LEN, CB_OP_LIVE, CB_OP_NEXT,
  CB_OP_REPR, CB_OP_RESOLVE, CB_OP_SET, CB_OP_SETITEM, CB_OP_SET_ERROR, CB_OP_STR,
  CB_OP_TYPE, CB_OP_UNARY, CB_R_ERROR, CB_R_MISSING, CB_R_UNSUPPORTED, CB_T,
  CB_UNOP_INVERT, CB_UNOP_NEG, CB_UNOP_POS,
} from 'coldbrew-protocol';
const CB_STOP = Symbol('coldbrew.stop');
const CB_PY_STATE = Symbol('coldbrew.pythonVariable');
const CB_INSPECT = Symbol.for('nodejs.util.inspect.custom');
const CB_INDEX_KEY = /^(0|[1-9][0-9]{0,8})$/;
const CB_JS_KEYWORDS = new Set(['null', 'true', 'false', 'this', 'new', 'typeof', 'void', 'function', 'class']);
const CB_JS_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

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

/* snake_case <-> camelCase, as transformVariableCasing does it. */
function cbToCamel(name) {
  if (name.charCodeAt(0) === 95 || name.indexOf('_') < 0) return name;
  return name.replace(/_([^_])/g, (m, c) => c.toUpperCase());
}
function cbToSnake(name) {
  if (name.charCodeAt(0) === 95 || !/[A-Z]/.test(name.slice(1))) return name;
  return name.replace(/([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])/g, (m, a, b, c, d) => (a ? `${a}_${b}` : `${c}_${d}`))
    .toLowerCase();
}

/* A result JS cannot hold (see readResult in cbCreateBridge). */
class CbUnrepresentable {
  constructor(error) {
    this.error = error;
  }
}

/* Writes value records into a growable buffer, then copies them into wasm memory. */
class CbEncoder {
  constructor() {
    this.grow(4096);
    this.pos = 0;
    this.items = 0;   // elements of arrays and objects copied for the current value
    this.busy = false;
  }
  grow(size) {
    const old = this.u8;
    const buf = new ArrayBuffer(size);
    this.u8 = new Uint8Array(buf);
    this.u16 = new Uint16Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    if (old) this.u8.set(old);
  }
  reserve(n) {
    const need = this.pos + n + 16;
    if (need > this.u8.length) {
      let size = this.u8.length * 2;
      while (size < need) size *= 2;
      this.grow(size);
    }
  }
  word(w) {
    this.reserve(4);
    this.i32[this.pos >> 2] = w;
    this.pos += 4;
  }
  pad() {
    while (this.pos & 3) this.u8[this.pos++] = 0;
  }
  number(v) {
    if ((v | 0) === v && !Object.is(v, -0)) {
      this.reserve(8);
      this.i32[this.pos >> 2] = CB_T.INT;
      this.i32[(this.pos >> 2) + 1] = v;
      this.pos += 8;
      return;
    }
    this.reserve(16);
    this.i32[this.pos >> 2] = CB_T.FLOAT;
    this.pos += 4;
    if (this.pos & 7) this.pos += 4;
    this.f64[this.pos >> 3] = v;
    this.pos += 8;
  }
  string(s) {
    const n = s.length;
    this.reserve(2 * n + 8);
    this.i32[this.pos >> 2] = CB_T.STR16;
    this.i32[(this.pos >> 2) + 1] = 2 * n;
    const base = (this.pos + 8) >> 1;
    const u16 = this.u16;
    for (let i = 0; i < n; i++) u16[base + i] = s.charCodeAt(i);
    this.pos += 8 + 2 * n;
    this.pad();
  }
  bigint(v) {
    const negative = v < 0n;
    // Through hex text, linear in the size (see the reader in cbCreateBridge).
    let hex = (negative ? -v : v).toString(16);
    if (hex === '0') hex = '';
    const words = (hex.length + 7) >> 3;
    this.reserve(12 + 4 * words);
    this.word(CB_T.BIGINT);
    this.word(negative ? 1 : 0);
    this.word(words * 4);
    for (let i = 0, end = hex.length; i < words; i++, end -= 8) {
      this.word(parseInt(hex.slice(Math.max(0, end - 8), end), 16) | 0);
    }
  }
  bytes(b) {
    this.reserve(b.length + 8);
    this.word(CB_T.BYTES);
    this.word(b.length);
    this.u8.set(b, this.pos);
    this.pos += b.length;
    this.pad();
  }
}

export function cbCreateBridge(Module, runtime) {
  const casing = runtime.casing;
  const handles = [];
  const freeHandles = [];
  let liveJs = 0;
  let dead = false;
  const liveStates = new Set();
  const pyStates = new WeakMap();   // Proxy -> its state
  const classCache = new WeakMap();
  const hashIds = new WeakMap();
  let nextHashId = 1;
  let pendingResult = null;
  const releaseQueue = [];
  const registry = new FinalizationRegistry((st) => {
    if (st.destroyed || dead) return;
    st.destroyed = true;
    liveStates.delete(st);
    if (runtime.depth() > 0) releaseQueue.push(st.ptr);
    else Module._cb_py_release(st.ptr);
  });
  let enc = new CbEncoder();

  /* ---- the JS handle table ---- */
  function hold(v) {
    const h = freeHandles.length ? freeHandles.pop() : handles.length;
    handles[h] = v;
    liveJs++;
    return h;
  }
  /* C may drop a handle right after writing it into a result record (the
   * value's last Python reference goes with the call), so slots are freed only
   * once the record has been read: after each call into C returns. */
  const deferredRelease = [];
  function releaseHandle(h) {
    deferredRelease.push(h);
  }
  function flushReleases() {
    for (const h of deferredRelease) {
      handles[h] = undefined;
      freeHandles.push(h);
      liveJs--;
    }
    deferredRelease.length = 0;
  }

  /* ---- JS value -> records ---- */
  /* The keys of a JSON-like object (plain prototype, only enumerable data
   * properties, no symbols), or null: namespaces such as Math, objects with
   * getters and class instances stay live bridge variables. */
  function plainKeys(v) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return null;
    const keys = Object.keys(v);
    if (Object.getOwnPropertyNames(v).length !== keys.length || Object.getOwnPropertySymbols(v).length) return null;
    for (const k of keys) {
      if (!('value' in Object.getOwnPropertyDescriptor(v, k))) return null;
    }
    return keys;
  }
  /* Returns false when v (or something inside it) must cross as a bridge variable. */
  function putPlain(e, v, path) {
    switch (typeof v) {
      case 'undefined': e.word(CB_T.UNDEF); return true;
      case 'boolean': e.word(v ? CB_T.TRUE : CB_T.FALSE); return true;
      case 'number': e.number(v); return true;
      case 'string': e.string(v); return true;
      case 'bigint': e.bigint(v); return true;
      case 'function': {
        const st = pyStates.get(v);
        if (!st) return false;
        putPython(e, st);
        return true;
      }
      case 'object': {
        if (v === null) { e.word(CB_T.NONE); return true; }
        const st = pyStates.get(v);
        if (st) { putPython(e, st); return true; }
        if (v instanceof Uint8Array && Object.getPrototypeOf(v) === Uint8Array.prototype) { e.bytes(v); return true; }
        const isArray = Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype;
        const keys = isArray ? null : plainKeys(v);
        if (!isArray && keys === null) return false;
        if (path.length >= CB_MAX_DEPTH || path.includes(v)) return false;
        path.push(v);
        if (isArray) {
          // Only dense arrays of a sane size are copied: a sparse array (one
          // element at index 2**32-2) or a Proxy that claims a huge length
          // crosses as a live JavaScriptVariable, in bounded time and memory.
          const n = v.length;
          e.items += n;
          if (e.items > CB_MAX_COPY_ITEMS) return false;
          e.word(CB_T.LIST);
          e.word(n);
          for (let i = 0; i < n; i++) {
            if (!(i in v) || !putPlain(e, v[i], path)) return false;
          }
        } else {
          e.items += keys.length;
          if (e.items > CB_MAX_COPY_ITEMS) return false;
          e.word(CB_T.DICT);
          e.word(keys.length);
          for (const k of keys) {
            e.string(k);
            if (!putPlain(e, v[k], path)) return false;
          }
        }
        path.pop();
        return true;
      }
      default: return false;   // symbol
    }
  }
  function putPython(e, st) {
    if (st.bridge !== bridge) throw new Error('Coldbrew: this Python variable belongs to another Coldbrew instance (or one that was unloaded)');
    if (st.destroyed) throw destroyedError(st);
    e.word(CB_T.PYOBJ);
    e.word(st.ptr);
    e.word(0);
  }
  /* A top-level value: copied when plain, otherwise a handle. */
  function put(e, v) {
    const start = e.pos;
    if (typeof v === 'number') { e.number(v); return; }
    if (typeof v === 'string') { e.string(v); return; }
    e.items = 0;
    if (putPlain(e, v, [])) return;
    e.pos = start;
    e.word(CB_T.JSOBJ);
    e.word(hold(v));
  }
  function putKey(e, key) {
    if (CB_INDEX_KEY.test(key)) e.number(Number(key));
    else e.string(key);
  }

  /* ---- records -> JS values (reading wasm memory written by C) ---- */
  let rp = 0, m8, m16, m32, mf64, membuf = null;
  function views() {
    const b = Module.HEAPU8.buffer;
    if (b !== membuf) {
      membuf = b;
      m8 = new Uint8Array(b);
      m16 = new Uint16Array(b);
      m32 = new Int32Array(b);
      mf64 = new Float64Array(b);
    }
  }
  function chars(view, start, end) {
    let s = '';
    for (let i = start; i < end; i += 8192) {
      s += String.fromCharCode.apply(null, view.subarray(i, Math.min(end, i + 8192)));
    }
    return s;
  }
  function read() {
    const tag = m32[rp >> 2];
    rp += 4;
    switch (tag) {
      case CB_T.UNDEF: return undefined;
      case CB_T.NONE: return null;
      case CB_T.FALSE: return false;
      case CB_T.TRUE: return true;
      case CB_T.INT: rp += 4; return m32[(rp - 4) >> 2];
      case CB_T.FLOAT: {
        if (rp & 7) rp += 4;
        rp += 8;
        return mf64[(rp - 8) >> 3];
      }
      case CB_T.BIGINT: {
        const negative = m32[rp >> 2], n = m32[(rp >> 2) + 1];
        rp += 8;
        // Through hex text: linear in the size (shifting a BigInt word by
        // word copies it each time, which made 2**3200000 take seconds).
        let hex = '';
        const words = (n + 3) >> 2;
        if (words <= 2) {
          for (let i = words - 1; i >= 0; i--) hex += (m32[(rp >> 2) + i] >>> 0).toString(16).padStart(8, '0');
        } else {
          const parts = new Array(words);
          for (let i = 0; i < words; i++) parts[words - 1 - i] = (m32[(rp >> 2) + i] >>> 0).toString(16).padStart(8, '0');
          hex = parts.join('');
        }
        const v = words ? BigInt(`0x${hex}`) : 0n;
        rp += (n + 3) & ~3;
        return negative ? -v : v;
      }
      case CB_T.STR16: case CB_T.STR8: {
        const n = m32[rp >> 2];
        rp += 4;
        const s = tag === CB_T.STR8 ? chars(m8, rp, rp + n) : chars(m16, rp >> 1, (rp + n) >> 1);
        rp += (n + 3) & ~3;
        return s;
      }
      case CB_T.BYTES: {
        const n = m32[rp >> 2];
        rp += 4;
        const b = m8.slice(rp, rp + n);
        rp += (n + 3) & ~3;
        return b;
      }
      case CB_T.LIST: {
        const n = m32[rp >> 2];
        rp += 4;
        const a = new Array(n);
        for (let i = 0; i < n; i++) a[i] = read();
        return a;
      }
      case CB_T.DICT: {
        const n = m32[rp >> 2];
        rp += 4;
        const o = {};
        for (let i = 0; i < n; i++) {
          const k = read();
          const v = read();
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case CB_T.PYOBJ: {
        const ptr = m32[rp >> 2] >>> 0, flags = m32[(rp >> 2) + 1];
        rp += 8;
        return wrapPython(ptr, flags);
      }
      case CB_T.JSOBJ: rp += 4; return handles[m32[(rp - 4) >> 2]];
      case CB_T.JSMETHOD: {
        const fn = handles[m32[rp >> 2]], self = handles[m32[(rp >> 2) + 1]];
        rp += 8;
        return fn.bind(self);
      }
      case CB_T.STOP: return CB_STOP;
      default: throw new Error(`Coldbrew: bad value record (tag ${tag})`);
    }
  }
  function readAt(ptr) {
    views();
    rp = ptr;
    return read();
  }

  /* ---- calls into C ---- */
  /* The encoder for one call's operands (a fresh one if a user-defined Proxy
   * runs code while an encoding is in progress). */
  function encoder() {
    const e = enc.busy ? new CbEncoder() : enc;
    e.busy = true;
    e.pos = 0;
    return e;
  }
  /* The result record at r, or a CbUnrepresentable when JS cannot hold it (a
   * Python str longer than the engine's longest string): the call itself
   * succeeded and the interpreter is fine, so that is an error of the call,
   * not a crash of the runtime. */
  function readResult(r) {
    try {
      return readAt(r);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      return new CbUnrepresentable(new RangeError(`Coldbrew: the Python value cannot be represented in JavaScript (${err.message})`));
    }
  }
  /* Copies the operands in e to the wasm stack, calls cfn(ptr, args, a, b)
   * and returns the decoded result record. */
  function callC(name, cfn, ptr, e, a, b) {
    e.busy = false;
    const len = e.pos;
    runtime.begin(name);
    let r, v;
    const sp = Module.stackSave();
    const big = len > 65536;
    let args = 0;
    try {
      args = big ? Module._malloc(len) : Module.stackAlloc(len);
      Module.HEAPU8.set(e.u8.subarray(0, len), args);
      r = cfn(ptr, args, a, b) >>> 0;
      if (r !== 0) v = readResult(r);
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
  function asyncCall(e, argsOf) {
    const bytes = e.u8.slice(0, e.pos);
    return {
      prepare() {
        const p = Module._malloc(bytes.length);
        Module.HEAPU8.set(bytes, p);
        return [argsOf(p), () => { if (!dead) Module._free(p); }];
      },
      finish(r) {
        r >>>= 0;
        if (r === 0) throw runtime.pythonError();
        const v = readAt(r);
        flushReleases();
        return v;
      },
    };
  }

  /* callC with the operands written by build(e). */
  function callWith(name, cfn, ptr, build, a, b) {
    runtime.requireLoaded(name);
    if (runtime.depth() >= CB_PROBE_DEPTH) cbCheckStack();
    const e = encoder();
    try {
      build(e);
    } catch (err) {
      e.busy = false;
      throw err;
    }
    return callC(name, cfn, ptr, e, a, b);
  }
  function callResult(name, cfn, ptr, a) {
    runtime.begin(name);
    let r, v;
    try {
      r = cfn(ptr, a) >>> 0;
      if (r !== 0) v = readResult(r);
    } catch (err) {
      throw runtime.crash(name, err);
    } finally {
      runtime.end();
    }
    if (r === 0) throw runtime.pythonError();
    if (v instanceof CbUnrepresentable) throw v.error;
    return v;
  }

  /* ---- Python objects seen from JS ---- */
  function destroyedError(st) {
    return new Error(`Coldbrew: this Python variable (${st.typeName || 'object'}) was destroyed with __destroy__() or destroyAllVariables(); it can no longer be used`);
  }
  function live(st) {
    if (dead) throw new Error('Coldbrew: this Python variable belongs to a Coldbrew instance that was unloaded');
    if (st.destroyed) throw destroyedError(st);
    return st;
  }
  function destroy(st) {
    if (st.destroyed || dead) return;
    st.destroyed = true;
    liveStates.delete(st);
    registry.unregister(st);
    Module._cb_py_release(st.ptr);
  }
  function pyGet(st, key) {
    return callWith('getVariable', Module._cb_py_get, live(st).ptr, (e) => putKey(e, key));
  }
  /* A call's operands as C reads them: the keywords (a trailing
   * PythonKeywords) first, then the positional arguments; returns how many
   * are positional (args.length > that: keywords were given). */
  function putArgs(e, args) {
    let n = args.length;
    const kw = n > 0 && args[n - 1] instanceof PythonKeywords ? args[--n] : null;
    if (kw) put(e, kw.keywords);
    for (let i = 0; i < n; i++) put(e, args[i]);
    return n;
  }
  /* The hot path (a JS -> Python call): no closures. */
  function pyCall(st, args, construct) {
    const name = construct ? 'new' : 'call';
    runtime.requireLoaded(name);
    live(st);
    if (runtime.depth() >= CB_PROBE_DEPTH) cbCheckStack();
    const e = encoder();
    let n;
    try {
      n = putArgs(e, args);
    } catch (err) {
      e.busy = false;
      throw err;
    }
    return callC(name, construct ? Module._cb_py_construct : Module._cb_py_call, st.ptr, e, n, args.length > n ? 1 : 0);
  }
  function pyStr(st, repr) {
    return callResult('toString', Module._cb_py_str, live(st).ptr, repr ? 1 : 0);
  }
  function pyType(st) {
    if (!st.typeName) st.typeName = callResult('__type__', Module._cb_py_type, live(st).ptr, 0);
    return st.typeName;
  }
  function* pyIterate(st) {
    live(st);
    runtime.begin('iterate');
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
        const v = callResult('iterate', Module._cb_py_next, it, 0);
        if (v === CB_STOP) return;
        yield v;
      }
    } finally {
      if (!dead) Module._cb_py_decref(it);
    }
  }
  function inspectPython() {
    const st = this[CB_PY_STATE];
    if (!st || st.destroyed || dead) return '[PythonVariable (destroyed)]';
    return `[PythonVariable ${pyType(st)}: ${pyStr(st, true)}]`;
  }

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
        case '__destroy__': return () => destroy(st);
        case '__type__': return pyType(st);
        case '__inspect__': return () => callResult('__inspect__', Module._cb_py_dir, live(st).ptr, 0);
        case 'toString': return () => pyStr(st, false);
        case 'toJSON': return () => callResult('toJSON', Module._cb_py_to_json, live(st).ptr, 0);
        case 'then': return undefined;   // a Python variable is not a thenable
        default: return pyGet(st, key);
      }
    },
    set(target, key, value) {
      if (typeof key === 'symbol') return false;
      const st = live(target[CB_PY_STATE]);
      callWith('set', Module._cb_py_set, st.ptr, (e) => { putKey(e, key); put(e, value); });
      return true;
    },
    deleteProperty(target, key) {
      if (typeof key === 'symbol') return false;
      const st = live(target[CB_PY_STATE]);
      callWith('delete', Module._cb_py_delete, st.ptr, (e) => putKey(e, key));
      return true;
    },
    has(target, key) {
      if (typeof key === 'symbol') return key === Symbol.iterator && (target[CB_PY_STATE].flags & CB_F_ITERABLE) !== 0;
      const st = live(target[CB_PY_STATE]);
      return callWith('has', Module._cb_py_has, st.ptr, (e) => putKey(e, key));
    },
    apply(target, thisArg, args) {
      return pyCall(target[CB_PY_STATE], args, false);
    },
    construct(target, args) {
      return pyCall(target[CB_PY_STATE], args, true);
    },
    ownKeys(target) {
      const st = live(target[CB_PY_STATE]);
      const names = callResult('keys', Module._cb_py_dir, st.ptr, 0);
      if (typeof target === 'function') names.push('prototype');
      return names;
    },
    getOwnPropertyDescriptor(target, key) {
      if (key === 'prototype' && typeof target === 'function') return Reflect.getOwnPropertyDescriptor(target, key);
      if (typeof key === 'symbol') return undefined;
      const st = live(target[CB_PY_STATE]);
      const value = pyGet(st, key);
      if (value === undefined) return undefined;
      return { value, writable: true, enumerable: true, configurable: true };
    },
    defineProperty() {
      return false;
    },
  };
  const objectTargetProto = Object.create(null);
  objectTargetProto[CB_INSPECT] = inspectPython;

  function wrapPython(ptr, flags) {
    const st = { ptr, flags, destroyed: false, bridge, typeName: null };
    let target;
    if (flags & CB_F_CALLABLE) {
      target = function PythonVariable() {};
      target[CB_INSPECT] = inspectPython;
    } else {
      target = Object.create(objectTargetProto);
    }
    target[CB_PY_STATE] = st;
    const proxy = new Proxy(target, handler);
    pyStates.set(proxy, st);
    liveStates.add(st);
    registry.register(proxy, st, st);
    return proxy;
  }

  /* ---- JS values seen from Python: one entry point per operation ---- */
  function resolveName(obj, name) {
    const o = Object(obj);
    if (name in o) return name;
    if (!casing) return null;
    const camel = cbToCamel(name);
    if (camel !== name && camel in o) return camel;
    if (name.indexOf('_') < 0) return null;
    for (let p = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const k of Object.getOwnPropertyNames(p)) if (cbToSnake(k) === name) return k;
    }
    return null;
  }
  /* Called from Python, a JS class is constructed (Date(0) is new Date(0));
   * a plain function is called. The built-in conversions stay calls. */
  const conversions = new Set([String, Number, Boolean, Symbol, BigInt, Object]);
  function isClass(fn) {
    if (typeof fn !== 'function' || conversions.has(fn)) return false;
    let c = classCache.get(fn);
    if (c === undefined) {
      let src = '';
      try { src = Function.prototype.toString.call(fn); } catch (e) { /* not a plain function */ }
      c = /^class[\s{]/.test(src) || (fn.prototype !== undefined && fn.prototype !== null &&
        Object.getOwnPropertyNames(fn.prototype).length > 1);
      classCache.set(fn, c);
    }
    return c;
  }
  function typeName(v) {
    if (v === null) return 'null';
    if (typeof v !== 'object' && typeof v !== 'function') return typeof v;
    if (typeof v === 'function') return 'Function';
    const proto = Object.getPrototypeOf(v);
    if (proto === null) return 'Object';
    return (proto.constructor && proto.constructor.name) || 'Object';
  }
  function sizeOf(v) {
    if (typeof v === 'string') return v.length;
    if (v instanceof Map || v instanceof Set) return v.size;
    if (typeof v === 'object' && v !== null && typeof v.length === 'number') return v.length;
    return -1;
  }
  function methodResult(fn, self) {
    return { method: fn, self };
  }
  const binops = [];
  binops[CB_BINOP_ADD] = (a, b) => a + b;
  binops[CB_BINOP_SUB] = (a, b) => a - b;
  binops[CB_BINOP_MUL] = (a, b) => a * b;
  binops[CB_BINOP_DIV] = (a, b) => a / b;
  binops[CB_BINOP_MOD] = (a, b) => a % b;
  binops[CB_BINOP_POW] = (a, b) => a ** b;
  binops[CB_BINOP_AND] = (a, b) => a & b;
  binops[CB_BINOP_OR] = (a, b) => a | b;
  binops[CB_BINOP_XOR] = (a, b) => a ^ b;
  binops[CB_BINOP_LSHIFT] = (a, b) => a << b;
  binops[CB_BINOP_RSHIFT] = (a, b) => a >> b;
  binops[CB_BINOP_LT] = (a, b) => a < b;
  binops[CB_BINOP_LE] = (a, b) => a <= b;
  binops[CB_BINOP_EQ] = (a, b) => a === b;
  binops[CB_BINOP_NE] = (a, b) => a !== b;
  binops[CB_BINOP_GT] = (a, b) => a > b;
  binops[CB_BINOP_GE] = (a, b) => a >= b;
  const unops = [];
  unops[CB_UNOP_NEG] = (a) => -a;
  unops[CB_UNOP_POS] = (a) => +a;
  unops[CB_UNOP_INVERT] = (a) => ~a;

  function jsOpBody(op, h, th) {
    const obj = handles[h];
    switch (op) {
      case CB_OP_GET: {
        const name = read();
        const key = resolveName(obj, name);
        if (key === null) return CB_R_MISSING;
        const v = obj[key];
        return typeof v === 'function' && !pyStates.has(v) ? methodResult(v, obj) : { value: v };
      }
      case CB_OP_SET: {
        const name = read(), value = read();
        const key = resolveName(obj, name) ?? (casing ? cbToCamel(name) : name);
        obj[key] = value;
        return { value: true };
      }
      case CB_OP_DEL: {
        const name = read();
        const key = resolveName(obj, name);
        if (key !== null) delete obj[key];
        return { value: true };
      }
      case CB_OP_CALL: {
        const n = read();
        const args = new Array(n);
        for (let i = 0; i < n; i++) args[i] = read();
        const nk = read();
        if (nk > 0) {
          const kw = {};
          for (let i = 0; i < nk; i++) { const k = read(); kw[k] = read(); }
          args.push(kw);
        }
        if (typeof obj !== 'function') throw new TypeError(`${typeName(obj)} is not a function`);
        if (th < 0 && isClass(obj)) return { value: new obj(...args) };
        return { value: Reflect.apply(obj, th >= 0 ? handles[th] : undefined, args) };
      }
      case CB_OP_LEN: {
        const n = sizeOf(obj);
        return n < 0 ? CB_R_UNSUPPORTED : { value: n };
      }
      case CB_OP_CONTAINS: {
        const x = read();
        if (Array.isArray(obj) || ArrayBuffer.isView(obj) || typeof obj === 'string') return { value: obj.includes(x) };
        if (obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet) return { value: obj.has(x) };
        if (typeof x === 'string' || typeof x === 'number' || typeof x === 'symbol') return { value: x in Object(obj) };
        return { value: false };
      }
      case CB_OP_ITER: {
        let it;
        if (obj != null && typeof obj[Symbol.iterator] === 'function') it = obj[Symbol.iterator]();
        else if (typeof obj === 'object' && obj !== null) it = Object.keys(obj)[Symbol.iterator]();
        else return CB_R_UNSUPPORTED;
        return { value: hold(it) };
      }
      case CB_OP_NEXT: {
        const r = obj.next();
        return r.done ? CB_R_MISSING : { value: r.value };
      }
      case CB_OP_STR: return { value: String(obj) };
      case CB_OP_REPR: {
        let detail;
        if (typeof obj === 'function') detail = obj.name ? ` ${obj.name}` : ' (anonymous)';
        else {
          detail = String(obj);
          detail = detail.length > 200 ? ` ${detail.slice(0, 200)}...` : ` ${detail}`;
        }
        return { value: `<JavaScriptVariable ${typeName(obj)}${detail}>` };
      }
      case CB_OP_TYPE: return { value: typeName(obj) };
      case CB_OP_DIR: {
        const names = new Set();
        for (let p = Object(obj); p !== null && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
          for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor') names.add(casing ? cbToSnake(k) : k);
        }
        return { value: [...names].sort() };
      }
      case CB_OP_BOOL: {
        const n = typeof obj === 'function' ? -1 : sizeOf(obj);
        return { value: n >= 0 ? n > 0 : !!obj };
      }
      case CB_OP_HASH: {
        if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return { value: String(obj) };
        let id = hashIds.get(obj);
        if (id === undefined) hashIds.set(obj, (id = nextHashId++));
        return { value: id };
      }
      case CB_OP_BINOP: {
        const code = read(), a = read(), b = read();
        return { value: binops[code](a, b) };
      }
      case CB_OP_GLOBAL: {
        const name = read();
        if (!CB_JS_PATH.test(name) || CB_JS_KEYWORDS.has(name.split('.')[0])) {
          return { value: (0, eval)(name) };   // an expression, as Coldbrew.run() runs it
        }
        const parts = name.split('.');
        let parent = globalThis, v;
        for (let i = 0; i < parts.length; i++) {
          const key = i === 0 ? (parts[0] in globalThis ? parts[0] : null) : resolveName(parent, parts[i]);
          if (key === null) return CB_R_MISSING;
          v = parent[key];
          if (i < parts.length - 1) {
            if (v === null || v === undefined) return CB_R_MISSING;
            parent = v;
          }
        }
        return parts.length > 1 && typeof v === 'function' && !pyStates.has(v) ? methodResult(v, parent) : { value: v };
      }
      case CB_OP_GETITEM: {
        let key = read();
        if (obj instanceof Map) return obj.has(key) ? { value: obj.get(key) } : CB_R_MISSING;
        if (typeof key === 'number' && (Array.isArray(obj) || ArrayBuffer.isView(obj) || typeof obj === 'string')) {
          if (key < 0) key += obj.length;
          if (key < 0 || key >= obj.length) return CB_R_MISSING;
          return { value: obj[key] };
        }
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'symbol') {
          throw new TypeError('JavaScript property keys are strings, numbers or symbols');
        }
        if (!(key in Object(obj))) return CB_R_MISSING;
        const v = obj[key];
        return typeof v === 'function' && !pyStates.has(v) ? methodResult(v, obj) : { value: v };
      }
      case CB_OP_SETITEM: {
        const key = read(), value = read();
        if (obj instanceof Map) obj.set(key, value);
        else obj[key] = value;
        return { value: true };
      }
      case CB_OP_DELITEM: {
        const key = read();
        if (obj instanceof Map) obj.delete(key);
        else delete obj[key];
        return { value: true };
      }
      case CB_OP_UNARY: {
        const code = read();
        return { value: unops[code](obj) };
      }
      case CB_OP_LIVE: return { value: liveJs };
      case CB_OP_RESOLVE: return { value: obj };   // the value, a Promise waited for (see awaits)
      case CB_OP_SET_ERROR: Module.coldbrew.jsError = read(); return { value: undefined };   // a rejection reason
      default: throw new Error(`Coldbrew: unknown bridge operation ${op}`);
    }
  }

  /* Writes an operation's result record into out (cap bytes) or keeps it for
   * takeResult(); returns its length (or the CB_R_* code it was given). */
  function writeResult(r, out, cap) {
    if (typeof r === 'number') return r;
    const e = enc.busy ? new CbEncoder() : enc;
    e.pos = 0;
    if (r.method !== undefined) {
      e.word(CB_T.JSMETHOD);
      e.word(hold(r.method));
      e.word(hold(r.self));
    } else {
      put(e, r.value);
    }
    const len = e.pos;
    views();
    if (len <= cap) Module.HEAPU8.set(e.u8.subarray(0, len), out);
    else pendingResult = e.u8.slice(0, len);
    return len;
  }

  /* The one place a JS throw under a call from C becomes an error for
   * Python: kept as Module.coldbrew.jsError, and C raises JavaScriptError
   * from it (cb_err_raise_from_js). Used by jsOp, jsOpAsync and, through
   * Module.coldbrew.jsFailed, by Coldbrew.run() (cb_module.c). */
  function failed(err) {
    if (dead) throw runtime.unloadedError();   // unload() during the run: unwind it all
    if (Module.coldbrew.crashed) throw err;   // the runtime is lost: unwind to the API call
    Module.coldbrew.jsError = err;
    return CB_R_ERROR;
  }

  /* get_variable (16) and calls (4) are where a Promise is resolved in an async
   * run, unless a Coldbrew asyncio loop runs: then coroutines await it. */
  const awaits = (op, r) => typeof r === 'object' && r.value instanceof Promise &&
    (op === CB_OP_RESOLVE || ((op === CB_OP_CALL || op === CB_OP_GLOBAL) && !Module._cb_aio_loop_running()));

  /* Called by cb_jsvar.c: runs one operation synchronously. */
  function jsOp(op, h, th, args, out, cap) {
    if (dead) throw runtime.unloadedError();   // Python of an unloaded instance does nothing more in JS
    try {
      views();
      rp = args;
      const r = jsOpBody(op, h, th);
      if (awaits(op, r)) {
        r.value.catch(() => {});   // not awaited here: no unhandled rejection
        throw new TypeError('this JavaScript call returned a Promise, which cannot be resolved in a synchronous run; ' +
          'run the Python code with runAsync / runFunctionAsync to have Python wait for it');
      }
      return writeResult(r, out, cap);
    } catch (err) {
      return failed(err);
    }
  }

  /* The same, inside an async run (cb_js_op_async, a suspending import): a
   * Promise from a call or get_variable is resolved before Python continues. */
  function jsOpAsync(run, op, h, th, args, out, cap) {
    if (dead) throw runtime.unloadedError();
    let r;
    try {
      views();
      rp = args;
      r = jsOpBody(op, h, th);
    } catch (err) {
      return failed(err);
    }
    const settled = awaits(op, r) ? r.value.then((value) => ({ value })) : null;
    return run.pause(settled).then(
      () => (settled ? settled.then((v) => writeResult(v, out, cap)) : writeResult(r, out, cap)),
    ).then((n) => n, failed);
  }

  const bridge = {
    jsOp,
    jsOpAsync,
    failed,
    takeResult(out) {
      Module.HEAPU8.set(pendingResult, out);
      pendingResult = null;
    },
    releaseHandle,
    handleValue: (h) => handles[h],
    holdLastError() {
      const h = hold(Module.coldbrew.jsError);
      Module.coldbrew.jsError = undefined;   // Python holds it now
      return h;
    },
    isPythonVariable: (v) => pyStates.has(v),
    /* Python's view of a value (getVariable / runFunction). */
    lookup(name) {
      return callWith('getVariable', (p, args) => Module._cb_py_lookup(args), 0, (e) => e.string(name));
    },
    callNamed(name, args) {
      const kw = args.length > 0 && args[args.length - 1] instanceof PythonKeywords ? 1 : 0;
      return callWith('runFunction', (p, a, nargs, hasKw) => Module._cb_py_call_named(a, nargs, hasKw), 0, (e) => {
        e.string(name);
        putArgs(e, args);
      }, args.length - kw, kw);
    },
    /* For async calls: the operands copied into malloc'd memory now, the call
     * made later by the API (through WebAssembly.promising), the result read by finish(). */
    prepareCallNamed(name, args) {
      const e = encoder();
      let n;
      try {
        e.string(name);
        n = putArgs(e, args);
      } finally {
        e.busy = false;
      }
      return asyncCall(e, (p) => [p, n, args.length > n ? 1 : 0]);
    },
    /* The same for a property read or a call on a Python variable (the
     * proxies of getVariableAsync): null if v is not a Python variable. */
    prepareGet(v, key) {
      const st = pyStates.get(v);
      if (!st) return null;
      const e = encoder();
      try {
        putKey(e, String(key));
      } finally {
        e.busy = false;
      }
      return asyncCall(e, (p) => [live(st).ptr, p]);
    },
    prepareCall(v, args) {
      const st = pyStates.get(v);
      if (!st) return null;
      const e = encoder();
      let n;
      try {
        n = putArgs(e, args);
      } finally {
        e.busy = false;
      }
      return asyncCall(e, (p) => [live(st).ptr, p, n, args.length > n ? 1 : 0]);
    },
    prepareLookup(name) {
      const e = encoder();
      e.string(name);
      e.busy = false;
      return asyncCall(e, (p) => [p]);
    },
    destroyAll() {
      for (const st of [...liveStates]) destroy(st);
    },
    flushReleases,
    counts() {
      flushReleases();
      return { python: Module._cb_py_live_count(), javascript: liveJs };
    },
    drainReleases() {
      while (releaseQueue.length) Module._cb_py_release(releaseQueue.pop());
    },
    kill() {
      dead = true;
      liveStates.clear();
    },
  };
  return bridge;
}

export const PythonVariable = {
  /** Is v a Python object seen from JavaScript (a bridge variable)? */
  isPythonVariable(v) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
    const st = v[CB_PY_STATE];   // only a Python variable's Proxy answers this symbol
    return st !== undefined && typeof st === 'object' && st !== null && 'ptr' in st;
  },
};
