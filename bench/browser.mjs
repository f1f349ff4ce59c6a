// Coldbrew start-up in headless Chromium (Debian's), served by bin/coldbrew-serve
// on loopback: time from navigation to load() resolved and to the first run()
// result, with a cold cache (a new browser context) and a warm one (the same
// context, navigated again: files revalidate with 304), and the bytes that
// crossed the network (as sent: brotli) next to the files' raw sizes.
// Reference (issue 5): Pyodide ships 9.6 MB wasm + 2.5 MB stdlib zip + 1.25 MB JS.
//
//   node bench/browser.mjs [rounds]
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, root } from '../tests/browser/helpers.mjs';

const rounds = Number(process.argv[2] || 5);
const { server, base } = await startServer();
const browser = await launch();

async function visit(context) {
  const page = await context.newPage();
  let bytes = 0;
  page.on('requestfinished', async (r) => {
    const s = await r.sizes();
    bytes += s.responseBodySize + s.responseHeadersSize;
  });
  await page.goto(`${base}/bench/page.html`);
  const t = await page.evaluate(() => window.bench);
  await page.waitForTimeout(50);   // let the last requestfinished events arrive
  await page.close();
  return { ...t, bytes };
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const cold = [], warm = [];
for (let i = 0; i < rounds; i++) {
  const context = await browser.newContext();
  cold.push(await visit(context));
  warm.push(await visit(context));
  await context.close();
}
await browser.close();
server.close();

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
const raw = ['coldbrew.wasm', 'coldbrew-stdlib.zip', 'coldbrew.js']
  .map((f) => [f, fs.statSync(path.join(root, 'dist', f)).size, fs.statSync(path.join(root, 'dist', `${f}.br`)).size]);
console.log(`Chromium (headless), ${rounds} rounds, medians; ms since navigation start\n`);
console.log(`cold cache: load() resolved ${median(cold.map((r) => r.loaded)).toFixed(0)} ms, first run() result ${median(cold.map((r) => r.first)).toFixed(0)} ms`);
console.log(`warm cache: load() resolved ${median(warm.map((r) => r.loaded)).toFixed(0)} ms, first run() result ${median(warm.map((r) => r.first)).toFixed(0)} ms`);
console.log(`\ntransferred on a cold load: ${mb(median(cold.map((r) => r.bytes)))} (warm: ${mb(median(warm.map((r) => r.bytes)))})`);
for (const [f, size, br] of raw) console.log(`  ${f.padEnd(20)} ${mb(size).padStart(9)} raw  ${mb(br).padStart(9)} brotli`);
const totalRaw = raw.reduce((s, r) => s + r[1], 0), totalBr = raw.reduce((s, r) => s + r[2], 0);
const pyodide = (9.6 + 2.5 + 1.25) * 1e6;
console.log(`  ${'total'.padEnd(20)} ${mb(totalRaw).padStart(9)} raw  ${mb(totalBr).padStart(9)} brotli`);
console.log(`\nPyodide ships ${mb(pyodide)}; target <= half (${mb(pyodide / 2)}). Coldbrew sends ${mb(totalBr)} ` +
  `(${(100 * totalBr / pyodide).toFixed(0)}% of it); without brotli (a server that cannot send .br files) ${mb(totalRaw)}.`);
