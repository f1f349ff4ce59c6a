// Coldbrew bridge benchmark: the cost of crossing between JS and Python.
//   JS -> Python: f(i, 1) where f is a Python `def add(a, b)` seen from JS
//   Python -> JS: f(i, 1) where f is a JS function seen from Python
//   a 1 000-element list of ints, Python -> JS (getVariable) and JS -> Python (an argument)
// Each is timed over N calls (best of 5 rounds), printed in microseconds per
// call. For scale, the same Python loop calling a Python `add` is timed in
// native CPython 3.13 (the build root) and in Coldbrew, in this same run.
// Reference point (issue 3): Pyodide 0.27 on this machine kind, 0.94 us JS->Py
// and 1.20 us Py->JS per call. Target: <= 0.5 us each.
//
//   node bench/bridge.mjs [N]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] || 100000);
const Coldbrew = require(path.join(root, 'dist', 'coldbrew.js'));
await Coldbrew.load({ hideWarnings: true });

function best(rounds, body) {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    body();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

Coldbrew.run('def add(a, b):\n    return a + b\nbig = list(range(1000))');
const add = Coldbrew.getVariable('add');
let sink = 0;
const jsToPy = best(5, () => { for (let i = 0; i < N; i++) sink += add(i, 1); }) * 1000 / N;

globalThis.cbBenchAdd = (a, b) => a + b;
Coldbrew.run(`
import time
js_add = Coldbrew.get_variable('cbBenchAdd')
def loop(f, n):
    t = time.perf_counter()
    for i in range(n):
        f(i, 1)
    return time.perf_counter() - t
`);
const loop = Coldbrew.getVariable('loop');
const pyToJs = Math.min(...[0, 1, 2, 3, 4].map(() => loop(Coldbrew.getVariable('js_add'), N))) * 1e6 / N;
const pyToPy = Math.min(...[0, 1, 2, 3, 4].map(() => loop(add, N))) * 1e6 / N;

const M = Math.max(1000, N / 20);
const listOut = best(5, () => { for (let i = 0; i < M; i++) sink += Coldbrew.getVariable('big').length; }) * 1000 / M;
const arr = Array.from({ length: 1000 }, (_, i) => i);
Coldbrew.run('def size(x):\n    return len(x)');
const size = Coldbrew.getVariable('size');
const listIn = best(5, () => { for (let i = 0; i < M; i++) sink += size(arr); }) * 1000 / M;

let nativePyToPy = null;
try {
  const src = 'import time\ndef add(a, b):\n    return a + b\ndef loop(f, n):\n    t = time.perf_counter()\n    for i in range(n):\n        f(i, 1)\n    return time.perf_counter() - t\n' +
    `print(min(loop(add, ${N}) for _ in range(5)) * 1e6 / ${N})`;
  const out = execFileSync('bash', [path.join(root, 'build', 'build.sh'), 'exec', 'python3.13', '-c', src], { encoding: 'utf8' });
  nativePyToPy = Number(out.trim().split('\n').pop());
} catch (e) {
  console.log(`(native CPython 3.13 not available: ${e.message.split('\n')[0]})`);
}

const f = (x) => x.toFixed(3).padStart(8);
console.log(`Node ${process.version}; ${N} calls, best of 5 rounds; microseconds per operation\n`);
console.log(`JS -> Python call  add(i, 1)            ${f(jsToPy)} us   (target <= 0.5; Pyodide 0.94)`);
console.log(`Python -> JS call  add(i, 1)            ${f(pyToJs)} us   (target <= 0.5; Pyodide 1.20)`);
console.log(`Python -> Python call in Coldbrew       ${f(pyToPy)} us`);
if (nativePyToPy) {
  console.log(`Python -> Python call, native 3.13      ${f(nativePyToPy)} us`);
  console.log(`ratios to a native Python call: JS->Py ${(jsToPy / nativePyToPy).toFixed(1)}x, Py->JS ${(pyToJs / nativePyToPy).toFixed(1)}x`);
}
console.log(`1000-int list, Python -> JS             ${f(listOut)} us`);
console.log(`1000-int list, JS -> Python (argument)  ${f(listIn)} us`);
if (sink === 42) console.log('');
