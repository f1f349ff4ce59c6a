// Coldbrew's start in Node, taken apart: when each step of load() is reached,
// from load() being called to the first run()'s result, in new processes.
//   node bench/startup.mjs [--dist DIR] [--runs N]
// Method (docs/performance.md, Findings 13 and 15): a temporary copy of dist/
// whose coldbrew.js records performance.now() at fixed places in load(); each
// place is found by a line of the loader's own code (ANCHORS below), and a
// missing one stops the script by name rather than measuring something else.
// Steps overlap (the wasm compiles while the factory sets up), so each is
// printed as time since load() was called: the median and quartiles of N
// processes. The machine's drift moves single starts by up to a half
// (Finding 6), so compare medians of many runs, builds taking turns.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dist = path.resolve(arg('--dist', path.join(root, 'dist')));
const runs = Number(arg('--runs', '15'));
if (!(Number.isInteger(runs) && runs > 0)) {
  console.error('bench/startup.mjs: --runs takes a positive whole number');
  process.exit(2);
}

const MARK = (label) => `globalThis.__cbStartupMarks && globalThis.__cbStartupMarks.push([${JSON.stringify(label)}, performance.now()]);`;
// [the loader's code, where the mark goes, the step reached there]. The
// `after` marks of the compile wrap its promise. Placed once each, except the
// compile (Node's read and the fetch fallback both compile).
const ANCHORS = [
  ['const locate = cbAssetLocator(opts);', 'before', 'options checked'],
  ['const stdlibPromise = cbFetchBytes(', 'before', 'the wasm read, its compile started'],
  ['const modPromise = factory({', 'before', 'the stdlib read started; the factory called'],
  ['warmEntropy();', 'before', 'the factory set up'],
  ['warmEntropy();', 'after', 'Web Crypto set up'],
  ['WebAssembly.compile(bytes)', 'wrap', 'the wasm compiled'],
  ['rawExports = r.instance.exports;', 'before', 'the wasm instantiated'],
  ['inst.Module = Module;', 'before', 'runtime and stdlib in hand'],
  ['cbMakeStdio(inst);', 'before', 'folders and the stdlib file made'],
  ['Module._cb_rt_set_c_recursion_limit(cbCRecursionBudget());', 'before', 'Python started (cb_rt_init)'],
  ['cbSayInitialized(inst);', 'before', 'load() done (set_host, persistence)'],
];

function markedCopy() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-startup-'));
  fs.cpSync(dist, dir, { recursive: true });
  const file = path.join(dir, 'coldbrew.js');
  let text = fs.readFileSync(file, 'utf8');
  for (const [code, where, label] of ANCHORS) {
    const at = text.indexOf(code);
    if (at < 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`bench/startup.mjs: ${file.replace(dir, dist)} has no \`${code}\` to mark "${label}" at; the loader changed, so ANCHORS must follow it`);
    }
    if (where === 'wrap') {
      text = text.split(code).join(`${code}.then((m) => { ${MARK(label)} return m; })`);
    } else if (where === 'before') {
      text = text.slice(0, at) + MARK(label) + text.slice(at);
    } else {
      text = text.slice(0, at + code.length) + MARK(label) + text.slice(at + code.length);
    }
  }
  fs.writeFileSync(file, text);
  return dir;
}

const runner = (dir) => `
globalThis.__cbStartupMarks = [];
const C = require(${JSON.stringify(path.join(dir, 'coldbrew.js'))});
const t0 = performance.now();
C.load({ hideWarnings: true }).then(() => {
  let line;
  C.onStandardOut = (l) => { line ??= l; };
  C.run('print(1 + 1)');
  if (line !== '2') throw new Error('no first result');
  globalThis.__cbStartupMarks.push(['the first run() printed its result', performance.now()]);
  console.log(JSON.stringify(globalThis.__cbStartupMarks.map(([l, t]) => [l, t - t0])));
});`;

let dir;
try {
  dir = markedCopy();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const seen = new Map();   // label -> times since load(), one per process
try {
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', runner(dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [label, ms] of JSON.parse(out.trim().split('\n').pop())) {
      if (!seen.has(label)) seen.set(label, []);
      seen.get(label).push(ms);
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`Node ${process.version}, ${path.relative(process.cwd(), dist) || '.'}: load() -> first result in ${runs} new processes; ms since load() was called`);
console.log(`${'step reached'.padEnd(72)}${'median'.padStart(8)}   quartiles`);
const rows = [...seen].map(([label, times]) => [label, times.slice().sort((a, b) => a - b)]);
rows.sort((a, b) => quantile(a[1], 0.5) - quantile(b[1], 0.5));
for (const [label, t] of rows) {
  const missing = t.length < runs ? `  (reached in ${t.length} of ${runs})` : '';
  console.log(`${label.padEnd(72)}${quantile(t, 0.5).toFixed(1).padStart(8)}   ${quantile(t, 0.25).toFixed(1)}-${quantile(t, 0.75).toFixed(1)}${missing}`);
}
