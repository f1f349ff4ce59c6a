// The synchronous Coldbrew API in Node: load/unload/instances, run/runFile,
// errors in both directions, environment, stdio and the recursion guards.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Coldbrew, loadedInstance, capture, py } from './helpers.mjs';

describe('loading', () => {
  test('before load() the object has only the pre-load members; a function kept from a load says it is not loaded', async () => {
    const cb = Coldbrew.createNewInstance();
    assert.equal(cb.run, undefined);
    assert.deepEqual(Object.keys(cb).sort(), ['PythonError', 'PythonKeywords', 'PythonVariable', 'createNewInstance', 'load',
      'onStandardErr', 'onStandardInRead', 'onStandardInReadAsync', 'onStandardOut', 'pyversion', 'standardInBuffer',
      'unload', 'version']);
    await cb.load({ hideWarnings: true });
    const { run, getcwd, readFile } = cb;
    cb.unload();
    assert.throws(() => run('1'), /not loaded; call and await Coldbrew.load\(\) first/);
    assert.throws(() => getcwd(), /not loaded/);
    assert.throws(() => readFile('/x'), /not loaded/);
  });

  test('calling the API while load() is pending says so', async () => {
    const cb = Coldbrew.createNewInstance();
    const p = cb.load({ hideWarnings: true });
    assert.throws(() => cb.run('1'), /still loading/);
    await p;
    assert.equal(cb.run('1'), 0);
  });

  test('unknown options and bad values are rejected with the option named', async () => {
    const cb = Coldbrew.createNewInstance();
    await assert.rejects(cb.load({ hideWarning: true }), /unknown option 'hideWarning'/);
    await assert.rejects(cb.load({ hideWarnings: 'yes' }), /option 'hideWarnings' must be a boolean/);
    await assert.rejects(cb.load({ asyncYieldRate: -1 }), /asyncYieldRate/);
    await assert.rejects(cb.load({ fsOptions: { persistHom: true } }), /unknown key 'persistHom'/);
    await assert.rejects(cb.load('fast'), /options must be an object/);
    await assert.rejects(cb.load({ onProgress: 5 }), /option 'onProgress' must be a function/);
    await assert.rejects(cb.load({ fsOptions: { storage: '' } }), /storage must be a non-empty string/);
    // A rejected load leaves the instance loadable.
    await cb.load({ hideWarnings: true, asyncYieldRate: Infinity, transformVariableCasing: false });
    assert.equal(cb.run('x = 1'), 0);
  });

  test('load() reports download progress to onProgress, ending at total', async () => {
    const cb = Coldbrew.createNewInstance();
    const events = [];
    await cb.load({ hideWarnings: true, onProgress: (p) => events.push(p) });
    assert.ok(events.length >= 2);
    const last = events.at(-1);
    assert.equal(last.loaded, last.total);
    assert.ok(last.total > 10e6, `total ${last.total}`);
    assert.ok(events.every((p, i) => p.loaded <= p.total && (i === 0 || p.loaded >= events[i - 1].loaded)));
  });

  test('unload() makes it as if load() was never called; load() works again', async () => {
    const cb = await loadedInstance();
    cb.run('kept = 42');
    const run = cb.run;
    cb.unload();
    assert.throws(() => run('1'), /not loaded/);
    await cb.load({ hideWarnings: true });
    capture(cb);
    assert.throws(() => cb.run('kept'), (e) => e.errorData.type === 'NameError');
  });

  test('unload() while load() is pending: that load rejects, the instance stays usable', async () => {
    const cb = Coldbrew.createNewInstance();
    const p = cb.load({ hideWarnings: true });
    const run = cb.run;
    cb.unload();
    await assert.rejects(p, /unload\(\) was called while loading/);
    assert.throws(() => run('1'), /not loaded/);
    await cb.load({ hideWarnings: true });
    assert.equal(cb.run('1'), 0);
  });

  test('two instances have separate globals, files and environment', async () => {
    const a = await loadedInstance();
    const b = await loadedInstance();
    a.run('shared = "a"');
    assert.throws(() => b.run('shared'), (e) => e.errorData.type === 'NameError');
    a.addFile('/files/only-a.txt', 'a');
    assert.equal(b.pathExists('/files/only-a.txt'), null);
    a.setenv('ONLY_A', '1');
    assert.equal(b.getenv().ONLY_A, undefined);
    assert.equal(a.getenv().ONLY_A, '1');
  });

  test('the ES module build loads too', async () => {
    const { default: ColdbrewESM, PythonError } = await import('../../dist/coldbrew.mjs');
    const cb = ColdbrewESM.createNewInstance();
    await cb.load({ hideWarnings: true });
    const { out } = capture(cb);
    cb.run('import sys; print(sys.version_info[:2])');
    assert.deepEqual(out, ['(3, 13)']);
    assert.throws(() => cb.run('1/0'), PythonError);
  });
});

describe('running Python', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('run returns 0 and output arrives line by line', () => {
    assert.equal(cb.run('print("hello"); print("a\\nb")'), 0);
    assert.deepEqual(cb.out.slice(-3), ['hello', 'a', 'b']);
  });

  test('globals persist between runs', () => {
    cb.run('counter = 1');
    cb.run('counter += 1');
    assert.equal(py(cb, 'print(counter)'), '2');
  });

  test('an exception becomes a PythonError with type, message, line and traceback', () => {
    let err;
    try { cb.run('x = 1\ndef f():\n    raise ValueError("bad value")\nf()'); } catch (e) { err = e; }
    assert.ok(err instanceof cb.PythonError);
    assert.equal(err.errorData.type, 'ValueError');
    assert.equal(err.errorData.message, 'bad value');
    assert.equal(err.errorData.line, 3);
    assert.equal(err.errorData.filename, '<string>');
    assert.match(err.errorData.traceback, /Traceback \(most recent call last\):[\s\S]*ValueError: bad value/);
    assert.deepEqual(cb.getExceptionInfo(), err.errorData);
  });

  test('a syntax error reports its type and line', () => {
    const e = assert.throws(() => cb.run('a = 1\nb = (\nc = 3 +\n'), (e) => {
      assert.equal(e.errorData.type, 'SyntaxError');
      assert.equal(typeof e.errorData.line, 'number');
      assert.ok(e.errorData.line >= 2);
      return true;
    });
  });

  test('the runtime keeps working after errors', () => {
    for (let i = 0; i < 3; i++) assert.throws(() => cb.run('1/0'), (e) => e.errorData.type === 'ZeroDivisionError');
    assert.equal(py(cb, 'print(6 * 7)'), '42');
  });

  test('non-string sources are a TypeError, not a crash', () => {
    assert.throws(() => cb.run(42), TypeError);
    assert.throws(() => cb.run(null), TypeError);
    assert.throws(() => cb.runFile({}), TypeError);
    assert.throws(() => cb.chdir(5), TypeError);
    assert.equal(cb.run('pass'), 0);
  });

  test('NUL in source is a Python error, not truncation', () => {
    assert.throws(() => cb.run('x = 1\0garbage'), (e) => e.errorData.type === 'SyntaxError');
  });

  test('sys.exit(0) returns 0; sys.exit(3) throws a PythonError with exitCode 3', () => {
    assert.equal(cb.run('import sys; sys.exit(0)'), 0);
    assert.equal(cb.run('import sys; sys.exit()'), 0);
    assert.throws(() => cb.run('import sys; sys.exit(3)'), (e) => e.errorData.type === 'SystemExit' && e.errorData.exitCode === 3);
    assert.equal(py(cb, 'print("still alive")'), 'still alive');
  });

  test('Coldbrew.version in Python is the package version', async () => {
    const { readFileSync } = await import('node:fs');
    const { version } = JSON.parse(readFileSync(new URL('../../dist/package.json', import.meta.url), 'utf8'));
    assert.equal(py(cb, 'print(Coldbrew.version)'), version);
  });

  test('Python runs JavaScript with Coldbrew.run (no import needed) in the global scope', () => {
    cb.run('Coldbrew.run("globalThis.coldbrewTestValue = 5;")');
    assert.equal(globalThis.coldbrewTestValue, 5);
    assert.equal(py(cb, 'print(Coldbrew.run("1 + 1"))'), '0');
    delete globalThis.coldbrewTestValue;
  });

  test('a JS exception inside Coldbrew.run is caught in Python as JavaScriptError', () => {
    const out = py(cb, `
try:
    Coldbrew.run("throw new RangeError('out of range!')")
except Coldbrew.JavaScriptError as e:
    print(e.error_data["name"], "|", e.error_data["message"], "|", "RangeError" in e.error_data["stack"])
    print(Coldbrew.get_exception_info()["message"])
`);
    assert.equal(out, 'RangeError | out of range! | True\nout of range!');
  });

  test('an uncaught JavaScriptError reaches JS as the error JS threw', () => {
    assert.throws(() => cb.run('Coldbrew.run("null.x")'), (e) => e instanceof TypeError && !('errorData' in e));
    assert.equal(cb.getExceptionInfo().type, 'JavaScriptError');
  });

  test('10 MB of output arrives complete', () => {
    let bytes = 0, lines = 0;
    const saved = cb.onStandardOut;
    cb.onStandardOut = (line) => { bytes += line.length + 1; lines++; };
    cb.run('import sys\nline = "x" * 1023 + "\\n"\nfor i in range(10240): sys.stdout.write(line)');
    cb.onStandardOut = saved;
    assert.equal(lines, 10240);
    assert.equal(bytes, 10 * 1024 * 1024);
  });

  test('stderr goes to onStandardErr', () => {
    cb.err.length = 0;
    cb.run('import sys; print("oops", file=sys.stderr)');
    assert.deepEqual(cb.err, ['oops']);
  });

  test('a throwing onStandardOut becomes OSError in Python, not a crash', () => {
    const saved = cb.onStandardOut;
    const savedError = console.error;
    console.error = () => {};
    cb.onStandardOut = () => { throw new Error('sink broke'); };
    try {
      assert.throws(() => cb.run('print("x")'), (e) => e.errorData.type === 'OSError');
    } finally {
      cb.onStandardOut = saved;
      console.error = savedError;
    }
    // The failed line stays in Python's buffer (nothing is lost) and goes out with the next write.
    assert.match(py(cb, 'print("fine")'), /^(x\n)?fine$/);
  });

  test('Unicode crosses intact both ways', () => {
    assert.equal(py(cb, 'print("héllo wörld ☕ 𝄞")'), 'héllo wörld ☕ 𝄞');
    cb.run('s = "日本語"');
    assert.equal(py(cb, 'print(len(s))'), '3');
  });
});

describe('standard input', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('standardInBuffer feeds input() and reading past its end is EOFError', () => {
    cb.standardInBuffer = 'first line\nsecond\n';
    assert.equal(py(cb, 'print(input()); print(input())'), 'first line\nsecond');
    assert.throws(() => cb.run('input()'), (e) => e.errorData.type === 'EOFError');
    assert.equal(py(cb, 'import sys; print(repr(sys.stdin.read()))'), "''");
  });

  test('onStandardInRead is asked for more, with the size wanted', () => {
    const asked = [];
    let calls = 0;
    cb.onStandardInRead = (size) => { asked.push(size); calls++; return calls === 1 ? 'typed\n' : null; };
    assert.equal(py(cb, 'print(input().upper())'), 'TYPED');
    assert.ok(asked[0] > 0);
    cb.onStandardInRead = null;
  });

  test('a prompt written without newline is shown before reading', () => {
    const seen = [];
    cb.onStandardInRead = () => { seen.push(cb.out.slice()); return 'x\n'; };
    cb.out.length = 0;
    cb.run('input("name? ")');
    cb.onStandardInRead = null;
    assert.deepEqual(seen[0], ['name? ']);
  });
});

describe('environment', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('the starting layout: cwd /files, HOME /home, examples present', () => {
    assert.equal(cb.getcwd(), '/files');
    assert.equal(cb.getenv().HOME, '/home');
    for (const d of ['/files', '/home', '/tmp', '/coldbrew/examples']) assert.equal(cb.pathExists(d).isFolder, true, d);
    for (const f of ['add.py', 'fib.py', 'threads.py']) assert.equal(cb.pathExists(`/coldbrew/examples/${f}`).isFile, true, f);
  });

  test('chdir/getcwd, seen by Python too; a bad path throws and keeps the cwd', () => {
    cb.chdir('/tmp');
    assert.equal(cb.getcwd(), '/tmp');
    assert.equal(py(cb, 'import os; print(os.getcwd())'), '/tmp');
    assert.throws(() => cb.chdir('/no/such/dir'), (e) => e.errorData.type === 'FileNotFoundError');
    assert.equal(cb.getcwd(), '/tmp');
    cb.chdir('/files');
  });

  test('setenv/getenv/unsetenv/resetenv, seen by Python too', () => {
    cb.setenv('FOO', '1');
    assert.equal(cb.getenv().FOO, '1');
    assert.equal(py(cb, 'import os; print(os.environ["FOO"], os.getenv("FOO"))'), '1 1');
    cb.run('import os; os.environ["FROM_PY"] = "yes"');
    assert.equal(cb.getenv().FROM_PY, 'yes');
    cb.unsetenv('FOO');
    assert.equal(cb.getenv().FOO, undefined);
    cb.unsetenv('NEVER_SET');   // like POSIX unsetenv: not an error
    cb.resetenv();
    assert.equal(cb.getenv().FROM_PY, undefined);
    assert.equal(cb.getenv().HOME, '/home');
  });

  test('reset() clears Python globals, environment and cwd but keeps files', () => {
    cb.run('gone = 1');
    cb.setenv('GONE', '1');
    cb.chdir('/tmp');
    cb.addFile('/files/kept.txt', 'kept');
    assert.equal(cb.reset(), 0);
    assert.throws(() => cb.run('gone'), (e) => e.errorData.type === 'NameError');
    assert.equal(cb.getenv().GONE, undefined);
    assert.equal(cb.getcwd(), '/files');
    assert.equal(cb.readFile('/files/kept.txt'), 'kept');
    assert.equal(py(cb, 'print(__name__)'), '__main__');
  });
});

describe('runFile', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('runs the add.py example with cwd and args', () => {
    cb.out.length = 0;
    assert.equal(cb.runFile('add.py', { cwd: '/coldbrew/examples', env: {}, args: ['5', '15', '-v'] }), 0);
    assert.deepEqual(cb.out, ['The answer to 5 + 15 is 20']);
    assert.equal(cb.getcwd(), '/files', 'cwd is restored after the run');
  });

  test('env applies to the run only; sys.argv and __file__ are set', () => {
    cb.addFile('/files/show.py', 'import os, sys\nprint(os.environ.get("MODE"), sys.argv, __file__)');
    cb.out.length = 0;
    cb.runFile('/files/show.py', { env: { MODE: 'fast' }, args: ['a', 'b'] });
    assert.deepEqual(cb.out, ["fast ['/files/show.py', 'a', 'b'] /files/show.py"]);
    assert.equal(cb.getenv().MODE, undefined);
  });

  test('the script folder is importable during the run', () => {
    cb.addFile('/files/proj/helper.py', 'VALUE = 7');
    cb.addFile('/files/proj/main.py', 'import helper; print(helper.VALUE)');
    cb.out.length = 0;
    cb.runFile('main.py', { cwd: '/files/proj' });
    assert.deepEqual(cb.out, ['7']);
  });

  test('the fib example in its three modes', () => {
    cb.out.length = 0;
    cb.runFile('/coldbrew/examples/fib.py', { args: ['20'] });
    cb.runFile('/coldbrew/examples/fib.py', { args: ['300', '-i', '-v'] });
    cb.runFile('/coldbrew/examples/fib.py', { args: ['50', '-f'] });
    assert.equal(cb.out[0], 'fib(20) = 6765');
    assert.match(cb.out[1], /^fib\(300\) = 22223224462942044552\.\.\./);
    assert.match(cb.out[2], /^iterative mode took \d+\.\d+ s$/);
    assert.equal(cb.out[3], 'fib(50) = 12586269025');
  });

  test('a missing file is FileNotFoundError; a bad cwd too', () => {
    assert.throws(() => cb.runFile('/files/nope.py'), (e) => e.errorData.type === 'FileNotFoundError');
    assert.throws(() => cb.runFile('x.py', { cwd: '/nowhere' }), (e) => e.errorData.type === 'FileNotFoundError');
    assert.equal(cb.getcwd(), '/files');
  });

  test('bad options are TypeErrors', () => {
    assert.throws(() => cb.runFile('a.py', { argz: [] }), /unknown option 'argz'/);
    assert.throws(() => cb.runFile('a.py', { args: 'a b' }), /args must be an array/);
    assert.throws(() => cb.runFile('a.py', { args: [{}] }), /args must hold strings/);
  });

  test('an error in a file names the file and line', () => {
    cb.addFile('/files/bad.py', 'a = 1\nb = a + "x"\n');
    assert.throws(() => cb.runFile('/files/bad.py'), (e) =>
      e.errorData.type === 'TypeError' && e.errorData.filename === '/files/bad.py' && e.errorData.line === 2 &&
      /File "\/files\/bad.py", line 2/.test(e.errorData.traceback));
  });
});

describe('recursion never kills the runtime', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });
  const cases = {
    'Python recursion': 'def f(n): return f(n + 1)\nf(0)',
    'repr of a list nested 100 000 deep': 'x = []\nfor i in range(100000): x = [x]\nrepr(x)',
    'json.dumps of a list nested 100 000 deep': 'import json\nx = []\nfor i in range(100000): x = [x]\njson.dumps(x)',
    'json.loads of 100 000 brackets': 'import json\njson.loads("[" * 100000 + "]" * 100000)',
    'recursion through __repr__': 'class A:\n    def __repr__(self): return repr(A())\nrepr(A())',
    'deeply nested expression compile': 'eval("(" * 100000 + ")" * 100000)',
  };
  for (const [name, source] of Object.entries(cases)) {
    test(name, () => {
      assert.throws(() => cb.run(source), (e) =>
        e instanceof cb.PythonError && ['RecursionError', 'MemoryError', 'SyntaxError'].includes(e.errorData.type) &&
        (e.errorData.type !== 'SyntaxError' || /too many nested|nested too deeply|too complex/.test(e.errorData.message)));
      assert.equal(py(cb, 'print("alive")'), 'alive');
    });
  }
  test('still a RecursionError when the caller is already 2000 JS frames deep', () => {
    const deep = (n) => (n ? deep(n - 1) : (() => {
      try { cb.run(cases['recursion through __repr__']); return 'no error'; } catch (e) { return e.errorData ? e.errorData.type : e.message; }
    })());
    assert.equal(deep(2000), 'RecursionError');
    assert.equal(py(cb, 'print("alive")'), 'alive');
  });

  test('these raise RecursionError specifically', () => {
    for (const k of ['Python recursion', 'repr of a list nested 100 000 deep', 'json.dumps of a list nested 100 000 deep']) {
      assert.throws(() => cb.run(cases[k]), (e) => e.errorData.type === 'RecursionError', k);
    }
  });
});
