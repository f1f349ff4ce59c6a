// Shared set-up for the browser suites: the demo server (bin/coldbrew-serve)
// on a free loopback port, and Debian's Chromium driven by playwright-core.
// One browser per test file, a fresh page (and context) per test.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { before, after, afterEach } from 'node:test';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const { createServer } = require('../../bin/coldbrew-serve');
export const root = new URL('../..', import.meta.url).pathname;

export const CHROMIUM = process.env.COLDBREW_CHROMIUM || '/usr/bin/chromium';

export async function startServer() {
  const server = createServer(root);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

/* collect: an array that receives the browser process's own output (stderr),
 * for a test to show when a renderer crashes. */
export async function launch({ collect } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--no-first-run', ...(collect ? ['--enable-logging=stderr', '--v=0'] : [])],
    ...(collect ? { logger: { isEnabled: (name) => name === 'browser', log: (name, severity, message) => collect.push(String(message)) } } : {}),
  });
}

/* A new page in a new context; collects page errors so tests can assert there were none. */
export async function openPage(browser, url, { context } = {}) {
  const ctx = context || await browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(url);
  return page;
}

/* Loads Coldbrew on the test page, capturing output in window.out. */
export async function loadColdbrew(page, options = { hideWarnings: true }) {
  await page.evaluate(async (opts) => {
    window.out = [];
    window.err = [];
    Coldbrew.onStandardOut = (line) => window.out.push(line);
    Coldbrew.onStandardErr = (line) => window.err.push(line);
    await Coldbrew.load(opts);
  }, options);
}

/* The usual set-up of a Chromium test file: the server and one browser for the
 * file, every test's contexts closed after it (each page holds a whole runtime,
 * and pages of one origin may share a renderer). Returns an object whose
 * `base` and `browser` are set once the file's `before` has run. */
export function chromiumSuite() {
  const suite = { server: null, base: null, browser: null };
  before(async () => {
    Object.assign(suite, await startServer());
    suite.browser = await launch();
  });
  afterEach(async () => {
    for (const context of suite.browser.contexts()) await context.close();
  });
  after(async () => {
    await suite.browser.close();
    suite.server.close();
  });
  return suite;
}

/* The test page served without COOP/COEP (so not cross-origin isolated: no
 * SharedArrayBuffer); everything else still comes from bin/coldbrew-serve. */
export async function openPageWithoutIsolation(suite) {
  const context = await suite.browser.newContext();
  await context.route('**/tests/browser/page.html', (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8', body: fs.readFileSync(path.join(root, 'tests/browser/page.html'), 'utf8'),
  }));
  const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`, { context });
  return { page, context };
}
