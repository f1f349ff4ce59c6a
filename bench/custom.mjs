// Slimming custom environments (docs/custom-builds.md): two apps (bench/apps/:
// a JSON/regex text tool, and a SQLite + CSV report), each built twice with
// build/custom.sh — full, and slimmed the way a user would (run the app with
// load({monitorFileUsage: true}), then keeplist.txt = getUsedFiles() and
// UNUSED_BUILTIN_MODULES = getUnusedModules()) — then measured: what a page
// downloads (brotli, as bin/coldbrew-serve sends it) and load() -> first result
// in Node and in headless Chromium (median of 5).
//
//   node bench/custom.mjs          (builds into tests/out/bench-custom/, ~4 min)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(repo, 'tests/out/bench-custom');
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function build(name, app, settings = {}) {
  const dir = path.join(out, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'bench/apps', app, 'app.py'), path.join(dir, 'files/app.py'));
  const lines = [`MODULE_NAME = ${JSON.stringify(name)}`];
  if (settings.unused) lines.push(`UNUSED_BUILTIN_MODULES = ${JSON.stringify(settings.unused)}`);
  fs.writeFileSync(path.join(dir, 'coldbrew_settings.py'), lines.join('\n') + '\n');
  if (settings.keep) fs.writeFileSync(path.join(dir, 'keeplist.txt'), settings.keep + '\n');
  const r = spawnSync('bash', [path.join(repo, 'build/custom.sh'), dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building ${name} failed:\n${r.stderr.slice(-2000)}`);
  return path.join(dir, 'dist');
}

/* Bytes a page downloads for load() -> first result: the .br files the server sends. */
function wireBytes(dist) {
  return ['coldbrew.js', 'coldbrew.wasm', 'coldbrew-stdlib.zip', 'coldbrew-files.zip']
    .filter((f) => fs.existsSync(path.join(dist, `${f}.br`)))
    .reduce((n, f) => n + fs.statSync(path.join(dist, `${f}.br`)).size, 0);
}

async function nodeFirst(dist, name) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    delete require.cache[require.resolve(path.join(dist, 'coldbrew.js'))];
    const env = require(path.join(dist, 'coldbrew.js'));
    const t0 = performance.now();
    await env.load({ hideWarnings: true });
    let first;
    env.onStandardOut = (line) => { first ??= line; };
    env.runFile('/files/app.py');
    times.push(performance.now() - t0);
    env.unload();
    if (!first) throw new Error(`${name} printed nothing`);
  }
  return median(times);
}

async function chromiumFirst(browser, base, dist, name) {
  const times = [];
  const rel = path.relative(repo, dist);
  fs.writeFileSync(path.join(dist, 'bench.html'), `<!doctype html><meta charset="utf-8"><title>bench</title>
<script src="coldbrew.js"></script><script src="/bench/custom-page.js" data-name="${name}"></script>`);
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/${rel}/bench.html`);
    await page.waitForFunction(() => window.benchResult, null, { timeout: 60000 });
    const r = await page.evaluate(() => window.benchResult);
    if (!r.first) throw new Error(`${name} printed nothing in Chromium: ${r.error}`);
    times.push(r.ms);
    await context.close();
  }
  return median(times);
}

const apps = [['TextTool', 'texttool'], ['Report', 'report']];
const rows = [];
const { startServer, launch } = await import('../tests/browser/helpers.mjs');
for (const [name, app] of apps) {
  const full = build(`${name}Full`, app);
  // The user's loop: run the app on the full build with monitoring, keep what it used.
  const env = require(path.join(full, 'coldbrew.js'));
  await env.load({ hideWarnings: true, monitorFileUsage: true });
  env.onStandardOut = () => {};
  env.runFile('/files/app.py');
  const keep = env.getUsedFiles();
  const unused = env.getUnusedModules();
  env.unload();
  const probe = JSON.parse(spawnSync(process.execPath, [path.join(repo, 'build/custom_probe.cjs'), path.join(repo, 'dist')], { encoding: 'utf8' }).stdout);
  const slim = build(`${name}Slim`, app, { keep, unused: unused.filter((m) => probe.unused.includes(m)) });
  rows.push({ name, full, slim });
}
const { server, base } = await startServer();
const browser = await launch();
console.log(`Node ${process.version}; Chromium headless; median of 5; bytes as sent (brotli)\n`);
console.log('app        build     on the wire   wasm(br)   stdlib(br)   Node load->first   Chromium load->first');
for (const { name, full, slim } of rows) {
  for (const [label, dist] of [['full', full], ['slimmed', slim]]) {
    const size = (f) => (fs.statSync(path.join(dist, `${f}.br`)).size / 1e6).toFixed(2);
    const n = await nodeFirst(dist, name);
    const c = await chromiumFirst(browser, base, dist, path.basename(path.dirname(dist)));   // its MODULE_NAME
    console.log(`${name.padEnd(10)} ${label.padEnd(8)} ${(wireBytes(dist) / 1e6).toFixed(2).padStart(8)} MB ${size('coldbrew.wasm').padStart(7)} MB ${size('coldbrew-stdlib.zip').padStart(8)} MB ` +
      `${n.toFixed(0).padStart(12)} ms ${c.toFixed(0).padStart(18)} ms`);
  }
}
await browser.close();
server.close();
