// Custom environments (bash build/custom.sh SETTINGS_DIR; docs/custom-builds.md),
// built here from settings folders this test writes under tests/out/:
//   TextTool: its own MODULE_NAME, a keep-list made with getUsedFiles(), built-in
//     modules dropped (getUnusedModules()), files/, and requirements.txt with a
//     wheel built in this test from source and a real library from Debian's
//     source package (chardet, python3-chardet), installed by pip --no-index;
//   Second: another name and an export.js; both side by side in Node and on a page;
//   Native: two C extension modules written here (one top-level, one inside a
//     package) compiled into the wasm with C_EXTENSIONS, a C library for ctypes
//     (C_LIBRARIES), and memory sizes;
//   and builds that must fail, each naming its cause.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(repo, 'tests/out/custom');
const toolchain = (cmd, opts = {}) => execFileSync('bash', [path.join(repo, 'build/build.sh'), 'exec', 'bash', '-c', cmd],
  { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const customBuild = (dir) => spawnSync('bash', [path.join(repo, 'build/custom.sh'), dir], { cwd: repo, encoding: 'utf8' });

function settingsFolder(name, files) {
  const dir = path.join(out, name);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const FASTMATH_C = `#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
fib(PyObject *self, PyObject *arg)
{
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "fib() needs n >= 0");
        return NULL;
    }
    unsigned long long a = 0, b = 1;
    for (long i = 0; i < n; i++) {
        unsigned long long t = a + b;
        a = b;
        b = t;
    }
    return PyLong_FromUnsignedLongLong(a);
}

static PyMethodDef methods[] = {{"fib", fib, METH_O, "fib(n): the nth Fibonacci number, in C"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "fastmath", "A C extension built into Coldbrew", -1, methods};

PyMODINIT_FUNC
PyInit_fastmath(void)
{
    return PyModule_Create(&def);
}
`;

const SPEED_C = `#include <Python.h>
#include "shout.h"

static PyObject *
shout(PyObject *self, PyObject *arg)
{
    return PyObject_CallMethod(arg, "upper", NULL);
}

static PyMethodDef methods[] = {{"shout", shout, METH_O, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "textkit._speed", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__speed(void)
{
    PyObject *m = PyModule_Create(&def);
    if (m != NULL && PyModule_AddIntConstant(m, "LEVEL", SHOUT_LEVEL) < 0) {
        Py_CLEAR(m);
    }
    return m;
}
`;

const TEXT_TOOL = `import json, re, sys
import hello_cb, chardet
words = re.findall(r"[a-z]+", "The cat and the hat and THE bat".lower())
print(json.dumps({"count": len(words), "the": words.count("the")}, sort_keys=True))
print(hello_cb.greet("custom"), chardet.detect("naïve café".encode("utf-8"))["encoding"])
`;

describe('custom environments', () => {
  let textTool, second;
  before(() => {
    fs.mkdirSync(out, { recursive: true });
    // A small package built into a wheel from source, in the toolchain (pip wheel).
    const pkg = settingsFolder('src-hello', {
      'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n' +
        '[project]\nname = "hello_cb"\nversion = "1.0"\n',
      'hello_cb/__init__.py': 'def greet(who):\n    return f"hello, {who}"\n',
    });
    toolchain(`cd ${JSON.stringify(pkg)} && python3.13 -m pip wheel --no-build-isolation --no-deps -q -w ../wheels .`);
    // A real pure-Python library from Debian's source package (python3-chardet's source, chardet).
    toolchain(`cd ${JSON.stringify(out)} && rm -rf chardet-src && mkdir -p chardet-src && cd chardet-src && ` +
      '(apt-get source --download-only chardet >/dev/null 2>&1 || true) && tar xzf chardet_*.orig.tar.gz && ls -d */ | head -1');
    const chardetDir = fs.readdirSync(path.join(out, 'chardet-src')).find((f) => fs.statSync(path.join(out, 'chardet-src', f)).isDirectory());
    assert.ok(chardetDir, "Debian's chardet source did not arrive (apt-get source chardet)");

    // Built-in modules the app does not need, asked of the normal runtime (getUnusedModules()).
    const Coldbrew = require(path.join(repo, 'dist/coldbrew.js'));
    const probe = Coldbrew.createNewInstance();
    return probe.load({ hideWarnings: true }).then(() => {
      const unused = probe.getUnusedModules().filter((m) => ['_sqlite3', '_decimal', '_codecs_jp', '_elementtree', 'pyexpat', '_lzma', '_bz2'].includes(m));
      // _lzma and _bz2 are imported by zipfile only if present: the runtime's zip helpers work without them.
      assert.ok(unused.includes('_lzma') && unused.includes('_bz2'), `getUnusedModules() at start: ${unused}`);
      probe.unload();
      textTool = settingsFolder('TextTool', {
        'coldbrew_settings.py': `MODULE_NAME = "TextTool"\nUNUSED_BUILTIN_MODULES = ${JSON.stringify(unused)}\nINITIAL_MEMORY_MB = 24\n`,
        'requirements.txt': `--no-index\n--find-links ../wheels\nhello_cb==1.0\n../chardet-src/${chardetDir}\n`,
        'files/app.py': TEXT_TOOL,
        'files/data/notes.txt': 'bundled\n',
      });
      second = settingsFolder('Second', {
        'coldbrew_settings.py': 'MODULE_NAME = "Second"\nNODE = True\nBROWSER = True\n',
        'export.js': 'EXPORT = { env: Coldbrew, answer: 42 };\n',
      });
    });
  });

  test('TextTool builds: its packages, files and settings; slimmed by getUsedFiles(); what was dropped fails cleanly, naming it', async () => {
    let r = customBuild(textTool);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    // The user's loop: run the app with monitorFileUsage, keep what it used, build again.
    const full = require(path.join(textTool, 'dist/coldbrew.js'));
    await full.load({ hideWarnings: true, monitorFileUsage: true });
    full.onStandardOut = () => {};
    full.runFile('/files/app.py');
    fs.writeFileSync(path.join(textTool, 'keeplist.txt'), full.getUsedFiles() + '\n');
    full.unload();
    delete require.cache[require.resolve(path.join(textTool, 'dist/coldbrew.js'))];
    r = customBuild(textTool);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const summary = JSON.parse(fs.readFileSync(path.join(textTool, 'dist/custom-build.json'), 'utf8'));
    assert.deepEqual(summary.packages.map((p) => p.split('-')[0]).sort(), ['chardet', 'hello_cb']);
    assert.ok(summary.stdlib_entries[0] < summary.stdlib_entries[1] / 3, `the keep-list slimmed the stdlib: ${summary.stdlib_entries}`);
    const env = require(path.join(textTool, 'dist/coldbrew.js'));
    await env.load({ hideWarnings: true });
    const lines = [];
    env.onStandardOut = (line) => lines.push(line);
    env.runFile('/files/app.py');
    assert.deepEqual(lines, ['{"count": 8, "the": 3}', 'hello, custom utf-8']);
    env.run('print(open("/files/data/notes.txt").read().strip())\nimport os\nprint(os.environ["COLDBREW_MODULE_NAME"])');
    assert.deepEqual(lines.slice(2), ['bundled', 'TextTool']);
    for (const [source, message] of [['import _sqlite3', "No module named '_sqlite3'"], ['import email.message', "No module named 'email'"],
      ['import lzma', "No module named '_lzma'"]]) {
      assert.throws(() => env.run(source), (e) => e.errorData.type === 'ModuleNotFoundError' && e.errorData.message === message, source);
    }
    // Without _lzma and _bz2, zip archives still work (the runtime's helpers and zipfile), and an LZMA
    // one names what is missing.
    const zipped = await env.addFilesFromZip('/unzipped', path.join(textTool, 'dist/coldbrew-files.zip'));
    assert.ok(zipped > 0, `addFilesFromZip: ${zipped}`);
    env.run(`import io, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.txt", "deflated " * 50)
print(zipfile.ZipFile(buf).read("a.txt").decode()[:8])
try:
    zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_LZMA)
except RuntimeError as e:
    print(e)`);
    assert.deepEqual(lines.slice(-2), ['deflated', 'Compression requires the (missing) lzma module']);
    env.run('print("still fine")');
    assert.equal(lines.at(-1), 'still fine');
    env.unload();
  });

  test('Second: export.js decides what require() gives; two environments side by side in one Node process', async () => {
    const r = customBuild(second);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const exported = require(path.join(second, 'dist/coldbrew.js'));
    assert.equal(exported.answer, 42);
    const a = require(path.join(textTool, 'dist/coldbrew.js'));
    await Promise.all([a.load({ hideWarnings: true }), exported.env.load({ hideWarnings: true })]);
    const seen = [];
    a.onStandardOut = (l) => seen.push(`A ${l}`);
    exported.env.onStandardOut = (l) => seen.push(`B ${l}`);
    a.run('import os\nprint(os.environ["COLDBREW_MODULE_NAME"], os.path.exists("/files/app.py"))');
    exported.env.run('import os\nprint(os.environ["COLDBREW_MODULE_NAME"], os.path.exists("/files/app.py"))');
    assert.deepEqual(seen, ['A TextTool True', 'B Second False']);
    a.unload();
    exported.env.unload();
  });

  test('both on one page (Chromium): two globals, each its own Python; the example page', async () => {
    const { startServer, launch } = await import('../browser/helpers.mjs');
    const { server, base } = await startServer();
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const rel = (dir) => `/${path.relative(repo, dir)}/dist/coldbrew.js`;
      fs.writeFileSync(path.join(out, 'both.html'), `<!doctype html><meta charset="utf-8"><title>both</title>
<script src="${rel(textTool)}"></script><script src="${rel(second)}"></script>`);
      await page.goto(`${base}/tests/out/custom/both.html`);
      const r = await page.evaluate(async () => {
        const seen = [];
        await TextTool.load({ hideWarnings: true });
        await Second.env.load({ hideWarnings: true });
        TextTool.onStandardOut = (l) => seen.push(`A ${l}`);
        Second.env.onStandardOut = (l) => seen.push(`B ${l}`);
        TextTool.runFile('/files/app.py');
        Second.env.run('import sys\nprint(sys.version_info[:2])');
        return { seen, answer: Second.answer, coldbrew: typeof Coldbrew };
      });
      assert.deepEqual(r, { seen: ['A {"count": 8, "the": 3}', 'A hello, custom utf-8', 'B (3, 13)'], answer: 42, coldbrew: 'undefined' });
      // The example page a BROWSER build writes (its script a file: the server's CSP allows no inline script).
      await page.goto(`${base}/${path.relative(repo, textTool)}/dist/index.html`);
      await page.waitForFunction(() => document.getElementById('out').textContent.length > 0, null, { timeout: 30000 });
      assert.match(await page.evaluate(() => document.getElementById('out').textContent), /^Python 3\.13\.\d+ /);
    } finally {
      await browser.close();
      server.close();
    }
  });

  test('Native: C extensions compiled into the wasm (a module, and one inside a package), in the threaded runtime too; memory sizes applied', async () => {
    const native = settingsFolder('Native', {
      'coldbrew_settings.py': 'MODULE_NAME = "Native"\nINITIAL_MEMORY_MB = 48\nMAXIMUM_MEMORY_MB = 256\n' +
        'C_EXTENSIONS = {"fastmath": {"sources": ["ext/fastmath.c"], "ctypes": True}, "textkit._speed": ["ext/speed.c"]}\n' +
        'C_LIBRARIES = {"libgeo": ["lib/geo.c", "lib/units.c"]}\n',
      'lib/geo.c': 'double geo_scale = 2.0;\ndouble to_metres(double);\n' +
        'double geo_area(double w, double h) { return to_metres(w) * to_metres(h) * geo_scale; }\n',
      'lib/units.c': 'double to_metres(double feet) { return feet * 0.3048; }\n',
      'ext/fastmath.c': FASTMATH_C,
      'ext/speed.c': SPEED_C,
      'ext/shout.h': '#define SHOUT_LEVEL 11\n',
      'files/textkit/__init__.py': 'from textkit._speed import shout, LEVEL\n',
      'files/main.py': 'import fastmath, textkit, sys\nprint(fastmath.fib(90), textkit.shout("quiet"), textkit.LEVEL, "fastmath" in sys.builtin_module_names)\n',
    });
    const r = customBuild(native);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(native, 'dist/custom-build.json'), 'utf8')).c_extensions, ['fastmath', 'textkit._speed']);
    const env = require(path.join(native, 'dist/coldbrew.js'));
    await env.load({ hideWarnings: true });
    const lines = [];
    env.onStandardOut = (line) => lines.push(line);
    env.runFile('/files/main.py');
    assert.deepEqual(lines, ['2880067194370816120 QUIET 11 True']);
    assert.throws(() => env.run('import fastmath\nfastmath.fib(-1)'), (e) => e.errorData.type === 'ValueError' && e.errorData.message === 'fib() needs n >= 0');
    // INITIAL_MEMORY_MB and MAXIMUM_MEMORY_MB: the memory starts at 48 MB and stops growing at 256 MB.
    assert.ok(env._module.cbMemory.buffer.byteLength >= 48 * 2 ** 20, `${env._module.cbMemory.buffer.byteLength}`);
    env.run('block = bytearray(100 * 2**20)\ndel block');
    assert.throws(() => env.run('block = bytearray(300 * 2**20)'), (e) => e.errorData.type === 'MemoryError');
    env.run('print("after", fastmath.fib(10))');
    assert.equal(lines.at(-1), 'after 55');
    // C_LIBRARIES: ctypes opens libgeo (two files, one library) by a path or a bare name, and reads its variable;
    // a ctypes-enabled extension opens by its __file__; CDLL(None) sees every table, CPython's C API included.
    env.run(`
import ctypes, fastmath
geo = ctypes.CDLL("/usr/lib/libgeo.so.1")
geo.geo_area.restype = ctypes.c_double
geo.geo_area.argtypes = [ctypes.c_double, ctypes.c_double]
scale = ctypes.c_double.in_dll(ctypes.CDLL("geo"), "geo_scale")
scale.value = 1.0
area = round(geo.geo_area(10, 20), 4)
whole = ctypes.CDLL(None)
whole.to_metres.restype = ctypes.c_double
feet = round(whole.to_metres(ctypes.c_double(1)), 4)
fib_c = ctypes.CDLL(fastmath.__file__)
named = fastmath.__file__.rsplit("/", 1)[-1]
api = ctypes.pythonapi.PyLong_FromLong
api.restype = ctypes.py_object
built = api(7)
result = [area, feet, named, built]
`);
    assert.deepEqual(env.getVariable('result'), [18.5806, 0.3048, 'fastmath.cpython-313-wasm32-emscripten.so', 7]);
    assert.throws(() => env.run('import ctypes\nctypes.CDLL("libnothere.so")'),
      (e) => e.errorData.type === 'OSError' && /libnothere\.so: no such library in this build/.test(e.errorData.message));
    assert.throws(() => env.run('import ctypes\nctypes.CDLL("libgeo.so").no_such_function'),
      (e) => e.errorData.type === 'AttributeError' && /undefined symbol: no_such_function/.test(e.errorData.message));
    env.unload();
    // The threaded runtime of this build has them too: load({threadWorkers}) in a custom environment.
    const threaded = env.createNewInstance();
    await threaded.load({ hideWarnings: true, threadWorkers: 2 });
    threaded.run('import sys\nsys.path.insert(0, "/files")\nimport threading, fastmath, textkit\nr = []\n' +
      't = threading.Thread(target=lambda: r.append((fastmath.fib(50), textkit.shout("t"))))\nt.start()\nt.join()\nresult = list(r[0])');
    assert.deepEqual(threaded.getVariable('result'), [12586269025, 'T']);
    threaded.unload();
    // And in Chromium.
    const { startServer, launch } = await import('../browser/helpers.mjs');
    const { server, base } = await startServer();
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/${path.relative(repo, native)}/dist/index.html`);
      const got = await page.evaluate(async () => {
        await Native.load({ hideWarnings: true });
        Native.run('import sys, ctypes\nsys.path.insert(0, "/files")\nimport fastmath, textkit\n' +
          'geo = ctypes.CDLL("libgeo.so")\ngeo.geo_area.restype = ctypes.c_double\n' +
          'r = [fastmath.fib(90), textkit.shout("page"), round(geo.geo_area(ctypes.c_double(10), ctypes.c_double(20)), 4)]');
        return Native.getVariable('r');
      });
      assert.deepEqual(got, [2880067194370816120n, 'PAGE', 37.1612]);   // geo_scale is 2.0 in this fresh instance
    } finally {
      await browser.close();
      server.close();
    }
  });

  test('requirements from a package index (--index-url; a child process on loopback): names, versions and dependencies', async () => {
    const { writePackageIndex } = await import('../node/wheels.mjs');
    const indexDir = path.join(out, 'index');
    fs.rmSync(indexDir, { recursive: true, force: true });
    await writePackageIndex(indexDir);
    const server = spawn(process.execPath, [path.join(repo, 'tests/node/index-server.mjs'), indexDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
      const dir = settingsFolder('FromIndex', {
        'coldbrew_settings.py': 'MODULE_NAME = "FromIndex"\n',
        'requirements.txt': `--index-url http://127.0.0.1:${port}/simple/\napp==0.2\n`,
      });
      const r = customBuild(dir);   // synchronous: the index is another process
      assert.equal(r.status, 0, r.stderr.slice(-3000));
      // pip chose app 0.2 and, for its dependency, helper-lib 1.2 (2.0 needs Python >= 4, 9.0 is for Python 2).
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'dist/custom-build.json'), 'utf8')).packages, ['app-0.2', 'helper_lib-1.2']);
      const env = require(path.join(dir, 'dist/coldbrew.js'));
      await env.load({ hideWarnings: true });
      env.run('import app\nanswer = app.answer()');
      assert.equal(env.getVariable('answer'), 42);
      env.unload();
    } finally {
      server.kill();
    }
  });

  test('builds that must fail say why: a package with C code, a bad MODULE_NAME, a module start-up needs, a C extension that does not compile', () => {
    // A platform wheel (compiled code for this machine), made by hand: pip installs it, the build refuses it.
    fs.mkdirSync(path.join(out, 'wheels-native'), { recursive: true });
    fs.writeFileSync(path.join(out, 'make-native-wheel.py'), [
      'import zipfile',
      'n = "speedy-1.0.dist-info/"',
      'with zipfile.ZipFile("wheels-native/speedy-1.0-cp313-cp313-linux_x86_64.whl", "w") as z:',
      '    z.writestr("speedy.cpython-313-x86_64-linux-gnu.so", b"not really a shared object")',
      '    z.writestr(n + "METADATA", "Metadata-Version: 2.1\\nName: speedy\\nVersion: 1.0\\n")',
      '    z.writestr(n + "WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: false\\nTag: cp313-cp313-linux_x86_64\\n")',
      '    z.writestr(n + "RECORD", "".join(f + ",,\\n" for f in ["speedy.cpython-313-x86_64-linux-gnu.so", n + "METADATA", n + "WHEEL", n + "RECORD"]))',
    ].join('\n') + '\n');
    toolchain(`cd ${JSON.stringify(out)} && python3.13 make-native-wheel.py`);
    // A source package with a C extension: pip would compile it for this machine.
    const native = settingsFolder('src-native', {
      'setup.py': 'from setuptools import setup, Extension\nsetup(name="fastc", version="1.0", ext_modules=[Extension("fastc", ["fastc.c"])])\n',
      'fastc.c': 'int fastc(void) { return 1; }\n',
    });
    const cases = [
      [{ 'requirements.txt': '--no-index\n--find-links ../wheels-native\nspeedy\n' }, /compiled \(C\) code.*speedy-1\.0 \(speedy\..*\.so\)/s],
      [{ 'requirements.txt': `--no-index\n${native}\n` }, /compiled \(C\) code.*fastc-1\.0 \(fastc\..*\.so\)/s],
      [{ 'coldbrew_settings.py': 'MODULE_NAME = "not a name"\n' }, /MODULE_NAME must be a JavaScript identifier, not 'not a name'/],
      [{ 'coldbrew_settings.py': 'UNUSED_BUILTIN_MODULES = ["posix", "_io"]\n' }, /Python's start-up or Coldbrew's runtime imports _io, posix; they cannot be left out/],
      [{ 'coldbrew_settings.py': 'UNUSED_BUILTIN_MODULES = ["nosuchmodule"]\n' }, /not a built-in module of this build: nosuchmodule/],
      [{ 'coldbrew_settings.py': 'MEMORY = 5\n' }, /unknown setting\(s\) MEMORY/],
      [{ 'requirements.txt': '--no-index\nnot-there==1.0\n' }, /pip could not install .*not-there/s],
      [{ 'coldbrew_settings.py': 'C_EXTENSIONS = {"broken": ["broken.c"]}\n', 'broken.c': 'this is not C;\n' },
        /C_EXTENSIONS\['broken'\]: .*broken\.c does not compile:.*error/s],
      [{ 'coldbrew_settings.py': 'C_EXTENSIONS = {"math": ["m.c"]}\n', 'm.c': 'int x;\n' }, /C_EXTENSIONS: already a built-in module of this build: math/],
      [{ 'coldbrew_settings.py': 'C_EXTENSIONS = {"gone": ["nowhere.c"]}\n' }, /C_EXTENSIONS\['gone'\]: no such file .*nowhere\.c/],
      [{ 'coldbrew_settings.py': 'C_LIBRARIES = {"bad name": ["x.c"]}\n', 'x.c': 'int x;\n' }, /C_LIBRARIES: 'bad name' is not a library name/],
      [{ 'coldbrew_settings.py': 'C_EXTENSIONS = {"x": {"sources": ["x.c"], "ctypes": "yes"}}\n', 'x.c': 'int x;\n' },
        /C_EXTENSIONS\['x'\]\['ctypes'\] must be True or False/],
      [{ 'coldbrew_settings.py': 'C_EXTENSIONS = {"x": {"sources": ["x.c"], "cflags": "-O3"}}\n', 'x.c': 'int x;\n' },
        /C_EXTENSIONS\['x'\]\['cflags'\] must be a list of compiler options/],
      [{ 'coldbrew_settings.py': 'C_EXTENSIONS = {"x": {"sources": ["$CPYTHON/Modules/nothing.c"]}}\n' },
        /C_EXTENSIONS\['x'\]: no such file .*\/Modules\/nothing\.c/],
    ];
    for (const [files, message] of cases) {
      const dir = settingsFolder('Bad', files);
      const r = customBuild(dir);
      assert.notEqual(r.status, 0, JSON.stringify(files));
      assert.match(r.stderr, message, JSON.stringify(files));
    }
  });

  after(() => { /* the builds stay in tests/out/custom for a look */ });
});
