// Coldbrew benchmark: the workloads in bench/workloads.py natively (CPython 3.13
// in the build's Debian 13 root, and the host's python3.11; files on a tmpfs,
// /dev/shm), through Coldbrew.run, and through Pyodide (npm's pyodide, a
// devDependency) in this Node, in one invocation. Prints each ratio to native
// 3.13 and Coldbrew's time against Pyodide's, their geometric means, load() ->
// first result for both (new processes), the sizes of what ships, and then (bench/browser.mjs)
// both in headless Chromium: navigation -> first result and first-load bytes.
//   node bench/run.mjs [--dist DIR] [--no-browser] [--rounds N] [--interleave N]
// The machine's own speed drifts: a native loop here runs up to 1.6x slower for
// seconds at a time (docs/performance.md). So the four runtimes are measured in
// N interleaved rounds (default 3: native 3.13, 3.11, Coldbrew, Pyodide, then
// again), each workload keeps its fastest round, and the spread across rounds
// is printed beside it.
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

const interleaveArg = process.argv.indexOf('--interleave');
const interleave = interleaveArg > 0 ? Number(process.argv[interleaveArg + 1]) : 3;

/* A native CPython: one round of the workloads in a new process (it warms up itself). */
function nativeRound(label, cmd, args) {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', input: workloads, stdio: ['pipe', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop());
  } catch (e) {
    console.log(`(${label} not available: ${e.message.split('\n')[0]})`);
    return null;
  }
}
const nativeArgs = ['-', '/dev/shm/coldbrew-bench'];
const runtimes = {
  py313: () => nativeRound('CPython 3.13 in the build root', 'bash', [path.join(root, 'build', 'build.sh'), 'exec', 'python3.13', ...nativeArgs]),
  py311: () => nativeRound('host python3.11', 'python3.11', nativeArgs),
};

/* load() -> first result, each in a new Node process (the median of several: the
   machine's drift moves a single start by up to a half). */
const startupScripts = {
  coldbrew: `const C = require(${JSON.stringify(path.join(dist, 'coldbrew.js'))}); const t0 = performance.now();
    C.load({ hideWarnings: true }).then(() => { let line; C.onStandardOut = (l) => { line ??= l; }; C.run('print(1 + 1)');
    if (line !== '2') throw new Error('no first result'); console.log((performance.now() - t0) / 1000); });`,
  pyodide: `const { loadPyodide } = require('pyodide'); const t0 = performance.now();
    loadPyodide().then((p) => { if (p.runPython('1 + 1') !== 2) throw new Error('no first result'); console.log((performance.now() - t0) / 1000); });`,
};
function startupTimes(kind, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    try {
      times.push(Number(execFileSync(process.execPath, ['-e', startupScripts[kind]], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()));
    } catch (e) {   // Pyodide not installed: said once, below; the child's stderr is kept out of the table
      return null;
    }
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)], min: times[0], max: times[n - 1] };
}
const coldbrewStartup = startupTimes('coldbrew', 7);
const pyodideStartup = startupTimes('pyodide', 3);

const Coldbrew = require(path.join(dist, 'coldbrew.js'));
await Coldbrew.load({ hideWarnings: true });
let out = '';
Coldbrew.onStandardOut = (line) => { out += line; };
Coldbrew.addFile('/tmp/workloads.py', workloads);
Coldbrew.run('import sys, json\nsys.path.insert(0, "/tmp")\nimport workloads');
let coldbrewRounds = 0;
runtimes.coldbrew = () => {
  out = '';
  Coldbrew.run(`print(json.dumps(workloads.run_all("/tmp/coldbrew-bench", warmup=${coldbrewRounds++ ? 'False' : 'True'})))`);
  return JSON.parse(out);
};

/* Pyodide, the peer: the same workloads in the same Node process. */
async function pyodideRun() {
  let loadPyodide, version;
  try {
    ({ loadPyodide, version } = require('pyodide'));
  } catch (e) {
    console.log(`(Pyodide not available: ${e.message.split('\n')[0]}; npm install)`);
    return [null, null];
  }
  const pyodide = await loadPyodide();
  pyodide.FS.writeFile('/tmp/workloads.py', workloads);
  // runPythonAsync: Pyodide's asyncio.run needs an async entry point (JSPI).
  let rounds = 0;
  const round = async () => {
    try {
      return JSON.parse(await pyodide.runPythonAsync('import sys, json\nsys.path.insert(0, "/tmp")\nimport workloads\n' +
        `json.dumps(workloads.run_all("/tmp/pyodide-bench", warmup=${rounds++ ? 'False' : 'True'}))`));
    } catch (e) {   // Node 20: Pyodide's asyncio.run needs JSPI
      if (rounds === 1) console.log(`(Pyodide's workloads not measured here: ${String(e.message).trim().split('\n').pop()})`);
      return null;
    }
  };
  return [round, version];
}
const [pyodideRound, pyodideVersion] = await pyodideRun();
if (pyodideRound) runtimes.pyodide = pyodideRound;

/* Interleaved rounds: per runtime and workload, the fastest round and the spread. */
const rounds = {};
for (let r = 0; r < interleave; r++) {
  for (const [name, round] of Object.entries(runtimes)) {
    const result = await round();
    if (result) (rounds[name] ??= []).push(result);
  }
}
function fastest(name) {
  const all = rounds[name];
  if (!all) return null;
  const best = {};
  for (const w of Object.keys(all[0])) {
    const times = all.map((res) => res[w].seconds);
    best[w] = { seconds: Math.min(...times), spread: Math.max(...times) / Math.min(...times), value: all[0][w].value };
  }
  return best;
}
const py313 = fastest('py313'), py311 = fastest('py311'), cb = fastest('coldbrew'), pyo = fastest('pyodide');

console.log(`Node ${process.version}; Coldbrew vs native CPython${pyo ? ` and Pyodide ${pyodideVersion}` : ''} ` +
  `(timed inside Python: best of 5, fastest of ${interleave} interleaved rounds; in brackets, slowest round / fastest)\n`);
console.log('workload              native3.13         native3.11           coldbrew            pyodide   ratio(vs 3.13)  ratio(vs 3.11)  coldbrew/pyodide');
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
  const s = (m) => (m ? `[${m[name].spread.toFixed(2)}]` : '').padStart(8);
  const x = (v, w) => (Number.isNaN(v) ? '-'.padStart(w + 1) : `${v.toFixed(2).padStart(w)}x`);   // '-': not measured
  console.log(`${name.padEnd(14)} ${f(n13)}${s(py313)} ${f(n11)}${s(py311)} ${f(c)}${s(cb)} ${f(p)}${s(pyo)}   ${x(r, 8)}       ${x(r11, 8)}  ` +
    `${x(rp, 10)}`);
}
const geo = (a) => Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length);
console.log(`\ngeometric mean: ${geo(ratios).toFixed(2)}x native 3.13, ${geo(ratios311).toFixed(2)}x native 3.11 (target <= 1.5x native 3.13)` +
  (vsPyodide.length ? `; Coldbrew's time / Pyodide's: ${geo(vsPyodide).toFixed(2)}x (below 1: Coldbrew faster)` : ''));
const startupLine = (t) => `${t.median.toFixed(3)} s (${t.min.toFixed(3)}-${t.max.toFixed(3)})`;
console.log(`load() -> first result, median of new processes (range): ${startupLine(coldbrewStartup)} (target <= 0.150 s)` +
  (pyodideStartup ? `; Pyodide ${startupLine(pyodideStartup)}` : ''));
for (const f of ['coldbrew.wasm', 'coldbrew-stdlib.zip', 'coldbrew.js']) {   // the stdlib's core; bundles come on import
  const data = fs.readFileSync(path.join(dist, f));
  const br = zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
  console.log(`size ${f.padEnd(20)} ${(data.length / 1e6).toFixed(2)} MB raw, ${(br.length / 1e6).toFixed(2)} MB brotli`);
}

if (!process.argv.includes('--no-browser') && dist === path.join(root, 'dist')) {
  let browserBench = null;
  try {
    browserBench = await import('./browser.mjs');
  } catch (e) {   // its driver (playwright-core) is a devDependency
    console.log(`\n(Chromium not measured: ${e.message.split('\n')[0]}; run npm install)`);
  }
  if (browserBench) await measureInChromium(browserBench);
}

async function measureInChromium({ measureBrowser, browserReport }) {
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
  console.log('');
  try {
    console.log(browserReport(await measureBrowser(rounds), rounds).join('\n'));
  } catch (e) {
    console.log(`(Chromium not measured: ${e.message.split('\n')[0]})`);
  }
}
