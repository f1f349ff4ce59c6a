/* JS values seen from Python: every operation Python does on a JS value
 * (a JavaScriptVariable, src/core/cb_jsvar.c) arrives here as one jsOp()
 * call: the operation's code (CB_OP_*), the value's handle, and its operands
 * as records. The result goes back as a record (or a CB_R_* code). JS
 * exceptions never unwind through wasm: they are kept (failed()) and C
 * raises Coldbrew.JavaScriptError from them.
 *
 * Every function takes the bridge's state record b (bridge.js).
 */
import {
  CB_BINOP_ADD, CB_BINOP_AND, CB_BINOP_DIV, CB_BINOP_EQ, CB_BINOP_GE, CB_BINOP_GT,
  CB_BINOP_LE, CB_BINOP_LSHIFT, CB_BINOP_LT, CB_BINOP_MOD, CB_BINOP_MUL, CB_BINOP_NE,
  CB_BINOP_OR, CB_BINOP_POW, CB_BINOP_RSHIFT, CB_BINOP_SUB, CB_BINOP_XOR, CB_OP_BINOP, CB_OP_BOOL, CB_OP_CALL,
  CB_OP_CONTAINS, CB_OP_DEL, CB_OP_DELITEM, CB_OP_DIR, CB_OP_GET, CB_OP_GETITEM,
  CB_OP_GLOBAL, CB_OP_HASH, CB_OP_ITER, CB_OP_LEN, CB_OP_LIVE, CB_OP_NEXT,
  CB_OP_REPR, CB_OP_RESOLVE, CB_OP_SET, CB_OP_SETITEM, CB_OP_SET_ERROR, CB_OP_STR,
  CB_OP_TYPE, CB_OP_UNARY, CB_R_ERROR, CB_R_MISSING, CB_R_SYNC_PROMISE, CB_R_UNSUPPORTED, CB_SYNC_PROMISE_MESSAGE, CB_T,
  CB_UNOP_INVERT, CB_UNOP_NEG, CB_UNOP_POS,
} from 'coldbrew-protocol';
import { CbEncoder, cbPut } from './records.js';
import { cbHeap } from './heap.js';

const CB_JS_KEYWORDS = new Set(['null', 'true', 'false', 'this', 'new', 'typeof', 'void', 'function', 'class']);
const CB_JS_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const classCache = new WeakMap();
const hashIds = new WeakMap();
let nextHashId = 1;

/* A JS property name in the other casing (transformVariableCasing): the
 * rule is src/core/cb_names.c's, called through its export; answers are
 * remembered per bridge (a program uses few names). */
function convertName(b, snake, name) {
  const cache = snake ? b.snakeNames : b.camelNames;
  let r = cache.get(name);
  if (r !== undefined) return r;
  const Module = b.Module;
  const n = Module.lengthBytesUTF8(name);
  const p = Module._malloc(3 * n + 1);
  try {
    Module.stringToUTF8(name, p, n + 1);
    const len = Module._cb_names_convert(snake ? 1 : 0, p, n, p + n + 1);
    r = len < 0 ? name : Module.UTF8ToString(p + n + 1, len);
  } finally {
    Module._free(p);
  }
  if (cache.size >= 4096) cache.clear();
  cache.set(name, r);
  return r;
}
const toCamel = (b, name) => convertName(b, false, name);
const toSnake = (b, name) => convertName(b, true, name);

/* The JS property a Python attribute name means, or null. */
function resolveName(b, obj, name) {
  const o = Object(obj);
  if (name in o) return name;
  if (!b.casing) return null;
  const camel = toCamel(b, name);
  if (camel !== name && camel in o) return camel;
  if (name.indexOf('_') < 0) return null;
  for (let p = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) if (toSnake(b, k) === name) return k;
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
/* len() of a JS value, as the original Coldbrew: .length, else .size() if
 * a function, else .size; -1 when it has none. */
function sizeOf(v) {
  if (typeof v === 'string') return v.length;
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return -1;
  if (typeof v.length === 'number') return v.length;
  if (typeof v.size === 'function') return v.size();
  if (typeof v.size === 'number') return v.size;
  return -1;
}
/* A stable id of a JS object (its hash in Python, and its __uid__). */
function idOf(obj) {
  let id = hashIds.get(obj);
  if (id === undefined) hashIds.set(obj, (id = nextHashId++));
  return id;
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

function jsOpBody(b, op, h, th) {
  const obj = b.handles.values[h];
  const reader = b.reader;
  switch (op) {
    case CB_OP_GET: {
      const name = reader.read();
      const key = resolveName(b, obj, name);
      if (key === null) return CB_R_MISSING;
      const v = obj[key];
      return typeof v === 'function' && !b.pyStates.has(v) ? methodResult(v, obj) : { value: v };
    }
    case CB_OP_SET: {
      const name = reader.read(), value = reader.read();
      const key = resolveName(b, obj, name) ?? (b.casing ? toCamel(b, name) : name);
      obj[key] = value;
      return { value: true };
    }
    case CB_OP_DEL: {
      const name = reader.read();
      const key = resolveName(b, obj, name);
      if (key === null) return CB_R_MISSING;
      delete obj[key];
      return { value: true };
    }
    case CB_OP_CALL: {
      const n = reader.read();
      const args = new Array(n);
      for (let i = 0; i < n; i++) args[i] = reader.read();
      const nk = reader.read();
      if (nk > 0) {
        const kw = {};
        for (let i = 0; i < nk; i++) { const k = reader.read(); kw[k] = reader.read(); }
        args.push(kw);
      }
      if (typeof obj !== 'function') throw new TypeError(`${typeName(obj)} is not a function`);
      if (th < 0 && isClass(obj)) return { value: new obj(...args) };
      return { value: Reflect.apply(obj, th >= 0 ? b.handles.values[th] : undefined, args) };
    }
    case CB_OP_LEN: {
      const n = sizeOf(obj);
      return n < 0 ? CB_R_UNSUPPORTED : { value: n };
    }
    case CB_OP_CONTAINS: {
      const x = reader.read();
      if (Array.isArray(obj) || ArrayBuffer.isView(obj) || typeof obj === 'string') return { value: obj.includes(x) };
      if (obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet) return { value: obj.has(x) };
      if (typeof x === 'string') return { value: resolveName(b, obj, x) !== null };   // casing, as attributes
      if (typeof x === 'number' || typeof x === 'symbol') return { value: x in Object(obj) };
      return { value: false };
    }
    case CB_OP_ITER: {
      let it;
      if (obj != null && typeof obj[Symbol.iterator] === 'function') it = obj[Symbol.iterator]();
      else return CB_R_UNSUPPORTED;
      return { value: b.handles.hold(it) };
    }
    case CB_OP_NEXT: {
      const r = obj.next();
      return r.done ? CB_R_MISSING : { value: r.value };
    }
    case CB_OP_STR: return { value: String(obj) };
    case CB_OP_REPR: {
      if (typeof obj === 'function') return { value: `<JavaScriptVariable '${obj.name || '(anonymous)'}'>` };
      const uid = (typeof obj === 'object' && obj !== null) ? idOf(obj) : String(obj);
      return { value: `<JavaScriptVariable ${typeName(obj)}.instance at ${uid} (use str() to see its value)>` };
    }
    case CB_OP_TYPE: return { value: typeName(obj) };
    case CB_OP_DIR: {
      const names = new Set();
      for (let p = Object(obj); p !== null && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
        for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor') names.add(b.casing ? toSnake(b, k) : k);
      }
      return { value: [...names].sort() };
    }
    case CB_OP_BOOL: {
      const n = typeof obj === 'function' ? -1 : sizeOf(obj);
      return { value: n >= 0 ? n > 0 : !!obj };
    }
    case CB_OP_HASH: {
      if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) return { value: String(obj) };
      return { value: idOf(obj) };
    }
    case CB_OP_BINOP: {
      const code = reader.read(), x = reader.read(), y = reader.read();
      return { value: binops[code](x, y) };
    }
    case CB_OP_GLOBAL: {
      const name = reader.read();
      const scope = b.Module.coldbrew.scope;
      if (!CB_JS_PATH.test(name) || CB_JS_KEYWORDS.has(name.split('.')[0])) {
        return { value: scope.evaluate(name) };   // an expression, as Coldbrew.run() runs it
      }
      const parts = name.split('.');
      let parent = scope.global, v;
      for (let i = 0; i < parts.length; i++) {
        const key = i === 0 ? (parts[0] in parent ? parts[0] : null) : resolveName(b, parent, parts[i]);
        if (key === null) return CB_R_MISSING;
        v = parent[key];
        if (i < parts.length - 1) {
          if (v === null || v === undefined) return CB_R_MISSING;
          parent = v;
        }
      }
      return parts.length > 1 && typeof v === 'function' && !b.pyStates.has(v) ? methodResult(v, parent) : { value: v };
    }
    case CB_OP_GETITEM: {
      let key = reader.read();
      if (obj instanceof Map) return obj.has(key) ? { value: obj.get(key) } : CB_R_MISSING;
      if (typeof key === 'number' && (Array.isArray(obj) || ArrayBuffer.isView(obj) || typeof obj === 'string')) {
        if (key < 0) key += obj.length;
        if (key < 0 || key >= obj.length) return CB_R_MISSING;
        return { value: obj[key] };
      }
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'symbol') {
        throw new TypeError('JavaScript property keys are strings, numbers or symbols');
      }
      if (typeof key === 'string') key = resolveName(b, obj, key);   // casing, as attributes
      else if (!(key in Object(obj))) key = null;
      if (key === null) return CB_R_MISSING;
      const v = obj[key];
      return typeof v === 'function' && !b.pyStates.has(v) ? methodResult(v, obj) : { value: v };
    }
    case CB_OP_SETITEM: {
      const key = reader.read(), value = reader.read();
      if (obj instanceof Map) obj.set(key, value);
      else obj[key] = value;
      return { value: true };
    }
    case CB_OP_DELITEM: {
      const key = reader.read();
      if (obj instanceof Map) obj.delete(key);
      else delete obj[key];
      return { value: true };
    }
    case CB_OP_UNARY: {
      const code = reader.read();
      return { value: unops[code](obj) };
    }
    case CB_OP_LIVE: return { value: b.handles.live };
    case CB_OP_RESOLVE: return { value: obj };   // the value, a Promise waited for (see awaits)
    case CB_OP_SET_ERROR: b.Module.coldbrew.jsError = reader.read(); return { value: undefined };   // a rejection reason
    default: throw new Error(`Coldbrew: unknown bridge operation ${op}`);
  }
}

/* Writes an operation's result record into out (cap bytes) or keeps it for
 * takeResult(); returns its length (or the CB_R_* code it was given). */
function writeResult(b, r, out, cap) {
  if (typeof r === 'number') return r;
  const e = b.enc.busy ? new CbEncoder() : b.enc;
  e.pos = 0;
  if (r.method !== undefined) {
    e.word(CB_T.JSMETHOD);
    e.word(b.handles.hold(r.method));
    e.word(b.handles.hold(r.self));
  } else {
    cbPut(b, e, r.value);
  }
  const len = e.pos;
  b.reader.views();
  if (len <= cap) cbHeap(b.Module).u8.set(e.u8.subarray(0, len), out);
  else b.pendingResult = e.u8.slice(0, len);
  return len;
}

/* What Python's JavaScriptError.error_data (and a PythonError's
 * errorData.error_data) says of a thrown JS value: type (its constructor's
 * name), name, message, stack, and data (the error's own errorData property,
 * as the original Coldbrew passed it on). */
export function cbJsErrorData(e) {
  if (e !== null && typeof e === 'object') {
    const type = (e.constructor && e.constructor.name) || 'Object';
    return { type, name: String(e.name ?? type), message: String(e.message ?? String(e)), stack: String(e.stack ?? ''),
      data: e.errorData === undefined ? null : e.errorData };
  }
  return { type: typeof e, name: typeof e, message: String(e), stack: '', data: null };
}

/* The one place a JS throw under a call from C becomes an error for
 * Python: kept as Module.coldbrew.jsError, and C raises JavaScriptError
 * from it (cb_err_raise_from_js). Used by jsOp, jsOpAsync and, through
 * Module.coldbrew.jsFailed, by Coldbrew.run() (cb_module.c). */
export function cbFailed(b, err) {
  if (b.dead) throw b.runtime.unloadedError();   // unload() during the run: unwind it all
  if (b.Module.coldbrew.crashed) throw err;   // the runtime is lost: unwind to the API call
  b.Module.coldbrew.jsError = err;
  return CB_R_ERROR;
}

/* get_variable and calls are where a Promise is resolved in an async run,
 * unless a Coldbrew asyncio loop runs: then coroutines await it. */
function awaits(b, op, r) {
  return typeof r === 'object' && r.value instanceof Promise &&
    (op === CB_OP_RESOLVE || ((op === CB_OP_CALL || op === CB_OP_GLOBAL) && !b.Module._cb_aio_loop_running()));
}

/* Called by cb_jsvar.c: runs one operation synchronously. */
export function cbJsOp(b, op, h, th, args, out, cap) {
  if (b.dead) throw b.runtime.unloadedError();   // Python of an unloaded instance does nothing more in JS
  try {
    b.reader.seek(args);
    const r = jsOpBody(b, op, h, th);
    if (awaits(b, op, r)) {
      r.value.catch(() => {});   // not awaited here: no unhandled rejection
      console.error(`Coldbrew: ${CB_SYNC_PROMISE_MESSAGE}`);
      return CB_R_SYNC_PROMISE;   // Python raises RuntimeError with the same text
    }
    return writeResult(b, r, out, cap);
  } catch (err) {
    return cbFailed(b, err);
  }
}

/* The same, inside an async run (cb_js_op_async, a suspending import): a
 * Promise from a call or get_variable is resolved before Python continues. */
export function cbJsOpAsync(b, run, op, h, th, args, out, cap) {
  if (b.dead) throw b.runtime.unloadedError();
  let r;
  try {
    b.reader.seek(args);
    r = jsOpBody(b, op, h, th);
  } catch (err) {
    return cbFailed(b, err);
  }
  const settled = awaits(b, op, r) ? r.value.then((value) => ({ value })) : null;
  return run.pause(settled, 'await').then(
    () => (settled ? settled.then((v) => writeResult(b, v, out, cap)) : writeResult(b, r, out, cap)),
  ).then((n) => n, (err) => cbFailed(b, err));
}
