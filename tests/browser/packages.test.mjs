// Coldbrew.installPackages() in Chromium: wheels and a simple index served
// from the page's origin (written by tests/node/wheels.mjs into tests/out/),
// URLs relative to the page, a 404 and a changed wheel refused by name,
// Python's Coldbrew.install_packages(), and worker mode, whose relative URLs
// still mean the page's.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromiumSuite, openPage, loadColdbrew, root } from './helpers.mjs';
import { writePackageIndex } from '../node/wheels.mjs';

const suite = chromiumSuite();

before(async () => {
  const dir = path.join(root, 'tests/out/packages');
  fs.rmSync(dir, { recursive: true, force: true });
  await writePackageIndex(dir);
});

describe('installPackages() in a page', () => {
  test('from an index and from wheel URLs relative to the page; refusals are PythonErrors; worker mode too', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    await loadColdbrew(page);
    const r = await page.evaluate(async () => {
      const got = {};
      const refusal = async (promise) => {
        try { await promise; return 'no error'; } catch (e) { return `${e.name} ${e.errorData && e.errorData.type}: ${e.message}`; }
      };
      got.index = await Coldbrew.installPackages(['app'], { indexURL: '../out/packages/simple/' });
      Coldbrew.run('import app\nanswer = app.answer()');
      got.answer = Coldbrew.getVariable('answer');
      got.missing = await refusal(Coldbrew.installPackages(['../out/packages/files/nothing-1.0-py3-none-any.whl']));
      got.tampered = await refusal(Coldbrew.installPackages(['../out/packages/files/tampered-1.0-py3-none-any.whl']));
      got.badType = await refusal(Coldbrew.installPackages({}));
      got.usable = Coldbrew.run('x = 1');
      // Python's own side: synchronous (XMLHttpRequest), absolute URLs; its refusal a Python exception.
      Coldbrew.run(`py = Coldbrew.install_packages(["${location.origin}/tests/out/packages/files/helper_lib-1.2-py3-none-any.whl"])
try:
    Coldbrew.install_packages([])
except Coldbrew.PackageInstallError as e:
    refused = str(e)`);
      got.python = Coldbrew.getVariable('py');
      got.pythonRefused = Coldbrew.getVariable('refused');
      const w = Coldbrew.createNewInstance();
      await w.load({ hideWarnings: true, worker: true });
      got.worker = await w.installPackages(['../out/packages/files/helper_lib-1.2-py3-none-any.whl']);
      await w.run('import helper_lib\ny = helper_lib.twice(5)');
      got.workerValue = await w.getVariable('y');
      w.unload();
      return got;
    });
    assert.deepEqual(r.index, [{ name: 'app', version: '0.2' }, { name: 'helper-lib', version: '1.2' }]);
    assert.equal(r.answer, 42);
    assert.match(r.missing, new RegExp(`^PythonError PackageInstallError: PackageInstallError: nothing-1\\.0-py3-none-any\\.whl: fetching ${suite.base}/tests/out/packages/files/nothing-1\\.0-py3-none-any\\.whl failed: HTTP 404`));
    assert.match(r.tampered, /PackageInstallError: .*the RECORD hash of tampered\.py does not match/);
    assert.match(r.badType, /^TypeError undefined: Coldbrew\.installPackages\(\): give a requirement/);
    assert.equal(r.usable, 0);
    assert.deepEqual(r.python, [{ name: 'helper-lib', version: '1.2' }]);
    assert.match(r.pythonRefused, /^give a list of requirements/);
    assert.deepEqual(r.worker, [{ name: 'helper-lib', version: '1.2' }]);
    assert.equal(r.workerValue, 10);
    assert.deepEqual(page.errors, []);
  });
});
