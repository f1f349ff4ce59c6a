// bin/coldbrew: scripts, -c, -m, exit status, stdin, and the interactive prompt.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'coldbrew');
const run = (args, input) => spawnSync(process.execPath, [bin, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60000 });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-cli-'));

describe('coldbrew command', () => {
  test('runs a script from the host disk with arguments', () => {
    const script = path.join(tmp, 'hello.py');
    fs.writeFileSync(script, 'import sys\nprint("hello", sys.argv[1:], __file__)\n');
    const r = run([script, 'a', 'b c']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "hello ['a', 'b c'] /files/hello.py\n");
  });

  test('-c code, with arguments', () => {
    const r = run(['-c', 'import sys; print(sum(map(int, sys.argv[1:])))', '2', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '5\n');
  });

  test('-m module', () => {
    const r = run(['-m', 'json.tool'], '{"b": 1, "a": [1, 2]}');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { b: 1, a: [1, 2] });
  });

  test('Ctrl-C (SIGINT) raises KeyboardInterrupt in the running program; uncaught, it exits 130', async () => {
    const script = path.join(tmp, 'ctrlc.py');
    fs.writeFileSync(script, 'import time\nprint("start", flush=True)\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    print("caught", flush=True)\nwhile True:\n    pass\n');
    const child = spawn(process.execPath, [bin, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out === 'start\n') child.kill('SIGINT');                                   // during time.sleep
      if (out === 'start\ncaught\n') setTimeout(() => child.kill('SIGINT'), 100);   // during the loop
    });
    child.stderr.on('data', (d) => { err += d; });
    const status = await new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    assert.equal(out, 'start\ncaught\n');
    assert.match(err, /line 7, in <module>[\s\S]*KeyboardInterrupt/);
    assert.equal(status, 130);
  });

  test('sys.exit(3) exits with 3', () => {
    const r = run(['-c', 'import sys; print("before"); sys.exit(3)']);
    assert.equal(r.status, 3);
    assert.equal(r.stdout, 'before\n');
  });

  test('an uncaught exception prints a traceback and exits with 1', () => {
    const r = run(['-c', 'def f():\n    raise KeyError("missing")\nf()']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Traceback \(most recent call last\):[\s\S]*KeyError: 'missing'\n$/);
  });

  test('stdout without a final newline is passed through exactly', () => {
    const r = run(['-c', 'print("no newline", end="")']);
    assert.equal(r.stdout, 'no newline');
  });

  test('stdin is read by input()', () => {
    const r = run(['-c', 'print(input().upper()); print(input())'], 'one\ntwo\n');
    assert.equal(r.stdout, 'ONE\ntwo\n');
  });

  test('a missing script is exit 2 with a message', () => {
    const r = run([path.join(tmp, 'nope.py')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /can't open file/);
  });

  test('Python cannot see the host file system beyond the script', () => {
    const r = run(['-c', `import os; print(os.path.exists(${JSON.stringify(tmp)}))`]);
    assert.equal(r.stdout, 'False\n');
  });

  test('the interactive prompt on a terminal (run under script(1) for a pty)', () => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${bin}`, '/dev/null'],
      { input: 'x = 6 * 7\nprint(x)\nfor i in range(2):\n    print("loop", i)\n\n1/0\nexit()\n', encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Python 3\.13\.\d+ in Coldbrew/);
    assert.match(r.stdout, />>> 42\r?\n/);
    assert.match(r.stdout, /loop 0\r?\nloop 1/);
    assert.match(r.stdout, /ZeroDivisionError: division by zero/);
    assert.match(r.stdout, /\.\.\. /, 'continuation prompt shown');
  });

  test('a program on stdin without arguments is run', () => {
    const r = run([], 'print(40 + 2)\n');
    assert.equal(r.stdout, '42\n');
  });
});
