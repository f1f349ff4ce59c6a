// Coldbrew in Firefox: Debian's firefox-esr, headless, driven by puppeteer-core
// over WebDriver BiDi (Playwright needs its own patched Firefox). The same
// server and strict CSP as the Chromium suite; the page's CSP probe
// (csp-probe.js) tries an eval on purpose, and Firefox reports that blocked
// eval as a page error: that one message is expected, any other fails.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer } from './helpers.mjs';

const FIREFOX = process.env.COLDBREW_FIREFOX || '/usr/bin/firefox-esr';
let server, base, browser;

before(async () => {
  ({ server, base } = await startServer());
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi' });
});

after(async () => {
  await browser.close();
  server.close();
});

async function openPage() {
  const page = await browser.newPage();
  page.errors = [];
  page.on('pageerror', (e) => { if (!/blocked a JavaScript eval/.test(e.message)) page.errors.push(e.message); });
  await page.goto(`${base}/tests/browser/page.html`);
  return page;
}

describe('Firefox ESR', () => {
  test('load, run, a PythonError, runAsync with timers running, interrupt()', async () => {
    const page = await openPage();
    const r = await page.evaluate(async () => {
      const out = { lines: [] };
      Coldbrew.onStandardOut = (line) => out.lines.push(line);
      await Coldbrew.load({ hideWarnings: true });
      out.rc = Coldbrew.run('import sys\nprint(sys.platform, 6 * 7)');
      try { Coldbrew.run('{}["k"]'); } catch (e) { out.error = [e instanceof Coldbrew.PythonError, e.errorData.exctype]; }
      out.jspi = typeof WebAssembly.Suspending === 'function';
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 5);
      await Coldbrew.runAsync('import time\ntime.sleep(0.2)\nprint("slept")');
      const loop = Coldbrew.runAsync('while True:\n    pass');
      await new Promise((resolve) => setTimeout(resolve, 100));
      Coldbrew.interrupt();
      try { await loop; } catch (e) { out.interrupted = e.errorData.exctype; }
      clearInterval(timer);
      out.ticks = ticks;
      Coldbrew.unload();
      return out;
    });
    assert.equal(r.rc, 0);
    assert.deepEqual(r.lines, ['emscripten 42', 'slept']);
    assert.deepEqual(r.error, [true, 'KeyError']);
    assert.equal(r.jspi, true, 'Firefox ESR 153 has JSPI');
    assert.ok(r.ticks >= 20, `timers ran during the async runs: ${r.ticks}`);
    assert.equal(r.interrupted, 'KeyboardInterrupt');
    assert.deepEqual(page.errors, []);
  });

  test('worker mode: Promises, a remote variable, input and interrupt()', async () => {
    const page = await openPage();
    const r = await page.evaluate(async () => {
      const out = { lines: [] };
      Coldbrew.onStandardOut = (line) => out.lines.push(line);
      await Coldbrew.load({ worker: true, hideWarnings: true });
      out.value = await Coldbrew.getVariable('6 * 7');
      await Coldbrew.run('import collections\nc = collections.Counter("aab")');
      const c = await Coldbrew.getVariable('c');
      out.remote = [c.__type__, await c.a];
      Coldbrew.standardInBuffer = 'typed\n';
      await Coldbrew.run('print(input().upper())');
      const loop = Coldbrew.run('while True:\n    pass');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Coldbrew.interrupt();
      try { await loop; } catch (e) { out.interrupted = e.errorData.exctype; }
      Coldbrew.unload();
      return out;
    });
    assert.equal(r.value, 42);
    assert.deepEqual(r.remote, ['Counter', 2]);
    assert.deepEqual(r.lines, ['TYPED']);
    assert.equal(r.interrupted, 'KeyboardInterrupt');
    assert.deepEqual(page.errors, []);
  });

  test('threads: the threaded runtime on Web Workers, on the page', async () => {
    const page = await openPage();
    const r = await page.evaluate(async () => {
      const lines = [];
      Coldbrew.onStandardOut = (line) => lines.push(line);
      await Coldbrew.load({ hideWarnings: true, threadWorkers: 3 });
      Coldbrew.run('import threading\nr = []\nts = [threading.Thread(target=r.append, args=(i,)) for i in range(3)]\n' +
        'for t in ts: t.start()\nfor t in ts: t.join()\nprint(sorted(r), threading.active_count())');
      Coldbrew.unload();
      return [crossOriginIsolated, ...lines];
    });
    assert.deepEqual(r, [true, '[0, 1, 2] 1']);
    assert.deepEqual(page.errors, []);
  });

  // Worker mode with threads runs in a Firefox that no WebDriver is attached to: under puppeteer's
  // WebDriver BiDi, about one load in twenty never returns from the Coldbrew worker's first
  // `new Worker()` (0 hangs in 250 fresh pages without it; docs/threads.md). The page reports to the
  // server instead of being asked.
  test('worker mode with threads, in a Firefox without automation: five fresh pages', async () => {
    const reports = [];
    const onRequest = (req) => {
      if (req.url.startsWith('/report?')) reports.push(decodeURIComponent(req.url.slice('/report?'.length)));
    };
    server.on('request', onRequest);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-firefox-'));
    const firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile,
      `${base}/tests/browser/unattached.html?n=5`], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 150000;
      while (reports.length < 5 && Date.now() < deadline && firefox.exitCode === null) {
        await new Promise((resolve) => { setTimeout(resolve, 200); });
      }
      assert.deepEqual(reports, [0, 1, 2, 3, 4].map((i) => `${i} true [0, 1]`));
    } finally {
      firefox.kill();
      server.off('request', onRequest);
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
