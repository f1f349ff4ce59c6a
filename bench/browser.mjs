// Start-up in headless Chromium (Debian's), Coldbrew against Pyodide (npm's,
// a devDependency), each page served by bin/coldbrew-serve on loopback with
// its files precompressed as brotli (Coldbrew's build writes FILE.br; the
// Pyodide files are copied to ~/.cache/coldbrew/bench-pyodide-VERSION and
// compressed the same way once): time from navigation to load() resolved and
// to the first result, with a cold cache (a new browser context) and a warm
// one (the same context, navigated again: files revalidate with 304), and the
// bytes that crossed the network (as sent, brotli) on the cold load.
//
//   node bench/browser.mjs [rounds]      (bench/run.mjs prints the same, with the workloads)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startServer, launch } from '../tests/browser/helpers.mjs';

const require = createRequire(import.meta.url);
const { createServer } = require('../bin/coldbrew-serve');

/* Pyodide's start-up files with .br copies and a page like bench/page.html, in the cache. */
function pyodideSite() {
  const pkg = path.dirname(require.resolve('pyodide/package.json'));
  const version = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version;
  const dir = path.join(process.env.COLDBREW_CACHE || path.join(os.homedir(), '.cache', 'coldbrew'), `bench-pyodide-${version}-v2`);
  if (!fs.existsSync(path.join(dir, '.ok'))) {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ['pyodide.js', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
      const data = fs.readFileSync(path.join(pkg, f));
      fs.writeFileSync(path.join(dir, f), data);
      fs.writeFileSync(path.join(dir, `${f}.br`), zlib.brotliCompressSync(data, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 } }));
    }
    // The server's Content-Security-Policy allows no inline script: the timing is a file too.
    fs.writeFileSync(path.join(dir, 'page.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Pyodide start-up benchmark</title>
<script src="pyodide.js"></script>
<script src="page.js"></script>
</head><body></body></html>\n`);
    fs.writeFileSync(path.join(dir, 'page.js'), `window.bench = loadPyodide().then((pyodide) => {
  const loaded = performance.now();
  const two = pyodide.runPython('1 + 1');
  return { loaded, first: two === 2 ? performance.now() : null };
});\n`);
    fs.writeFileSync(path.join(dir, '.ok'), '');
  }
  return { dir, version };
}

async function visit(context, url) {
  const page = await context.newPage();
  let bytes = 0;
  page.on('requestfinished', async (r) => {
    const s = await r.sizes();
    bytes += s.responseBodySize + s.responseHeadersSize;
  });
  await page.goto(url);
  const t = await page.evaluate(() => window.bench);
  await page.waitForTimeout(100);   // let the last requestfinished events arrive
  await page.close();
  return { ...t, bytes };
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/* Medians over `rounds` cold and warm visits of each page: {coldbrew, pyodide}, each
 * {cold: {loaded, first, bytes}, warm: {...}}; times in ms since navigation start. */
export async function measureBrowser(rounds = 5) {
  const pyodide = pyodideSite();
  const { server, base } = await startServer();
  const pyServer = createServer(pyodide.dir);
  // Everything started is stopped in `finally`, a failed launch included: a
  // server left listening would keep bench/run.mjs from ever exiting.
  let browser = null;
  const result = { pyodideVersion: pyodide.version };
  try {
    await new Promise((resolve) => pyServer.listen(0, '127.0.0.1', resolve));
    const pyBase = `http://127.0.0.1:${pyServer.address().port}`;
    browser = await launch();
    // Rounds interleave the two pages, so that the machine's drift (docs/performance.md) falls on both.
    const pages = [['coldbrew', `${base}/bench/page.html`], ['pyodide', `${pyBase}/page.html`]];
    const runs = Object.fromEntries(pages.map(([name]) => [name, { cold: [], warm: [] }]));
    for (let i = 0; i < rounds; i++) {
      for (const [name, url] of pages) {
        const context = await browser.newContext();
        runs[name].cold.push(await visit(context, url));
        runs[name].warm.push(await visit(context, url));
        await context.close();
      }
    }
    const med = (list) => ({ loaded: median(list.map((r) => r.loaded)), first: median(list.map((r) => r.first)),
      bytes: median(list.map((r) => r.bytes)) });
    for (const [name] of pages) result[name] = { cold: med(runs[name].cold), warm: med(runs[name].warm) };
  } finally {
    if (browser) await browser.close();
    server.close();
    pyServer.close();
  }
  return result;
}

/* The lines bench/run.mjs and this script print. */
export function browserReport(r, rounds) {
  const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
  const ms = (n) => `${n.toFixed(0)} ms`;
  const c = r.coldbrew, p = r.pyodide;
  return [
    `Chromium (headless), ${rounds} rounds, medians; ms since navigation start; Pyodide ${r.pyodideVersion}`,
    `                        coldbrew     pyodide   coldbrew/pyodide`,
    `cold: first result   ${ms(c.cold.first).padStart(10)}  ${ms(p.cold.first).padStart(10)}   ${(c.cold.first / p.cold.first).toFixed(2).padStart(8)}x  (target <= 0.20x)`,
    `cold: load() done    ${ms(c.cold.loaded).padStart(10)}  ${ms(p.cold.loaded).padStart(10)}`,
    `warm: first result   ${ms(c.warm.first).padStart(10)}  ${ms(p.warm.first).padStart(10)}   ${(c.warm.first / p.warm.first).toFixed(2).padStart(8)}x`,
    `first-load transfer  ${mib(c.cold.bytes).padStart(10)}  ${mib(p.cold.bytes).padStart(10)}   ${(c.cold.bytes / p.cold.bytes).toFixed(2).padStart(8)}x  (target <= 2.6 MiB)`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] || 5);
  console.log(browserReport(await measureBrowser(rounds), rounds).join('\n'));
}
