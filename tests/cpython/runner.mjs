// Runs modules of CPython's regression suite under Coldbrew, each in its own
// process (tests/cpython/one.mjs: crash and hang isolation, a time cap), two at
// a time, and reads regrtest's log into a result. Shared by run.mjs (the slice
// every CI runs) and full.mjs (every module, into results.md).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const logDir = path.join(here, '..', 'out', 'cpython-logs');
export const testsZip = path.join(here, '..', 'out', 'cpython-tests.zip');

/* A list file's lines: blank lines and # comments dropped; a trailing "  # ..." kept apart as the reason. */
export function listFile(name) {
  return fs.readFileSync(path.join(here, name), 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => { const [entry, ...why] = l.split(/\s+#\s*/); return { entry: entry.trim(), reason: why.join(' # ').trim() }; });
}

/* skips.txt as regrtest's --ignorefile (each pattern's reason is the comment above it). */
export function writeIgnoreFile() {
  const file = path.join(os.tmpdir(), `coldbrew-ignore-${process.pid}.txt`);
  fs.writeFileSync(file, listFile('skips.txt').map((s) => s.entry).join('\n') + '\n');
  return file;
}

const num = (s) => (s ? Number(s.replace(/,/g, '')) : 0);

/* What one module's regrtest log says. */
export function readLog(text) {
  const total = /Total tests: run=([\d,]+)(?: \(filtered\))?(?: failures=([\d,]+))?(?: skipped=([\d,]+))?/.exec(text);
  const skipped = / skipped -- (.*)/.exec(text);
  const denied = / skipped \(resource denied\)/.test(text);
  const failing = [...new Set([...text.matchAll(/^(?:FAIL|ERROR): (\S+) \(([^)]+)\)/gm)].map((m) => m[2].split('.').slice(-2).join('.')))];
  // regrtest's "crashed": an exception outside any test (most often at import); its last line.
  const uncaught = /crashed -- Traceback[\s\S]*?\n(\w[\w.]*: [^\n]*)\n/.exec(text);
  return { total: !!total, run: total ? num(total[1]) : 0, failures: total ? num(total[2]) : 0, skipped: total ? num(total[3]) : 0,
    skipReason: skipped ? skipped[1] : denied ? 'resource denied' : null, failing, uncaught: uncaught ? uncaught[1] : null };
}

/* Runs one module ("test_x" or "test_pkg.test_y", mode "" or "threads"); resolves to its result. */
export function runModule(module, mode, ignoreFile, capSeconds) {
  fs.mkdirSync(logDir, { recursive: true });
  const logPath = path.join(logDir, `${module}.log`);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const log = fs.openSync(logPath, 'w');
    const child = spawn(process.execPath, [path.join(here, 'one.mjs'), module, ignoreFile, mode || ''], { stdio: ['ignore', log, log] });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, capSeconds * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fs.closeSync(log);
      resolve({ module, mode, code, signal, timedOut, seconds: (Date.now() - t0) / 1000, ...readLog(fs.readFileSync(logPath, 'utf8')) });
    });
  });
}

/* Runs them all, `parallel` at a time, calling onResult(r) as each ends; resolves to the results in list order. */
export async function runAll(entries, { parallel = 2, capSeconds = 300, onResult = () => {} } = {}) {
  const ignoreFile = writeIgnoreFile();
  const results = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      results[i] = await runModule(entries[i].module, entries[i].mode, ignoreFile, capSeconds);
      onResult(results[i]);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  fs.unlinkSync(ignoreFile);
  return results;
}

/* The file names in a zip archive (its central directory). */
export function zipNames(file) {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file}: not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(at + 28), extra = buf.readUInt16LE(at + 30), comment = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
  }
  return names;
}
