// bench/ab.mjs, run briefly: two builds in one process must each run the
// workload, in every block, and the report must give both builds' times and
// the ratio of B to A; bad arguments and a workload bench/workloads.py does
// not have must stop it with a message and a failing status. The times are
// measurements (docs/performance.md, Finding 16): none is judged, except that
// a build compared with itself cannot be far from 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ab = (...args) => spawnSync(process.execPath, ['bench/ab.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 180000 });

test('bench/ab.mjs times two builds taking turns and prints B / A', (t) => {
  // The same build against a copy of itself: two instances in one process.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-ab-'));
  t.after(() => fs.rmSync(copy, { recursive: true, force: true }));
  fs.cpSync(path.join(root, 'dist'), copy, { recursive: true });
  const run = ab('dist', copy, 'classes', '--blocks', '4');
  for (const line of run.stdout.trimEnd().split('\n')) t.diagnostic(line);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^classes, 4 blocks/);
  const times = [...run.stdout.matchAll(/^([AB]) .*: fastest ([0-9.]+) s, median ([0-9.]+) s$/mg)];
  assert.deepEqual(times.map((m) => m[1]), ['A', 'B']);
  for (const m of times) assert.ok(Number(m[2]) > 0 && Number(m[3]) >= Number(m[2]), m[0]);
  const ratio = run.stdout.match(/^B \/ A, median of the blocks' ratios: ([0-9.]+) \(quartiles ([0-9.]+)-([0-9.]+);/m);
  assert.ok(ratio, run.stdout);
  const [median, low, high] = ratio.slice(1).map(Number);
  assert.ok(low <= median && median <= high, ratio[0]);
  assert.ok(median > 0.5 && median < 2, `one build against itself gave ${median}`);
});

test('bench/ab.mjs refuses bad arguments and an unknown workload, by name', () => {
  const missing = ab('dist');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /usage: node bench\/ab\.mjs DIST_A DIST_B WORKLOAD/);
  const noBuild = ab('dist', '/nonexistent', 'classes');
  assert.equal(noBuild.status, 2);
  assert.match(noBuild.stderr, /no coldbrew\.js in \/nonexistent/);
  const blocks = ab('dist', 'dist', 'classes', '--blocks', 'x');
  assert.equal(blocks.status, 2);
  assert.match(blocks.stderr, /--blocks takes a whole number above 1/);
  const same = ab('dist', path.join(root, 'dist'), 'classes');
  assert.equal(same.status, 2);
  assert.match(same.stderr, /A and B are the same folder/);
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-ab-'));
  fs.cpSync(path.join(root, 'dist'), copy, { recursive: true });
  const unknown = ab('dist', copy, 'no_such_workload', '--blocks', '2');
  fs.rmSync(copy, { recursive: true, force: true });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /bench\/workloads\.py has no function no_such_workload/);
});
