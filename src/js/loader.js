/* Coldbrew's loader: where the asset files are (coldbrew.wasm, the stdlib
 * zip, and coldbrew.js for worker mode), fetching them with progress (the wasm
 * started before anything else in load(), so it compiles beside the rest),
 * streaming compilation, and the C recursion budget this engine's stack allows.
 *
 * Where the assets are, in order: load({locateFile(name, base)}) if given;
 * else under load({indexURL}); else where a bundler put them (cbBundledAssets:
 * the ES module build names each file as `new URL('./coldbrew.wasm',
 * import.meta.url)`, which Vite and webpack rewrite to the emitted file);
 * else next to this script (cbScriptBase, from the prelude). */
import { CB_IS_NODE } from './host.js';

/* The page's address now (history.pushState may change it after load). */
const cbPageBase = () => (typeof location === 'object' && location && location.href ? location.href : undefined);

/* A base (directory, path or URL) and a file name -> where the file is; absolute in browsers. */
function under(base, name) {
  if (CB_IS_NODE && !/^(file|https?|data|blob):/.test(base)) return require('path').join(base, name);
  return new URL(name, new URL(base.endsWith('/') ? base : `${base}/`, cbPageBase())).href;
}

/* A location given by the user, made absolute where the caller stands: a URL
 * as it is; in Node a path against the current directory, in browsers against
 * the page (a worker's base would differ). */
export function cbAbsoluteLocation(where) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(where)) return where;
  return CB_IS_NODE ? require('path').resolve(where) : new URL(where, cbPageBase()).href;
}

/* The instance's asset locator, from its load() options: name -> path or URL,
 * absolute in browsers (worker mode hands the answers to a worker, whose base differs). */
export function cbAssetLocator(opts = {}) {
  const base = opts.indexURL !== undefined ? opts.indexURL : cbScriptBase;
  const fallback = (name) => {
    if (opts.indexURL === undefined && typeof cbBundledAssets === 'object' && cbBundledAssets && cbBundledAssets[name]) {
      return cbBundledAssets[name];
    }
    return base === null ? name : under(base, name);
  };
  if (typeof opts.locateFile !== 'function') return fallback;
  return (name) => {
    const where = opts.locateFile(name, base);
    if (where instanceof URL) return where.href;
    if (typeof where !== 'string' || !where) {
      throw new TypeError(`Coldbrew.load(): locateFile('${name}') must return a URL or a non-empty string, not ${where === null ? 'null' : typeof where}`);
    }
    return CB_IS_NODE ? where : new URL(where, cbPageBase()).href;
  };
}

/* A Node Buffer seen as a plain Uint8Array over the same memory
 * (new Uint8Array(buffer) would copy it: 4 ms for coldbrew.wasm). */
const asBytes = (buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

/* Where Node reads a file itself (a path or file: URL) rather than fetching. */
const isNodeFile = (where) => CB_IS_NODE && !/^https?:/.test(where);
const nodeFilePath = (where) => (where.startsWith('file:') ? require('url').fileURLToPath(where) : where);
const cannotRead = (fn, file, e) => new Error(`Coldbrew.${fn}(): cannot read ${file}: ${e.message}`);

/* Node: the bytes of a file path or file: URL, read synchronously. */
function cbReadFileNow(fn, where) {
  const file = nodeFilePath(where);
  try {
    return asBytes(require('fs').readFileSync(file));
  } catch (e) {
    throw cannotRead(fn, file, e);
  }
}

/* Bytes of a URL or (in Node) a file path / file: URL; onBytes(n) is told of
 * each piece as it arrives. */
export async function cbFetchBytes(fn, where, onBytes) {
  if (isNodeFile(where)) {
    const file = nodeFilePath(where);
    let data;
    try {
      data = asBytes(await require('fs').promises.readFile(file));
    } catch (e) {
      throw cannotRead(fn, file, e);
    }
    if (onBytes) onBytes(data.length);
    return data;
  }
  const response = await fetch(where);
  if (!response.ok) throw new Error(`Coldbrew.${fn}(): fetching ${where} failed: HTTP ${response.status}`);
  if (!onBytes || !response.body) {
    const data = new Uint8Array(await response.arrayBuffer());
    if (onBytes) onBytes(data.length);
    return data;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
    onBytes(value.length);
  }
  const data = new Uint8Array(n);
  n = 0;
  for (const c of chunks) { data.set(c, n); n += c.length; }
  return data;
}

/* Starts getting coldbrew.wasm ready before Emscripten's factory asks for it:
 * load() calls this first, so the file is read (in Node, and compiled too)
 * while the factory's own set-up runs on the main thread; instantiate(imports)
 * is then Emscripten's instantiateWasm hook, resolving to {instance, module}.
 * Browsers fetch now and compile as the bytes stream in, once the imports
 * exist (the response is re-wrapped when its MIME type is wrong, so progress
 * is still counted and the server's type does not matter). Node compiles the
 * whole file: streaming compilation is slower there (docs/performance.md,
 * Finding 13). A failure is reported by instantiate(), never as an unhandled
 * rejection of the early start. */
export function cbStartWasm(where, onBytes) {
  if (!isNodeFile(where) && typeof WebAssembly.instantiateStreaming === 'function') {
    const responded = fetch(where).then((response) => {
      if (!response.ok) throw new Error(`Coldbrew.load(): fetching ${where} failed: HTTP ${response.status}`);
      return response;
    });
    responded.catch(() => {});
    return { instantiate: async (imports) => instantiateStreamed(await responded, imports, onBytes) };
  }
  let compiled;
  if (isNodeFile(where)) {
    // Read at once (a few ms), so the compile runs beside the factory's
    // set-up: fs.promises.readFile reads in 512 KiB pieces, each asked for by
    // the main thread, which that set-up keeps busy. Progress is still told
    // after load() has returned.
    try {
      const bytes = cbReadFileNow('load', where);
      const compiling = WebAssembly.compile(bytes);
      compiling.catch(() => {});
      compiled = Promise.resolve().then(() => onBytes(bytes.length)).then(() => compiling);
    } catch (e) {
      compiled = Promise.reject(e);
    }
  } else {
    compiled = cbFetchBytes('load', where, onBytes).then((bytes) => WebAssembly.compile(bytes));
  }
  compiled.catch(() => {});
  return {
    instantiate: async (imports) => {
      const module = await compiled;
      return { module, instance: await WebAssembly.instantiate(module, imports) };
    },
  };
}

function instantiateStreamed(response, imports, onBytes) {
  if (/^application\/wasm\b/.test(response.headers.get('Content-Type') || '')) {
    // The response itself goes to the compiler, so the browser can cache the
    // compiled code; a clone of the body is only counted.
    const counter = response.clone().body.getReader();
    (async () => {
      for (let r = await counter.read(); !r.done; r = await counter.read()) onBytes(r.value.length);
    })().catch(() => {});
    return WebAssembly.instantiateStreaming(response, imports);
  }
  // A server with the wrong MIME type: re-wrapped, still compiled while it streams.
  const counted = new TransformStream({
    transform(chunk, out) {
      onBytes(chunk.length);
      out.enqueue(chunk);
    },
  });
  const body = new Response(response.body.pipeThrough(counted), { headers: { 'Content-Type': 'application/wasm' } });
  return WebAssembly.instantiateStreaming(body, imports);
}

/* How many levels of C recursion (CPython's c_recursion_remaining) fit in this
 * engine's stack. Each level of Python code recursing through C (a __repr__
 * calling repr(), lru_cache, ...) costs two of them, and on V8 before 13 a
 * level takes ~2.9 KB of the ~1 MB stack (Node 20 died at ~343 levels) against
 * ~0.95 KB on V8 13+ (Node 26: ~1026); pure C nesting (repr of nested lists)
 * is cheaper (~5200 levels on both). Measured with bench/c-stack-depth.mjs on
 * the -O3 build; the budgets keep a margin of about 25% for the caller's stack. */
export function cbCRecursionBudget() {
  let v8Major = 0;
  if (CB_IS_NODE && process.versions.v8) v8Major = parseInt(process.versions.v8, 10);
  else if (typeof navigator === 'object' && /Chrom(e|ium)\/(\d+)/.test(navigator.userAgent || '')) {
    const chrome = parseInt(/Chrom(?:e|ium)\/(\d+)/.exec(navigator.userAgent)[1], 10);
    v8Major = chrome >= 130 ? 13 : 0;   // Chrome 130 shipped V8 13.0
  }
  return v8Major >= 13 ? 1500 : 500;
}

