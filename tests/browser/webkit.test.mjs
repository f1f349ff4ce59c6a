// Coldbrew in WebKit (Safari's engine): Debian's WebKitGTK 2.50 MiniBrowser,
// driven over plain WebDriver (webdriver.mjs). WebKit has no JSPI and no
// SharedArrayBuffer, even on a cross-origin isolated page: runAsync runs
// synchronously there, and worker mode is the way to keep the page
// responsive, with the differences worker-client.js lists (input from
// standardInBuffer only, interrupt() refused with the reason, time limits by
// ending the worker). These tests hold Coldbrew to exactly that.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers.mjs';
import { startWebKit } from './webdriver.mjs';
import { inPage, check } from './no-shared-memory.mjs';

let server, base, webkit;

before(async () => {
  ({ server, base } = await startServer());
  webkit = await startWebKit();
});

after(async () => {
  await webkit.stop();
  server.close();
});

describe(`WebKitGTK (MiniBrowser)`, () => {
  test('load, run, a PythonError, runAsync without JSPI (synchronous, the same results)', async () => {
    await webkit.goto(`${base}/tests/browser/page.html`);
    const r = await webkit.evaluate(async () => {
      const out = { lines: [], jspi: typeof WebAssembly.Suspending, sab: typeof SharedArrayBuffer, isolated: crossOriginIsolated };
      Coldbrew.onStandardOut = (line) => out.lines.push(line);
      await Coldbrew.load({ hideWarnings: true });
      out.rc = Coldbrew.run('import sys\nprint(sys.platform, 6 * 7)');
      try { Coldbrew.run('{}["k"]'); } catch (e) { out.error = [e instanceof Coldbrew.PythonError, e.errorData.exctype]; }
      out.async = await Coldbrew.runAsync('import time\ntime.sleep(0.05)\nprint("slept")');
      out.variable = Coldbrew.getVariable('{"a": [1, 2]}');
      Coldbrew.unload();
      return out;
    });
    assert.deepEqual(r, { lines: ['emscripten 42', 'slept'], jspi: 'undefined', sab: 'undefined', isolated: true,
      rc: 0, error: [true, 'KeyError'], async: 0, variable: { a: [1, 2] } });
  });

  test('threads without SharedArrayBuffer: load({threadWorkers}) loads; Thread.start() names the cause', async () => {
    await webkit.goto(`${base}/tests/browser/page.html`);
    const r = await webkit.evaluate(async () => {
      const lines = [];
      Coldbrew.onStandardOut = (line) => lines.push(line);
      await Coldbrew.load({ hideWarnings: true, threadWorkers: 2 });
      Coldbrew.run('import threading\ntry:\n    threading.Thread(target=print).start()\nexcept RuntimeError as e:\n    print(e)\nprint(6 * 7)');
      Coldbrew.unload();
      return lines;
    });
    assert.deepEqual(r, ["can't start new thread: Python threads need SharedArrayBuffer, and this browser has no " +
      'SharedArrayBuffer, even on a cross-origin isolated page (WebKit and Safari lack it); load({threadWorkers: 2}) ' +
      'started Coldbrew without threads', '42']);
  });

  test('worker mode without SharedArrayBuffer: runs off the page; input from standardInBuffer; clear refusals; a time limit ends the worker', async () => {
    await webkit.goto(`${base}/tests/browser/page.html`);
    check(await webkit.evaluate(inPage), 'this browser has no SharedArrayBuffer, even on a cross-origin isolated page');
  });
});
