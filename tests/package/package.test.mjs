// The npm package as a user gets it: `npm pack`'s tarball (written by the
// build: dist/pack/) installed offline into a fresh project, then used from
// CommonJS, an ES module and TypeScript (tsc --strict), through its CLI, and
// bundled by Vite, esbuild and webpack 5 into apps that run in Chromium.
// The bundlers and tsc come from the repository's devDependencies.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const repo = new URL('../..', import.meta.url).pathname;
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
const { version, name } = JSON.parse(fs.readFileSync(path.join(repo, 'dist/package.json'), 'utf8'));
const tarball = path.join(repo, 'dist/pack', `${name}-${version}.tgz`);
let project;

/* Runs a command in the project; its stdout (throws with stderr on failure). */
function inProject(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: options.cwd || project, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0 && !options.mayFail) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return options.mayFail ? r : r.stdout;
}

before(() => {
  assert.ok(fs.existsSync(tarball), `the build writes ${tarball}`);
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'coldbrew-package-'));
  fs.cpSync(path.join(repo, 'tests/package/fixtures'), project, { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'fresh-project', private: true }));
  inProject('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
});

after(() => fs.rmSync(project, { recursive: true, force: true }));

describe('the package', () => {
  test('the tarball holds both runtimes, their .br copies, types, the CLI, licences and notes; nothing else', () => {
    const all = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
    // The stdlib's bundles: each with its .br copy, one of them email's.
    const bundles = all.filter((f) => f.startsWith('stdlib/'));
    assert.ok(bundles.includes('stdlib/email.zip') && bundles.includes('stdlib/email.zip.br'), bundles.join(' '));
    assert.ok(bundles.every((f) => /^stdlib\/[\w.-]+\.zip(\.br)?$/.test(f)) && bundles.length % 2 === 0);
    const files = all.filter((f) => !f.startsWith('stdlib/'));
    assert.deepEqual(files, ['CHANGELOG.md', 'LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.txt', 'bin/coldbrew',
      'coldbrew-stdlib-src.zip', 'coldbrew-stdlib.zip', 'coldbrew-stdlib.zip.br', 'coldbrew-threads.js', 'coldbrew-threads.js.br', 'coldbrew-threads.wasm',
      'coldbrew-threads.wasm.br', 'coldbrew.d.mts', 'coldbrew.d.ts', 'coldbrew.js', 'coldbrew.js.br',
      'coldbrew.mjs', 'coldbrew.mjs.br', 'coldbrew.wasm', 'coldbrew.wasm.br', 'package.json']);
    const notices = fs.readFileSync(path.join(project, 'node_modules', name, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const part of ['PYTHON SOFTWARE FOUNDATION LICENSE', 'zlib', 'bzip2', 'XZ Utils', 'SQLite', 'libffi', 'expat', 'libmpdec', 'mimalloc',
      'time zone']) {
      assert.ok(new RegExp(part, 'i').test(notices), `the notices name ${part}`);
    }
  });

  test('CommonJS: require() it, run Python, catch a PythonError; versions agree', () => {
    assert.equal(inProject(process.execPath, ['app.cjs']),
      `cjs: (3, 13) ${version}\ncjs: true ZeroDivisionError\ncjs: js version ${version}\n`);
  });

  test('ES module: the default and a named export; worker mode finds its files', () => {
    assert.equal(inProject(process.execPath, ['app.mjs']), `esm: (3, 13) ${version}\nesm: true ZeroDivisionError\nesm: worker 42\n`);
  });

  test('TypeScript: tsc --strict is clean on code that calls every function, and that code runs', () => {
    inProject(bin('tsc'), ['-p', '.']);
    const r = JSON.parse(inProject(process.execPath, ['built/app.mjs']));
    assert.deepEqual(r, { versions: 2, rc: 0, sum: 3, isPy: true, typeName: 'Counter', names: true, asyncValue: 42, asyncSum: 42,
      rate: 50, interrupted: false, info: 'ZeroDivisionError', counts: 0, cwd: '/tmp', env: '1', listed: ['b.bin:2:true'],
      exists: true, text: true, bytes: [1, 2], zipped: true, unzipped: 1, remote: 42,
      lines: ['typed', "['a', '1']", "['b']", 'ZeroDivisionError 1 '] });
  });

  test('TypeScript: wrong calls are type errors', () => {
    const r = inProject(bin('tsc'), ['-p', 'tsconfig.bad.json'], { mayFail: true });
    assert.notEqual(r.status, 0);
    const errors = (r.stdout + r.stderr).match(/bad\.mts\(\d+,\d+\): error TS\d+/g) || [];
    assert.deepEqual(errors.map((e) => e.replace(/.*\((\d+),\d+\).*/, '$1')), ['3', '4', '5', '6'], r.stdout);
  });

  test('every member of the loaded object is declared in the types and documented in docs/api.md', async () => {
    const types = fs.readFileSync(path.join(project, 'node_modules', name, 'coldbrew.d.ts'), 'utf8');
    const declared = new Set([...types.matchAll(/^ {4}(?:readonly )?(\w+)[?(:<]/gm)].map((m) => m[1]));
    const Coldbrew = require(path.join(project, 'node_modules', name));
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true });
    const members = Object.keys(cb);
    const missing = members.filter((k) => !declared.has(k));
    cb.unload();
    assert.deepEqual(missing, []);
    // docs/api.md has a section for each member, and none for anything else.
    const documented = [...fs.readFileSync(path.join(repo, 'docs/api.md'), 'utf8').matchAll(/^### (\w+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(documented, members.filter((k) => k !== 'default').sort());
  });

  test("the CLI it installs: npx coldbrew -c 'import sys; print(sys.argv)' a b", () => {
    assert.equal(inProject(process.execPath, [path.join(project, 'node_modules/.bin/coldbrew'), '-c', 'import sys; print(sys.argv)', 'a', 'b']),
      "['-c', 'a', 'b']\n");
  });
});

describe('bundled apps in Chromium', () => {
  let browser, chromium, createServer;
  before(async () => {
    ({ chromium } = require('playwright-core'));
    ({ createServer } = require('../../bin/coldbrew-serve'));
    browser = await chromium.launch({ executablePath: process.env.COLDBREW_CHROMIUM || '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  after(() => browser.close());

  /* Serves the built app and runs it: what it put in window.result, and any failed request or page error. */
  async function runApp(dir) {
    const server = createServer(dir);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await runPage(`http://127.0.0.1:${server.address().port}/index.html`);
    } finally {
      server.close();
    }
  }
  async function runPage(url) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`); });
    try {
      await page.goto(url);
      await page.waitForFunction(() => document.title === 'done', null, { timeout: 60000 })
        .catch(() => problems.push('the app did not finish'));
      return { result: await page.evaluate(() => window.result), problems };
    } finally {
      await page.close();
    }
  }
  // bin/coldbrew-serve sends COOP/COEP (a thread runs); Vite's dev server does not (Thread.start() says why).
  const expected = { result: ['python (3, 13) 42', 'worker 42', 'thread 42'], problems: [] };
  const expectedUnisolated = { result: ['python (3, 13) 42', 'worker 42', 'no thread: True'], problems: [] };
  const app = () => path.join(project, 'bundle');

  test('Vite production build (no configuration)', async () => {
    inProject(process.execPath, [path.join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', 'out-vite', '--logLevel', 'warn'], { cwd: app() });
    const assets = fs.readdirSync(path.join(app(), 'out-vite/assets'));
    assert.ok(assets.some((f) => /^coldbrew-.*\.wasm$/.test(f)) && assets.some((f) => /^coldbrew-stdlib-.*\.zip$/.test(f)), assets.join(' '));
    assert.deepEqual(await runApp(path.join(app(), 'out-vite')), expected);
  });

  test("Vite's dev server (no configuration)", async () => {
    const { spawn } = await import('node:child_process');
    const port = 5100 + Math.floor(Math.random() * 800);
    const dev = spawn(process.execPath, [path.join(repo, 'node_modules/vite/bin/vite.js'), '--port', String(port), '--strictPort',
      '--host', '127.0.0.1', '--logLevel', 'warn'], { cwd: app(), stdio: 'ignore' });
    try {
      for (let i = 0; ; i++) {
        try {
          await fetch(`http://127.0.0.1:${port}/`);
          break;
        } catch (e) {
          if (i === 100) throw new Error(`Vite's dev server did not start: ${e.message}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      assert.deepEqual(await runPage(`http://127.0.0.1:${port}/index.html`), expectedUnisolated);
    } finally {
      dev.kill();
    }
  });

  test('esbuild (one documented line: copy the asset files next to the bundle)', async () => {
    const out = path.join(app(), 'out-esbuild');
    fs.mkdirSync(out, { recursive: true });
    inProject(bin('esbuild'), ['main.js', '--bundle', '--format=esm', `--outfile=${out}/main.js`, '--log-level=warning'], { cwd: app() });
    for (const f of ['coldbrew.wasm', 'coldbrew-stdlib.zip', 'stdlib', 'coldbrew.js', 'coldbrew-threads.js', 'coldbrew-threads.wasm']) {
      fs.cpSync(path.join(project, 'node_modules', name, f), path.join(out, f), { recursive: true });
    }
    fs.copyFileSync(path.join(app(), 'index.html'), path.join(out, 'index.html'));
    assert.deepEqual(await runApp(out), expected);
  });

  test('webpack 5 production build (no Coldbrew-specific configuration)', async () => {
    inProject(process.execPath, [path.join(repo, 'node_modules/webpack-cli/bin/cli.js'), '--config', 'webpack.config.cjs'], { cwd: app() });
    fs.copyFileSync(path.join(app(), 'index.html'), path.join(app(), 'out-webpack/index.html'));
    assert.deepEqual(await runApp(path.join(app(), 'out-webpack')), expected);
  });
});
