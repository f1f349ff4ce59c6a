// Coldbrew.installPackages() and Python's Coldbrew.install_packages(): pure-Python
// wheels from paths, URLs and a package index (PEP 503 HTML and PEP 691 JSON,
// served by a child process on loopback), their dependencies, the checks that
// refuse a wheel (hashes, compiled code, another Python, a missing dependency,
// a 404), persistence of user installs, and worker mode.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Coldbrew, loadedInstance, py } from './helpers.mjs';
import { writePackageIndex } from './wheels.mjs';

let dir, server, base, wheels;
const file = (name) => path.join(dir, 'files', name);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-packages-'));
  wheels = await writePackageIndex(dir);
  server = spawn(process.execPath, [new URL('./index-server.mjs', import.meta.url).pathname, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  base = `http://127.0.0.1:${port}`;
});

after(() => {
  server.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

const refusal = (pattern) => (e) => {
  assert.equal(e.name, 'PythonError', e.stack);
  assert.equal(e.errorData.type, 'PackageInstallError', e.message);
  assert.match(e.message, pattern);
  return true;
};

describe('installPackages() in Node', () => {
  test('wheels from paths (absolute and relative): dependencies among them, what was installed, importable; again replaces', async () => {
    const cb = await loadedInstance();
    const installed = await cb.installPackages([path.relative(process.cwd(), file('app-0.1-py3-none-any.whl')),
      file('helper_lib-1.2-py3-none-any.whl')]);
    assert.deepEqual(installed, [{ name: 'app', version: '0.1' }, { name: 'helper-lib', version: '1.2' }]);
    assert.equal(py(cb, 'import app, importlib.metadata as m\nprint(app.answer(), m.version("helper-lib"), m.distribution("app").read_text("INSTALLER").strip())'),
      '42 1.2 coldbrew');
    // A string is one requirement; an installed dependency is not fetched again.
    assert.deepEqual(await cb.installPackages(file('app-0.2-py3-none-any.whl')), [{ name: 'app', version: '0.2' }]);
    assert.equal(py(cb, 'import importlib.metadata as m, os\nprint(m.version("app"), sorted(d for d in os.listdir(os.path.dirname(m.distribution("app")._path)) if d.startswith("app")))'),
      "0.2 ['app-0.2.dist-info', 'app.py']");
  });

  test('names from a package index (PEP 503 HTML and PEP 691 JSON): the newest pure-Python wheel that fits; dependencies from it', async () => {
    const cb = await loadedInstance();
    const installed = await cb.installPackages(['app'], { indexURL: `${base}/simple/` });
    // app 0.3b1 is a pre-release; helper-lib 2.0 needs Python >= 4, 9.0 is for Python 2.
    assert.deepEqual(installed, [{ name: 'app', version: '0.2' }, { name: 'helper-lib', version: '1.2' }]);
    assert.equal(py(cb, 'import app\nprint(app.VERSION, app.answer())'), '0.2 42');
    const cb2 = await loadedInstance();
    assert.deepEqual(await cb2.installPackages(['app==0.1', 'helper-lib<2'], { indexURL: `${base}/simple` }),
      [{ name: 'app', version: '0.1' }, { name: 'helper-lib', version: '1.2' }]);
    const cb3 = await loadedInstance();
    assert.deepEqual(await cb3.installPackages(['app>=0.3b1'], { indexURL: `${base}/simple/`, dependencies: false }),
      [{ name: 'app', version: '0.3b1' }]);
  });

  test('refusals name the wheel and the cause, install nothing, and the runtime goes on', async () => {
    const cb = await loadedInstance();
    const index = { indexURL: `${base}/simple/` };
    await assert.rejects(cb.installPackages(['badhash'], index), refusal(/badhash-1\.0-py3-none-any\.whl: its sha256 hash does not match the one the index gives/));
    await assert.rejects(cb.installPackages([file('tampered-1.0-py3-none-any.whl')]), refusal(/the RECORD hash of tampered\.py does not match/));
    await assert.rejects(cb.installPackages([file('app-0.1-py3-none-any.whl')]),
      refusal(/missing dependency: helper-lib>=1\.0 \(required by app 0\.1\)/));
    await assert.rejects(cb.installPackages(['needs-ghost'], index), refusal(/ghost>=1 \(required by needs-ghost 1\.0\): the index has no such project .*HTTP 404/));
    await assert.rejects(cb.installPackages([file('native-1.0-cp313-cp313-linux_x86_64.whl')]),
      refusal(/cannot install native-1\.0-cp313-cp313-linux_x86_64\.whl: it contains compiled code \(platform linux_x86_64/));
    await assert.rejects(cb.installPackages(['native'], index), refusal(/native: the index has no pure-Python wheel for Python 3\.13 .*native-1\.0-cp313/));
    await assert.rejects(cb.installPackages([file('sneaky-1.0-py3-none-any.whl')]), refusal(/it contains compiled code \(sneaky\.cpython-313-wasm32-emscripten\.so\)/));
    await assert.rejects(cb.installPackages([file('helper_lib-9.0-py2-none-any.whl')]), refusal(/it is for another Python \(py2\); this is Python 3\.13/));
    await assert.rejects(cb.installPackages([file('helper_lib-2.0-py3-none-any.whl')]), refusal(/it requires Python >=4/));
    await assert.rejects(cb.installPackages([`${base}/files/nothing-1.0-py3-none-any.whl`]),
      refusal(/nothing-1\.0-py3-none-any\.whl: fetching http:\/\/127\.0\.0\.1:\d+\/files\/nothing-1\.0-py3-none-any\.whl failed: HTTP 404/));
    await assert.rejects(cb.installPackages([path.join(dir, 'nope-1.0-py3-none-any.whl')]), refusal(/cannot read .*nope-1\.0-py3-none-any\.whl/));
    await assert.rejects(cb.installPackages(['app']), refusal(/app: installing a package by name needs a package index/));
    await assert.rejects(cb.installPackages(['app!!']), refusal(/requirement 'app!!': not a version specifier: '!!'/));
    // Nothing from the refused installs is there; the runtime still runs.
    assert.equal(py(cb, 'import importlib.util as u\nprint([u.find_spec(m) for m in ("app", "tampered", "needs_ghost", "sneaky")])'), '[None, None, None, None]');
    // Bad arguments are JavaScript TypeErrors naming the argument.
    await assert.rejects(cb.installPackages(42), /installPackages\(\): give a requirement or an array of them/);
    await assert.rejects(cb.installPackages([]), /give a requirement or an array/);
    await assert.rejects(cb.installPackages(['']), /requirements\[0\]/);
    await assert.rejects(cb.installPackages(['app'], { indexUrl: base }), /unknown option 'indexUrl'/);
    await assert.rejects(cb.installPackages(['app'], { user: 'yes' }), /option 'user' must be a boolean/);
    await assert.rejects(cb.installPackages(['app'], null), /options must be an object/);
  });

  test('Python: Coldbrew.install_packages() in a run and in an async run; Coldbrew.PackageInstallError', async () => {
    const cb = await loadedInstance();
    cb.addFile('/tmp/helper_lib-1.2-py3-none-any.whl', wheels.get('helper_lib-1.2-py3-none-any.whl'));
    assert.equal(py(cb, `
print(Coldbrew.install_packages("/tmp/helper_lib-1.2-py3-none-any.whl"))
try:
    Coldbrew.install_packages(["app"])
except Coldbrew.PackageInstallError as e:
    print(type(e).__name__, str(e).split(";")[0])
print(Coldbrew.install_packages(["app==0.1"], index_url="${base}/simple/"))
import app
print(app.answer())`), [
      "[{'name': 'helper-lib', 'version': '1.2'}]",
      'PackageInstallError app: installing a package by name needs a package index (options.indexURL in JavaScript, index_url in Python)',
      "[{'name': 'app', 'version': '0.1'}]",
      '42'].join('\n'));
    cb.out.length = 0;
    await cb.runAsync(`
import asyncio
async def main():
    await asyncio.sleep(0)
    print(Coldbrew.install_packages(["app==0.2"], index_url="${base}/simple/", dependencies=False))
    try:
        Coldbrew.install_packages(["${base}/files/nothing-1.0-py3-none-any.whl"])
    except Coldbrew.PackageInstallError as e:
        print(e)
asyncio.run(main())`);
    assert.deepEqual(cb.out, ["[{'name': 'app', 'version': '0.2'}]",
      `nothing-1.0-py3-none-any.whl: fetching ${base}/files/nothing-1.0-py3-none-any.whl failed: HTTP 404`]);
  });

  test('{user: true} installs under /home: with persistHome the package is there after unload() and load()', async () => {
    const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-persist-'));
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    await a.installPackages([file('helper_lib-1.2-py3-none-any.whl')], { user: true });
    assert.equal(py(a, 'import helper_lib\nprint(helper_lib.__file__)'), '/home/.local/lib/python3.13/site-packages/helper_lib/__init__.py');
    await a.saveFiles();
    a.unload();
    const b = await loadedInstance(opts);
    assert.equal(py(b, 'import helper_lib\nprint(helper_lib.twice(4))'), '8');
    b.unload();
    const c = await loadedInstance();   // not persisted: not there
    assert.equal(py(c, 'import importlib.util as u\nprint(u.find_spec("helper_lib"))'), 'None');
    fs.rmSync(storage, { recursive: true, force: true });
  });

  test('worker mode: installPackages() runs in the worker; its refusals arrive as PythonErrors', async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true, worker: true });
    try {
      assert.deepEqual(await cb.installPackages(['app'], { indexURL: `${base}/simple/` }),
        [{ name: 'app', version: '0.2' }, { name: 'helper-lib', version: '1.2' }]);
      await cb.run('import app\nx = app.answer()');
      assert.equal(await cb.getVariable('x'), 42);
      await assert.rejects(cb.installPackages([path.relative(process.cwd(), file('tampered-1.0-py3-none-any.whl'))]), refusal(/RECORD hash of tampered\.py/));
    } finally {
      cb.unload();
    }
  });
});
