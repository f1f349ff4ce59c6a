// bench/opcode_profile.py, run briefly: it must find the eval loop in V8's
// machine code, find its bytecode switch, and give the samples of a call-heavy
// workload to the instructions that workload runs. The shares themselves are
// measurements (docs/performance.md, Finding 14), so only their presence and
// order of magnitude are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('opcode_profile.py splits the eval loop of fib_recursive by bytecode instruction', (t) => {
  const run = spawnSync('python3', ['bench/opcode_profile.py', '--rounds', '15'], { cwd: root, encoding: 'utf8', timeout: 5 * 60 * 1000 });
  for (const line of run.stdout.trimEnd().split('\n')) t.diagnostic(line);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const loop = /the eval loop \(JS:wasm-function\[\d+\]-\d+-turbofan\): ([0-9.]+) % of all samples/.exec(run.stdout);
  assert.ok(loop, 'the eval loop was found');
  const rows = new Map([...run.stdout.matchAll(/^\s+([0-9.]+) %\s+(\S.*)$/mg)].map((m) => [m[2], Number(m[1])]));
  // fib's own instructions, each a visible share of the loop (its loads of 1 and 2 are the quickened
  // LOAD_CONST of cpython/patches/0007); nothing else of note.
  for (const op of ['(dispatch: the switch)', 'CALL_PY_EXACT_ARGS', 'RETURN_VALUE', 'LOAD_SMALL_INT (quickened LOAD_CONST)', 'COMPARE_OP_INT',
    'BINARY_OP_SUBTRACT_INT', 'BINARY_OP_ADD_INT', 'LOAD_FAST']) {
    assert.ok(rows.get(op) > 1, `${op}: ${rows.get(op)} %`);
  }
  // fib has no instruction that dominates: a row near 100 % means two listings were mixed.
  for (const [name, share] of rows) if (!/turbofan|liftoff|v8::|memset|memory_fill/.test(name)) assert.ok(share < 40, `${name}: ${share} %`);
  assert.ok(!rows.has('(before the first instruction\'s code)') || rows.get('(before the first instruction\'s code)') < 10,
    'samples fell before the switch\'s code: the table was misread');
});
