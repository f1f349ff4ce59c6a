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
