// Bridge variables: values and objects crossing between JavaScript and Python.
// Every test runs under a leak check: after it, once both garbage collectors
// have run, the counts of live handles on both sides are what they were before.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadedInstance, py } from './helpers.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

let cb;

async function settle() {
  cb.run('import sys, gc\nsys.last_exc = sys.last_value = sys.last_type = sys.last_traceback = None\ngc.collect()');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/* A test whose Python globals are cleared afterwards and whose handles must all be released. */
function bt(name, body) {
  test(name, async () => {
    await settle();
    const before = cb.liveVariableCounts();
    await body();
    cb.run('for _n in [n for n in globals() if n.startswith("t_")]: del globals()[_n]');
    await settle();
    let after = cb.liveVariableCounts();
    for (let i = 0; i < 20 && (after.python !== before.python || after.javascript !== before.javascript); i++) {
      await settle();
      if (i >= 5) await new Promise((resolve) => setTimeout(resolve, 20));   // finalizers run some time after a GC
      after = cb.liveVariableCounts();
    }
    assert.deepEqual(after, before, 'live handles (python = Python objects held by JS, javascript = JS values held by Python)');
  });
}

/* Runs body with the given JS globals defined, and removes them afterwards. */
function withGlobals(globals, body) {
  Object.assign(globalThis, globals);
  try {
    return body();
  } finally {
    for (const k of Object.keys(globals)) delete globalThis[k];
  }
}

before(async () => {
  cb = await loadedInstance();
});

describe('values crossing from Python to JavaScript', () => {
  const cases = [
    ['None', null], ['True', true], ['False', false], ['0', 0], ['-7', -7], ['2**31', 2 ** 31],
    ['2**53', 2 ** 53], ['-(2**53)', -(2 ** 53)], ['2**53 + 1', 2n ** 53n + 1n], ['-(2**53) - 1', -(2n ** 53n) - 1n],
    ['2**200', 2n ** 200n], ['-(3**100)', -(3n ** 100n)], ['1.5', 1.5], ['-0.0', -0],
    ['float("inf")', Infinity], ['float("-inf")', -Infinity], ['""', ''], ['"héllo wörld"', 'héllo wörld'],
    ['"日本語"', '日本語'], ['"🐍 snake"', '🐍 snake'], ['"a\\x00b"', 'a\x00b'], ['"\\ud800"', '\ud800'],
    ['"x\\udc00y🐍"', 'x\udc00y🐍'], ['b"\\x00\\xffab"', new Uint8Array([0, 255, 97, 98])],
    ['[1, "a", None, [2.5, []]]', [1, 'a', null, [2.5, []]]], ['(1, 2)', [1, 2]],
    ['{"a": 1, "b": {"c": [True]}}', { a: 1, b: { c: [true] } }], ['{}', {}],
  ];
  for (const [expr, expected] of cases) {
    bt(`${expr}`, () => {
      assert.deepEqual(cb.getVariable(expr), expected);
    });
  }
  bt('NaN', () => assert.ok(Number.isNaN(cb.getVariable('float("nan")'))));
  bt('-0.0 keeps its sign', () => assert.ok(Object.is(cb.getVariable('-0.0'), -0)));
  bt('a 5 MB string with astral characters arrives whole', () => {
    const s = cb.getVariable('"ab🐍" * 1250000');
    assert.equal(s.length, 5000000);
    assert.equal(s.slice(0, 8), 'ab🐍ab🐍');
  });
  bt('a dict with a "__proto__" key stays a plain key', () => {
    const o = cb.getVariable('{"__proto__": 5}');
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(o, '__proto__').value, 5);
  });
  bt('a list containing itself crosses as a bridge variable', () => {
    cb.run('t_a = [1]\nt_a.append(t_a)');
    const a = cb.getVariable('t_a');
    assert.ok(cb.PythonVariable.isPythonVariable(a));
    assert.equal(a.length, 2);
    assert.equal(a[0], 1);
    assert.ok(cb.PythonVariable.isPythonVariable(a[1]));
    a.__destroy__();
  });
  bt('containers holding a non-plain value cross whole as bridge variables', () => {
    const v = cb.getVariable('[1, object()]');
    assert.ok(cb.PythonVariable.isPythonVariable(v));
    assert.equal(v.__type__, 'list');
  });
  bt('a dict with non-str keys, a set, bytearray and subclasses are bridge variables', () => {
    for (const [expr, type] of [['{1: "a"}', 'dict'], ['{1, 2}', 'set'], ['bytearray(b"x")', 'bytearray'],
      ['__import__("collections").OrderedDict(a=1)', 'OrderedDict'], ['True.__class__', 'type']]) {
      const v = cb.getVariable(expr);
      assert.ok(cb.PythonVariable.isPythonVariable(v), expr);
      assert.equal(v.__type__, type);
    }
  });
  bt('deeply nested lists (200+ levels) cross as a bridge variable, not an error', () => {
    const v = cb.getVariable('__import__("functools").reduce(lambda a, _: [a], range(300), [])');
    assert.ok(cb.PythonVariable.isPythonVariable(v));
    const shallow = cb.getVariable('__import__("functools").reduce(lambda a, _: [a], range(100), [])');
    assert.ok(Array.isArray(shallow));
  });
});

describe('values crossing from JavaScript to Python', () => {
  const cases = [
    [null, 'None', 'NoneType'], [undefined, 'None', 'NoneType'], [true, 'True', 'bool'], [false, 'False', 'bool'],
    [0, '0', 'int'], [-5, '-5', 'int'], [2 ** 53, '9007199254740992', 'int'], [2 ** 40, '1099511627776', 'int'],
    [1.25, '1.25', 'float'], [-0, '-0.0', 'float'], [1e300, '1e+300', 'float'], [Infinity, 'inf', 'float'],
    [NaN, 'nan', 'float'], [2n ** 53n + 1n, '9007199254740993', 'int'], [-(2n ** 70n), '-1180591620717411303424', 'int'],
    [0n, '0', 'int'], ['héllo 🐍', "'héllo 🐍'", 'str'], ['a\x00b', "'a\\x00b'", 'str'], ['\ud800x', "'\\ud800x'", 'str'],
    ['\udc00\ud83d\udc0d', "'\\udc00🐍'", 'str'], [new Uint8Array([0, 1, 255]), "b'\\x00\\x01\\xff'", 'bytes'],
    [[1, 'a', [null]], "[1, 'a', [None]]", 'list'], [{ a: 1, b: [true, { c: 2.5 }] }, "{'a': 1, 'b': [True, {'c': 2.5}]}", 'dict'],
    [Object.assign(Object.create(null), { k: 1 }), "{'k': 1}", 'dict'],
  ];
  for (const [value, repr, type] of cases) {
    bt(`${typeof value === 'bigint' ? `${value}n` : util.inspect(value)} -> ${type}`, () => {
      cb.run('def t_show(x):\n    return f"{x!r}|{type(x).__name__}"');
      assert.equal(cb.runFunction('t_show', value), `${repr}|${type}`);
    });
  }
  bt('round trips keep values (JS -> Python -> JS)', () => {
    cb.run('def t_same(x):\n    return x');
    for (const v of [null, true, 7, -2.5, 2n ** 64n, -(2n ** 64n), 'x\ud800🐍', [1, [2, { a: 'b' }]], { n: null }]) {
      assert.deepEqual(cb.runFunction('t_same', v), v);
    }
    assert.ok(Object.is(cb.runFunction('t_same', -0), -0));
    assert.deepEqual(cb.runFunction('t_same', new Uint8Array([9, 8])), new Uint8Array([9, 8]));
    const big = 'é'.repeat(3000000);
    assert.equal(cb.runFunction('t_same', big), big);
  });
  bt('round trips keep values (Python -> JS -> Python)', () => {
    globalThis.cbSame = (x) => x;
    const out = py(cb, `
vals = [None, True, 0, -(2**53), 2**53 + 1, -(2**80), 1.5, float("inf"), "a\\udcff🐍", b"\\x00z", [1, [2]], {"k": [None]}]
print(all(Coldbrew.run_function("cbSame", v) == v for v in vals))
t = Coldbrew.run_function("cbSame", (1, 2))
print(t, type(t).__name__)
`);
    assert.equal(out, 'True\n[1, 2] list');
    delete globalThis.cbSame;
  });
  bt('a cyclic JS object crosses as a bridge variable', () => {
    const o = { name: 'loop' };
    o.self = o;
    cb.run('def t_name(x):\n    return (Coldbrew.JavaScriptVariable.is_javascript_variable(x), x.self.self.name)');
    assert.deepEqual(cb.runFunction('t_name', o), [true, 'loop']);
  });
});

describe('bridge variables: Python objects in JavaScript', () => {
  bt('the Counter example: new, toString, attribute, method with casing', () => {
    cb.run('from collections import Counter as t_Counter');
    const Counter = cb.getVariable('t_Counter');
    const c = new Counter(['red', 'blue', 'red', 'green', 'blue', 'blue']);
    assert.equal(c.toString(), "Counter({'blue': 3, 'red': 2, 'green': 1})");
    assert.equal(c.blue, 3);
    assert.deepEqual(c.mostCommon(2), [['blue', 3], ['red', 2]]);
    assert.equal(`${c}`, "Counter({'blue': 3, 'red': 2, 'green': 1})");
  });
  bt('getVariable and runFunction (with PythonKeywords, with and without new)', () => {
    cb.run('x = 5**2\ndef t_foo(x, y=0):\n    return x**y');
    assert.equal(cb.getVariable('x'), 25);
    assert.equal(cb.runFunction('t_foo', 5, 2), 25);
    assert.equal(cb.runFunction('t_foo', 5, cb.PythonKeywords({ y: 2 })), 25);
    assert.equal(cb.runFunction('t_foo', 5, new cb.PythonKeywords({ y: 3 })), 125);
    const foo = cb.getVariable('t_foo');
    assert.equal(foo(2, cb.PythonKeywords({ y: 10 })), 1024);
    cb.run('del x');
  });
  bt('getVariable takes dotted names and expressions', () => {
    cb.run('import os as t_os');
    assert.equal(cb.getVariable('t_os.path.sep'), '/');
    assert.equal(cb.getVariable('len("four")'), 4);
    assert.equal(cb.getVariable('t_os.path.join')('a', 'b'), 'a/b');
  });
  bt('attribute get / set / delete', () => {
    cb.run('class T_Box:\n    pass\nt_box = T_Box()');
    const box = cb.getVariable('t_box');
    box.someValue = 41;
    assert.equal(py(cb, 'print(t_box.some_value)'), '41');
    assert.equal(box.someValue + 1, 42);
    assert.equal(box.some_value, 41);
    delete box.someValue;
    assert.equal(py(cb, 'print(hasattr(t_box, "some_value"))'), 'False');
    assert.equal(box.missing, undefined);
  });
  bt('indexing lists and dicts, `length`, `in`', () => {
    cb.run('t_l = [10, 20, object()]\nt_d = {"a": 1, 2: "two"}');
    const l = cb.getVariable('t_l'), d = cb.getVariable('t_d');
    assert.equal(l[1], 20);
    assert.equal(l.length, 3);
    l[0] = 11;
    assert.equal(py(cb, 'print(t_l[0])'), '11');
    assert.equal(d.a, 1);
    assert.equal(d[2], 'two');
    d.b = 'bee';
    assert.equal(py(cb, 'print(t_d["b"])'), 'bee');
    assert.ok('a' in d);
    assert.ok(!('zz' in d));
    assert.ok(20 in l);
    delete d.a;
    assert.equal(py(cb, 'print("a" in t_d)'), 'False');
  });
  bt('for...of over iterables and generators', () => {
    cb.run('t_s = {1, 2, 3}\ndef t_gen(n):\n    for i in range(n):\n        yield i * i');
    assert.deepEqual([...cb.getVariable('t_s')].sort(), [1, 2, 3]);
    const out = [];
    for (const v of cb.getVariable('t_gen')(4)) out.push(v);
    assert.deepEqual(out, [0, 1, 4, 9]);
    for (const v of cb.getVariable('t_gen')(100)) if (v > 10) break;   // early exit releases the iterator
  });
  bt('calls with keywords, classes with new, bound methods', () => {
    cb.run(`
class T_Point:
    def __init__(self, x, y=0):
        self.x, self.y = x, y
    def scaled_by(self, k):
        return T_Point(self.x * k, self.y * k)
    def __repr__(self):
        return f"T_Point({self.x}, {self.y})"
`);
    const Point = cb.getVariable('T_Point');
    const p = new Point(1, cb.PythonKeywords({ y: 2 }));
    const q = p.scaledBy(3);
    assert.equal(q.toString(), 'T_Point(3, 6)');
    const m = p.scaledBy;
    assert.equal(m(2).y, 4);
    assert.equal(Point(5).x, 5);   // calling a class without new works too
  });
  bt('__type__, __inspect__(), toJSON, util.inspect, Object.keys', () => {
    cb.run('import collections\nt_c = collections.Counter("aab")\nclass T_K:\n    def my_method(self): pass\nt_k = T_K()');
    const c = cb.getVariable('t_c');
    assert.equal(c.__type__, 'Counter');   // the bare class name, as the original
    assert.ok(c.__inspect__().includes('mostCommon'));
    assert.equal(JSON.stringify({ c }), '{"c":{"a":2,"b":1}}');
    assert.equal(util.inspect(c), "[PythonVariable Counter: Counter({'a': 2, 'b': 1})]");
    const k = cb.getVariable('t_k');
    assert.ok(Object.keys(k).includes('myMethod'));
    assert.equal(JSON.stringify(k).startsWith('"<__main__.T_K object'), true);
  });
  bt('__destroy__(), __destroyed__, and using a destroyed variable is a clear error', () => {
    const o = cb.getVariable('object()');
    const before = cb.liveVariableCounts().python;
    assert.equal(o.__destroyed__, false);
    o.__destroy__();
    assert.equal(o.__destroyed__, true);
    assert.equal(cb.liveVariableCounts().python, before - 1);
    assert.throws(() => o.__class__, /destroyed/);
    assert.throws(() => String(o), /destroyed/);
    assert.throws(() => cb.runFunction('len', o), /destroyed/);
    o.__destroy__();   // twice is fine
    assert.equal(util.inspect(o), '[PythonVariable (destroyed)]');
  });
  bt('destroyAllVariables() releases every Python object JS holds', () => {
    const before = cb.liveVariableCounts().python;
    const vs = [cb.getVariable('object()'), cb.getVariable('[object()]'), cb.getVariable('len')];
    assert.equal(cb.liveVariableCounts().python, before + 3);
    cb.destroyAllVariables();
    assert.equal(cb.liveVariableCounts().python, 0);
    assert.ok(vs.every((v) => v.__destroyed__));
  });
  bt('isPythonVariable', () => {
    assert.equal(cb.PythonVariable.isPythonVariable(cb.getVariable('object()')), true);
    assert.equal(cb.PythonVariable.isPythonVariable(cb.getVariable('len')), true);
    for (const v of [null, undefined, 1, 'x', {}, [], () => 1, new Proxy({}, {})]) {
      assert.equal(cb.PythonVariable.isPythonVariable(v), false);
    }
  });
  bt('a Python object passed back to Python is the same object', () => {
    cb.run('t_o = object()\ndef t_is(x):\n    return x is t_o');
    const o = cb.getVariable('t_o');
    assert.equal(cb.runFunction('t_is', o), true);
    assert.equal(cb.runFunction('t_is', [o]), false);
    cb.run('def t_first_is(x):\n    return x[0] is t_o');
    assert.equal(cb.runFunction('t_first_is', [o]), true);   // inside a plain array too
  });
  bt('garbage-collected proxies release their Python object (FinalizationRegistry)', async () => {
    const base = cb.liveVariableCounts().python;
    (() => { for (let i = 0; i < 50; i++) cb.getVariable('object()'); })();
    assert.equal(cb.liveVariableCounts().python, base + 50);
    await settle();
    assert.equal(cb.liveVariableCounts().python, base);
  });
});

describe('bridge variables: JavaScript values in Python', () => {
  bt('the Date example: construct by calling, str, method with casing', () => {
    const out = py(cb, `
t_Date = Coldbrew.get_variable('Date')
t_d = t_Date(1234567890000)
print(t_d.to_iso_string())
print(t_d.get_time(), t_d.getTime())
print(str(t_d) == Coldbrew.run_function('String', t_d))
print(t_d.__type__, t_Date.__type__)
`);
    assert.equal(out, '2009-02-13T23:31:30.000Z\n1234567890000 1234567890000\nTrue\nDate Function');
  });
  bt('get_variable and run_function (keywords become a trailing object)', () => {
    globalThis.cbFoo = (x, y) => x ** y;
    globalThis.cbOpts = (a, opts) => `${a}:${opts.someFlag}`;
    assert.equal(py(cb, 'print(Coldbrew.run_function("cbFoo", 5, 2))'), '25');
    assert.equal(py(cb, 'print(Coldbrew.run_function("cbOpts", 1, someFlag=True))'), '1:true');
    assert.equal(py(cb, 'print(Coldbrew.get_variable("Math.PI"))'), String(Math.PI));
    assert.equal(py(cb, 'print(Coldbrew.run_function("Math.max", 3, 9, 4))'), '9');
    assert.equal(py(cb, 'print(Coldbrew.get_variable("1 + 2"))'), '3');
    delete globalThis.cbFoo;
    delete globalThis.cbOpts;
  });
  bt('attributes and items get / set / delete; `this` is bound on methods', () => {
    globalThis.cbObj = { count: 1, items: [1, 2, 3], bump(n) { this.count += n; return this.count; }, map: new Map([['k', 'v']]) };
    const out = py(cb, `
o = Coldbrew.get_variable('cbObj')
print(o.count, o["count"], o.bump(5), o.count)
o.new_value = 7
o["other"] = 8
del o.count
m = o.map
print(m["k"], len(m), "k" in m, "z" in m)
m["z"] = 1
items = o.items
print(items[0], items[-1], len(items), 2 in items, 9 in items, list(items))
try:
    items[10]
except IndexError:
    print("IndexError")
try:
    o["nope"]
except KeyError:
    print("KeyError")
try:
    o.nope
except AttributeError as e:
    print("AttributeError", e)
del o, m, items
`);
    assert.equal(out, "1 1 6 6\nv 1 True False\n1 3 3 True False [1, 2, 3]\nIndexError\nKeyError\nAttributeError JavaScript Object has no property 'nope'");
    assert.equal(globalThis.cbObj.newValue, 7);
    assert.equal(globalThis.cbObj.other, 8);
    assert.ok(!('count' in globalThis.cbObj));
    assert.equal(globalThis.cbObj.map.get('z'), 1);
    delete globalThis.cbObj;
  });
  bt('iteration, len, in, bool, str, repr, dir, hash, equality', () => {
    class Thing { constructor() { this.alpha = 1; this.betaGamma = 2; } }
    const globals = { cbSet: new Set([1, 2]), cbEmpty: new Set(), cbObj2: new Thing() };
    const out = withGlobals(globals, () => py(cb, `
s = Coldbrew.get_variable('cbSet')
print(sorted(s), len(s), 1 in s, bool(s), bool(Coldbrew.get_variable('cbEmpty')))
o = Coldbrew.get_variable('cbObj2')
try:
    list(o)
except TypeError as e:
    print(e, str(o), repr(o).split(" at ")[0])
print("beta_gamma" in dir(o), "beta_gamma" in o.__inspect__(), o.beta_gamma)
o2 = Coldbrew.get_variable('cbObj2')
print(o == o2, o is o2, hash(o) == hash(o2), o != s, len({o, o2}))
del s, o, o2
`));
    assert.equal(out, "[1, 2] 2 True True False\n'Thing' object is not iterable [object Object] <JavaScriptVariable Thing.instance\nTrue True 2\nTrue False True True 1");
  });
  bt('arithmetic and comparison operators', () => {
    const globals = { cbNum: new Number(6), cbD1: new Date(1000), cbD2: new Date(2000) };
    const out = withGlobals(globals, () => py(cb, `
n = Coldbrew.get_variable('cbNum')
print(n + 1, n - 1, n * 2, n / 4, n % 4, n ** 2, 1 + n, 10 - n)
print(n & 3, n | 1, n ^ 2, n << 1, n >> 1, -n, +n, ~n)
print(n < 7, n <= 6, n > 7, n >= 6)
d1, d2 = Coldbrew.get_variable('cbD1'), Coldbrew.get_variable('cbD2')
print(d2 - d1, d1 < d2, d1 == d1, d1 == d2)
del n, d1, d2
`));
    assert.equal(out, '7 5 12 1.5 2 36 7 4\n2 7 4 12 3 -6 6 -7\nTrue True False True\n1000 True True False');
  });
  bt('a JS function passed to Python keeps working for as long as Python holds it', async () => {
    cb.run('t_saved = []\ndef t_keep(f):\n    t_saved.append(f)\ndef t_use(x):\n    return t_saved[0](x)');
    (() => { cb.runFunction('t_keep', (x) => x * 3); })();
    await settle();
    assert.equal(cb.runFunction('t_use', 5), 15);
  });
  bt('a JS value passed back to JS is the same object', () => {
    const o = { a: new Map() };
    cb.run('def t_same(x):\n    return x');
    assert.equal(cb.runFunction('t_same', o), o);
    const plainObject = { a: 1 };
    assert.notEqual(cb.runFunction('t_same', plainObject), plainObject);   // copied both ways
    assert.deepEqual(cb.runFunction('t_same', plainObject), plainObject);
    assert.equal(cb.runFunction('t_same', o.a), o.a);
    const f = () => 1;
    assert.equal(cb.runFunction('t_same', f), f);
  });
  bt('is_javascript_variable, __destroy__, __destroyed__, destroy_all_variables', () => {
    globalThis.cbThing = new Map([['x', 1]]);
    const out = py(cb, `
JV = Coldbrew.JavaScriptVariable
t = Coldbrew.get_variable('cbThing')
print(JV.is_javascript_variable(t), JV.is_javascript_variable(5), JV.is_javascript_variable(None))
print(t.__destroyed__)
t.__destroy__()
print(t.__destroyed__, repr(t))
try:
    t.x
except ReferenceError as e:
    print("ReferenceError:", e)
a, b = Coldbrew.get_variable('cbThing'), Coldbrew.get_variable('Math')
Coldbrew.destroy_all_variables()
print(a.__destroyed__, b.__destroyed__)
del t, a, b
`);
    assert.equal(out, 'True False False\nFalse\nTrue <JavaScriptVariable (destroyed)>\n' +
      'ReferenceError: this JavaScript variable was destroyed (__destroy__() or destroy_all_variables()); it can no longer be used\nTrue True');
    delete globalThis.cbThing;
  });
  bt('Python releases JS values when its wrappers are collected', () => {
    globalThis.cbMake = () => new Map([['big', new Array(10).fill(0)]]);
    const base = cb.liveVariableCounts().javascript;
    cb.run('t_keep = [Coldbrew.run_function("cbMake") for i in range(20)]');
    assert.equal(cb.liveVariableCounts().javascript, base + 20);
    cb.run('del t_keep');
    assert.equal(cb.liveVariableCounts().javascript, base);
    assert.deepEqual(py(cb, 'print(Coldbrew.live_variable_counts()["javascript"])'), String(base));
    delete globalThis.cbMake;
  });
});

describe('casing', () => {
  bt('reverse lookups: JS camelCase and acronyms from snake_case names', () => {
    globalThis.cbCase = { innerHTML: 'x', getElementById: () => 'el', someValue: 3 };   // has a function: a bridge variable
    assert.equal(py(cb, 'o = Coldbrew.get_variable("cbCase")\nprint(o.inner_html, o.get_element_by_id(), o.some_value, o.someValue)\ndel o'), 'x el 3 3');
    delete globalThis.cbCase;
  });
  bt('one casing rule both ways: acronyms and digits map the same from JS to Python as from Python to JS', () => {
    cb.run('class T_Names:\n    inner_html = 1\n    to_iso_string = 2\n    get_v2_value = 3\n    _private_name = 4\nt_names = T_Names()');
    const t = cb.getVariable('t_names');
    assert.deepEqual([t.innerHTML, t.toISOString, t.getV2Value, t._privateName], [1, 2, 3, undefined]);
    globalThis.cbNames = { innerHTML: 1, toISOString: 2, getV2Value: 3, f() {} };
    assert.equal(py(cb, 'o = Coldbrew.get_variable("cbNames")\nprint(o.inner_html, o.to_iso_string, o.get_v2_value, sorted(n for n in dir(o) if "_" in n and n[0] != "_"))\ndel o'),
      "1 2 3 ['get_v2_value', 'inner_html', 'to_iso_string']");
    t.__destroy__();
    cb.run('del t_names, T_Names');
    delete globalThis.cbNames;
  });
  test('transformVariableCasing: false turns the transform off', async () => {
    const plain = await loadedInstance({ hideWarnings: true, transformVariableCasing: false });
    plain.run('import collections\nc = collections.deque("aab")');
    const c = plain.getVariable('c');
    assert.equal(c.appendLeft, undefined);
    c.appendleft('z');
    assert.equal(c.toString(), "deque(['z', 'a', 'a', 'b'])");
    assert.ok(c.__inspect__().includes('appendleft'));
    globalThis.cbCase2 = { someValue: 3, f() {} };
    assert.equal(py(plain, 'o = Coldbrew.get_variable("cbCase2")\nprint(o.someValue, hasattr(o, "some_value"))'), '3 False');
    delete globalThis.cbCase2;
  });
});

describe('errors across the bridge', () => {
  bt('a Python exception reaches JS as a PythonError with type, message and traceback', () => {
    cb.run('def t_fail(x):\n    raise ValueError(f"bad {x}")');
    assert.throws(() => cb.getVariable('t_fail')(3), (e) => e instanceof cb.PythonError && e.errorData.type === 'ValueError' &&
      e.errorData.message === 'bad 3' && /line 2, in t_fail/.test(e.errorData.traceback));
    assert.equal(cb.getExceptionInfo().type, 'ValueError');
  });
  bt('a JS error reaches Python as JavaScriptError with error_data; back in JS it is the original error', () => {
    const original = new TypeError('from js');
    globalThis.cbThrow = () => { throw original; };
    const out = py(cb, `
try:
    Coldbrew.run_function('cbThrow')
except Coldbrew.JavaScriptError as e:
    print(e.error_data["name"], e.error_data["message"], "TypeError: from js" in e.error_data["stack"])
`);
    assert.equal(out, 'TypeError from js True');
    cb.run('def t_call(f):\n    return f()');
    assert.throws(() => cb.runFunction('t_call', globalThis.cbThrow), (e) => e === original);
    delete globalThis.cbThrow;
  });
  bt('a Python exception thrown through JS back into Python is the original exception', () => {
    globalThis.cbCallIt = (f) => f();
    const out = py(cb, `
class T_Mine(Exception):
    pass
t_exc = T_Mine("mine")
def t_raise():
    raise t_exc
def t_outer(js_call):
    try:
        js_call(t_raise)
    except T_Mine as e:
        return e is t_exc
print(t_outer(Coldbrew.get_variable("cbCallIt")))
`);
    assert.equal(out, 'True');
    delete globalThis.cbCallIt;
  });
  bt('bad input: calling a non-callable, new on a non-class, attribute of None', () => {
    const o = cb.getVariable('object()');
    assert.throws(() => o(), TypeError);
    const f = cb.getVariable('len');
    assert.throws(() => new f([]), (e) => e instanceof cb.PythonError && /not a class/.test(e.message));
    globalThis.cbNotFn = 5;
    assert.equal(py(cb, `
try:
    Coldbrew.run_function('cbNotFn')
except TypeError as e:
    print(e)
try:
    Coldbrew.get_variable('Math')()
except Coldbrew.JavaScriptError as e:
    print(e.error_data["name"])
try:
    Coldbrew.get_variable('cbNoSuchThing')
except NameError as e:
    print(e)
n = Coldbrew.get_variable('null')
try:
    n.x
except AttributeError as e:
    print(type(n).__name__, "AttributeError")
`), "JavaScript global 'cbNotFn' is not a function\nTypeError\nJavaScript global 'cbNoSuchThing' is not defined\nNoneType AttributeError");
    delete globalThis.cbNotFn;
    assert.throws(() => cb.getVariable('None').x, TypeError);
    assert.throws(() => cb.getVariable('no_such_name'), (e) => e.errorData.type === 'NameError');
    assert.throws(() => cb.getVariable(5), /name must be a string/);
    assert.throws(() => cb.runFunction(undefined), /name must be a string/);
    assert.throws(() => cb.runFunction('len', cb.PythonKeywords([1])), (e) => e.errorData.type === 'TypeError');
    assert.throws(() => cb.PythonKeywords(null), /expects an object/);
    assert.equal(py(cb, `
try:
    Coldbrew.get_variable(5)
except TypeError as e:
    print(e)
`), 'a JavaScript variable name must be a str, not int');
  });
  bt('a JS getter that throws, a Python __getattr__ that raises', () => {
    globalThis.cbGetter = { get boom() { throw new Error('getter failed'); } };
    assert.equal(py(cb, `
try:
    Coldbrew.get_variable('cbGetter').boom
except Coldbrew.JavaScriptError as e:
    print(e.error_data["message"])
`), 'getter failed');
    delete globalThis.cbGetter;
    cb.run(`
class T_G:
    def __getattr__(self, name):
        if name == "explode":
            raise RuntimeError("no " + name)
        raise AttributeError(name)
t_g = T_G()
`);
    const g = cb.getVariable('t_g');
    assert.equal(g.other, undefined);
    assert.throws(() => g.explode, (e) => e.errorData.type === 'RuntimeError' && e.errorData.message === 'no explode');
  });
  bt('recursion through the bridge 1 000 deep ends in a clean error; the runtime stays usable', () => {
    let pyDown;
    globalThis.cbDown = (n) => (n === 0 ? 0 : 1 + pyDown(n - 1));
    cb.run('def t_down(n):\n    return 0 if n == 0 else 1 + t_js_down(n - 1)\nt_js_down = Coldbrew.get_variable("cbDown")');
    pyDown = cb.getVariable('t_down');
    assert.equal(pyDown(40), 40);
    assert.throws(() => pyDown(1000), (e) => e instanceof RangeError || (e instanceof cb.PythonError && e.errorData.type === 'RecursionError'));
    assert.equal(pyDown(40), 40);
    assert.equal(py(cb, 'print("alive")'), 'alive');
    delete globalThis.cbDown;
  });
});

describe('stress', () => {
  bt('100 000 Python objects through JS proxies: memory stays flat', async () => {
    const heap = () => cb._module.HEAPU8.length;
    const base = cb.liveVariableCounts().python;
    let h1 = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 25000; i++) {
        const o = cb.getVariable('object()');
        if (i % 2) o.__destroy__();   // half by hand, half by the garbage collector
      }
      await settle();
      assert.equal(cb.liveVariableCounts().python, base);
      if (round === 1) h1 = heap();
    }
    assert.equal(heap(), h1, 'wasm memory did not grow after the second round');
  });
  bt('100 000 JS values through Python wrappers: memory stays flat', async () => {
    globalThis.cbFresh = () => ({ payload: new Map() });
    const base = cb.liveVariableCounts().javascript;
    const jsHeap = [];
    for (let round = 0; round < 4; round++) {
      cb.run('for i in range(25000):\n    o = Coldbrew.run_function("cbFresh")\ndel o');
      assert.equal(cb.liveVariableCounts().javascript, base);
      await settle();
      jsHeap.push(process.memoryUsage().heapUsed);
    }
    assert.ok(jsHeap[3] - jsHeap[1] < 8 * 1024 * 1024, `JS heap grew by ${jsHeap[3] - jsHeap[1]} bytes`);
    delete globalThis.cbFresh;
  });
});
