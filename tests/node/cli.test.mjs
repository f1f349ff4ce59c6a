// bin/coldbrew, held to python3's behaviour: scripts (importing their
// neighbours), -c, -m, -, python3's options, exit status, stdin, Ctrl-C, and
// the interactive prompt through a pseudo-terminal (script(1)): line editing,
// history kept between sessions, Tab completion, Ctrl-C and Ctrl-D.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'coldbrew');
const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-cli-')));
const run = (args, input, cwd = tmp) => spawnSync(process.execPath, [bin, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60000, cwd });

/* A session on a pseudo-terminal: each step waits for its regex in the output, then types its keys. */
async function terminal(args, steps, env = {}) {
  const cmd = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: tmp, env: { ...process.env, TERM: 'xterm', ...env } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  let seen = 0;   // output before this offset was matched already
  for (const [wait, keys] of steps) {
    const t0 = Date.now();
    let m;
    while (!(m = wait.exec(out.slice(seen)))) {
      if (Date.now() - t0 > 20000) { child.kill(); throw new Error(`waited for ${wait} in:\n${out}`); }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    seen += m.index + m[0].length;
    child.stdin.write(keys);
  }
  const status = await exited;
  return { status, out };
}

describe('coldbrew command', () => {
  test('runs a script from the host disk with arguments', () => {
    const script = path.join(tmp, 'hello.py');
    fs.writeFileSync(script, 'import sys\nprint("hello", sys.argv[1:], __file__)\n');
    const r = run([script, 'a', 'b c']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `hello ['a', 'b c'] ${script}\n`);
  });

  test('-c code, with arguments', () => {
    const r = run(['-c', 'import sys; print(sum(map(int, sys.argv[1:])))', '2', '3']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '5\n');
  });

  test('-m module, reading stdin or a file of the working directory', () => {
    const r = run(['-m', 'json.tool'], '{"b": 1, "a": [1, 2]}');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { b: 1, a: [1, 2] });
    fs.writeFileSync(path.join(tmp, 'd.json'), '{"k": [true, null]}');
    const f = run(['-m', 'json.tool', 'd.json']);
    assert.equal(f.status, 0, f.stderr);
    assert.deepEqual(JSON.parse(f.stdout), { k: [true, null] });
    assert.equal(run(['-m', 'no_such_module']).status, 1);
  });

  test('a script imports the module beside it, from another working directory; it may write there', () => {
    const dir = path.join(tmp, 'proj');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'helper.py'), 'VALUE = 21\n');
    fs.writeFileSync(path.join(dir, 'usehelper.py'), 'import helper, os, sys\nprint(helper.VALUE * 2, sys.path[0] == os.path.dirname(__file__))\n' +
      'open(os.path.join(os.path.dirname(__file__), "written.txt"), "w").write("ok")\n');
    const r = run([path.join(dir, 'usehelper.py')], '', os.tmpdir());
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '42 True\n');
    assert.equal(fs.readFileSync(path.join(dir, 'written.txt'), 'utf8'), 'ok');
  });

  test("python3's options: -V, --version, -VV, -h, -cCODE, -, -O, -OO, -B, -S, -s, -E, -I, -u, -q, -W, -X", () => {
    const pyversion = run(['-c', 'import platform; print(platform.python_version())']).stdout.trim();
    assert.equal(run(['-V']).stdout, `Python ${pyversion}\n`);
    assert.equal(run(['--version']).stdout, `Python ${pyversion}\n`);
    assert.match(run(['-VV']).stdout, /^Python 3\.13\.\d+ .*Coldbrew/);
    const help = run(['-h']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: coldbrew \[option\]/);
    assert.equal(run(['-cprint(5)']).stdout, '5\n');
    assert.equal(run(['-', 'x', 'y'], 'import sys; print(sys.argv)').stdout, "['-', 'x', 'y']\n");
    const flags = (args) => run([...args, '-c', 'import sys; f = sys.flags; print(f.optimize, f.dont_write_bytecode, f.no_site, ' +
      'f.no_user_site, f.ignore_environment, f.isolated, f.dev_mode, "site" in sys.modules)']).stdout;
    // Coldbrew's interpreter is always isolated (-I: -E and -s too) and writes no bytecode (-B).
    assert.equal(flags([]), '0 1 0 1 1 1 False True\n');
    assert.equal(flags(['-O']), '1 1 0 1 1 1 False True\n');
    assert.equal(flags(['-OO', '-S']), '2 1 1 1 1 1 False False\n');
    assert.equal(flags(['-BEsu', '-X', 'dev']), '0 1 0 1 1 1 True True\n');
    assert.equal(run(['-O', '-c', 'assert False; print("asserts off")']).stdout, 'asserts off\n');
    assert.equal(run(['-OO', '-c', 'def f():\n    "doc"\nprint(f.__doc__)']).stdout, 'None\n');
    const w = run(['-W', 'error', '-c', 'import warnings; warnings.warn("boom")']);
    assert.equal(w.status, 1);
    assert.match(w.stderr, /UserWarning: boom/);
    assert.equal(run(['-Werror::DeprecationWarning', '-q', '-c', 'import sys; print(sys.warnoptions)']).stdout, "['error::DeprecationWarning']\n");
    assert.equal(run(['-I', '-c', 'import sys; print("" in sys.path)']).stdout, 'False\n');
    assert.equal(run(['-c', 'import sys; print(sys.path[0] == "")']).stdout, 'True\n');
  });

  test('usage errors exit 2 with python3\'s words', () => {
    const z = run(['-z']);
    assert.equal(z.status, 2);
    assert.match(z.stderr, /^Unknown option: -z\nusage: coldbrew/);
    const c = run(['-c']);
    assert.equal(c.status, 2);
    assert.match(c.stderr, /^Argument expected for the -c option/);
  });

  test('-i: the prompt after the program, here reading stdin (prompts on stderr)', () => {
    const r = run(['-i', '-c', 'x = 5'], 'print(x * 2)\n');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '10\n');
    assert.match(r.stderr, />>> /);
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

  test('Python sees the working directory and the script folder, nothing else of the host', () => {
    const r = run(['-c', `import os; print(os.getcwd(), os.listdir(${JSON.stringify(tmp)}), os.path.exists("/etc/hostname"), os.path.exists(${JSON.stringify(os.homedir())}))`],
      '', path.join(tmp, 'proj'));
    assert.equal(r.stdout, `${path.join(tmp, 'proj')} ['proj'] False False\n`);
  });

  test('the interactive prompt on a terminal: banner, blocks, errors, Ctrl-C clears the line, exit()', async () => {
    const history = path.join(tmp, 'history-1');
    const r = await terminal([], [
      [/>>> /, 'x = 6 * 7\r'], [/>>> /, 'print(x)\r'], [/>>> /, 'for i in range(2):\r'], [/\.\.\. /, '    print("loop", i)\r'],
      [/\.\.\. /, '\r'], [/>>> /, '1/0\r'], [/>>> /, '1 + '], [/1 \+ /, '\x03'], [/>>> /, '40 + 2\r'], [/>>> /, 'exit()\r'],
    ], { COLDBREW_HISTORY: history });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /Python 3\.13\.\d+ .*Coldbrew.* on emscripten/);
    assert.match(r.out, /42\r?\n/);
    assert.match(r.out, /loop 0\r?\nloop 1/);
    assert.match(r.out, /ZeroDivisionError: division by zero/);
    assert.match(r.out, /KeyboardInterrupt\r?\n[\s\S]*40 \+ 2\r*\n42/);
    assert.doesNotMatch(r.out, /None/, 'exit() prints nothing');
    assert.match(fs.readFileSync(history, 'utf8'), /^x = 6 \* 7$/m);
  });

  test('the prompt keeps history between sessions (Up), completes with Tab, leaves on Ctrl-D', async () => {
    const history = path.join(tmp, 'history-2');
    fs.writeFileSync(history, 'print("from the last session")\n');
    const r = await terminal(['-q'], [
      [/>>> /, '\x1b[A'], [/from the last session"\)/, '\r'], [/>>> /, 'import collections\r'],
      [/>>> /, 'collections.Coun\t'], [/collections\.Counter\(/, '"aab").most_common(1)\r'], [/>>> /, '\x04'],
    ], { COLDBREW_HISTORY: history });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /\nfrom the last session\r?\n/);
    assert.match(r.out, /\[\('a', 2\)\]/);
    assert.doesNotMatch(r.out, /Type "help"/, '-q: no banner');
  });

  test('input() on a terminal shows its prompt and reads an edited line; Ctrl-C there is KeyboardInterrupt', async () => {
    const r = await terminal(['-c', 'name = input("name? ")\nprint("hi", name)\ninput("again? ")'], [
      [/name\? /, 'wordd\x7f\r'], [/again\? /, '\x03'],
    ]);
    assert.match(r.out, /hi word\r?\n/);
    assert.match(r.out, /KeyboardInterrupt/);
    assert.equal(r.status, 130);
  });

  test('a program on stdin without arguments is run', () => {
    const r = run([], 'print(40 + 2)\n');
    assert.equal(r.stdout, '42\n');
  });
});
