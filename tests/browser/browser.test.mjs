// Coldbrew in a real browser: Debian's Chromium, headless, against bin/coldbrew-serve.
// Every page here is served with the server's strict Content-Security-Policy
// (no 'unsafe-eval'), so every test also shows that the runtime needs no eval.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromiumSuite, openPageWithoutIsolation, launch, openPage, loadColdbrew, root } from './helpers.mjs';
import { inPage as noSharedMemoryPage, check } from './no-shared-memory.mjs';

const suite = chromiumSuite();

/* Python's HTTP checks in a page, the same on the page and in a worker: a
 * same-origin page, the wasm (binary intact) and a 404. */
const HTTP_PROGRAM = `
import urllib.request, urllib.error
origin = Coldbrew.get_variable("location.origin")
with urllib.request.urlopen(origin + "/tests/browser/page.html") as resp:
    html = resp.read().decode()
    print(resp.status, resp.headers["Content-Type"], "Coldbrew test page" in html)
wasm = urllib.request.urlopen(origin + "/dist/coldbrew.wasm").read()
print(wasm[:4] == b"\\0asm", len(wasm))
try:
    urllib.request.urlopen(origin + "/no/such/file")
except urllib.error.HTTPError as e:
    print("HTTPError", e.code)
`;
const httpLines = () => ['200 text/html; charset=utf-8 True', `True ${fs.statSync(path.join(root, 'dist/coldbrew.wasm')).size}`, 'HTTPError 404'];

async function loaded(options) {
  const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
  await loadColdbrew(page, options);
  return page;
}

describe('loading in a page', () => {
  test('a classic <script> defines Coldbrew; load() reports progress; run prints', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    const result = await page.evaluate(async () => {
      const progress = [];
      const out = [];
      Coldbrew.onStandardOut = (line) => out.push(line);
      await Coldbrew.load({ hideWarnings: true, onProgress: (p) => progress.push(p) });
      Coldbrew.run('import sys\nprint("hello", sys.platform)\nprint(sum(range(101)))');
      return { out, progress, rc: Coldbrew.run('x = 1') };
    });
    assert.deepEqual(result.out, ['hello emscripten', '5050']);
    assert.equal(result.rc, 0);
    const last = result.progress.at(-1);
    assert.ok(result.progress.length >= 3, `progress events: ${result.progress.length}`);
    assert.equal(last.loaded, last.total);
    assert.ok(result.progress.every((p, i) => i === 0 || p.loaded >= result.progress[i - 1].loaded));
    assert.deepEqual(page.errors, []);
  });

  test('the wasm and the stdlib come from next to the script, brotli-compressed, wasm as application/wasm', async () => {
    const context = await suite.browser.newContext();
    const seen = {};
    context.on('response', async (r) => {
      const name = new URL(r.url()).pathname.split('/').pop();
      seen[name] = { status: r.status(), type: r.headers()['content-type'], encoding: r.headers()['content-encoding'] };
    });
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`, { context });
    await loadColdbrew(page);
    assert.deepEqual(seen['coldbrew.wasm'], { status: 200, type: 'application/wasm', encoding: 'br' });
    assert.equal(seen['coldbrew-stdlib.zip'].encoding, 'br');
    assert.equal(seen['coldbrew.js'].encoding, 'br');
    await context.close();
  });

  test('the ES module build works with import', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/module.html`);
    assert.equal(await page.evaluate(() => window.moduleResult), '42');
    assert.deepEqual(page.errors, []);
  });

  test('a strict CSP without unsafe-eval: eval is blocked on the page, Coldbrew still runs', async () => {
    const page = await loaded();
    const r = await page.evaluate(() => {
      Coldbrew.run('import json, re, decimal\nprint(json.dumps({"ok": bool(re.match("a+", "aaa"))}))');
      return { evalBlocked: window.cspEvalBlocked, out: window.out };
    });
    assert.equal(r.evalBlocked, true);
    assert.deepEqual(r.out, ['{"ok": true}']);
  });
});

describe('where the assets are, and host folders, in a page', () => {
  test('load({locateFile}) and load({indexURL}); a wrong place is a clear error; mountHostDirectory says Node only', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    const r = await page.evaluate(async () => {
      const out = { asked: [] };
      const a = Coldbrew.createNewInstance();
      await a.load({ hideWarnings: true, locateFile: (name) => { out.asked.push(name); return new URL(`/dist/${name}`, location.href); } });
      out.located = a.getVariable('6 * 7');
      try { a.mountHostDirectory('/etc', '/mnt/etc'); } catch (e) { out.mount = e.message; }
      a.unload();
      const b = Coldbrew.createNewInstance();
      await b.load({ hideWarnings: true, indexURL: '/dist/' });
      out.indexed = b.getVariable('"ok"');
      b.unload();
      try { await b.load({ hideWarnings: true, indexURL: '/no/such/folder/' }); } catch (e) { out.wrong = e.message; }
      await b.load({ hideWarnings: true });
      out.after = b.getVariable('1 + 1');
      b.unload();
      return out;
    });
    assert.deepEqual(r.asked.sort(), ['coldbrew-stdlib.zip', 'coldbrew.wasm']);
    assert.equal(r.located, 42);
    assert.match(r.mount, /only in Node/);
    assert.equal(r.indexed, 'ok');
    // The wasm and the stdlib core are fetched at once: the error names whichever failed first.
    assert.match(r.wrong, /fetching http:\/\/127\.0\.0\.1:\d+\/no\/such\/folder\/coldbrew(\.wasm|-stdlib\.zip) failed: HTTP 404/);
    assert.equal(r.after, 2);
  });
});

describe('the stdlib beyond its core', () => {
  test('a module outside the core comes from its bundle on first import (brotli), and so do unicodedata\'s and the CJK codecs\' tables; a missing bundle is an ImportError naming its URL', async () => {
    const context = await suite.browser.newContext();
    const seen = [];
    context.on('response', (r) => {
      const where = new URL(r.url()).pathname;
      if (where.includes('/stdlib/')) seen.push(`${where} ${r.status()} ${r.headers()['content-encoding']}`);
    });
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`, { context });
    await loadColdbrew(page);
    const r = await page.evaluate(async () => {
      const out = {};
      Coldbrew.run('import email.mime.text\nm = email.mime.text.MIMEText("hi")');
      out.type = Coldbrew.getVariable('m["Content-Type"]');
      // unicodedata's and the CJK codecs' tables are a bundle too (build/static_tables.py).
      Coldbrew.run('import unicodedata\nu = unicodedata.name("é") + " " + "テスト".encode("shift_jis").hex()');
      out.tables = Coldbrew.getVariable('u');
      const b = Coldbrew.createNewInstance();
      await b.load({ hideWarnings: true, locateFile: (name) => (name.startsWith('stdlib/') ? `/no/such/${name}` : `/dist/${name}`) });
      try { b.run('import email'); } catch (e) { out.missing = e.message; }
      out.after = b.getVariable('__import__("json").dumps([1])');
      b.unload();
      return out;
    });
    assert.equal(r.type, 'text/plain; charset="us-ascii"');
    assert.ok(seen.includes('/dist/stdlib/email.zip 200 br'), seen.join(', '));
    assert.equal(r.tables, 'LATIN SMALL LETTER E WITH ACUTE 836583588367');
    for (const m of ['unicodedata', '_codecs_jp']) assert.ok(seen.includes(`/dist/stdlib/_tables_${m}.zip 200 br`), seen.join(', '));
    assert.match(r.missing, /ImportError: cannot import 'email': fetching its standard library bundle from http:\/\/127\.0\.0\.1:\d+\/no\/such\/stdlib\/email\.zip failed/);
    assert.equal(r.after, '[1]');
    await context.close();
  });
});

describe('the API in a page', () => {
  test('PythonError with type, message, line and traceback; the runtime stays usable', async () => {
    const page = await loaded();
    const r = await page.evaluate(() => {
      try {
        Coldbrew.run('x = 1\nraise KeyError("nope")');
      } catch (e) {
        Coldbrew.run('print("still alive")');
        return { isPythonError: e instanceof Coldbrew.PythonError, ...e.errorData, out: window.out };
      }
      return null;
    });
    assert.equal(r.isPythonError, true);
    assert.equal(r.type, 'KeyError');
    assert.equal(r.message, "'nope'");
    assert.equal(r.line, 2);
    assert.match(r.traceback, /KeyError: 'nope'/);
    assert.deepEqual(r.out, ['still alive']);
    // A frame of the standard library shows its line (coldbrew-stdlib-src.zip, fetched on this first need).
    const tb = await page.evaluate(() => {
      try { Coldbrew.run('import json\njson.loads("{bad")'); } catch (e) { return e.errorData.traceback; }
      return null;
    });
    assert.match(tb, /json\/decoder\.py", line \d+, in raw_decode\n +obj, end = self\.scan_once\(s, idx\)\n/);
  });

  test('file helpers', async () => {
    const page = await loaded();
    const r = await page.evaluate(() => {
      Coldbrew.createFolder('/home/data');
      Coldbrew.addFile('/home/data/a.txt', 'héllo');
      Coldbrew.addFile('/home/data/b.bin', new Uint8Array([0, 1, 254, 255]));
      Coldbrew.run('print(open("/home/data/a.txt").read(), list(open("/home/data/b.bin", "rb").read()))');
      const names = Coldbrew.listFiles('/home/data').map((f) => `${f.name}:${f.size}`);
      const exists = Coldbrew.pathExists('/home/data/a.txt').isFile;
      Coldbrew.deletePath('/home/data');
      let code = null;
      try { Coldbrew.readFile('/home/data/a.txt'); } catch (e) { code = e.code; }
      return { out: window.out, names, exists, gone: Coldbrew.pathExists('/home/data'), code };
    });
    assert.deepEqual(r.out, ['héllo [0, 1, 254, 255]']);
    assert.deepEqual(r.names, ['a.txt:6', 'b.bin:4']);
    assert.equal(r.exists, true);
    assert.equal(r.gone, null);
    assert.equal(r.code, 'ENOENT');
  });

  test('bridge variables: Counter from JS, Date and the DOM from Python', async () => {
    const page = await loaded();
    const r = await page.evaluate(() => {
      Coldbrew.run('from collections import Counter');
      const Counter = Coldbrew.getVariable('Counter');
      const c = new Counter(['red', 'blue', 'red', 'green', 'blue', 'blue']);
      Coldbrew.run(`
d = Coldbrew.get_variable('Date')(1234567890000)
print(d.to_iso_string())
document = Coldbrew.get_variable('document')
p = document.create_element('p')
p.id = 'from-python'
p.text_content = 'made in Python'
document.body.append_child(p)
`);
      return { s: c.toString(), blue: c.blue, common: c.mostCommon(1), out: window.out,
        dom: document.getElementById('from-python').textContent, counts: Coldbrew.liveVariableCounts() };
    });
    assert.equal(r.s, "Counter({'blue': 3, 'red': 2, 'green': 1})");
    assert.equal(r.blue, 3);
    assert.deepEqual(r.common, [['blue', 3]]);
    assert.deepEqual(r.out, ['2009-02-13T23:31:30.000Z']);
    assert.equal(r.dom, 'made in Python');
    assert.ok(r.counts.python >= 2);
  });

  test('JS <-> Python recursion 1 000 deep fails cleanly in Chromium too', async () => {
    const page = await loaded();
    const r = await page.evaluate(() => {
      let pyDown;
      window.cbDown = (n) => (n === 0 ? 0 : 1 + pyDown(n - 1));
      Coldbrew.run('def down(n):\n    return 0 if n == 0 else 1 + js_down(n - 1)\njs_down = Coldbrew.get_variable("cbDown")');
      pyDown = Coldbrew.getVariable('down');
      let error = null;
      try { pyDown(1000); } catch (e) { error = e.name === 'PythonError' ? e.errorData.type : e.name; }
      return { small: pyDown(50), error, after: pyDown(50) };
    });
    assert.equal(r.small, 50);
    assert.ok(r.error === 'RangeError' || r.error === 'RecursionError', r.error);
    assert.equal(r.after, 50);
  });
});

describe('the synchronous API in a page: the shared bodies on the page and in a worker', () => {
  // tests/shared/api-bodies.mjs, the same bodies the Node suite runs in both
  // modes (tests/node/modes.test.mjs), imported by the page itself; one
  // instance per mode, every body in order, each reported as a subtest.
  for (const worker of [false, true]) {
    test(worker ? 'in worker mode (a Web Worker)' : 'on the page', async (t) => {
      // Python's Coldbrew.run evaluates JavaScript: this page alone lifts the
      // strict CSP (the test above shows what a strict page does).
      const context = await suite.browser.newContext({ bypassCSP: true });
      const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`, { context });
      const results = await page.evaluate(async (inWorker) => {
        const { groups } = await import('/tests/shared/api-bodies.mjs');
        const cb = Coldbrew.createNewInstance();
        await cb.load({ hideWarnings: true, worker: inWorker });
        cb.out = [];
        cb.err = [];
        cb.onStandardOut = (line) => cb.out.push(line);
        cb.onStandardErr = (line) => cb.err.push(line);
        const results = [];
        for (const [group, bodies] of Object.entries(groups)) {
          for (const [name, body] of Object.entries(bodies)) {
            try {
              await body(cb);
              results.push([`${group}: ${name}`, null]);
            } catch (e) {
              results.push([`${group}: ${name}`, `${e.name}: ${e.message}`]);
            }
          }
        }
        cb.unload();
        return results;
      }, worker);
      assert.ok(results.length >= 45, `${results.length} bodies ran`);
      for (const [name, failure] of results) {
        await t.test(name, () => { if (failure) throw new Error(failure); });
      }
      assert.deepEqual(page.errors, []);
    });
  }

  test('instances are separate; PythonVariable.isPythonVariable; destroyAllVariables releases every handle', async () => {
    const page = await loaded();
    const r = await page.evaluate(async () => {
      const res = {};
      const other = Coldbrew.createNewInstance();
      await other.load({ hideWarnings: true });
      other.run('only_here = 1');
      res.separate = Coldbrew.getVariable('"only_here" in globals()');
      const o = Coldbrew.getVariable('object()');
      res.isPy = [Coldbrew.PythonVariable.isPythonVariable(o), Coldbrew.PythonVariable.isPythonVariable({})];
      Coldbrew.destroyAllVariables();
      res.counts = Coldbrew.liveVariableCounts().python;
      other.unload();
      return res;
    });
    assert.deepEqual(r, { separate: false, isPy: [true, false], counts: 0 });
  });
});

describe('asynchronous runs in a page (JSPI)', () => {
  test('runAsync keeps the page responsive; time.sleep does not block; one run at a time', async () => {
    const page = await loaded();
    const r = await page.evaluate(async () => {
      let ticks = 0, maxGap = 0, last = performance.now();
      const timer = setInterval(() => { const n = performance.now(); maxGap = Math.max(maxGap, n - last); last = n; ticks++; }, 5);
      const run = Coldbrew.runAsync('import time\ntotal = 0\nfor i in range(2_000_000):\n    total += i\ntime.sleep(0.2)\nprint(total)');
      let busy = null;
      try { Coldbrew.run('1'); } catch (e) { busy = e.message; }
      const rc = await run;
      clearInterval(timer);
      const value = await Coldbrew.runFunctionAsync('divmod', 17, 5);
      let rejected = null;
      try { await Coldbrew.runAsync('raise KeyError("k")'); } catch (e) { rejected = e.errorData.type; }
      return { jspi: typeof WebAssembly.Suspending === 'function', rc, ticks, maxGap, busy, out: window.out, value, rejected };
    });
    assert.equal(r.jspi, true, 'Debian Chromium has JSPI');
    assert.equal(r.rc, 0);
    assert.deepEqual(r.out, ['1999999000000']);
    assert.ok(r.ticks >= 20, `timer ticks during the run: ${r.ticks}`);
    // The 50 ms bound is asserted in the Node suite; here Chromium's renderer shares 2 cores with
    // its other processes and the test runner, so only a gross stall fails the test.
    assert.ok(r.maxGap < 250, `largest gap between ticks: ${r.maxGap.toFixed(1)} ms`);
    assert.match(r.busy, /is already running on this instance and cannot run concurrently/);
    assert.deepEqual(r.value, [3, 2]);
    assert.equal(r.rejected, 'KeyError');
  });
});

describe('worker mode in a page', () => {
  test('load({worker: true}): Promises, output, input, a remote variable, interrupt and a time limit; the page stays responsive', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    const r = await page.evaluate(async () => {
      const out = { isolated: crossOriginIsolated, lines: [] };
      Coldbrew.onStandardOut = (line) => out.lines.push(line);
      await Coldbrew.load({ worker: true, hideWarnings: true });
      out.rc = await Coldbrew.run('print("from the worker")\nimport collections\nc = collections.Counter("aab")');
      out.value = await Coldbrew.getVariable('21 * 2');
      try { await Coldbrew.run(42); } catch (e) { out.badInput = e.message; }
      try { await Coldbrew.runFunction('print', () => 1); } catch (e) { out.badArg = e.message; }
      document.title = 'page title';
      out.pageScope = await Coldbrew.getVariable('(Coldbrew.get_variable("document").title, Coldbrew.run_function("Math.max", 3, 9))');
      const c = await Coldbrew.getVariable('c');
      out.remote = [c.__type__, await c.a, await c.mostCommon(1)];
      Coldbrew.standardInBuffer = 'typed\n';
      await Coldbrew.run('print(input().upper())');
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 5);
      const loop = Coldbrew.run('while True:\n    pass');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const t0 = performance.now();
      await Coldbrew.interrupt();
      try { await loop; } catch (e) { out.interrupted = [e.errorData.exctype, performance.now() - t0]; }
      clearInterval(timer);
      out.ticks = ticks;
      try { await Coldbrew.run('while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass', { timeout: 100, grace: 200 }); }
      catch (e) { out.timeout = e.code; }
      out.unloaded = typeof Coldbrew.run;
      await Coldbrew.load({ worker: true, hideWarnings: true });
      out.again = await Coldbrew.run('x = 1');
      Coldbrew.unload();
      return out;
    });
    assert.equal(r.isolated, true);
    assert.equal(r.rc, 0);
    assert.equal(r.value, 42);
    assert.match(r.badInput, /source must be a string/);
    assert.match(r.badArg, /worker mode, arguments must be plain data/);
    assert.deepEqual(r.pageScope, ['page title', 9], 'Python in the worker reads the page (document) and calls its functions');
    assert.deepEqual(r.remote, ['Counter', 2, [['a', 2]]]);
    assert.deepEqual(r.lines, ['from the worker', 'TYPED']);
    assert.equal(r.interrupted[0], 'KeyboardInterrupt');
    // Prompt, not timed: the worker and the page share 2 cores with the test runner and the other
    // browsers; with a second suite running beside it the interrupt took 107-140 ms, so only a stall of
    // a second fails.
    assert.ok(r.interrupted[1] < 1000, `the interrupt took ${r.interrupted[1].toFixed(1)} ms to end the run`);
    assert.ok(r.ticks >= 20, `page timers ran while Python looped in the worker: ${r.ticks}`);
    assert.equal(r.timeout, 'COLDBREW_TIMEOUT');
    assert.equal(r.unloaded, 'undefined');
    assert.equal(r.again, 0);
    assert.deepEqual(page.errors, []);
  });
});

describe('worker mode in a page: HTTP, persistence, zip files, two instances', () => {
  test('urllib from the worker; /home saved to IndexedDB and back after a reload; zip in and out; each instance its own worker', async () => {
    const context = await suite.browser.newContext({ acceptDownloads: true });
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`, { context });
    const opts = { worker: true, hideWarnings: true, fsOptions: { persistHome: true } };
    const first = await page.evaluate(async ({ opts, program }) => {
      const out = [];
      const a = Coldbrew.createNewInstance();
      await a.load(opts);
      a.onStandardOut = (line) => out.push(line);
      await a.run(`${program}\nopen("/home/from-worker.txt", "w").write("kept across a reload")`);
      const saved = await a.saveFiles();
      const b = Coldbrew.createNewInstance();
      await b.load({ worker: true, hideWarnings: true });
      await a.run('who = "a"');
      await b.run('who = "b"');
      const who = [await a.getVariable('who'), await b.getVariable('who')];
      await a.addFile('/tmp/z/bytes.bin', new Uint8Array(Array.from({ length: 256 }, (_, i) => i)));
      window.zipping = a.downloadPathToZip('/tmp/z', 'from-worker.zip');
      window.instances = [a, b];
      return { out, saved, who };
    }, { opts, program: HTTP_PROGRAM });
    const [download] = await Promise.all([page.waitForEvent('download'), page.evaluate(() => window.zipping)]);
    assert.equal(download.suggestedFilename(), 'from-worker.zip');
    fs.mkdirSync(path.join(root, 'tests/out'), { recursive: true });
    await download.saveAs(path.join(root, 'tests/out/worker-download.zip'));
    await page.evaluate(() => { for (const cb of window.instances) cb.unload(); });
    assert.deepEqual(first.out, httpLines());
    assert.equal(first.saved, 1);
    assert.deepEqual(first.who, ['a', 'b']);
    await page.reload();
    const second = await page.evaluate(async (opts) => {
      const a = Coldbrew.createNewInstance();
      await a.load(opts);
      const text = await a.readFile('/home/from-worker.txt');
      const n = await a.addFilesFromZip('/files/unzipped', '/tests/out/worker-download.zip');
      const bytes = Array.from(await a.readBinaryFile('/files/unzipped/bytes.bin'));
      a.unload();
      return { text, n, bytes };
    }, opts);
    assert.deepEqual(second, { text: 'kept across a reload', n: 1, bytes: Array.from({ length: 256 }, (_, i) => i) });
    assert.deepEqual(page.errors, []);
    await context.close();
  });
});

describe('file usage in a page', () => {
  test('monitorFileUsage: getUsedFiles() lists what the program read; getUnusedModules() what it never imported; the error without it', async () => {
    const page = await loaded({ hideWarnings: true, monitorFileUsage: true });
    const r = await page.evaluate(async () => {
      Coldbrew.run('import json, zoneinfo\njson.dumps([1])\nzoneinfo.ZoneInfo("Asia/Tokyo")');
      const used = Coldbrew.getUsedFiles().split('\n');
      const unused = Coldbrew.getUnusedModules();
      Coldbrew.unload();
      await Coldbrew.load({ hideWarnings: true });
      let error;
      try { Coldbrew.getUsedFiles(); } catch (e) { error = e.message; }
      return { used: ['json/encoder.pyc', 'tzdata/zoneinfo/Asia/Tokyo', 'email/__init__.pyc'].map((f) => used.includes(f)),
        unused: [Array.isArray(unused), unused.includes('_sqlite3'), unused.includes('_json')], error };
    });
    assert.deepEqual(r.used, [true, true, false]);
    assert.deepEqual(r.unused, [true, true, false]);
    assert.match(r.error, /load\(\{monitorFileUsage: true\}\)/);
  });
});

describe('worker mode on a page that is not cross-origin isolated (no SharedArrayBuffer)', () => {
  test('runs off the page; input from standardInBuffer; refusals that name the missing headers; a time limit ends the worker', async () => {
    const { page, context } = await openPageWithoutIsolation(suite);
    assert.equal(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer].join()), 'false,undefined');
    check(await page.evaluate(noSharedMemoryPage), 'the page is not cross-origin isolated \\(serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp');
    await context.close();
  });
});

describe('interrupt() in a page', () => {
  test('a busy loop and a long sleep in runAsync end with KeyboardInterrupt; the page and runtime go on', async () => {
    const page = await loaded({ hideWarnings: true });
    const r = await page.evaluate(async () => {
      const out = {};
      for (const [name, source] of [['loop', 'while True:\n    pass'], ['sleep', 'import time\ntime.sleep(100)']]) {
        const run = Coldbrew.runAsync(source);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const t0 = performance.now();
        Coldbrew.interrupt();
        try { await run; out[name] = 'finished'; } catch (e) { out[name] = [e.errorData.exctype, performance.now() - t0]; }
      }
      out.after = Coldbrew.run('x = 1');
      return out;
    });
    assert.equal(r.loop[0], 'KeyboardInterrupt');
    assert.equal(r.sleep[0], 'KeyboardInterrupt');
    assert.ok(r.loop[1] < 1000 && r.sleep[1] < 1000, JSON.stringify(r));   // a stall, not a timing (see worker mode's)
    assert.equal(r.after, 0);
    assert.deepEqual(page.errors, []);
  });
});

describe('asyncio, async stdin and async variables in a page', () => {
  test('coroutines await fetch(); input() awaits onStandardInReadAsync; getVariableAsync chains', async () => {
    const page = await loaded();
    const r = await page.evaluate(async () => {
      window.out.length = 0;
      Coldbrew.onStandardInReadAsync = () => new Promise((resolve) => setTimeout(() => resolve('Grace\n'), 20));
      await Coldbrew.runAsync(`
import asyncio
fetch = Coldbrew.get_variable("fetch")
async def size(url):
    response = await fetch(url)
    return response.status, len(await response.text())
async def main():
    return await asyncio.gather(size("/tests/browser/page.html"), size("/no/such/file"), asyncio.sleep(0.02, "slept"))
(ok, missing, slept) = asyncio.run(main())
print(ok[0], ok[1] > 100, missing[0], slept)
print("hello", input("who? "))
`);
      Coldbrew.onStandardInReadAsync = null;
      Coldbrew.run('import urllib.request\nclass Box:\n    def __init__(self, v):\n        self.v = v\n    def double(self):\n        return Box(self.v * 2)');
      const doubled = await new (Coldbrew.getVariableAsync('Box'))(21).double().v;
      const page = await Coldbrew.getVariableAsync('urllib').request.urlopen(`${location.origin}/tests/browser/page.html`).status;
      return { out: window.out, doubled, page };
    });
    assert.deepEqual(r.out, ['200 True 404 slept', 'who? ', 'hello Grace']);
    assert.equal(r.doubled, 42);
    assert.equal(r.page, 200);
  });
});

describe('HTTP from Python in a page (synchronous XMLHttpRequest)', () => {
  test('urllib GET of a same-origin file, binary intact; 404 raises HTTPError', async () => {
    const page = await loaded();
    const r = await page.evaluate((program) => {
      Coldbrew.run(program);
      return window.out;
    }, HTTP_PROGRAM);
    assert.deepEqual(r, httpLines());
  });
});

describe('persistence and zip files', () => {
  test('files in /home survive a page reload (saveFiles / loadFiles on IndexedDB)', async () => {
    const context = await suite.browser.newContext();
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`, { context });
    const opts = { hideWarnings: true, fsOptions: { persistHome: true } };
    await loadColdbrew(page, opts);
    const saved = await page.evaluate(async () => {
      Coldbrew.addFile('/home/keep/me.bin', new Uint8Array([7, 0, 255]));
      Coldbrew.addFile('/home/note.txt', 'kept');
      Coldbrew.addFile('/tmp/not-kept.txt', 'tmp is not persisted here');
      return Coldbrew.saveFiles();
    });
    assert.equal(saved, 2);
    await page.reload();
    await loadColdbrew(page, opts);   // load() reads the saved files back
    const r = await page.evaluate(() => ({
      bin: Array.from(Coldbrew.readBinaryFile('/home/keep/me.bin')),
      txt: Coldbrew.readFile('/home/note.txt'),
      tmp: Coldbrew.pathExists('/tmp/not-kept.txt'),
    }));
    assert.deepEqual(r, { bin: [7, 0, 255], txt: 'kept', tmp: null });
    const without = await page.evaluate(async () => {
      Coldbrew.unload();
      await Coldbrew.load({ hideWarnings: true });
      try { await Coldbrew.saveFiles(); } catch (e) { return e.message; }
      return null;
    });
    assert.match(without, /persistHome/);
    await context.close();
  });

  test('addFilesFromZip keeps binary entries intact; downloadPathToZip downloads a zip', async () => {
    // The fixture: a zip with every byte value, made by Python's zipfile in Node's Coldbrew.
    const { default: Coldbrew } = await import('../../dist/coldbrew.mjs');
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true });
    cb.addFile('/tmp/z/bytes.bin', new Uint8Array(Array.from({ length: 256 }, (_, i) => i)));
    cb.addFile('/tmp/z/sub/text.txt', 'zipped ✓');
    fs.mkdirSync(path.join(root, 'tests/out'), { recursive: true });
    const zipFile = path.join(root, 'tests/out/browser-fixture.zip');
    cb.downloadPathToZip('/tmp/z', zipFile);
    cb.unload();

    const page = await loaded();
    const r = await page.evaluate(async () => {
      const n = await Coldbrew.addFilesFromZip('/files/unzipped', '/tests/out/browser-fixture.zip');
      return { n, bytes: Array.from(Coldbrew.readBinaryFile('/files/unzipped/bytes.bin')),
        text: Coldbrew.readFile('/files/unzipped/sub/text.txt') };
    });
    assert.equal(r.n, 2);
    assert.deepEqual(r.bytes, Array.from({ length: 256 }, (_, i) => i));
    assert.equal(r.text, 'zipped ✓');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(() => { Coldbrew.downloadPathToZip('/files/unzipped', 'out.zip'); }),
    ]);
    assert.equal(download.suggestedFilename(), 'out.zip');
    const saved = path.join(root, 'tests/out/browser-download.zip');
    await download.saveAs(saved);
    const check = Coldbrew.createNewInstance();
    await check.load({ hideWarnings: true });
    await check.addFilesFromZip('/files/check', saved);
    assert.deepEqual(Array.from(check.readBinaryFile('/files/check/bytes.bin')), Array.from({ length: 256 }, (_, i) => i));
    check.unload();
  });
});

describe('hostile input in a page (the reliability battery, browser half)', () => {
  test('IndexedDB: modes and links kept inside, a stale save refused, one rule for text, callbacks and unload', async () => {
    const page = await loaded({ hideWarnings: true, fsOptions: { persistHome: true, storage: 'coldbrew-hostile' } });
    const r = await page.evaluate(async () => {
      const opts = { hideWarnings: true, fsOptions: { persistHome: true, storage: 'coldbrew-hostile' } };
      const out = {};
      Coldbrew.run(`
import os
open('/home/tool', 'w').write('t'); os.chmod('/home/tool', 0o4755)
os.symlink('/etc', '/home/link')
open('/home/zero', 'w').write('z'); os.chmod('/home/zero', 0)
open(b'/home/bad\\xffname', 'w').write('b')
os.utime('/home/tool', (1e13, 1e13))`);
      out.saved = await Coldbrew.saveFiles();
      const other = Coldbrew.createNewInstance();
      await other.load(opts);
      other.onStandardOut = (l) => { out.restored = l; };
      other.run(`import os, stat
print(oct(stat.S_IMODE(os.stat('/home/tool').st_mode)), os.readlink('/home/link'), os.listdir(b'/home').count(b'bad\\xffname'))`);
      other.addFile('/home/other.txt', 'o');
      await other.saveFiles();
      try { await Coldbrew.saveFiles(); } catch (e) { out.stale = e.code; }
      out.overwrite = await Coldbrew.saveFiles({ overwrite: true });
      try { await Coldbrew.saveFiles({ force: true }); } catch (e) { out.badOption = e instanceof TypeError && /unknown option 'force'/.test(e.message); }
      try { Coldbrew.run('s = "\uDC00x"'); } catch (e) { out.surrogate = e instanceof TypeError; }
      Coldbrew.run("open('/tmp/nul', 'wb').write(b'a\\0b\\xff')");
      out.nul = Coldbrew.readFile('/tmp/nul') === 'a\0b\uDCFF';
      Coldbrew.onStandardOut = () => { try { Coldbrew.getVariable('x'); } catch (e) { out.reentry = e.message; } };
      Coldbrew.run('x = 1\nprint(x)');
      Coldbrew.onStandardOut = () => Coldbrew.unload();
      try { Coldbrew.run('print(1)\nprint(2)'); } catch (e) { out.unloaded = e.code; }
      await Coldbrew.load({ hideWarnings: true });
      try { Coldbrew.run('import os; os._exit(5)'); } catch (e) { out.exit = e.errorData.exitCode; }
      out.alive = Coldbrew.runFunction('len', [1, 2, 3]);
      return out;
    });
    assert.deepEqual(r, { saved: 3, restored: '0o4755 /etc 1', stale: 'ESTALE', overwrite: 3, badOption: true, surrogate: true, nul: true,
      reentry: r.reentry, unloaded: 'COLDBREW_UNLOADED', exit: 5, alive: 3 });
    assert.match(r.reentry, /cannot call into Python from onStandardOut/);
  });
});

describe('drop-in compatibility with the original Coldbrew, in a page', () => {
  test('errorData keys, concurrency flag, Promise in a sync run, versions, env, Counter names, async calls', async () => {
    const page = await loaded({ hideWarnings: true });
    const r = await page.evaluate(async () => {
      const out = {};
      try { Coldbrew.run('raise KeyError("k")'); } catch (e) { out.err = [e.errorData.exctype, e.errorData.value, e.errorData.tb_lineno]; }
      const run = Coldbrew.runAsync('import time\ntime.sleep(0.05)');
      try { Coldbrew.run('1'); } catch (e) { out.busy = [e.coldbrewConcurrencyError, /already running/.test(e.message)]; }
      await run;
      window.cbSoon = () => Promise.resolve(1);
      const errors = [];
      const saved = console.error;
      console.error = (m) => errors.push(String(m));
      try { Coldbrew.run('Coldbrew.run_function("cbSoon")'); } catch (e) { out.promise = [e.errorData.exctype, errors.length]; }
      console.error = saved;
      out.versions = [Coldbrew.version, Coldbrew.pyversion, Coldbrew.getenv().COLDBREW_VERSION, Coldbrew.getenv().PYTHONHOME];
      Coldbrew.run('import collections\nt_c = collections.Counter("aab")');
      const c = Coldbrew.getVariable('t_c');
      out.counter = [c.a, c.nothing === undefined];
      Coldbrew.run('class T_Box:\n    value = 3\ndef t_box(v):\n    return T_Box()');
      out.chained = await Coldbrew.runFunctionAsync('t_box', Promise.resolve(1)).value;
      window.cbUseLater = async (obj) => { await new Promise((resolve) => setTimeout(resolve, 5)); return obj.value * 2; };
      await Coldbrew.runAsync('t_later = Coldbrew.run_function("cbUseLater", T_Box())');
      out.later = Coldbrew.getVariable('t_later');
      return out;
    });
    assert.deepEqual(r.err, ['KeyError', "'k'", 1]);
    assert.deepEqual(r.busy, [true, true]);
    assert.deepEqual(r.promise, ['RuntimeError', 1]);
    assert.match(r.versions[0], /^\d+\.\d+\.\d+/);
    assert.match(r.versions[1], /^3\.13\./);
    assert.deepEqual(r.versions.slice(2), [r.versions[0], '/usr/local']);
    assert.deepEqual(r.counter, [2, true]);
    assert.equal(r.chained, 3);
    assert.equal(r.later, 6);
    assert.deepEqual(page.errors, []);
  });
});

describe('the demo page', () => {
  // Its own browser process, whose output is kept: twice in ~11 runs of the whole suite (never alone, nor in
  // 40 Stop clicks or 120 interrupts in a row) Chromium's renderer crashed at the Stop click ("Target
  // crashed"). A third failure in CI left no trace of its step, hence the step names below; 120 Stop
  // clicks in one page and 8 runs of this test alone did not fail again.
  let demoBrowser;
  const chromiumSaid = [];
  before(async () => { demoBrowser = await launch({ collect: chromiumSaid }); });
  after(async () => { await demoBrowser.close(); });

  test('runs the Fibonacci example; screenshot saved to tests/out/demo.png', async () => {
    const page = await demoBrowser.newPage({ viewport: { width: 1280, height: 760 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let crashed = false;
    page.on('crash', () => { crashed = true; });
    // A failure names the step it was at, the console's last lines and, after a renderer crash, what
    // Chromium said: CI keeps only the failure's message.
    let at = 'loading the page';
    try {
      await page.goto(`${suite.base}/`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
      assert.match(await page.textContent('#status-text'), /^Python 3\.13\.\d+ ready/);
      at = 'the Fibonacci example';
      await page.click('text=Fibonacci timing');
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('[done in'));
      const text = await page.textContent('#console');
      assert.match(text, /fib\(20\) = 6765 {2}in \d+\.\d{3} s/);
      assert.match(text, /fib\(25\) = 75025 {2}in \d+\.\d{3} s/);
      fs.mkdirSync(path.join(root, 'tests/out'), { recursive: true });
      await page.screenshot({ path: path.join(root, 'tests/out/demo.png') });

      // Stop ends a runaway program with KeyboardInterrupt; the page and the runtime go on.
      at = 'Stop on a busy loop';
      await page.click('#examples button:text-is("Hello")');
      await page.fill('#editor', 'print("spinning")\nwhile True:\n    pass');
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('spinning') && !document.querySelector('#stop').disabled);
      await page.click('#stop');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('KeyboardInterrupt'), null, { timeout: 5000 });
      assert.equal(await page.isDisabled('#stop'), true);

      at = 'the Counter example';
      await page.click('text=Counter, used from JavaScript');
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('c.mostCommon(2)'));
      assert.match(await page.textContent('#console'), /c\.mostCommon\(2\) = \[\["blue",3\],\["red",2\]\]/);

      at = 'the asyncio and fetch example';
      await page.click('text=asyncio and fetch');
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('done\n'), null, { timeout: 20000 });
      const fetched = await page.textContent('#console');
      assert.match(fetched, /demo\.js +HTTP 200 +\d+ bytes/);
      assert.match(fetched, /no-such-file +HTTP 404/);
      assert.match(fetched, /4 requests at once/);

      at = 'input() in the console';
      // input() waits for the inline field in the console (onStandardInReadAsync)
      await page.click('#examples button:text-is("Hello")');
      await page.click('#run');
      await page.waitForSelector('#console input.stdin');
      await page.fill('#console input.stdin', 'Ada');
      await page.press('#console input.stdin', 'Enter');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('Nice to meet you, Ada!'));
      assert.equal(await page.$('#console input.stdin'), null);

      at = 'the page-driving example';
      await page.click('text=Python drives the page');
      await page.click('#run');
      await page.waitForFunction(() => document.querySelector('#console').textContent.includes('buttons'));
      assert.equal(await page.textContent('h1 .sub'), 'this line was changed from Python');
      assert.deepEqual(errors, []);
    } catch (e) {
      const text = await page.textContent('#console', { timeout: 2000 }).catch(() => '(the page is gone)');
      throw new Error(`at "${at}": ${e.message}\nthe console ends with:\n${text.slice(-600)}` +
        (crashed ? `\nChromium's renderer crashed; the browser said:\n${chromiumSaid.slice(-40).join('\n')}` : ''), { cause: e });
    }
    await page.close();
  });
});
