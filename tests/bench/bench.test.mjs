// The benchmark itself, run once in its shortest form: bench/run.mjs is how
// issue 18's targets are checked (docs/performance.md), so a change that
// breaks it (a workload whose results differ between runtimes, a peer that
// silently drops out, a table that loses a row, a process that never exits)
// must fail here rather than at the next measurement. Nothing here checks a
// time: timed assertions are noise on a shared machine; the bench prints
// ratios, and its readers judge them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKLOADS = ['fib_recursive', 'fib_bigint', 'file_io', 'mix', 'strings', 'classes', 'asyncio_tasks'];

test('one round of bench/run.mjs measures every runtime, every workload and Chromium, and exits', (t) => {
  const run = spawnSync(process.execPath, ['bench/run.mjs', '--interleave', '1', '--rounds', '1'],
    { cwd: root, encoding: 'utf8', timeout: 10 * 60 * 1000 });
  const out = run.stdout;
  // The table goes into the test's report, so every suite run leaves one
  // (single-round) reading of the numbers in its log.
  for (const line of out.trimEnd().split('\n')) t.diagnostic(line);
  assert.equal(run.status, 0, `bench/run.mjs failed (signal ${run.signal}):\n${out}\n${run.stderr}`);
  // Every peer was measured: none dropped out with a note in brackets.
  for (const missing of ['CPython 3.13 in the build root not available', 'Pyodide not available',
    "Pyodide's workloads not measured", 'Chromium not measured']) {
    assert.ok(!out.includes(missing), `the bench said "${missing}":\n${out}`);
  }
  assert.doesNotMatch(out, /^!! /m, 'a workload gave a different result in Coldbrew than in native CPython');
  // A row per workload: native 3.13, 3.11 (may be absent on the host), Coldbrew and Pyodide
  // times with their spreads, then the three ratios.
  const time = String.raw`\d+\.\d{4}\s*\[\d+\.\d\d\]`, time311 = String.raw`(?:\d+\.\d{4}\s*\[\d+\.\d\d\]|-)`;
  const ratio = String.raw`\d+\.\d\dx`, ratio311 = String.raw`(?:\d+\.\d\dx|-)`;
  const rows = out.split('\n').filter((line) => /^[a-z_]+\s+\d/.test(line)).map((line) => line.split(/\s+/)[0]);
  assert.deepEqual(rows.sort(), [...WORKLOADS].sort(), `the workload rows:\n${out}`);
  for (const name of WORKLOADS) {
    const row = new RegExp(`^${name}\\s+${time}\\s+${time311}\\s+${time}\\s+${time}\\s+${ratio}\\s+${ratio311}\\s+${ratio}\\s*$`, 'm');
    assert.match(out, row, `the row of ${name}`);
  }
  assert.match(out, /^geometric mean: \d+\.\d\dx native 3\.13, .*Coldbrew's time \/ Pyodide's: \d+\.\d\dx/m);
  assert.match(out, /^load\(\) -> first result, median of new processes \(range\): \d\.\d{3} s .*; Pyodide \d+\.\d{3} s/m);
  for (const file of ['coldbrew.wasm', 'coldbrew-stdlib.zip', 'coldbrew.js']) {
    assert.match(out, new RegExp(`^size ${file.replace('.', '\\.')}\\s+\\d+\\.\\d\\d MB raw, \\d+\\.\\d\\d MB brotli$`, 'm'));
  }
  assert.match(out, /^cold: first result\s+\d+ ms\s+\d+ ms\s+\d+\.\d\dx/m);
  assert.match(out, /^warm: first result\s+\d+ ms\s+\d+ ms\s+\d+\.\d\dx/m);
  assert.match(out, /^first-load transfer\s+\d+\.\d\d MiB\s+\d+\.\d\d MiB\s+\d+\.\d\dx/m);
});

test('a Chromium that cannot start fails the browser bench with its path, and the process still exits', () => {
  // The regression of 93136e1: a failed launch left both page servers listening,
  // and bench/run.mjs ran on for an hour after printing.
  const script = "import('./bench/browser.mjs').then((m) => m.measureBrowser(1))" +
    ".then(() => console.log('launched'), (e) => console.log('refused: ' + e.message.split('\\n').slice(0, 3).join(' ')))";
  const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 60 * 1000,
    env: { ...process.env, COLDBREW_CHROMIUM: '/nonexistent/chromium' } });
  assert.equal(run.signal, null, `the process did not exit by itself within 60 s:\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^refused: .*\/nonexistent\/chromium/m);
});
