// The synchronous Coldbrew API in Node: load/unload/instances, run/runFile,
// errors in both directions, environment, stdio and the recursion guards.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Coldbrew, loadedInstance, capture, py } from './helpers.mjs';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

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

  test('load({locateFile}) and load({indexURL}) say where the asset files are; a wrong place is a clear error', async () => {
    const { default: path } = await import('node:path');
    const { default: os } = await import('node:os');
    const { default: fs } = await import('node:fs');
    const dist = new URL('../../dist/', import.meta.url).pathname;
    const asked = [];
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true, locateFile: (name, base) => { asked.push([name, base !== undefined]); return path.join(dist, name); } });
    assert.equal(cb.run('x = 1'), 0);
    assert.deepEqual(asked.map(([n]) => n).sort(), ['coldbrew-stdlib.zip', 'coldbrew.wasm']);
    cb.unload();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-assets-'));
    for (const f of ['coldbrew.wasm', 'coldbrew-stdlib.zip']) fs.copyFileSync(path.join(dist, f), path.join(elsewhere, f));
    await cb.load({ hideWarnings: true, indexURL: elsewhere });
    assert.equal(cb.run('x = 2'), 0);
    cb.unload();
    fs.rmSync(path.join(elsewhere, 'coldbrew-stdlib.zip'));
    await assert.rejects(cb.load({ hideWarnings: true, indexURL: elsewhere }), (e) => e.message.includes(path.join(elsewhere, 'coldbrew-stdlib.zip')));
    // The wasm is read before Emscripten's factory runs (loader.js,
    // cbStartWasm); a missing one is still load()'s rejection, named, and
    // never an unhandled rejection of the process.
    const unhandled = [];
    const onUnhandled = (e) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      fs.copyFileSync(path.join(dist, 'coldbrew-stdlib.zip'), path.join(elsewhere, 'coldbrew-stdlib.zip'));
      fs.rmSync(path.join(elsewhere, 'coldbrew.wasm'));
      await assert.rejects(cb.load({ hideWarnings: true, indexURL: elsewhere }),
        (e) => e.message.startsWith('Coldbrew.load(): cannot read ') && e.message.includes(path.join(elsewhere, 'coldbrew.wasm')));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    await assert.rejects(cb.load({ indexURL: '' }), /option 'indexURL' must be a non-empty string/);
    await assert.rejects(cb.load({ locateFile: 'x' }), /option 'locateFile' must be a function/);
    await assert.rejects(cb.load({ hideWarnings: true, locateFile: () => 42 }), /locateFile\('coldbrew\.wasm'\) must return a URL or a non-empty string/);
    fs.rmSync(elsewhere, { recursive: true });
    await cb.load({ hideWarnings: true });   // still loadable
    cb.unload();
  });

  test('a load rejected while its wasm was still instantiating does not reach the load after it', async () => {
    // The rejected load's wasm finishes in the background; its memory must
    // not become the next load's (that was a flaky TypeError in set_host).
    const { default: path } = await import('node:path');
    const dist = new URL('../../dist/', import.meta.url).pathname;
    const cb = Coldbrew.createNewInstance();
    for (let i = 0; i < 6; i++) {
      await assert.rejects(cb.load({ hideWarnings: true, locateFile: (name) => path.join(dist, name === 'coldbrew.wasm' ? name : 'missing.zip') }),
        /missing\.zip/);
      await cb.load({ hideWarnings: true });
      assert.equal(cb.run(`s = 'round ${i} \u00e9'`), 0);
      assert.equal(cb.getVariable('s'), `round ${i} \u00e9`);
      cb.unload();
    }
  });

  test('load() reports download progress to onProgress, ending at total', async () => {
    const cb = Coldbrew.createNewInstance();
    const events = [];
    await cb.load({ hideWarnings: true, onProgress: (p) => events.push(p) });
    assert.ok(events.length >= 2);
    const last = events.at(-1);
    assert.equal(last.loaded, last.total);
    // The wasm and the stdlib's core (its bundles come on first import).
    const size = (f) => fs.statSync(path.join(dist, f)).size;
    assert.equal(last.total, size('coldbrew.wasm') + size('coldbrew-stdlib.zip'));
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

describe('running Python: what only the calling thread has', () => {
  // The rest of running, stdin, environment, runFile and recursion are shared
  // bodies run in both modes: tests/shared/api-bodies.mjs via modes.test.mjs.
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('Coldbrew.version is the version in dist/package.json', async () => {
    const { readFileSync } = await import('node:fs');
    const { version } = JSON.parse(readFileSync(new URL('../../dist/package.json', import.meta.url), 'utf8'));
    assert.equal(cb.version, version);
    assert.equal(py(cb, 'print(Coldbrew.version)'), version);
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

  test('a recursion is still a RecursionError when the caller is already 2000 JS frames deep', () => {
    const deep = (n) => (n ? deep(n - 1) : (() => {
      try { cb.run('class A:\n    def __repr__(self): return repr(A())\nrepr(A())'); return 'no error'; } catch (e) { return e.errorData ? e.errorData.type : e.message; }
    })());
    assert.equal(deep(2000), 'RecursionError');
    assert.equal(py(cb, 'print("alive")'), 'alive');
  });
});
