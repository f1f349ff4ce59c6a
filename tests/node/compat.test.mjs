// Drop-in compatibility with the original Coldbrew: behaviours its users rely
// on, each as the original did it (issue "Drop-in compatibility"). Where ours
// is richer, both are there (e.g. both sets of errorData field names).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadedInstance, py } from './helpers.mjs';

const JSPI = typeof WebAssembly.Suspending === 'function';
let cb;
before(async () => { cb = await loadedInstance(); });

/* Runs body with console.error / console.warn captured; returns [result, lines]. */
async function withConsole(method, body) {
  const said = [];
  const saved = console[method];
  console[method] = (...a) => said.push(a.map(String).join(' '));
  try {
    return [await body(), said];
  } finally {
    console[method] = saved;
  }
}

describe('errors', () => {
  test("PythonError.errorData has the original's keys too: exctype, value, filename, tb_lineno", () => {
    cb.addFile('/files/t_err.py', 'x = 1\nraise KeyError("nope")\n');
    assert.throws(() => cb.runFile('/files/t_err.py'), (e) => {
      const d = e.errorData;
      assert.equal(d.exctype, 'KeyError');
      assert.equal(d.type, 'KeyError');
      assert.equal(d.value, "'nope'");
      assert.equal(d.message, "'nope'");
      assert.equal(d.filename, '/files/t_err.py');
      assert.equal(d.tb_lineno, 2);
      assert.equal(d.line, 2);
      assert.match(d.traceback, /KeyError: 'nope'/);
      assert.equal(d.error_data, undefined);
      // Ours keeps the type in e.message (Node prints e.message for an uncaught error); the bare text is errorData.value.
      assert.equal(e.message, "KeyError: 'nope'");
      return true;
    });
    assert.equal(cb.getExceptionInfo().exctype, 'KeyError');
    assert.equal(cb.getExceptionInfo().tb_lineno, 2);
  });

  test('errorData.error_data describes the JS error a Python exception wraps', () => {
    class AppError extends Error {
      constructor(m) { super(m); this.name = 'AppError'; this.errorData = { code: 7 }; }
    }
    globalThis.cbThrowApp = () => { throw new AppError('app failed'); };
    cb.run('def t_wrapped():\n    Coldbrew.run_function("cbThrowApp")');
    // Uncaught, the original JS error comes back as itself; getExceptionInfo() describes it.
    assert.throws(() => cb.runFunction('t_wrapped'), (e) => e instanceof AppError);
    const info = cb.getExceptionInfo();
    assert.equal(info.exctype, 'JavaScriptError');
    assert.deepEqual({ ...info.error_data, stack: undefined }, { type: 'AppError', name: 'AppError', message: 'app failed', stack: undefined, data: { code: 7 } });
    assert.match(info.error_data.stack, /app failed/);
    cb.run('del t_wrapped');
    delete globalThis.cbThrowApp;
  });

  test('JavaScriptError.error_data in Python: type, name, message, stack, data', () => {
    class AppError extends Error {
      constructor(m) { super(m); this.name = 'Oops'; this.errorData = { code: 7, where: 'here' }; }
    }
    globalThis.cbThrowApp = () => { throw new AppError('app failed'); };
    globalThis.cbThrowPlain = () => { throw new RangeError('plain'); };
    globalThis.cbThrowString = () => { throw 'just text'; };   // eslint-disable-line no-throw-literal
    const out = py(cb, `
def t_data(name):
    try:
        Coldbrew.run_function(name)
    except Coldbrew.JavaScriptError as e:
        d = e.error_data
        return [d["type"], d["name"], d["message"], "stack" in d, d["data"]]
print(t_data("cbThrowApp"))
print(t_data("cbThrowPlain"))
print(t_data("cbThrowString"))
del t_data
`);
    assert.equal(out, [
      "['AppError', 'Oops', 'app failed', True, {'code': 7, 'where': 'here'}]",
      "['RangeError', 'RangeError', 'plain', True, None]",
      "['string', 'string', 'just text', True, None]",
    ].join('\n'));
    delete globalThis.cbThrowApp;
    delete globalThis.cbThrowPlain;
    delete globalThis.cbThrowString;
  });

  test('a synchronous call while an async run is in flight: "already running", coldbrewConcurrencyError', { skip: !JSPI && 'needs JSPI' }, async () => {
    const run = cb.runAsync('import time\ntime.sleep(0.05)');
    for (const call of [() => cb.run('1'), () => cb.runFile('/coldbrew/examples/add.py'), () => cb.getVariable('x'),
      () => cb.runFunction('print', 1)]) {
      assert.throws(call, (e) => /is already running/.test(e.message) && /cannot run concurrently/.test(e.message) &&
        e.coldbrewConcurrencyError === true);
    }
    await assert.rejects(cb.runAsync('1'), (e) => e.coldbrewConcurrencyError === true);
    assert.equal(await run, 0);
    assert.equal(cb.run('1'), 0);   // usable again
  });

  test('a JS Promise in a synchronous run: console.error and a RuntimeError in Python', async () => {
    globalThis.cbSoon = () => Promise.resolve(5);
    const [, said] = await withConsole('error', () => {
      assert.throws(() => cb.run('Coldbrew.run_function("cbSoon")'), (e) => e instanceof cb.PythonError &&
        e.errorData.exctype === 'RuntimeError' && /outside asynchronous mode/.test(e.errorData.value));
    });
    assert.equal(said.length, 1);
    assert.match(said[0], /Python tried to access a JavaScript Promise outside asynchronous mode/);
    delete globalThis.cbSoon;
  });
});

describe('bridge variables', () => {
  test('PythonVariable: __uid__, __type__ as the bare class name, the names listed, __proto__ shape, toJSON', () => {
    cb.run('import collections\nclass MyClass:\n    def __init__(self):\n        self.some_value = 1\n    def to_json(self):\n        return {"mine": True}\n' +
      't_m = MyClass()\nt_c = collections.Counter("ab")');
    const m = cb.getVariable('t_m'), c = cb.getVariable('t_c');
    assert.equal(m.__type__, 'MyClass');
    assert.equal(c.__type__, 'Counter');
    assert.match(m.__uid__, /^\S+$/);
    assert.equal(cb.getVariable('t_m').__uid__, m.__uid__);   // the same object, the same id
    assert.notEqual(c.__uid__, m.__uid__);
    const own = ['__type__', '__uid__', '__inspect__', '__destroy__', '__destroyed__', 'toString', 'toJSON'];
    assert.deepEqual(m.__inspect__().slice(0, 7), own);
    assert.ok(m.__inspect__().includes('someValue') && m.__inspect__().includes('toJson'));
    const names = Object.getOwnPropertyNames(m);
    assert.deepEqual(names.slice(0, 7), own);
    assert.ok(names.includes('someValue'));
    const shape = m.__proto__;   // eslint-disable-line no-proto
    assert.equal(shape.__type__, 'MyClass');
    assert.ok(Object.keys(shape).includes('someValue'));
    assert.equal(shape.someValue, 1);
    assert.deepEqual(m.toJSON(), { mine: true });   // the object's own to_json()
    assert.equal(JSON.stringify({ m }), '{"m":{"mine":true}}');
    assert.deepEqual(c.toJSON(), { a: 1, b: 1 });   // ours: containers as plain values
    const uid = m.__uid__;
    m.__destroy__();
    assert.equal(m.__uid__, uid);   // still readable after __destroy__()
    c.__destroy__();
    cb.run('del MyClass, t_m, t_c');
  });

  test('JavaScriptVariable: repr, __uid__, __inspect__() equals dir(), casing on items and in, del, iter, len', () => {
    class Thing { constructor() { this.someValue = 1; } getFullYear() { return 2024; } }
    globalThis.cbThing = new Thing();
    globalThis.cbMap = new Map([[1, 2]]);
    globalThis.cbSized = { size: () => 3, f() {} };
    globalThis.cbSizeProp = { size: 4, f() {} };
    globalThis.cbNoLen = { f() {} };
    const out = py(cb, `
t = Coldbrew.get_variable("cbThing")
M = Coldbrew.get_variable("Map")
print(repr(M))
print(repr(t).startswith("<JavaScriptVariable Thing.instance at "), "use str()" in repr(t))
print(t.__uid__ == Coldbrew.get_variable("cbThing").__uid__, t.__uid__ != M.__uid__)
print(t.__inspect__() == dir(t), [n for n in dir(t) if n.startswith("__")])
print("get_full_year" in dir(t), "some_value" in dir(t))
print(t["get_full_year"](), t["some_value"], "get_full_year" in t, "some_value" in t, "nothing" in t)
try:
    del t.missing
except AttributeError as e:
    print("AttributeError", e)
try:
    iter(Coldbrew.get_variable("new Date(0)"))
except TypeError as e:
    print("TypeError", e)
print(len(Coldbrew.get_variable("cbMap")), len(Coldbrew.get_variable("cbSized")), len(Coldbrew.get_variable("cbSizeProp")))
try:
    len(Coldbrew.get_variable("cbNoLen"))
except TypeError as e:
    print("TypeError len")
del t, M
`);
    assert.equal(out, [
      "<JavaScriptVariable 'Map'>",
      'True True',
      'True True',
      "True ['__destroy__', '__destroyed__', '__inspect__', '__type__', '__uid__']",
      'True True',
      '2024 1 True True False',
      "AttributeError JavaScript Thing has no property 'missing'",
      "TypeError 'Date' object is not iterable",
      '1 3 4',
      'TypeError len',
    ].join('\n'));
    for (const k of ['cbThing', 'cbMap', 'cbSized', 'cbSizeProp', 'cbNoLen']) delete globalThis[k];
  });

  test('PythonKeywords values convert like positional arguments (functions, Maps, instances)', () => {
    cb.run('def t_kw(f=None, m=None, d=None):\n    return [f(), type(m).__name__, m.get(1), d["a"]]');
    assert.deepEqual(cb.runFunction('t_kw', cb.PythonKeywords({ f: () => 3, m: new Map([[1, 'one']]), d: { a: [1] } })),
      [3, 'JavaScriptVariable', 'one', [1]]);
    cb.run('del t_kw');
  });

  test('runFunctionAsync: Promise arguments are awaited; the result chains like getVariableAsync', async () => {
    cb.run('class T_Box:\n    def __init__(self, v):\n        self.value = v\n    def twice(self):\n        return 2 * self.value\n' +
      'def t_add(x, y=0):\n    return x + y\ndef t_box(v):\n    return T_Box(v)');
    assert.equal(await cb.runFunctionAsync('t_add', Promise.resolve(5), cb.PythonKeywords({ y: Promise.resolve(2) })), 7);
    assert.equal(await cb.runFunctionAsync('t_box', 4).value, 4);
    assert.equal(await cb.runFunctionAsync('t_box', 4).twice(), 8);
    const boxed = cb.runFunctionAsync('t_box', 1);
    assert.ok(boxed.__raw_promise__ instanceof Promise);
    const answer = cb.PythonVariable.isPythonVariable(boxed);
    assert.ok(answer instanceof Promise);
    assert.equal(await answer, true);
    assert.equal(await cb.PythonVariable.isPythonVariable(cb.runFunctionAsync('t_add', 1)), false);
    (await boxed).__destroy__();
    await assert.rejects(async () => await cb.runFunctionAsync('t_nothing'), (e) => e.errorData.exctype === 'NameError');
    cb.run('del T_Box, t_add, t_box');
  });

  test('a Python object given to an async JS function stays usable after it awaits', { skip: !JSPI && 'needs JSPI' }, async () => {
    globalThis.cbUseLater = async (obj) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return obj.value * 2 + obj.twice();
    };
    await cb.runAsync('class T_Later:\n    value = 10\n    def twice(self):\n        return 20\nt_later = Coldbrew.run_function("cbUseLater", T_Later())');
    assert.equal(cb.getVariable('t_later'), 40);
    cb.run('del T_Later, t_later');
    delete globalThis.cbUseLater;
  });

  test('a missing name on a Counter or defaultdict is undefined, not an item (and inserts nothing)', async () => {
    const plain = await loadedInstance({ hideWarnings: true, transformVariableCasing: false });
    for (const inst of [cb, plain]) {
      inst.run('import collections\nt_c = collections.Counter("aab")\nt_d = collections.defaultdict(int, {"k": 3})');
      const c = inst.getVariable('t_c'), d = inst.getVariable('t_d');
      assert.equal(c.a, 2);
      assert.equal(c.mostCommon === undefined, inst === plain);   // with casing: most_common, a method
      assert.equal(c.nothing, undefined);
      assert.notEqual(c.__proto__, 0);   // eslint-disable-line no-proto
      assert.equal(d.k, 3);
      assert.equal(d.missing, undefined);
      assert.equal(inst.getVariable('t_d').__len__(), 1);   // the read above inserted nothing
      assert.equal(inst.getVariable('collections').Counter.a, undefined);   // a class: no item lookup
      c.__destroy__();
      d.__destroy__();
      inst.run('del t_c, t_d');
    }
    cb.run('import collections\nt_q = collections.deque([5, 6])');
    assert.equal(cb.getVariable('t_q')[1], 6);   // sequences still index
    assert.equal(cb.getVariable('t_q')[2], undefined);
    cb.run('del t_q');
    plain.unload();
  });
});

describe('examples', () => {
  test("add.py is the original's argparse script: x y [-v/--verbose]", () => {
    cb.out.length = 0;
    cb.runFile('add.py', { cwd: '/coldbrew/examples', args: ['5', '15', '-v'] });
    cb.runFile('/coldbrew/examples/add.py', { args: ['2', '3'] });
    cb.runFile('/coldbrew/examples/add.py', { args: ['--verbose', '1', '1'] });
    assert.deepEqual(cb.out, ['The answer to 5 + 15 is 20', '5', 'The answer to 1 + 1 is 2']);
    cb.err.length = 0;
    assert.throws(() => cb.runFile('/coldbrew/examples/add.py', { args: ['one'] }), (e) => e.errorData.exitCode === 2);   // argparse's usage error
    assert.match(cb.err.join('\n'), /invalid int value: 'one'/);
  });
});

describe('loading', () => {
  test('every load() starts from pristine /files and library folders', async () => {
    const { Coldbrew } = await import('./helpers.mjs');
    const inst = Coldbrew.createNewInstance();
    await inst.load({ hideWarnings: true });
    inst.addFile('/files/left.txt', 'x');
    inst.addFile('/usr/local/lib/python3.13/site-packages/leftover.py', 'X = 1');
    inst.unload();
    await inst.load({ hideWarnings: true });
    assert.equal(inst.pathExists('/files/left.txt'), null);
    assert.equal(inst.pathExists('/usr/local/lib/python3.13/site-packages/leftover.py'), null);
    assert.deepEqual(inst.listFiles('/usr/local/lib/python3.13/site-packages'), []);
    inst.unload();
  });

  test('unload() leaves only the pre-load members and the default handlers; load() brings the API back', async () => {
    const { Coldbrew } = await import('./helpers.mjs');
    const inst = Coldbrew.createNewInstance();
    const before = Object.keys(inst).sort();
    await inst.load({ hideWarnings: true });
    assert.ok(Object.keys(inst).includes('run'));
    const defaultOut = inst.onStandardOut;
    inst.onStandardOut = () => {};
    inst.onStandardInRead = () => 'x\n';
    inst.standardInBuffer = 'mine\n';
    inst.unload();
    assert.deepEqual(Object.keys(inst).sort(), before);
    assert.ok(!Object.keys(inst).includes('run'));
    assert.equal(inst.onStandardOut, defaultOut);
    assert.equal(inst.onStandardInRead, null);
    assert.notEqual(inst.standardInBuffer, 'mine\n');
    await inst.load({ hideWarnings: true });
    assert.equal(typeof inst.run, 'function');
    assert.equal(inst.run('x = 1'), 0);
    inst.unload();
  });

  test('the default standardInBuffer tells how to give input; reading advances a position that reset() rewinds', async () => {
    const { Coldbrew, capture } = await import('./helpers.mjs');
    const inst = Coldbrew.createNewInstance();
    await inst.load({ hideWarnings: true });
    capture(inst);
    const text = inst.standardInBuffer;
    assert.match(text, /standardInBuffer.*onStandardInRead.*onStandardInReadAsync/);
    assert.equal(py(inst, 'print(input())'), text.trimEnd());
    assert.equal(inst.standardInBuffer, text);   // not consumed
    assert.throws(() => inst.run('input()'), (e) => e.errorData.exctype === 'EOFError');   // the position is at its end
    inst.reset();
    assert.equal(py(inst, 'print(input())'), text.trimEnd());   // rewound
    inst.standardInBuffer = 'a\nb\n';
    assert.equal(py(inst, 'print(input(), input())'), 'a b');
    inst.standardInBuffer = 'a\nb\n';   // assigning again reads it again
    assert.equal(py(inst, 'print(input())'), 'a');
    inst.unload();
    // With a callback set, the default text gives way to it.
    await inst.load({ hideWarnings: true });
    capture(inst);
    inst.onStandardInRead = () => 'typed\n';
    assert.equal(py(inst, 'print(input())'), 'typed');
    inst.unload();
  });

  test('load() and reset() each say once that the environment was initialized; hideWarnings silences it', async () => {
    const { Coldbrew } = await import('./helpers.mjs');
    const loud = Coldbrew.createNewInstance();
    let [, said] = await withConsole('warn', () => loud.load());
    assert.equal(said.length, 1);
    assert.match(said[0], /Python environment was initialized/);
    [, said] = await withConsole('warn', () => loud.reset());
    assert.equal(said.length, 1);
    assert.match(said[0], /Python environment was initialized/);
    loud.unload();
    const quiet = Coldbrew.createNewInstance();
    [, said] = await withConsole('warn', async () => { await quiet.load({ hideWarnings: true }); quiet.reset(); quiet.run('import time\ntime.sleep(0.001)'); });
    assert.deepEqual(said, []);
    quiet.unload();
  });

  test("the original's environment variables, version names and folders", async () => {
    const env = cb.getenv();
    assert.deepEqual({ PYTHONHOME: env.PYTHONHOME, LOGNAME: env.LOGNAME, USER: env.USER, HOME: env.HOME, FILES: env.FILES,
      COLDBREW: env.COLDBREW, PYVERSION: env.PYVERSION, COLDBREW_VERSION: env.COLDBREW_VERSION,
      COLDBREW_MODULE_NAME: env.COLDBREW_MODULE_NAME, COLDBREW_MODULE_NAME_LOWER: env.COLDBREW_MODULE_NAME_LOWER,
      COLDBREW_WARNINGS: env.COLDBREW_WARNINGS }, {
      PYTHONHOME: '/usr/local', LOGNAME: 'coldbrew', USER: 'coldbrew', HOME: '/home', FILES: '/files', COLDBREW: 'true',
      PYVERSION: cb.pyversion, COLDBREW_VERSION: cb.version, COLDBREW_MODULE_NAME: 'Coldbrew',
      COLDBREW_MODULE_NAME_LOWER: 'coldbrew', COLDBREW_WARNINGS: '0' });
    assert.match(cb.pyversion, /^3\.13\.\d+$/);
    assert.match(cb.version, /^\d+\.\d+\.\d+/);
    assert.equal(py(cb, 'print(Coldbrew.version, Coldbrew.pyversion, Coldbrew.module_name, Coldbrew.module_name_lower)'),
      `${cb.version} ${cb.pyversion} Coldbrew coldbrew`);
    const loud = (await import('./helpers.mjs')).Coldbrew.createNewInstance();
    await withConsole('warn', () => loud.load());
    assert.equal(loud.getenv().COLDBREW_WARNINGS, '1');
    loud.unload();
    // sys.version names Emscripten and Coldbrew in its compiler part.
    assert.match(py(cb, 'import sys, platform\nprint(sys.version)\nprint(platform.python_compiler())'),
      new RegExp(`\\[Clang [^\\]]*\\(Emscripten 3\\.1\\.\\d+ / Coldbrew ${cb.version.replace(/\./g, '\\.')}\\)\\]\\nClang .*Coldbrew`));
    // The standard library under /usr/local/lib, as the original's; the root's folders.
    const lib = cb.listFiles('/usr/local/lib').map((f) => f.name);
    assert.deepEqual(lib, ['python3.13', 'python313.zip']);
    assert.deepEqual(cb.listFiles('/').map((f) => f.name), ['coldbrew', 'dev', 'files', 'home', 'proc', 'tmp', 'usr']);
    assert.equal(py(cb, 'import json, sys\nprint(json.__file__.startswith("/usr/local/lib/python313.zip/"), sys.path[-1])'),
      'True /usr/local/lib/python3.13/site-packages');
  });

});
