// Test bodies of the synchronous API that hold in both modes: an instance on
// the calling thread (every method answers at once) and one in worker mode
// (load({worker: true}): every method answers with a Promise). Each body
// awaits every call, and awaiting a plain value is the value, so one body
// checks both modes. The same bodies run in Node (tests/node/modes.test.mjs)
// and in headless Chromium (tests/browser/browser.test.mjs), against an
// instance whose output lines are captured in cb.out and cb.err.
//
// A body is async (cb) => {...}; they run in order on one instance per mode,
// so each cleans up what would disturb a later one.
import { equal, ok, match, deepEqual, rejects } from './check.mjs';

/* Runs Python; resolves to what it printed, lines joined with \n. */
async function printed(cb, source) {
  cb.out.length = 0;
  await cb.run(source);
  return cb.out.join('\n');
}

const type = (name) => (e) => e instanceof Error && !!e.errorData && e.errorData.type === name;

export const running = {
  async 'run returns 0 and output arrives line by line'(cb) {
    cb.out.length = 0;
    equal(await cb.run('print("hello"); print("a\\nb")'), 0);
    deepEqual(cb.out, ['hello', 'a', 'b']);
  },

  async 'globals persist between runs'(cb) {
    await cb.run('counter = 1');
    await cb.run('counter += 1');
    equal(await printed(cb, 'print(counter)'), '2');
  },

  async 'an exception is a PythonError with type, message, line and traceback; getExceptionInfo() is the same'(cb) {
    const err = await rejects(() => cb.run('x = 1\ndef f():\n    raise ValueError("bad value")\nf()'), cb.PythonError);
    equal(err.errorData.type, 'ValueError');
    equal(err.errorData.message, 'bad value');
    equal(err.errorData.line, 3);
    equal(err.errorData.filename, '<string>');
    match(err.errorData.traceback, /Traceback \(most recent call last\):[\s\S]*ValueError: bad value/);
    deepEqual(await cb.getExceptionInfo(), err.errorData);
  },

  async 'a syntax error reports its type and line'(cb) {
    const err = await rejects(() => cb.run('a = 1\nb = (\nc = 3 +\n'), type('SyntaxError'));
    ok(typeof err.errorData.line === 'number' && err.errorData.line >= 2, `line ${err.errorData.line}`);
  },

  async 'the runtime keeps working after errors'(cb) {
    for (let i = 0; i < 3; i++) await rejects(() => cb.run('1/0'), type('ZeroDivisionError'));
    equal(await printed(cb, 'print(6 * 7)'), '42');
  },

  async 'non-string sources are a TypeError, not a crash'(cb) {
    await rejects(() => cb.run(42), TypeError);
    await rejects(() => cb.run(null), TypeError);
    await rejects(() => cb.runFile({}), TypeError);
    await rejects(() => cb.chdir(5), TypeError);
    equal(await cb.run('pass'), 0);
  },

  async 'NUL in source is a Python error, not truncation'(cb) {
    await rejects(() => cb.run('x = 1\0garbage'), type('SyntaxError'));
  },

  async 'sys.exit(0) returns 0; sys.exit(3) is a PythonError with exitCode 3'(cb) {
    equal(await cb.run('import sys; sys.exit(0)'), 0);
    equal(await cb.run('import sys; sys.exit()'), 0);
    await rejects(() => cb.run('import sys; sys.exit(3)'), (e) => e.errorData.type === 'SystemExit' && e.errorData.exitCode === 3);
    equal(await printed(cb, 'print("still alive")'), 'still alive');
  },

  async 'Coldbrew.version in Python is the package version'(cb) {
    equal(await printed(cb, 'print(Coldbrew.version)'), cb.version);
  },

  async "Python's Coldbrew.run runs JavaScript in the calling thread's global scope"(cb) {
    await cb.run('Coldbrew.run("globalThis.coldbrewTestValue = 5;")');
    equal(globalThis.coldbrewTestValue, 5);
    equal(await printed(cb, 'print(Coldbrew.run("1 + 1"))'), '0');
    delete globalThis.coldbrewTestValue;
  },

  async 'a JS exception inside Coldbrew.run is caught in Python as JavaScriptError'(cb) {
    const out = await printed(cb, `
try:
    Coldbrew.run("throw new RangeError('out of range!')")
except Coldbrew.JavaScriptError as e:
    print(e.error_data["name"], "|", e.error_data["message"], "|", "RangeError" in e.error_data["stack"])
    print(Coldbrew.get_exception_info()["message"])
`);
    equal(out, 'RangeError | out of range! | True\nout of range!');
  },

  async 'an uncaught JavaScriptError reaches JS as the error JS threw'(cb) {
    await rejects(() => cb.run('Coldbrew.run("null.x")'), (e) => e instanceof TypeError && !('errorData' in e));
    equal((await cb.getExceptionInfo()).type, 'JavaScriptError');
  },

  async '10 MB of output arrives complete'(cb) {
    let bytes = 0, lines = 0;
    const saved = cb.onStandardOut;
    cb.onStandardOut = (line) => { bytes += line.length + 1; lines++; };
    try {
      await cb.run('import sys\nline = "x" * 1023 + "\\n"\nfor i in range(10240): sys.stdout.write(line)');
    } finally {
      cb.onStandardOut = saved;
    }
    equal(lines, 10240);
    equal(bytes, 10 * 1024 * 1024);
  },

  async 'stderr goes to onStandardErr'(cb) {
    cb.err.length = 0;
    await cb.run('import sys; print("oops", file=sys.stderr)');
    deepEqual(cb.err, ['oops']);
  },

  async 'Unicode crosses intact both ways'(cb) {
    equal(await printed(cb, 'print("héllo wörld ☕ 𝄞")'), 'héllo wörld ☕ 𝄞');
    await cb.run('s = "日本語"');
    equal(await printed(cb, 'print(len(s))'), '3');
  },

  async 'getVariable gives plain data as JS values'(cb) {
    await cb.run('nums = [1, 2.5, None, True, "x"]\nd = {"a": {"b": [3]}}');
    deepEqual(await cb.getVariable('nums'), [1, 2.5, null, true, 'x']);
    equal(await cb.getVariable('d["a"]["b"][0] * 14'), 42);
    await rejects(() => cb.getVariable('not_defined_anywhere'), type('NameError'));
  },

  async 'runFunction with positional and keyword arguments; a plain-data result'(cb) {
    await cb.run('def join(*a, sep="-"):\n    return {"s": sep.join(map(str, a)), "n": len(a)}');
    deepEqual(await cb.runFunction('join', 1, 'b', cb.PythonKeywords({ sep: '+' })), { s: '1+b', n: 2 });
    await rejects(() => cb.runFunction('no_such_function'), type('NameError'));
  },
};

export const standardInput = {
  async 'standardInBuffer feeds input() and reading past its end is EOFError'(cb) {
    cb.standardInBuffer = 'first line\nsecond\n';
    equal(await printed(cb, 'print(input()); print(input())'), 'first line\nsecond');
    await rejects(() => cb.run('input()'), type('EOFError'));
    equal(await printed(cb, 'import sys; print(repr(sys.stdin.read()))'), "''");
  },

  async 'onStandardInRead is asked for more, with the size wanted'(cb) {
    const asked = [];
    cb.onStandardInRead = (size) => { asked.push(size); return asked.length === 1 ? 'typed\n' : null; };
    try {
      equal(await printed(cb, 'print(input().upper())'), 'TYPED');
    } finally {
      cb.onStandardInRead = null;
    }
    ok(asked[0] > 0, `size asked ${asked[0]}`);
  },

  async 'a prompt written without newline is shown before reading'(cb) {
    const seen = [];
    cb.onStandardInRead = () => { seen.push(cb.out.slice()); return 'x\n'; };
    cb.out.length = 0;
    try {
      await cb.run('input("name? ")');
    } finally {
      cb.onStandardInRead = null;
    }
    deepEqual(seen[0], ['name? ']);
  },
};

export const environment = {
  async 'the starting layout: cwd /files, HOME /home, examples present'(cb) {
    equal(await cb.getcwd(), '/files');
    equal((await cb.getenv()).HOME, '/home');
    for (const d of ['/files', '/home', '/tmp', '/coldbrew/examples']) equal((await cb.pathExists(d)).isFolder, true, d);
    for (const f of ['add.py', 'fib.py', 'threads.py']) equal((await cb.pathExists(`/coldbrew/examples/${f}`)).isFile, true, f);
  },

  async 'chdir/getcwd, seen by Python too; a bad path throws and keeps the cwd'(cb) {
    await cb.chdir('/tmp');
    equal(await cb.getcwd(), '/tmp');
    equal(await printed(cb, 'import os; print(os.getcwd())'), '/tmp');
    await rejects(() => cb.chdir('/no/such/dir'), type('FileNotFoundError'));
    equal(await cb.getcwd(), '/tmp');
    await cb.chdir('/files');
  },

  async 'setenv/getenv/unsetenv/resetenv, seen by Python too'(cb) {
    await cb.setenv('FOO', '1');
    equal((await cb.getenv()).FOO, '1');
    equal(await printed(cb, 'import os; print(os.environ["FOO"], os.getenv("FOO"))'), '1 1');
    await cb.run('import os; os.environ["FROM_PY"] = "yes"');
    equal((await cb.getenv()).FROM_PY, 'yes');
    await cb.unsetenv('FOO');
    equal((await cb.getenv()).FOO, undefined);
    await cb.unsetenv('NEVER_SET');   // like POSIX unsetenv: not an error
    await cb.resetenv();
    equal((await cb.getenv()).FROM_PY, undefined);
    equal((await cb.getenv()).HOME, '/home');
  },

  async 'reset() clears Python globals, environment and cwd but keeps files'(cb) {
    await cb.run('gone = 1');
    await cb.setenv('GONE', '1');
    await cb.chdir('/tmp');
    await cb.addFile('/files/kept.txt', 'kept');
    equal(await cb.reset(), 0);
    await rejects(() => cb.run('gone'), type('NameError'));
    equal((await cb.getenv()).GONE, undefined);
    equal(await cb.getcwd(), '/files');
    equal(await cb.readFile('/files/kept.txt'), 'kept');
    equal(await printed(cb, 'print(__name__)'), '__main__');
  },
};

export const runFile = {
  async 'runs the add.py example with cwd and args; the cwd is restored'(cb) {
    cb.out.length = 0;
    equal(await cb.runFile('add.py', { cwd: '/coldbrew/examples', env: {}, args: ['5', '15', '-v'] }), 0);
    deepEqual(cb.out, ['The answer to 5 + 15 is 20']);
    equal(await cb.getcwd(), '/files');
  },

  async 'env applies to the run only; sys.argv and __file__ are set'(cb) {
    await cb.addFile('/files/show.py', 'import os, sys\nprint(os.environ.get("MODE"), sys.argv, __file__)');
    cb.out.length = 0;
    await cb.runFile('/files/show.py', { env: { MODE: 'fast' }, args: ['a', 'b'] });
    deepEqual(cb.out, ["fast ['/files/show.py', 'a', 'b'] /files/show.py"]);
    equal((await cb.getenv()).MODE, undefined);
  },

  async 'the script folder is importable during the run'(cb) {
    await cb.addFile('/files/proj/helper.py', 'VALUE = 7');
    await cb.addFile('/files/proj/main.py', 'import helper; print(helper.VALUE)');
    cb.out.length = 0;
    await cb.runFile('main.py', { cwd: '/files/proj' });
    deepEqual(cb.out, ['7']);
  },

  async 'the fib example in its three modes'(cb) {
    cb.out.length = 0;
    await cb.runFile('/coldbrew/examples/fib.py', { args: ['20'] });
    await cb.runFile('/coldbrew/examples/fib.py', { args: ['300', '-i', '-v'] });
    await cb.runFile('/coldbrew/examples/fib.py', { args: ['50', '-f'] });
    equal(cb.out[0], 'fib(20) = 6765');
    match(cb.out[1], /^fib\(300\) = 22223224462942044552\.\.\./);
    match(cb.out[2], /^iterative mode took \d+\.\d+ s$/);
    equal(cb.out[3], 'fib(50) = 12586269025');
  },

  async 'a missing file is FileNotFoundError; a bad cwd too'(cb) {
    await rejects(() => cb.runFile('/files/nope.py'), type('FileNotFoundError'));
    await rejects(() => cb.runFile('x.py', { cwd: '/nowhere' }), type('FileNotFoundError'));
    equal(await cb.getcwd(), '/files');
  },

  async 'bad options are TypeErrors that name them'(cb) {
    await rejects(() => cb.runFile('a.py', { argz: [] }), /unknown option 'argz'/);
    await rejects(() => cb.runFile('a.py', { args: 'a b' }), /args must be an array/);
    await rejects(() => cb.runFile('a.py', { args: [{}] }), /args must hold strings/);
  },

  async 'an error in a file names the file and line'(cb) {
    await cb.addFile('/files/bad.py', 'a = 1\nb = a + "x"\n');
    await rejects(() => cb.runFile('/files/bad.py'), (e) =>
      e.errorData.type === 'TypeError' && e.errorData.filename === '/files/bad.py' && e.errorData.line === 2 &&
      /File "\/files\/bad.py", line 2/.test(e.errorData.traceback));
  },
};

const deepCases = {
  'Python recursion': 'def f(n): return f(n + 1)\nf(0)',
  'repr of a list nested 100 000 deep': 'x = []\nfor i in range(100000): x = [x]\nrepr(x)',
  'json.dumps of a list nested 100 000 deep': 'import json\nx = []\nfor i in range(100000): x = [x]\njson.dumps(x)',
  'json.loads of 100 000 brackets': 'import json\njson.loads("[" * 100000 + "]" * 100000)',
  'recursion through __repr__': 'class A:\n    def __repr__(self): return repr(A())\nrepr(A())',
  'deeply nested expression compile': 'eval("(" * 100000 + ")" * 100000)',
};
export const recursion = {};
for (const [name, source] of Object.entries(deepCases)) {
  recursion[`${name} fails cleanly and the runtime goes on`] = async (cb) => {
    await rejects(() => cb.run(source), (e) =>
      e instanceof cb.PythonError && ['RecursionError', 'MemoryError', 'SyntaxError'].includes(e.errorData.type) &&
      (e.errorData.type !== 'SyntaxError' || /too many nested|nested too deeply|too complex/.test(e.errorData.message)));
    equal(await printed(cb, 'print("alive")'), 'alive');
  };
}
recursion['these raise RecursionError specifically'] = async (cb) => {
  for (const k of ['Python recursion', 'repr of a list nested 100 000 deep', 'json.dumps of a list nested 100 000 deep']) {
    await rejects(() => cb.run(deepCases[k]), type('RecursionError'), k);
  }
};

export const files = {
  async 'addFile (text) then readFile; Python reads it too'(cb) {
    equal(await cb.addFile('/test.txt', 'Hello World!'), true);
    equal(await cb.readFile('/test.txt'), 'Hello World!');
    equal(await printed(cb, 'print(open("/test.txt").read())'), 'Hello World!');
  },

  async 'addFile (bytes) keeps every byte; readBinaryFile returns them'(cb) {
    const bytes = new Uint8Array(256).map((_, i) => i);
    await cb.addFile('/files/all-bytes.bin', bytes);
    deepEqual(await cb.readBinaryFile('/files/all-bytes.bin'), bytes);
    equal(await printed(cb, 'd = open("/files/all-bytes.bin", "rb").read(); print(len(d), d == bytes(range(256)))'), '256 True');
    await cb.addFile('/files/from-buffer.bin', bytes.buffer);
    deepEqual(await cb.readBinaryFile('/files/from-buffer.bin'), bytes);
  },

  async 'files Python writes are readable from JS'(cb) {
    await cb.run('open("/tmp/py.txt", "w", encoding="utf-8").write("written by Python ☕")');
    equal(await cb.readFile('/tmp/py.txt'), 'written by Python ☕');
  },

  async 'addFile makes missing parent folders'(cb) {
    await cb.addFile('/home/a/b/c.txt', 'deep');
    equal((await cb.pathExists('/home/a/b')).isFolder, true);
  },

  async 'createFolder, including nested and trailing slash'(cb) {
    equal(await cb.createFolder('/home/myfolder/'), true);
    equal(await cb.createFolder('/home/x/y/z'), true);
    equal((await cb.pathExists('/home/x/y/z')).isFolder, true);
    equal(await printed(cb, 'import os; print(os.path.isdir("/home/x/y/z"))'), 'True');
  },

  async 'pathExists gives info or null'(cb) {
    await cb.addFile('/files/info.txt', '12345');
    const info = await cb.pathExists('/files/info.txt');
    deepEqual([info.isFile, info.isFolder, info.size, info.name, info.path, typeof info.modified],
      [true, false, 5, 'info.txt', '/files/info.txt', 'number']);
    equal(await cb.pathExists('/files/not-here'), null);
    equal((await cb.pathExists('/home')).isFolder, true);
  },

  async 'relative paths are relative to the working directory'(cb) {
    await cb.chdir('/files');
    await cb.addFile('rel.txt', 'r');
    equal((await cb.pathExists('/files/rel.txt')).isFile, true);
    equal(await cb.readFile('rel.txt'), 'r');
  },

  async 'listFiles lists names with info, sorted'(cb) {
    await cb.createFolder('/home/list');
    await cb.addFile('/home/list/b.txt', 'b');
    await cb.addFile('/home/list/a.txt', 'a');
    await cb.createFolder('/home/list/sub');
    const items = await cb.listFiles('/home/list');
    deepEqual(items.map((i) => i.name), ['a.txt', 'b.txt', 'sub']);
    deepEqual(items.map((i) => i.isFolder), [false, false, true]);
    equal(items[0].path, '/home/list/a.txt');
    ok((await cb.listFiles('/')).some((i) => i.name === 'files'));
  },

  async 'deletePath removes files and whole folders'(cb) {
    await cb.addFile('/home/del/one.txt', '1');
    await cb.addFile('/home/del/sub/two.txt', '2');
    equal(await cb.deletePath('/home/del/one.txt'), true);
    equal(await cb.pathExists('/home/del/one.txt'), null);
    equal(await cb.deletePath('/home/del'), true);
    equal(await cb.pathExists('/home/del'), null);
  },

  async 'missing paths are clear errors with a code and the function named'(cb) {
    for (const [fn, args] of [['readFile', ['/nope.txt']], ['readBinaryFile', ['/nope.bin']], ['deletePath', ['/nope']], ['listFiles', ['/nope']]]) {
      await rejects(() => cb[fn](...args), (e) => e.code === 'ENOENT' && e.message.includes("'/nope") && e.message.includes(fn), fn);
    }
    await rejects(() => cb.readFile('/home'), (e) => e.code === 'EISDIR');
  },

  async 'bad arguments are TypeErrors'(cb) {
    await rejects(() => cb.addFile('/x.txt', 42), TypeError);
    await rejects(() => cb.addFile(7, 'x'), TypeError);
    await rejects(() => cb.readFile(undefined), TypeError);
    await rejects(() => cb.pathExists(null), TypeError);
  },
};

/* Every group, in the order they run. */
export const groups = { running, standardInput, environment, runFile, recursion, files };
