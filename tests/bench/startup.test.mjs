// bench/startup.mjs, run briefly: every step of load() it marks must be
// reached in every process, in the order load() takes them where that order is
// fixed, and a loader that no longer has one of the marked lines must stop the
// script by name instead of printing a table with a step missing. The times
// are measurements (docs/performance.md, Finding 15): none is judged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STEPS = ['options checked', 'the wasm read, its compile started', 'the stdlib read started; the factory called',
  'the factory set up', 'Web Crypto set up', 'the wasm compiled', 'the wasm instantiated', 'runtime and stdlib in hand',
  'folders and the stdlib file made', 'Python started (cb_rt_init)', 'load() done (set_host, persistence)',
  'the first run() printed its result'];

test('bench/startup.mjs reports when each step of load() is reached', (t) => {
  const run = spawnSync(process.execPath, ['bench/startup.mjs', '--runs', '3'], { cwd: root, encoding: 'utf8', timeout: 120000 });
  for (const line of run.stdout.trimEnd().split('\n')) t.diagnostic(line);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const at = new Map([...run.stdout.matchAll(/^(\S.*?)\s+([0-9.]+)\s+([0-9.]+)-([0-9.]+)(.*)$/mg)].map((m) => [m[1], { median: Number(m[2]), rest: m[5] }]));
  for (const step of STEPS) {
    assert.ok(at.has(step), `no row for "${step}"`);
    assert.equal(at.get(step).rest, '', `"${step}" was not reached in every process`);
  }
  assert.equal(at.size, STEPS.length, [...at.keys()].join(' | '));
  // The steps whose order load() fixes (the compile and the factory overlap; the rest follow one another).
  const sequence = ['options checked', 'the wasm read, its compile started', 'the stdlib read started; the factory called',
    'the factory set up', 'Web Crypto set up', 'runtime and stdlib in hand', 'folders and the stdlib file made',
    'Python started (cb_rt_init)', 'load() done (set_host, persistence)', 'the first run() printed its result'];
  for (let i = 1; i < sequence.length; i++) {
    assert.ok(at.get(sequence[i]).median >= at.get(sequence[i - 1]).median, `${sequence[i - 1]} -> ${sequence[i]}`);
  }
  assert.ok(at.get('the wasm instantiated').median >= at.get('the wasm compiled').median);
});

test('bench/startup.mjs stops by name when a marked line is gone from the loader, and leaves no copy behind', () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-startup-test-'));
  try {
    fs.cpSync(path.join(root, 'dist', 'coldbrew.js'), path.join(dist, 'coldbrew.js'));
    const text = fs.readFileSync(path.join(dist, 'coldbrew.js'), 'utf8');
    fs.writeFileSync(path.join(dist, 'coldbrew.js'), text.split('cbMakeStdio(inst);').join('cbMakeStdio(inst) ;'));
    const before = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('coldbrew-startup-') && !n.startsWith('coldbrew-startup-test-')).length;
    const run = spawnSync(process.execPath, ['bench/startup.mjs', '--dist', dist, '--runs', '1'], { cwd: root, encoding: 'utf8', timeout: 60000 });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /has no `cbMakeStdio\(inst\);` to mark "folders and the stdlib file made" at/);
    assert.equal(run.stdout, '');
    const after = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('coldbrew-startup-') && !n.startsWith('coldbrew-startup-test-')).length;
    assert.equal(after, before);
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
  const bad = spawnSync(process.execPath, ['bench/startup.mjs', '--runs', '0'], { cwd: root, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--runs takes a positive whole number/);
});
