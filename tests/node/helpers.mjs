// Shared helpers for the Node suites: a loaded Coldbrew instance whose output
// is captured instead of printed.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const Coldbrew = require('../../dist/coldbrew.js');

export async function loadedInstance(options = { hideWarnings: true }) {
  const cb = Coldbrew.createNewInstance();
  await cb.load(options);
  capture(cb);
  return trackLeaks(cb);
}

// Replaces the instance's stdout/stderr callbacks; returns the arrays of lines.
export function capture(cb) {
  const out = [], err = [];
  cb.onStandardOut = (line) => out.push(line);
  cb.onStandardErr = (line) => err.push(line);
  cb.out = out;
  cb.err = err;
  return { out, err };
}

// Runs Python and returns what it printed (lines joined with \n).
export function py(cb, source) {
  cb.out.length = 0;
  cb.run(source);
  return cb.out.join('\n');
}

/* ---- the leak check on every test of every file that imports this one ----
 * For each instance made by loadedInstance() that is loaded before and after
 * a test: once both garbage collectors have run, the live handles on both
 * sides (Python objects JS holds, JS values Python holds) are what they were.
 * Instances a test makes and drops itself are garbage with everything they hold.
 * Between tests sys.last_exc is cleared (it keeps the last exception alive).
 * The bridge suite runs its own, stricter check per test (tests/node/bridge.test.mjs). */
import { beforeEach, afterEach } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const tracked = new Set();
let counted = new Map();

function loadedCounts() {
  const counts = new Map();
  for (const cb of tracked) {
    try {
      counts.set(cb, cb.liveVariableCounts());
    } catch (e) { /* unloaded or crashed: nothing to compare */ }
  }
  return counts;
}

async function collect() {
  for (const cb of tracked) {
    try {
      // The last exception is kept as sys.last_exc (as the REPL does); a
      // JavaScriptError there holds the JS value thrown: not a leak.
      cb.run('import sys as _s, gc as _g\n_s.last_exc = _s.last_value = _s.last_type = _s.last_traceback = None\n' +
        '_g.collect()\ndel _s, _g');
    } catch (e) { /* unloaded, busy or crashed */ }
  }
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

export function trackLeaks(cb) {
  tracked.add(cb);
  return cb;
}

beforeEach(async () => {
  await collect();
  counted = loadedCounts();
});

afterEach(async () => {
  // Finalizers run some time after a collection: later rounds wait longer.
  for (let round = 0; round < 20; round++) {
    await collect();
    if (round >= 5) await new Promise((resolve) => setTimeout(resolve, 20));
    const after = loadedCounts();
    const leaks = [];
    for (const [cb, before] of counted) {
      const now = after.get(cb);
      if (now && (now.python !== before.python || now.javascript !== before.javascript)) {
        leaks.push(`${JSON.stringify(before)} -> ${JSON.stringify(now)}`);
      }
    }
    if (!leaks.length) return;
    if (round === 19) throw new Error(`live handles changed across the test (python = Python objects held by JS, javascript = JS values held by Python): ${leaks.join('; ')}`);
  }
});
