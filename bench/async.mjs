// Async mode against sync mode, workload by workload (bench/workloads.py),
// with the worst delay of a 5 ms JS interval timer while each runs.
// Each workload is timed in JS around one call: runFunctionAsync(name) and
// runFunction(name), best of 5 after a warm-up. Target (issue 4): async
// <= 1.2x sync on every workload, worst timer delay <= 50 ms.
// Also prints the cost of the machinery on the synchronous path: none in the
// wasm (JSPI needs no code transformation; the periodic hook is switched on
// only during async runs), so the sync figures are those of bench/run.mjs.
//
//   node bench/async.mjs          (JSPI: Node >= 24; Node 20 runs async calls synchronously)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const Coldbrew = require(path.join(root, 'dist', 'coldbrew.js'));
await Coldbrew.load({ hideWarnings: true });
Coldbrew.addFile('/tmp/workloads.py', fs.readFileSync(path.join(root, 'bench', 'workloads.py'), 'utf8'));
Coldbrew.run(`
import sys
sys.path.insert(0, "/tmp")
import workloads
def timed(name):
    fn = {"file_io": lambda: workloads.file_io("/tmp/cb-bench")}.get(name) or getattr(workloads, name)
    return fn()
`);

async function measure(body) {
  let worst = 0, last = performance.now();
  const timer = setInterval(() => { const n = performance.now(); worst = Math.max(worst, n - last); last = n; }, 5);
  const t = performance.now();
  await body();
  const seconds = (performance.now() - t) / 1000;
  worst = Math.max(worst, performance.now() - last);
  clearInterval(timer);
  return { seconds, worst };
}

const jspi = typeof WebAssembly.Suspending === 'function';
console.log(`Node ${process.version}, JSPI ${jspi ? 'yes' : 'no (async calls run synchronously)'}; best of 5 after a warm-up\n`);
console.log('workload          sync s    async s   async/sync   worst timer delay (sync / async)');
const ratios = [];
for (const name of ['fib_recursive', 'fib_bigint', 'file_io', 'mix', 'asyncio_tasks']) {
  Coldbrew.runFunction('timed', name);
  await Coldbrew.runFunctionAsync('timed', name);
  let sync = { seconds: Infinity }, asyncBest = { seconds: Infinity }, syncWorst = 0, asyncWorst = 0;
  for (let i = 0; i < 5; i++) {
    const s = await measure(async () => Coldbrew.runFunction('timed', name));
    const a = await measure(() => Coldbrew.runFunctionAsync('timed', name));
    if (s.seconds < sync.seconds) sync = s;
    if (a.seconds < asyncBest.seconds) asyncBest = a;
    syncWorst = Math.max(syncWorst, s.worst);
    asyncWorst = Math.max(asyncWorst, a.worst);
  }
  const r = asyncBest.seconds / sync.seconds;
  ratios.push(r);
  console.log(`${name.padEnd(15)} ${sync.seconds.toFixed(4).padStart(8)} ${asyncBest.seconds.toFixed(4).padStart(10)} ${r.toFixed(2).padStart(10)}x` +
    `       ${syncWorst.toFixed(0).padStart(5)} ms / ${asyncWorst.toFixed(1)} ms`);
}
console.log(`\nworst async/sync ratio ${Math.max(...ratios).toFixed(2)}x (target <= 1.2x)`);

// Yielding by elapsed time (the default, null) against yielding by a count of
// interpreter checks (the reference's model; its default was 100 bytecodes).
console.log('\nyield rate       workload        async/sync   worst timer delay');
for (const name of ['fib_recursive', 'mix']) {
  let sync = Infinity;
  for (let i = 0; i < 3; i++) sync = Math.min(sync, (await measure(async () => Coldbrew.runFunction('timed', name))).seconds);
  for (const rate of [null, 100, 1000, 10000, Infinity]) {
    Coldbrew.setAsyncYieldRate(rate);
    let best = { seconds: Infinity }, worst = 0;
    for (let i = 0; i < 3; i++) {
      const a = await measure(() => Coldbrew.runFunctionAsync('timed', name));
      if (a.seconds < best.seconds) best = a;
      worst = Math.max(worst, a.worst);
    }
    const label = rate === null ? 'null (10 ms)' : String(rate);
    console.log(`${label.padEnd(16)} ${name.padEnd(15)} ${(best.seconds / sync).toFixed(2).padStart(8)}x   ${worst.toFixed(1).padStart(8)} ms`);
  }
}
Coldbrew.setAsyncYieldRate(null);
