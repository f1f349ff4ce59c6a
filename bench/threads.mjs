// Threads: what the threaded runtime costs single-threaded code, and what
// threads buy. In one run, in this Node:
//   1. the workloads of bench/workloads.py, the bridge's call costs and load()
//      -> first result on the default runtime and on the threaded one
//      (load({threadWorkers: 4})), with their ratio: the "one dist or two"
//      question of docs/threads.md;
//   2. a CPU-bound job whose C code releases the GIL (hashlib.sha256 and
//      zlib.compress over 4 MB buffers), 8 pieces on 1 thread against the same
//      8 pieces over 4 threads, in Coldbrew and in native CPython 3.13;
//   3. the sizes of both runtimes' wasm (raw and brotli).
//
//   node bench/threads.mjs
// The same job in headless Chromium: node bench/threads.mjs --browser
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const Coldbrew = require(path.join(root, 'dist', 'coldbrew.js'));
const workloads = fs.readFileSync(path.join(root, 'bench', 'workloads.py'), 'utf8');

/* The parallel job: returns {one, four} seconds (best of 3) and checks both give the same digests. */
const PARALLEL_JOB = `
import hashlib, threading, time, zlib
blocks = [bytes([i]) * (4 << 20) for i in range(8)]
def work(block):
    return hashlib.sha256(zlib.compress(block, 6)).hexdigest() + hashlib.sha256(block).hexdigest()
def one():
    return [work(b) for b in blocks]
def four():
    out = [None] * 8
    def part(k):
        for i in range(k, 8, 4):
            out[i] = work(blocks[i])
    ts = [threading.Thread(target=part, args=(k,)) for k in range(4)]
    for t in ts: t.start()
    for t in ts: t.join()
    return out
assert one() == four()
def best(f):
    b = None
    for _ in range(3):
        t = time.perf_counter(); f(); d = time.perf_counter() - t
        b = d if b is None else min(b, d)
    return b
result = {"one": best(one), "four": best(four)}
`;

async function loaded(options) {
  const cb = Coldbrew.createNewInstance();
  const t0 = performance.now();
  await cb.load({ hideWarnings: true, ...options });
  let first = null;
  cb.onStandardOut = (line) => { first ??= line; };
  cb.run('print(1 + 1)');
  const toFirst = (performance.now() - t0) / 1000;
  cb.onStandardOut = () => {};
  return { cb, toFirst };
}

function workloadTimes(cb) {
  let out = '';
  cb.onStandardOut = (line) => { out += line; };
  cb.addFile('/tmp/workloads.py', workloads);
  cb.run('import sys, json\nsys.path.insert(0, "/tmp")\nimport workloads\nprint(json.dumps(workloads.run_all("/tmp/bench")))');
  cb.onStandardOut = () => {};
  return Object.fromEntries(Object.entries(JSON.parse(out)).map(([k, v]) => [k, v.seconds]));
}

function bridgeTimes(cb, N = 100000) {
  cb.run('def add(a, b):\n    return a + b\nimport time\ndef loop(f, n):\n    t = time.perf_counter()\n    for i in range(n):\n        f(i, 1)\n    return time.perf_counter() - t');
  const add = cb.getVariable('add');
  let best = Infinity, sink = 0;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) sink += add(i, 1);
    best = Math.min(best, performance.now() - t);
  }
  globalThis.cbBenchAdd = (a, b) => a + b;
  const loop = cb.getVariable('loop');
  cb.run("js_add = Coldbrew.get_variable('cbBenchAdd')");
  const pyToJs = Math.min(...[0, 1, 2, 3, 4].map(() => loop(cb.getVariable('js_add'), N))) * 1e6 / N;
  return { 'bridge JS->Py (us)': best * 1000 / N, 'bridge Py->JS (us)': pyToJs, sink };
}

const geo = (a) => Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length);

if (process.argv.includes('--browser')) {
  // The same job in a page (bin/coldbrew-serve: cross-origin isolated), each Python thread on a Web Worker.
  const { startServer, launch } = await import('../tests/browser/helpers.mjs');
  const { server, base } = await startServer();
  const browser = await launch();
  const page = await browser.newPage();
  await page.goto(`${base}/tests/browser/page.html`);
  const r = await page.evaluate(async (job) => {
    const out = {};
    await Coldbrew.load({ hideWarnings: true, threadWorkers: 4 });
    Coldbrew.run(job);
    out.page = JSON.parse(Coldbrew.getVariable('__import__("json").dumps(result)'));
    Coldbrew.unload();
    // Worker mode: Python's main thread on a worker too, where waiting blocks
    // instead of spinning (a page's thread may not block: it spins in join()).
    await Coldbrew.load({ hideWarnings: true, worker: true, threadWorkers: 4 });
    await Coldbrew.run(job);
    out.worker = JSON.parse(await Coldbrew.getVariable('__import__("json").dumps(result)'));
    await Coldbrew.unload();
    return out;
  }, PARALLEL_JOB);
  await browser.close();
  server.close();
  console.log('Chromium (headless): sha256 + zlib over 8 x 4 MB (C code releases the GIL), best of 3:');
  for (const [where, t] of Object.entries(r)) {
    console.log(`${where === 'page' ? "on the page's thread" : 'worker mode         '}  1 thread ${t.one.toFixed(3)} s, ` +
      `4 threads ${t.four.toFixed(3)} s: ${(t.one / t.four).toFixed(2)}x speed-up`);
  }
  console.log(`(this machine has ${require('os').cpus().length} cores)`);
} else {
  // Alternate the two runtimes so that neither always runs on a warmer machine.
  const plain = await loaded({});
  const threaded = await loaded({ threadWorkers: 4 });
  const rows = [];
  const w0 = workloadTimes(plain.cb), w1 = workloadTimes(threaded.cb);
  const b0 = bridgeTimes(plain.cb), b1 = bridgeTimes(threaded.cb);
  for (const k of Object.keys(w0)) rows.push([`${k} (s)`, w0[k], w1[k]]);
  for (const k of ['bridge JS->Py (us)', 'bridge Py->JS (us)']) rows.push([k, b0[k], b1[k]]);
  const wl = Object.keys(w0).map((k) => w1[k] / w0[k]);
  console.log(`Node ${process.version}: the default runtime against the threaded one (load({threadWorkers: 4})), best of 5\n`);
  console.log('measure                        default    threaded   threaded/default');
  for (const [k, a, b] of rows) console.log(`${k.padEnd(28)} ${a.toFixed(4).padStart(9)}  ${b.toFixed(4).padStart(9)}   ${(b / a).toFixed(3).padStart(8)}x`);
  console.log(`${'load() -> first result (s)'.padEnd(28)} ${plain.toFirst.toFixed(4).padStart(9)}  ${threaded.toFirst.toFixed(4).padStart(9)}   ${(threaded.toFirst / plain.toFirst).toFixed(3).padStart(8)}x`);
  console.log(`workloads' geometric mean, threaded/default: ${geo(wl).toFixed(3)}x`);
  plain.cb.unload();

  threaded.cb.run(PARALLEL_JOB);
  const mine = JSON.parse(threaded.cb.getVariable('__import__("json").dumps(result)'));
  threaded.cb.unload();
  let native = null;
  try {
    const out = execFileSync('bash', [path.join(root, 'build', 'build.sh'), 'exec', 'python3.13', '-c',
      `${PARALLEL_JOB}\nimport json\nprint(json.dumps(result))`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    native = JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    console.log(`(native CPython 3.13 not available: ${e.message.split('\n')[0]})`);
  }
  console.log('\nsha256 + zlib over 8 x 4 MB (C code releases the GIL), best of 3:');
  console.log('                    1 thread   4 threads   speed-up');
  const line = (label, r) => console.log(`${label.padEnd(18)} ${r.one.toFixed(3).padStart(8)} s ${r.four.toFixed(3).padStart(8)} s   ${(r.one / r.four).toFixed(2)}x`);
  line('Coldbrew (Node)', mine);
  if (native) line('native 3.13', native);
  console.log(`(this machine has ${require('os').cpus().length} cores)`);
  console.log('');
  for (const f of ['coldbrew.wasm', 'coldbrew-threads.wasm', 'coldbrew.js', 'coldbrew-threads.js']) {
    const data = fs.readFileSync(path.join(root, 'dist', f));
    const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
    console.log(`size ${f.padEnd(22)} ${(data.length / 1e6).toFixed(2)} MB raw, ${(br.length / 1e6).toFixed(2)} MB brotli`);
  }
}
