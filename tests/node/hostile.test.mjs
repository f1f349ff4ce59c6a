// The hostile-input battery (issue: reliability and safety). Each test is one
// way a program or a careless caller could lose data, reach the host or kill
// the runtime; each asserts what a user relies on instead. Cases that touch
// the host process (exit codes, kill -9) run in a child process.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Coldbrew, loadedInstance, py } from './helpers.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/coldbrew.js');
const tmpStore = () => fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-hostile-'));

/* Runs a CommonJS script in a fresh Node process; `Coldbrew` is defined. */
function child(source, { timeout = 60000 } = {}) {
  const file = path.join(tmpStore(), 'child.cjs');
  fs.writeFileSync(file, `const Coldbrew = require(${JSON.stringify(dist)});\n${source}`);
  return spawnSync(process.execPath, [file], { encoding: 'utf8', timeout });
}

/* Every entry under dir (lstat), for checking what a save put on the host. */
function hostTree(dir) {
  const out = [];
  const walk = (p) => {
    const st = fs.lstatSync(p);
    out.push({ p, st });
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dir);
  return out;
}

describe('persistence: no host effects', () => {
  test('saveFiles never puts setuid, setgid, sticky or execute bits or symlinks on the host; modes come back inside', async () => {
    const storage = tmpStore();
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    a.run(`
import os
with open('/home/tool', 'wb') as f: f.write(b'\\x7fELF' + bytes(100))
os.chmod('/home/tool', 0o4755)
os.mkdir('/home/bin'); os.chmod('/home/bin', 0o3777)
open('/home/bin/x', 'w').write('x')
os.chmod('/home/bin/x', 0o6711)
os.symlink('/etc/passwd', '/home/passwd-link')
os.symlink('/etc', '/home/etc-link')
`);
    assert.equal(await a.saveFiles(), true);
    for (const { p, st } of hostTree(storage)) {
      assert.equal(st.isSymbolicLink(), false, `${p} is a symlink on the host`);
      if (st.isFile()) assert.equal(st.mode & 0o7111, 0, `${p} has mode ${(st.mode & 0o7777).toString(8)} on the host`);
      else assert.equal(st.mode & 0o7000, 0, `${p} has mode ${(st.mode & 0o7777).toString(8)} on the host`);
    }
    const b = await loadedInstance(opts);
    assert.equal(py(b, `
import os, stat
print(oct(stat.S_IMODE(os.stat('/home/tool').st_mode)), oct(stat.S_IMODE(os.stat('/home/bin').st_mode)),
      oct(stat.S_IMODE(os.stat('/home/bin/x').st_mode)), os.readlink('/home/passwd-link'),
      os.readlink('/home/etc-link'), open('/home/tool', 'rb').read()[:4])`),
    "0o4755 0o3777 0o6711 /etc/passwd /etc b'\\x7fELF'");
  });

  test('a name the host disk refuses (300 bytes, invalid UTF-8) is saved and comes back', async () => {
    const storage = tmpStore();
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    a.run(`
open('/home/' + 'n' * 300, 'w').write('long name')
open(b'/home/bad\\xff\\xfename', 'w').write('bad name')`);
    assert.equal(await a.saveFiles(), true);
    const b = await loadedInstance(opts);
    assert.equal(py(b, `
import os
print(open('/home/' + 'n' * 300).read(), open(b'/home/bad\\xff\\xfename').read(), sorted(os.listdir(b'/home'))[0])`),
    "long name bad name b'bad\\xff\\xfename'");
  });

  test('a save killed half-way (kill -9, 3 000 files) leaves the previous save complete', async () => {
    const storage = tmpStore();
    const script = path.join(storage, 'saver.cjs');
    fs.writeFileSync(script, `
const Coldbrew = require(${JSON.stringify(dist)});
(async () => {
  await Coldbrew.load({ hideWarnings: true, fsOptions: { persistHome: true, storage: process.argv[2] } });
  Coldbrew.run("import os\\nfor i in range(3000):\\n    open(f'/home/f{i:04}', 'w').write('v1 ' * 2000)");
  await Coldbrew.saveFiles();
  Coldbrew.run("for i in range(3500):\\n    open(f'/home/f{i:04}', 'w').write('v2 ' * 2000)");
  console.log('saving');
  await Coldbrew.saveFiles();
  console.log('saved');
})();`);
    const proc = spawn(process.execPath, [script, storage], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Killed the moment the second save starts changing the store (a file
    // appears or goes), i.e. in the middle of writing it.
    let killedDuring = false;
    await new Promise((resolve) => {
      let before = null, poll = null;
      proc.stdout.on('data', (d) => {
        if (!String(d).includes('saving') || before !== null) return;
        const listing = () => fs.readdirSync(storage).filter((n) => n !== '.lock').sort().join('|');
        before = listing();
        poll = setInterval(() => {
          if (listing() !== before) {
            killedDuring = true;
            proc.kill('SIGKILL');
            clearInterval(poll);
          }
        }, 0);
      });
      proc.on('exit', () => { clearInterval(poll); resolve(); });
    });
    assert.ok(killedDuring, 'the child was killed while the second save was changing the store');
    const b = await loadedInstance({ hideWarnings: true, fsOptions: { persistHome: true, storage } });
    const state = py(b, `
import os
names = sorted(os.listdir('/home'))
kinds = {open('/home/' + n).read()[:2] for n in names}
print(len(names), sorted(kinds), all(len(open('/home/' + n).read()) == 6000 for n in names))`);
    assert.equal(state, "3000 ['v1'] True", 'the previous save, whole');
    // The dead saver's lock and half-written file do not block or linger.
    assert.ok(fs.readdirSync(storage).some((n) => n.endsWith('.tmp')), 'killed while writing its temporary file');
    b.addFile('/home/after.txt', 'after');   // saved automatically; the save clears the dead one's leftovers
    assert.equal(await b.saveFiles(), true);
    assert.deepEqual(fs.readdirSync(storage).filter((n) => n !== 'saver.cjs'), ['home.cbstore']);
  });

  test('two instances sharing a store (Node saves as files change): each one\'s files are kept, none lost', async () => {
    const storage = tmpStore();
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    const b = await loadedInstance(opts);
    a.addFile('/home/from-a.txt', 'a');
    b.addFile('/home/from-b.txt', 'b');
    b.run('open("/home/from-b-python.txt", "w").write("b2")');
    assert.equal(await a.saveFiles(), true);
    assert.equal(await b.saveFiles(), true);
    // Changes of two instances saved together: merged, not one replacing the other.
    const raceOpts = { hideWarnings: true, fsOptions: { persistHome: true, storage: tmpStore() } };
    const c1 = await loadedInstance(raceOpts), c2 = await loadedInstance(raceOpts);
    c1.addFile('/home/c1.txt', '1');
    c2.addFile('/home/c2.txt', '2');
    assert.deepEqual(await Promise.all([c1.saveFiles(), c2.saveFiles()]), [true, true]);
    const c = await loadedInstance(opts);
    assert.deepEqual([c.readFile('/home/from-a.txt'), c.readFile('/home/from-b.txt'), c.readFile('/home/from-b-python.txt')], ['a', 'b', 'b2']);
    const d = await loadedInstance(raceOpts);
    assert.deepEqual([d.readFile('/home/c1.txt'), d.readFile('/home/c2.txt')], ['1', '2']);
    // A deletion is saved too; the same file changed by both: the last save wins, as on a disk.
    a.deletePath('/home/from-a.txt');
    b.addFile('/home/from-b.txt', 'b again');
    await a.saveFiles();
    await b.saveFiles();
    const e = await loadedInstance(opts);
    assert.equal(e.pathExists('/home/from-a.txt'), null);
    assert.equal(e.readFile('/home/from-b.txt'), 'b again');
    assert.equal(await a.loadFiles(), true);   // a takes b's files in
    assert.equal(a.readFile('/home/from-b.txt'), 'b again');
    await assert.rejects(a.saveFiles({ force: true }), /unknown option 'force'/);
  });

  test('saves started together by one instance queue up instead of refusing each other; special files are reported', async () => {
    const storage = tmpStore();
    const a = await loadedInstance({ hideWarnings: false, fsOptions: { persistHome: true, storage } });
    a.addFile('/home/one.txt', '1');
    const FS = a._module.FS;   // Python here has no mkfifo/mknod; a device node made from JS
    FS.mkdev('/home/pipe', 0o666, FS.makedev(64, 1));
    const warned = [];
    const warnConsole = console.warn;
    console.warn = (m) => warned.push(String(m));
    try {
      assert.deepEqual(await Promise.all([a.saveFiles(), a.saveFiles(), a.loadFiles(), a.saveFiles()]), [true, true, true, true]);
    } finally {
      console.warn = warnConsole;
    }
    assert.match(warned.join('\n'), /special file\(s\) \(devices, pipes, sockets\) are not saved: \/home\/pipe/);
  });

  test('an out-of-range file time does not crash the runtime, and the file is saved', async () => {
    const storage = tmpStore();
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    assert.equal(py(a, `
import os
p = '/home/t.txt'
open(p, 'w').write('time')
os.utime(p, (1e13, 1e13))
print(open(p).read(), os.stat(p).st_mtime > 1e12)
os.utime(p, (-1e13, -1e13))
print(os.stat(p).st_mtime < 0)`), 'time True\nTrue');
    assert.equal(await a.saveFiles(), true);
    const b = await loadedInstance(opts);
    assert.equal(b.readFile('/home/t.txt'), 'time');
  });

  test('files and folders with mode 0 are saved and restored with their contents', async () => {
    const storage = tmpStore();
    const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage } };
    const a = await loadedInstance(opts);
    a.run(`
import os
os.makedirs('/home/locked')
open('/home/locked/inner.txt', 'w').write('inner')
open('/home/zero.txt', 'w').write('zero')
os.chmod('/home/zero.txt', 0)
os.chmod('/home/locked', 0)`);
    assert.equal(await a.saveFiles(), true);
    const b = await loadedInstance(opts);
    assert.equal(py(b, `
import os, stat
os.chmod('/home/locked', 0o755); os.chmod('/home/zero.txt', 0o644)
print(open('/home/zero.txt').read(), open('/home/locked/inner.txt').read())`), 'zero inner');
  });
});

describe('the host process is not Python\'s', () => {
  test('os._exit, os.kill(self), os.abort end the run with an exit code; process.exitCode is untouched', () => {
    const r = child(`
(async () => {
  await Coldbrew.load({ hideWarnings: true });
  process.exitCode = 7;   // the app's own exit code
  const codes = [];
  for (const src of ['import os; os._exit(3)', 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)',
                     'import os; os.abort()', 'import os, signal; signal.raise_signal(signal.SIGKILL)']) {
    try { Coldbrew.run(src); codes.push('returned'); } catch (e) { codes.push(e.errorData.exitCode); }
  }
  codes.push(Coldbrew.run('import os; os._exit(0)'));
  Coldbrew.run('print("still usable")');
  Coldbrew.unload();
  await Coldbrew.load({ hideWarnings: true });
  console.log(JSON.stringify({ codes, exitCode: process.exitCode }));
  process.exitCode = 0;
})();`);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'still usable');
    assert.deepEqual(JSON.parse(lines[1]), { codes: [3, 143, 134, 137, 0], exitCode: 7 });
  });

  test('the CLI alone maps Python\'s exit to its exit status', () => {
    const cli = path.resolve(path.dirname(dist), '../bin/coldbrew');
    const r = spawnSync(process.execPath, [cli, '-c', 'import os; print("bye", flush=True); os._exit(3)'], { encoding: 'utf8' });
    assert.equal(r.stdout, 'bye\n');
    assert.equal(r.status, 3);
  });

  test('the host\'s script path is not in the environment', async () => {
    const cb = await loadedInstance();
    assert.equal(py(cb, 'import os; print("_" in os.environ)'), 'False');
    const values = Object.values(cb.getenv()).join('\n');
    assert.equal(values.includes(process.argv[1]), false);
    assert.equal(values.includes(process.cwd()), false);
  });

  test('HTTP header values folded with CR LF are refused, not split into extra headers', async () => {
    const cb = await loadedInstance();
    assert.throws(() => cb.run(`
import urllib.request
urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:9/', headers={'X-Note': 't\\r\\n\\tX-Injected: yes'}))`),
    (e) => e.errorData.type === 'ValueError' && /CR, LF or NUL/.test(e.errorData.message));
    assert.throws(() => cb.run(`
import http.client
c = http.client.HTTPConnection('127.0.0.1', 9)
c.putrequest('GET', '/'); c.putheader('X-A', 'one', 'Authorization: Basic eA=='); c.endheaders(); c.getresponse()`),
    (e) => e.errorData.type === 'ValueError');
  });
});

describe('callbacks that call back into Python', () => {
  test('getVariable or run inside onStandardOut is refused with a clear error; no crash, no line twice', async () => {
    const cb = await loadedInstance();
    const lines = [], errors = [];
    const logged = [];
    const consoleError = console.error;
    console.error = (...a) => logged.push(a.map(String).join(' '));
    try {
      cb.onStandardOut = (line) => {
        lines.push(line);
        try { cb.getVariable('x'); } catch (e) { errors.push(e.message); }
        try { cb.run('y = 1'); } catch (e) { errors.push(e.message); }
      };
      cb.run('x = 5\nprint(1)\nprint(2)');
    } finally {
      console.error = consoleError;
    }
    assert.deepEqual(lines, ['1', '2']);
    assert.equal(errors.length, 4);
    assert.match(errors[0], /getVariable\(\): cannot call into Python from onStandardOut/);
    assert.match(errors[1], /run\(\): cannot call into Python from onStandardOut/);
    cb.onStandardOut = (line) => lines.push(line);
    assert.equal(cb.getVariable('x'), 5);
    cb.run('print("after")');
    assert.equal(lines.at(-1), 'after');
  });

  test('run inside onStandardInRead is refused; input() still gets the answer', async () => {
    const cb = await loadedInstance();
    let refused = null;
    cb.onStandardInRead = () => {
      try { cb.run('pass'); } catch (e) { refused = e.message; }
      return 'typed\n';
    };
    assert.equal(py(cb, 'print(input())'), 'typed');
    assert.match(refused, /cannot call into Python from onStandardInRead/);
  });

  test('a callback calling Python during the end-of-run flush works; one that throws there does not fail the run', async () => {
    const cb = await loadedInstance();
    const seen = [];
    cb.onStandardOut = (line, partial) => { seen.push([line, partial, cb.getVariable('v')]); };
    assert.equal(cb.run('import sys\nv = 9\nsys.stdout.write("no newline")'), 0);
    assert.deepEqual(seen, [['no newline', true, 9]]);
    const consoleError = console.error;
    console.error = () => {};
    try {
      cb.onStandardOut = () => { throw new Error('callback failed'); };
      assert.equal(cb.run('import sys; sys.stdout.write("partial")'), 0);
    } finally {
      console.error = consoleError;
    }
  });
});

describe('unload() during a run', () => {
  test('from a callback inside run(): Python stops, run() throws an unloaded error', async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true });
    const lines = [];
    cb.onStandardOut = (line) => { lines.push(line); if (line === 'first') cb.unload(); };
    assert.throws(() => cb.run('print("first")\nprint("second")\nimport js_never'), (e) => e.code === 'COLDBREW_UNLOADED' &&
      /unload\(\) was called while Python was running/.test(e.message));
    assert.deepEqual(lines, ['first']);
    await cb.load({ hideWarnings: true });
    assert.equal(cb.runFunction('len', [1, 2]), 2);
  });

  test('from a bridge call, with Python computing afterwards: the run ends without finishing the work', async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true });
    const lines = [];
    cb.onStandardOut = (line) => lines.push(line);
    globalThis.cbHostileUnload = () => cb.unload();
    assert.throws(() => cb.run(`
import Coldbrew
Coldbrew.run_function('cbHostileUnload')
n = 0
for i in range(50_000_000): n += i
print('finished', n)`), (e) => e.code === 'COLDBREW_UNLOADED');
    delete globalThis.cbHostileUnload;
    assert.deepEqual(lines, []);
  });

  test('runAsync ends on unload() from a callback; with JSPI also while it waits on a Promise or on async stdin', async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true });
    cb.onStandardOut = () => cb.unload();
    await assert.rejects(cb.runAsync('print("x")\nprint("y")'), (e) => e.code === 'COLDBREW_UNLOADED');
    await cb.load({ hideWarnings: true });
    // Without JSPI (Node 20) an async run is synchronous and cannot wait on a Promise at all.
    if (typeof WebAssembly.Suspending !== 'function') return;
    globalThis.cbNever = () => new Promise(() => {});
    const waiting = cb.runAsync('import Coldbrew\nColdbrew.run_function("cbNever")');
    await new Promise((r) => setTimeout(r, 50));
    cb.unload();
    await assert.rejects(waiting, (e) => e.code === 'COLDBREW_UNLOADED');
    delete globalThis.cbNever;
    await cb.load({ hideWarnings: true });
    cb.onStandardInReadAsync = () => new Promise(() => {});
    const reading = cb.runAsync('input()');
    await new Promise((r) => setTimeout(r, 50));
    cb.unload();
    await assert.rejects(reading, (e) => e.code === 'COLDBREW_UNLOADED');
  });
});

describe('text at the API boundary: one rule (surrogateescape)', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('lone surrogates in run() source are a TypeError naming the position; none is swallowed', () => {
    assert.throws(() => cb.run('s = "\uDC00x"'), (e) => e instanceof TypeError && /lone surrogate \(\\uDC00 at index 5\)/.test(e.message));
    assert.throws(() => cb.run('print("\uD800")'), (e) => e instanceof TypeError && /lone surrogate/.test(e.message));
    assert.throws(() => cb.setenv('K', 'a\uD800'), TypeError);
    assert.throws(() => cb.addFile('/tmp/s.txt', 'a\uDBFFb'), TypeError);
    assert.equal(py(cb, 's = "\u00e9\u{1F600}x"; print(len(s), s[-1])'), '3 x');
  });

  test('readFile keeps NUL and maps invalid UTF-8 as Python\'s surrogateescape does; addFile writes it back', () => {
    cb.run(`open('/tmp/nul.txt', 'wb').write(b'before\\0after')
open('/tmp/bad.txt', 'wb').write(b'ok\\xff\\xfe\\xc3(\\xed\\xa0\\x80end')`);
    assert.equal(cb.readFile('/tmp/nul.txt'), 'before\0after');
    const text = cb.readFile('/tmp/bad.txt');
    assert.equal(text, py(cb, "print(ascii(open('/tmp/bad.txt', 'rb').read().decode('utf-8', 'surrogateescape')))")
      .slice(1, -1).replace(/\\udc([0-9a-f]{2})/g, (m, h) => String.fromCharCode(0xDC00 + parseInt(h, 16))));
    assert.equal(text, 'ok\uDCFF\uDCFE\uDCC3(\uDCED\uDCA0\uDC80end');
    cb.addFile('/tmp/bad2.txt', text);
    assert.equal(py(cb, "print(open('/tmp/bad2.txt', 'rb').read() == open('/tmp/bad.txt', 'rb').read())"), 'True');
  });

  test('file names with invalid UTF-8 keep their bytes both ways', () => {
    cb.run("import os; os.makedirs('/tmp/names', exist_ok=True); open(b'/tmp/names/bad\\xff\\xfename', 'w').write('x')");
    const names = cb.listFiles('/tmp/names').map((f) => f.name);
    assert.deepEqual(names, ['bad\uDCFF\uDCFEname']);
    assert.equal(cb.readFile('/tmp/names/bad\uDCFF\uDCFEname'), 'x');
    assert.equal(py(cb, "import os; print(os.listdir(b'/tmp/names'))"), "[b'bad\\xff\\xfename']");
  });

  test('output lines follow the same rule: bytes Python writes that are not UTF-8 stay escapes', () => {
    assert.equal(py(cb, "import sys; print('caf\\xe9 \\udcff'); sys.stdout.flush()"), 'caf\u00e9 \uDCFF');
  });

  test('error messages keep NUL and lone surrogates; setenv refuses NUL, keeps escaped bytes', () => {
    assert.throws(() => cb.run('raise ValueError("a\\0b\\udcff")'), (e) => e.errorData.message === 'a\0b\uDCFF');
    assert.throws(() => cb.setenv('K', 'a\0b'), /NUL/);
    cb.setenv('RAW', 'x\uDCFF');
    assert.equal(py(cb, "import os; print(os.environb[b'RAW'])"), "b'x\\xff'");
    assert.equal(cb.getenv().RAW, 'x\uDCFF');
  });
});

describe('bounded time and memory on small hostile inputs', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); });

  test('a sparse array and a Proxy that lies about its length cross as live variables, at once', () => {
    const sparse = [];
    sparse[2 ** 32 - 2] = 1;
    cb.run('def kind(v): return type(v).__name__');
    assert.equal(cb.runFunction('kind', sparse), 'JavaScriptVariable');
    const liar = new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 32 - 1 : Reflect.get(t, k)) });
    assert.equal(cb.runFunction('kind', liar), 'JavaScriptVariable');
    assert.equal(cb.runFunction('kind', [1, , 3]), 'JavaScriptVariable');   // a hole is not JSON-like
    assert.deepEqual(cb.runFunction('list', [1, 2, 3]), [1, 2, 3]);      // dense arrays are still copied
  });

  // Complexity guards, not speed targets: linear, these take well under a
  // second; the quadratic and cubic versions took minutes.
  test('deep paths: addFile at depth 5 000, createFolder at depth 3 000, rmtree at depth 400', () => {
    const t0 = performance.now();
    cb.addFile(`/tmp/d${'/a'.repeat(5000)}/f.txt`, 'deep');
    assert.equal(cb.readFile(`/tmp/d${'/a'.repeat(5000)}/f.txt`), 'deep');
    assert.equal(cb.createFolder(`/tmp/e${'/b'.repeat(3000)}`), true);
    assert.equal(py(cb, `
import os, shutil
p = '/tmp/r'
os.makedirs(p + '/c' * 400)
shutil.rmtree(p)
print(os.path.exists(p))`), 'False');
    assert.ok(performance.now() - t0 < 20000, `deep paths took ${Math.round(performance.now() - t0)} ms`);
  });

  test('a Python str longer than any JS string is a RangeError of the call; the runtime stays usable', () => {
    const fresh = Coldbrew.createNewInstance();
    return fresh.load({ hideWarnings: true }).then(() => {
      assert.throws(() => fresh.runFunction('str.__mul__', 'ab', 2 ** 28), (e) => e instanceof RangeError &&
        /cannot be represented in JavaScript/.test(e.message));
      assert.equal(fresh.runFunction('len', [1, 2]), 2);
      fresh.unload();
    });
  });

  test('a 16-million-bit integer crosses the bridge both ways', () => {
    const t0 = performance.now();
    const big = cb.runFunction('pow', 2, 16000000);
    assert.equal(typeof big, 'bigint');
    assert.equal(big, 1n << 16000000n);
    assert.equal(cb.runFunction('int.bit_length', -big), 16000001);
    assert.ok(performance.now() - t0 < 20000, `the integer took ${Math.round(performance.now() - t0)} ms`);
  });
});

describe('smaller defects', () => {
  test('a SystemExit whose code raises ends the run with status 1, as native Python', async () => {
    const cb = await loadedInstance();
    assert.throws(() => cb.run(`
class Bad(SystemExit):
    @property
    def code(self): raise RuntimeError('no code')
raise Bad()`), (e) => e.errorData.exitCode === 1);
  });

  test('load() with a __proto__ option is a TypeError naming it; a second load() says its options were ignored', async () => {
    const cb = Coldbrew.createNewInstance();
    await assert.rejects(cb.load(JSON.parse('{"__proto__": 5}')), /unknown option '__proto__'/);
    await cb.load({ hideWarnings: false });
    const warned = [];
    const warnConsole = console.warn;
    console.warn = (m) => warned.push(m);
    try {
      await cb.load({ transformVariableCasing: false });
    } finally {
      console.warn = warnConsole;
    }
    assert.match(warned.join('\n'), /already loaded, so these options were not applied: transformVariableCasing/);
  });

  test('reset() restores a working runtime after os.close(1), builtins.print = None, sys.modules.clear()', async () => {
    const cb = await loadedInstance();
    cb.run('import os; os.close(1)');
    cb.reset();
    assert.equal(py(cb, 'print("fd 1 back")'), 'fd 1 back');
    cb.run('import builtins; builtins.print = None');
    cb.reset();
    assert.equal(py(cb, 'print("print back")'), 'print back');
    cb.run('import sys; sys.modules.clear()');
    cb.reset();
    assert.equal(py(cb, 'import json, os; print(json.dumps([os.sep]))'), '["/"]');
    cb.run('import sys; sys.stdout.close()');
    cb.reset();
    assert.equal(py(cb, 'print("stdout back")'), 'stdout back');
  });
});
