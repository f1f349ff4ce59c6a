// Worker mode's overhead and interrupt latency (Node; `node bench/worker.mjs`).
//   round trip of run('pass'), getVariable of an int, a call of a Python
//   function (runFunction), and load() -> first result: each on the calling
//   thread and in worker mode, in this same run (medians of many calls);
//   then the time from interrupt() to the run's Promise settling for each
//   runaway case, in worker mode (and on the calling thread in an async run
//   where that case can be interrupted there).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const Coldbrew = require(path.join(root, 'dist', 'coldbrew.js'));

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
async function timeEach(n, body) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await body();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function loaded(worker) {
  const cb = Coldbrew.createNewInstance();
  const t = performance.now();
  await cb.load({ hideWarnings: true, worker });
  await cb.run('x = 1');
  const first = performance.now() - t;
  cb.onStandardOut = () => {};
  await cb.run('def add(a, b):\n    return a + b');
  return [cb, first];
}

const [main, mainFirst] = await loaded(false);
const [worker, workerFirst] = await loaded(true);
const rows = [['load() -> first result (ms)', mainFirst, workerFirst]];
for (const [name, n, body] of [
  ['run("pass") round trip (us)', 2000, (cb) => cb.run('pass')],
  ['getVariable of an int (us)', 2000, (cb) => cb.getVariable('x')],
  ['runFunction("add", 1, 2) (us)', 2000, (cb) => cb.runFunction('add', 1, 2)],
]) {
  rows.push([name, await timeEach(n, () => body(main)) * 1000, await timeEach(n, () => body(worker)) * 1000]);
}
console.log(`Node ${process.version}; worker mode against the calling thread (medians)\n`);
console.log(`${'measure'.padEnd(34)}${'calling thread'.padStart(16)}${'worker'.padStart(12)}${'ratio'.padStart(9)}`);
for (const [name, a, b] of rows) {
  console.log(`${name.padEnd(34)}${a.toFixed(2).padStart(16)}${b.toFixed(2).padStart(12)}${(b / a).toFixed(1).padStart(8)}x`);
}

console.log('\ninterrupt() -> the run settles (ms; 5 tries each, the worst shown)');
worker.standardInBuffer = '';
worker.onStandardInReadAsync = () => new Promise(() => {});
main.onStandardInReadAsync = () => new Promise(() => {});
const cases = [
  ['while True: pass', 'while True:\n    pass', true],
  ['time.sleep(100)', 'import time\ntime.sleep(100)', true],
  ['input() waiting', 'input()', true],
  ['deep recursion, then a loop', 'def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError:\n    pass\nwhile True:\n    pass', true],
  ["re.match('(a+)+$', 'a'*40+'b') (in C)", 'import re\nre.match("(a+)+$", "a" * 40 + "b")', false],
];
async function latency(cb, run, source) {
  let worst = 0;
  for (let i = 0; i < 5; i++) {
    const p = run(cb, source).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const t = performance.now();
    await cb.interrupt();
    await p;
    worst = Math.max(worst, performance.now() - t);
  }
  return worst;
}
const jspi = typeof WebAssembly.Suspending === 'function';
console.log(`${'case'.padEnd(40)}${'worker'.padStart(10)}${'runAsync'.padStart(12)}`);
for (const [name, source, onMain] of cases) {
  const w = await latency(worker, (cb, s) => cb.run(s), source);
  const m = onMain && jspi ? (await latency(main, (cb, s) => cb.runAsync(s), source)).toFixed(1) : 'n/a';
  console.log(`${name.padEnd(40)}${w.toFixed(1).padStart(10)}${String(m).padStart(12)}`);
}
const t = performance.now();
await worker.run('while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass', { timeout: 100, grace: 500 }).catch((e) => e.code);
console.log(`\na run that ignores KeyboardInterrupt, {timeout: 100, grace: 500}: rejected after ${(performance.now() - t).toFixed(0)} ms (goal: timeout + grace + 100)`);

// Responsiveness: timer ticks (every 10 ms) while a ~0.5 s loop runs, with
// runAsync on the calling thread and with run in a worker. Without JSPI
// (Node 20), runAsync runs synchronously and no timer fires.
async function ticksDuring(body) {
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  const t = performance.now();
  await body();
  clearInterval(timer);
  return `${ticks} ticks in ${(performance.now() - t).toFixed(0)} ms`;
}
const loop = 'total = 0\nfor i in range(3_000_000):\n    total += i';
await worker.load({ hideWarnings: true, worker: true });   // the time-limit case above ended the last one
console.log(`\ntimers during a 0.5 s loop (JSPI ${jspi ? 'present' : 'absent'}): runAsync ${await ticksDuring(() => main.runAsync(loop))}; ` +
  `worker mode ${await ticksDuring(() => worker.run(loop))}`);
main.unload();
worker.unload();
