// Coldbrew benchmark: the workloads in bench/workloads.py natively (CPython 3.13
// in the build's Debian 13 root, and the host's python3.11; files on a tmpfs,
// /dev/shm), through Coldbrew.run, and through Pyodide (npm's pyodide, a
// devDependency) in this Node, in one invocation. Prints each ratio to native
// 3.13 and Coldbrew's time against Pyodide's, their geometric means, load() ->
// first result for both, the sizes of what ships, and then (bench/browser.mjs)
// both in headless Chromium: navigation -> first result and first-load bytes.
//   node bench/run.mjs [--dist DIR] [--no-browser] [--rounds N]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const workloads = fs.readFileSync(path.join(root, 'bench', 'workloads.py'), 'utf8');
// --dist DIR: measure another build of the runtime (an experiment's dist/ copy).
const distArg = process.argv.indexOf('--dist');
const dist = distArg > 0 ? path.resolve(process.argv[distArg + 1]) : path.join(root, 'dist');

function native(label, cmd, args) {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', input: workloads, stdio: ['pipe', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    console.log(`(${label} not available: ${e.message.split('\n')[0]})`);
    return null;
  }
}

const nativeArgs = ['-', '/dev/shm/coldbrew-bench'];
const py313 = native('CPython 3.13 in the build root', 'bash', [path.join(root, 'build', 'build.sh'), 'exec', 'python3.13', ...nativeArgs]);
const py311 = native('host python3.11', 'python3.11', nativeArgs);

const Coldbrew = require(path.join(dist, 'coldbrew.js'));
const t0 = performance.now();
await Coldbrew.load({ hideWarnings: true });
let firstLine = null;
Coldbrew.onStandardOut = (line) => { firstLine ??= line; };
Coldbrew.run('print(1 + 1)');
const loadToFirst = (performance.now() - t0) / 1000;
let out = '';
Coldbrew.onStandardOut = (line) => { out += line; };
Coldbrew.addFile('/tmp/workloads.py', workloads);
Coldbrew.run('import sys, json\nsys.path.insert(0, "/tmp")\nimport workloads\nprint(json.dumps(workloads.run_all("/tmp/coldbrew-bench")))');
const cb = JSON.parse(out);

/* Pyodide, the peer: the same workloads in the same Node process. */
async function pyodideRun() {
  let loadPyodide, version;
  try {
    ({ loadPyodide, version } = require('pyodide'));
  } catch (e) {
    console.log(`(Pyodide not available: ${e.message.split('\n')[0]}; npm install)`);
    return [null, null, null];
  }
  const p0 = performance.now();
  const pyodide = await loadPyodide();
  pyodide.runPython('1 + 1');
  const toFirst = (performance.now() - p0) / 1000;
  pyodide.FS.writeFile('/tmp/workloads.py', workloads);
  // runPythonAsync: Pyodide's asyncio.run needs an async entry point (JSPI).
  try {
    const result = await pyodide.runPythonAsync('import sys, json\nsys.path.insert(0, "/tmp")\nimport workloads\njson.dumps(workloads.run_all("/tmp/pyodide-bench"))');
    return [JSON.parse(result), toFirst, version];
  } catch (e) {   // Node 20: Pyodide's asyncio.run needs JSPI
    console.log(`(Pyodide's workloads not measured here: ${String(e.message).trim().split('\n').pop()})`);
    return [null, toFirst, version];
  }
}
const [pyo, pyodideToFirst, pyodideVersion] = await pyodideRun();

console.log(`Node ${process.version}; Coldbrew vs native CPython${pyo ? ` and Pyodide ${pyodideVersion}` : ''} (best of 5, timed inside Python)\n`);
console.log('workload        native3.13  native3.11   coldbrew    pyodide   ratio(vs 3.13)  ratio(vs 3.11)  coldbrew/pyodide');
const ratios = [], ratios311 = [], vsPyodide = [];
for (const name of Object.keys(cb)) {
  const n13 = py313 && py313[name].seconds, n11 = py311 && py311[name].seconds, c = cb[name].seconds;
  const p = pyo && pyo[name] && pyo[name].seconds;
  if (py313 && py313[name].value !== cb[name].value) console.log(`!! ${name}: results differ`);
  const r = n13 ? c / n13 : NaN, r11 = n11 ? c / n11 : NaN, rp = p ? c / p : NaN;
  if (n13) ratios.push(r);
  if (n11) ratios311.push(r11);
  if (p) vsPyodide.push(rp);
  const f = (x) => (x ? x.toFixed(4) : '-').padStart(10);
  console.log(`${name.padEnd(14)} ${f(n13)}  ${f(n11)} ${f(c)} ${f(p)}   ${r.toFixed(2).padStart(8)}x       ${r11.toFixed(2).padStart(8)}x  ` +
    `${rp.toFixed(2).padStart(10)}x`);
}
const geo = (a) => Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length);
console.log(`\ngeometric mean: ${geo(ratios).toFixed(2)}x native 3.13, ${geo(ratios311).toFixed(2)}x native 3.11 (target <= 1.5x native 3.13)` +
  (vsPyodide.length ? `; Coldbrew's time / Pyodide's: ${geo(vsPyodide).toFixed(2)}x (below 1: Coldbrew faster)` : ''));
console.log(`load() -> first result: ${loadToFirst.toFixed(3)} s (target <= 0.150 s)` +
  (pyodideToFirst ? `; Pyodide ${pyodideToFirst.toFixed(3)} s` : ''));
for (const f of ['coldbrew.wasm', 'coldbrew-stdlib.zip', 'coldbrew.js']) {   // the stdlib's core; bundles come on import
  const data = fs.readFileSync(path.join(dist, f));
  const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  console.log(`size ${f.padEnd(20)} ${(data.length / 1e6).toFixed(2)} MB raw, ${(br.length / 1e6).toFixed(2)} MB brotli`);
}

if (!process.argv.includes('--no-browser') && dist === path.join(root, 'dist')) {
  const { measureBrowser, browserReport } = await import('./browser.mjs');
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
  console.log('');
  try {
    console.log(browserReport(await measureBrowser(rounds), rounds).join('\n'));
  } catch (e) {
    console.log(`(Chromium not measured: ${e.message.split('\n')[0]})`);
  }
}
