// Two builds of Coldbrew, A and B, compared on one workload in one Node process.
//   node bench/ab.mjs DIST_A DIST_B WORKLOAD [--blocks N]
// WORKLOAD is a function of bench/workloads.py. Both builds are loaded into
// this process and take turns, block by block (a block is the best of 3 runs),
// the first build of each pair alternating; each block gives the ratio B / A.
// Prints the median of those ratios with its quartiles: below 1, B is faster.
// Why one process and not new ones (docs/performance.md, Finding 16): on a
// noisy machine the speed of separate processes drifts by up to a half, while
// two builds taking turns within milliseconds see the same stretch of it.
// Method only: the side-by-side numbers against native CPython and Pyodide
// are bench/run.mjs's.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const [distA, distB, workload] = process.argv.slice(2);
const blocksAt = process.argv.indexOf('--blocks');
const blocks = blocksAt > 0 ? Number(process.argv[blocksAt + 1]) : 30;
const usage = 'usage: node bench/ab.mjs DIST_A DIST_B WORKLOAD [--blocks N]';
if (!distA || !distB || !workload || !/^[a-z_][a-z0-9_]*$/.test(workload)) {
  console.error(usage);
  process.exit(2);
}
if (!(Number.isInteger(blocks) && blocks > 1)) {
  console.error(`bench/ab.mjs: --blocks takes a whole number above 1\n${usage}`);
  process.exit(2);
}
for (const dist of [distA, distB]) {
  if (!fs.existsSync(path.join(dist, 'coldbrew.js'))) {
    console.error(`bench/ab.mjs: no coldbrew.js in ${dist}`);
    process.exit(2);
  }
}
if (fs.realpathSync(distA) === fs.realpathSync(distB)) {
  // require() would hand back the one module twice: copy a build to compare it with itself.
  console.error(`bench/ab.mjs: A and B are the same folder (${fs.realpathSync(distA)})`);
  process.exit(2);
}

const BLOCK = `import sys, time
sys.path.insert(0, '/bench')
import workloads
if not hasattr(workloads, ${JSON.stringify(workload)}):
    raise SystemExit('bench/ab.mjs: bench/workloads.py has no function ${workload}')
def _ab_block(runs=3):
    fn = workloads.${workload}
    call = (lambda: fn('/tmp/ab-files')) if fn.__code__.co_argcount else fn
    best = float('inf')
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best`;

const builds = [];
for (const dist of [distA, distB]) {
  // Each build is its own module instance: require() caches by path, and the paths differ.
  const Coldbrew = require(path.resolve(dist, 'coldbrew.js'));
  await Coldbrew.load({ hideWarnings: true });
  Coldbrew.addFile('/bench/workloads.py', fs.readFileSync(path.join(here, 'workloads.py')));
  try {
    Coldbrew.run(BLOCK);
    Coldbrew.getVariable('_ab_block(5)');   // warm-up: let the engine's optimizing tier compile
  } catch (e) {
    console.error(`bench/ab.mjs, build ${dist}: ${e.message}`);
    process.exit(1);
  }
  builds.push(Coldbrew);
}

const ratios = [], timesA = [], timesB = [];
for (let i = 0; i < blocks; i++) {
  const t = [];
  for (const k of i % 2 ? [1, 0] : [0, 1]) t[k] = builds[k].getVariable('_ab_block()');
  timesA.push(t[0]);
  timesB.push(t[1]);
  ratios.push(t[1] / t[0]);
}
const sorted = (v) => [...v].sort((x, y) => x - y);
const at = (v, q) => sorted(v)[Math.floor(q * (v.length - 1))];
const s = (x) => x.toFixed(4);
console.log(`${workload}, ${blocks} blocks (best of 3 runs each), builds taking turns in one process`);
console.log(`A ${distA}: fastest ${s(Math.min(...timesA))} s, median ${s(at(timesA, 0.5))} s`);
console.log(`B ${distB}: fastest ${s(Math.min(...timesB))} s, median ${s(at(timesB, 0.5))} s`);
console.log(`B / A, median of the blocks' ratios: ${at(ratios, 0.5).toFixed(3)} (quartiles ${at(ratios, 0.25).toFixed(3)}-${at(ratios, 0.75).toFixed(3)}; below 1: B faster)`);
