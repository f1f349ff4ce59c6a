// What each large, rarely used C module costs in bytes (issue: move them out of
// the start-up path if it pays). For each group below, builds a custom
// environment (build/custom.sh, docs/custom-builds.md) with only that group in
// UNUSED_BUILTIN_MODULES, then one with every group left out, and prints how
// much smaller coldbrew.wasm is than the full build's: raw, and brotli as
// bin/coldbrew-serve sends it (the custom build's own .br files). The last
// column is that saving as a share of a page's first-load transfer with the
// standard dist/ (coldbrew.js + coldbrew.wasm + the stdlib's core, brotli: a
// custom build ships its whole filtered stdlib in one zip instead).
//
//   node bench/module-bytes.mjs      (builds into tests/out/bench-modules/, ~1 min a build)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(repo, 'tests/out/bench-modules');

// Each group: the built-in modules that go together (a module and what only it uses).
const groups = [
  ['_decimal (libmpdec)', ['_decimal']],
  ['unicodedata', ['unicodedata']],
  ['CJK codecs', ['_codecs_cn', '_codecs_hk', '_codecs_iso2022', '_codecs_jp', '_codecs_kr', '_codecs_tw', '_multibytecodec']],
  ['_sqlite3 (SQLite)', ['_sqlite3']],
  ['_lzma (liblzma)', ['_lzma']],
  ['_ctypes (libffi)', ['_ctypes']],
  ['_bz2 (libbz2)', ['_bz2']],
  ['pyexpat, _elementtree (expat)', ['pyexpat', '_elementtree']],
];

function build(name, unused) {
  const dir = path.join(out, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const lines = [`MODULE_NAME = ${JSON.stringify(name)}`];
  if (unused.length) lines.push(`UNUSED_BUILTIN_MODULES = ${JSON.stringify(unused)}`);
  fs.writeFileSync(path.join(dir, 'coldbrew_settings.py'), lines.join('\n') + '\n');
  const r = spawnSync('bash', [path.join(repo, 'build/custom.sh'), dir], { encoding: 'utf8' });
  const refused = /UNUSED_BUILTIN_MODULES: (Python's start-up or Coldbrew's runtime imports [^;]*)/.exec(r.stdout + r.stderr);
  if (refused) return { refused: refused[1] };
  if (r.status !== 0) throw new Error(`building ${name} failed:\n${r.stderr.slice(-2000)}`);
  const dist = path.join(dir, 'dist');
  const size = (f) => fs.statSync(path.join(dist, f)).size;
  return { raw: size('coldbrew.wasm'), br: size('coldbrew.wasm.br') };
}

const firstLoad = ['coldbrew.js', 'coldbrew.wasm', 'coldbrew-stdlib.zip']
  .reduce((n, f) => n + fs.statSync(path.join(repo, 'dist', `${f}.br`)).size, 0);
const full = build('Full', []);
const kb = (n) => (n / 1024).toFixed(0).padStart(7);
console.log(`full build: coldbrew.wasm ${kb(full.raw)} KiB raw, ${kb(full.br)} KiB brotli; dist/'s first-load transfer ${kb(firstLoad)} KiB\n`);
console.log('left out                         wasm raw saved   wasm brotli saved   share of first load');
const all = [];
for (const [label, modules] of [...groups, ['all of the above that can go', null]]) {
  const b = build(label.replace(/[^A-Za-z0-9]+/g, '_'), modules ?? all);
  if (b.refused) {
    console.log(`${label.padEnd(32)} cannot be left out: ${b.refused}`);
    continue;
  }
  if (modules) all.push(...modules);
  const savedBr = full.br - b.br;
  console.log(`${label.padEnd(32)} ${kb(full.raw - b.raw)} KiB       ${kb(savedBr)} KiB        ${(100 * savedBr / firstLoad).toFixed(1).padStart(5)} %`);
}
