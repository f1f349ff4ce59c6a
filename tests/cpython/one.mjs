// Runs one module of CPython's regression suite inside a fresh Coldbrew
// instance: node one.mjs TEST_MODULE IGNOREFILE [threads]. Exit status is
// regrtest's. "threads": the threaded runtime, with a pool of 8 workers (Node
// adds workers when a test starts more threads at once).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
// The suite's own environment (tests/cpython/test-env: the runtime plus CPython's C
// test modules) when it has been built; else the runtime as users get it.
const testEnv = path.join(here, 'test-env', 'dist', 'coldbrew.js');
const Coldbrew = require(fs.existsSync(testEnv) ? testEnv : '../../dist/coldbrew.js');
const [module, ignoreFile, mode] = process.argv.slice(2);

console.log(`coldbrew: ${mode === 'threads' ? 'threaded' : 'default'} runtime${fs.existsSync(testEnv) ? ', with the C test modules' : ''}`);   // full.mjs --from-logs reads it
await Coldbrew.load(mode === 'threads' ? { hideWarnings: true, threadWorkers: 8 } : { hideWarnings: true });
Coldbrew.onStandardOut = (line, partial) => process.stdout.write(partial ? line : line + '\n');
Coldbrew.onStandardErr = (line, partial) => process.stderr.write(partial ? line : line + '\n');
Coldbrew.addFile('/tmp/cpython-tests.zip', new Uint8Array(fs.readFileSync(path.join(here, '..', 'out', 'cpython-tests.zip'))));
Coldbrew.addFile('/tmp/ignore.txt', fs.readFileSync(ignoreFile, 'utf8'));
Coldbrew.run(`
import sys, zipfile
with zipfile.ZipFile("/tmp/cpython-tests.zip") as z:
    z.extractall("/lib/cpython-tests")
sys.path.insert(0, "/lib/cpython-tests")
`);
// The test environment has CPython's C test modules, though this runtime was
// configured --disable-test-modules: say so where the suite looks (test.support).
if (fs.existsSync(testEnv)) Coldbrew.run('import sysconfig\nsysconfig.get_config_vars()["TEST_MODULES"] = "yes"');
// The suite sizes its deep-recursion tests by _testcapi.Py_C_RECURSION_LIMIT,
// the header's value; Coldbrew lowers the budget at load() to what the
// engine's stack holds (loader.js cbCRecursionBudget). Tell the suite the
// budget this thread really has, so its tests probe the real limit.
if (fs.existsSync(testEnv)) {
  Coldbrew.run('import _testcapi, _testinternalcapi\n_testcapi.Py_C_RECURSION_LIMIT = _testinternalcapi.get_c_recursion_remaining()');
}
// test_argparse, test_getopt and test_optparse import a translation helper
// (test.support.i18n_helper) that imports test.test_tools, whose module-level
// guard skips whoever imports it when there are no subprocesses: the whole
// module was skipped for its one translation test, which requires_subprocess()
// skips by itself. For them, test.test_tools is imported with the guard lifted.
if (['test_argparse', 'test_getopt', 'test_optparse'].includes(module)) {
  Coldbrew.run(`
from test import support
support.has_subprocess_support = True
try:
    import test.test_tools
finally:
    support.has_subprocess_support = False
`);
}
// -u curses: the curses tests run to their own check for _curses (not built:
// not-applicable.txt says why) instead of stopping at regrtest's resource gate.
let status = 0;
try {
  Coldbrew.run(`
import sys
from test.libregrtest.main import main
sys.argv = ["regrtest", "--ignorefile", "/tmp/ignore.txt", "-W", "-u", "curses", ${JSON.stringify(module)}]
main()
`);
} catch (e) {
  if (e instanceof Coldbrew.PythonError && e.errorData.exitCode !== undefined) status = e.errorData.exitCode;
  else { console.error(e instanceof Coldbrew.PythonError ? e.errorData.traceback : e); status = 99; }
}
process.exitCode = status;
