/* Values as binary records: the JS half of src/core/cb_value.c (the format
 * is described there). CbEncoder writes records for JS values into a
 * growable buffer that a call then copies into wasm memory; CbReader reads
 * records C wrote into wasm memory. A JS value that is not plain data (not
 * JSON-like, too deep, too big, cyclic) crosses as a handle into the bridge's
 * handle table; a Python object arrives as a pointer the bridge wraps in a
 * Proxy (py-proxy.js). Nothing goes through JSON text or generated source.
 */
import { CB_MAX_COPY_ITEMS, CB_MAX_DEPTH, CB_T } from 'coldbrew-protocol';

export const CB_STOP = Symbol('coldbrew.stop');   // the end of a Python iteration
const CB_INDEX_KEY = /^(0|[1-9][0-9]{0,8})$/;

/* Writes value records into a growable buffer, then copies them into wasm memory. */
export class CbEncoder {
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
    // Through hex text, linear in the size (see CbReader).
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

/* Writes v as plain data; false when v (or something inside it) must cross
 * as a bridge variable. b is the bridge's state: b.pyStates tells a Python
 * variable's Proxy, b.putPython writes one. */
function putPlain(b, e, v, path) {
  switch (typeof v) {
    case 'undefined': e.word(CB_T.UNDEF); return true;
    case 'boolean': e.word(v ? CB_T.TRUE : CB_T.FALSE); return true;
    case 'number': e.number(v); return true;
    case 'string': e.string(v); return true;
    case 'bigint': e.bigint(v); return true;
    case 'function': {
      const st = b.pyStates.get(v);
      if (!st) return false;
      b.putPython(e, st);
      return true;
    }
    case 'object': {
      if (v === null) { e.word(CB_T.NONE); return true; }
      const st = b.pyStates.get(v);
      if (st) { b.putPython(e, st); return true; }
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
          if (!(i in v) || !putPlain(b, e, v[i], path)) return false;
        }
      } else {
        e.items += keys.length;
        if (e.items > CB_MAX_COPY_ITEMS) return false;
        e.word(CB_T.DICT);
        e.word(keys.length);
        for (const k of keys) {
          e.string(k);
          if (!putPlain(b, e, v[k], path)) return false;
        }
      }
      path.pop();
      return true;
    }
    default: return false;   // symbol
  }
}

/* A top-level value: copied when plain, otherwise a handle. */
export function cbPut(b, e, v) {
  const start = e.pos;
  if (typeof v === 'number') { e.number(v); return; }
  if (typeof v === 'string') { e.string(v); return; }
  e.items = 0;
  if (putPlain(b, e, v, [])) return;
  e.pos = start;
  e.word(CB_T.JSOBJ);
  e.word(b.handles.hold(v));
}

/* A property key: an index as a number, anything else as a string. */
export function cbPutKey(e, key) {
  if (CB_INDEX_KEY.test(key)) e.number(Number(key));
  else e.string(key);
}

function chars(view, start, end) {
  let s = '';
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(null, view.subarray(i, Math.min(end, i + 8192)));
  }
  return s;
}

/* Reads records from wasm memory. handles: the bridge's handle table's
 * values; wrapPython(ptr, flags): the Proxy for a Python object. */
export class CbReader {
  constructor(Module, handles, wrapPython) {
    this.Module = Module;
    this.handles = handles;
    this.wrapPython = wrapPython;
    this.rp = 0;
    this.membuf = null;
    this.m8 = this.m16 = this.m32 = this.mf64 = null;
  }
  /* Views of wasm memory, renewed when memory has grown. */
  views() {
    const buf = this.Module.cbMemory.buffer;   // its current buffer (heap.js)
    if (buf !== this.membuf) {
      this.membuf = buf;
      this.m8 = new Uint8Array(buf);
      this.m16 = new Uint16Array(buf);
      this.m32 = new Int32Array(buf);
      this.mf64 = new Float64Array(buf);
    }
  }
  /* Positions the reader at ptr (the next read() reads the record there). */
  seek(ptr) {
    this.views();
    this.rp = ptr;
  }
  at(ptr) {
    this.seek(ptr);
    return this.read();
  }
  read() {
    const m32 = this.m32;
    let rp = this.rp;
    const tag = m32[rp >> 2];
    rp += 4;
    switch (tag) {
      case CB_T.UNDEF: this.rp = rp; return undefined;
      case CB_T.NONE: this.rp = rp; return null;
      case CB_T.FALSE: this.rp = rp; return false;
      case CB_T.TRUE: this.rp = rp; return true;
      case CB_T.INT: this.rp = rp + 4; return m32[rp >> 2];
      case CB_T.FLOAT: {
        if (rp & 7) rp += 4;
        this.rp = rp + 8;
        return this.mf64[rp >> 3];
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
        this.rp = rp + ((n + 3) & ~3);
        return negative ? -v : v;
      }
      case CB_T.STR16: case CB_T.STR8: {
        const n = m32[rp >> 2];
        rp += 4;
        const s = tag === CB_T.STR8 ? chars(this.m8, rp, rp + n) : chars(this.m16, rp >> 1, (rp + n) >> 1);
        this.rp = rp + ((n + 3) & ~3);
        return s;
      }
      case CB_T.BYTES: {
        const n = m32[rp >> 2];
        rp += 4;
        const bytes = this.m8.slice(rp, rp + n);
        this.rp = rp + ((n + 3) & ~3);
        return bytes;
      }
      case CB_T.LIST: {
        const n = m32[rp >> 2];
        this.rp = rp + 4;
        const a = new Array(n);
        for (let i = 0; i < n; i++) a[i] = this.read();
        return a;
      }
      case CB_T.DICT: {
        const n = m32[rp >> 2];
        this.rp = rp + 4;
        const o = {};
        for (let i = 0; i < n; i++) {
          const k = this.read();
          const v = this.read();
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        return o;
      }
      case CB_T.PYOBJ: {
        const ptr = m32[rp >> 2] >>> 0, flags = m32[(rp >> 2) + 1];
        this.rp = rp + 8;
        return this.wrapPython(ptr, flags);
      }
      case CB_T.JSOBJ: this.rp = rp + 4; return this.handles[m32[rp >> 2]];
      case CB_T.JSMETHOD: {
        const fn = this.handles[m32[rp >> 2]], self = this.handles[m32[(rp >> 2) + 1]];
        this.rp = rp + 8;
        return fn.bind(self);
      }
      case CB_T.STOP: this.rp = rp; return CB_STOP;
      default: throw new Error(`Coldbrew: bad value record (tag ${tag})`);
    }
  }
}
