/* Coldbrew's one rule for text crossing between JavaScript and the runtime.
 *
 * An ES module of the API (bundled by build/assemble_js.py); load() also hands
 * cbDecodeText/cbTextLength/cbWriteText to Emscripten's glue as Module.cbText,
 * whose UTF-8 functions call them (src/js/emscripten-strings.js): so file names,
 * paths, the environment, run() source, readFile()/addFile() text and error
 * messages all follow one rule.
 *
 * The rule is Python's own for file names and the environment in UTF-8 mode
 * (surrogateescape):
 *   - bytes -> JS string: UTF-8; each byte that is not part of a valid UTF-8
 *     sequence becomes the lone surrogate U+DC80 + (byte - 0x80). Nothing is
 *     lost or swallowed: NUL and invalid bytes survive.
 *   - JS string -> bytes: UTF-8; a lone surrogate U+DC80..U+DCFF becomes the
 *     byte it stands for. Any other lone surrogate (U+D800..U+DBFF alone,
 *     U+DC00..U+DC7F) has no bytes: at the API a TypeError names the argument
 *     and the position (cbCheckText); inside Emscripten's glue, where nothing
 *     may throw, it is written as its 3-byte WTF-8 form.
 * So a name Python made from bytes b"bad\xff" reads in JS as 'bad\uDCFF' and
 * is found again by that name, as it would be in Python.
 */

const CB_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const CB_UTF8_ENCODER = new TextEncoder();

/* Bytes [start, end) of a Uint8Array (or plain array) as a JS string, by the rule. */
export function cbDecodeText(bytes, start = 0, end = bytes.length) {
  if (end - start > 16 && bytes.buffer) {
    try {
      return CB_UTF8.decode(bytes.subarray(start, end));
    } catch (e) { /* invalid UTF-8: the escaping decoder below */ }
  }
  let out = '';
  const units = [];
  const flush = () => {
    out += String.fromCharCode.apply(null, units);
    units.length = 0;
  };
  for (let i = start; i < end;) {
    const c = bytes[i];
    if (c < 0x80) {
      units.push(c);
      i++;
    } else {
      let need = 0, cp = 0, min = 0;
      if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
      else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
      else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
      let ok = need > 0;
      for (let k = 1; ok && k <= need; k++) {
        const d = i + k < end ? bytes[i + k] : -1;
        if (d < 0 || (d & 0xC0) !== 0x80) ok = false;
        else cp = (cp << 6) | (d & 0x3F);
      }
      if (ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        if (cp < 0x10000) units.push(cp);
        else units.push(0xD800 | ((cp - 0x10000) >> 10), 0xDC00 | ((cp - 0x10000) & 0x3FF));
        i += need + 1;
      } else {
        units.push(0xDC00 + c);   // surrogateescape
        i++;
      }
    }
    if (units.length >= 4096) flush();
  }
  flush();
  return out;
}

/* Index of the first lone surrogate that has no bytes (see the rule), or -1. */
export function cbUnencodable(s) {
  if (typeof s.isWellFormed === 'function' ? s.isWellFormed() : !/[\uD800-\uDFFF]/.test(s)) return -1;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      const v = s.charCodeAt(i + 1);
      if (v >= 0xDC00 && v <= 0xDFFF) { i++; continue; }
      return i;
    }
    if (u >= 0xDC00 && u <= 0xDC7F) return i;
  }
  return -1;
}

/* A TypeError about an argument: thrown by checks that may run inside a call
 * into Python (before the wasm is entered), so the API lets it through
 * instead of taking it for a crash of the runtime. */
export function cbArgumentError(message) {
  const err = new TypeError(message);
  Object.defineProperty(err, 'cbArgument', { value: true });
  return err;
}

/* Throws the API's TypeError for a string the rule cannot turn into bytes. */
export function cbCheckText(fn, name, s) {
  const i = cbUnencodable(s);
  if (i >= 0) {
    const hex = s.charCodeAt(i).toString(16).toUpperCase();
    throw cbArgumentError(`${fn ? `Coldbrew.${fn}():` : "Coldbrew:"} ${name} holds a lone surrogate (\\u${hex} at index ${i}), which has no UTF-8 ` +
      'form; only U+DC80..U+DCFF may stand alone (for the bytes 0x80..0xFF, as Python\'s surrogateescape)');
  }
  return s;
}

/* Bytes of a JS string by the rule (lone surrogates outside the escapes as WTF-8). */
export function cbEncodeText(s) {
  if (typeof s.isWellFormed === 'function' ? s.isWellFormed() : !/[\uD800-\uDFFF]/.test(s)) {
    return CB_UTF8_ENCODER.encode(s);
  }
  const out = new Uint8Array(cbTextLength(s));
  cbWriteText(s, out, 0, out.length);
  return out;
}

/* Number of bytes cbEncodeText(s) makes. */
export function cbTextLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) n += 1;
    else if (u < 0x800) n += 2;
    else if (u >= 0xD800 && u <= 0xDBFF && (s.charCodeAt(i + 1) & 0xFC00) === 0xDC00) { n += 4; i++; }
    else if (u >= 0xDC80 && u <= 0xDCFF) n += 1;
    else n += 3;
  }
  return n;
}

/* Writes s into out[at..at+max) (whole characters only); returns the bytes written. */
export function cbWriteText(s, out, at, max) {
  const start = at, end = at + max;
  for (let i = 0; i < s.length; i++) {
    let u = s.charCodeAt(i);
    if (u >= 0xD800 && u <= 0xDBFF && (s.charCodeAt(i + 1) & 0xFC00) === 0xDC00) {
      u = 0x10000 + ((u & 0x3FF) << 10) + (s.charCodeAt(i + 1) & 0x3FF);
      if (at + 4 > end) break;
      out[at++] = 0xF0 | (u >> 18);
      out[at++] = 0x80 | ((u >> 12) & 63);
      out[at++] = 0x80 | ((u >> 6) & 63);
      out[at++] = 0x80 | (u & 63);
      i++;
    } else if (u < 0x80 || (u >= 0xDC80 && u <= 0xDCFF)) {
      if (at + 1 > end) break;
      out[at++] = u < 0x80 ? u : u - 0xDC00;
    } else if (u < 0x800) {
      if (at + 2 > end) break;
      out[at++] = 0xC0 | (u >> 6);
      out[at++] = 0x80 | (u & 63);
    } else {
      if (at + 3 > end) break;
      out[at++] = 0xE0 | (u >> 12);
      out[at++] = 0x80 | ((u >> 6) & 63);
      out[at++] = 0x80 | (u & 63);
    }
  }
  return at - start;
}
