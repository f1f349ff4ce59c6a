// The conformance slice of CPython's own regression suite under Coldbrew.
// Each module in modules.txt runs in its own process (crash and hang isolation,
// 5 minutes at most) two at a time; skips.txt lists test patterns left out,
// each with its reason. A module line may add "threads": that module runs on
// the threaded runtime (load({threadWorkers})). Prints one line per module and
// a closing count line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lines = (f) => fs.readFileSync(path.join(here, f), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const only = process.argv.slice(2);
const modules = (only.length ? only : lines('modules.txt')).map((l) => l.split(/\s+#/)[0].trim());
const ignoreFile = path.join(os.tmpdir(), `coldbrew-ignore-${process.pid}.txt`);
fs.writeFileSync(ignoreFile, lines('skips.txt').map((l) => l.split(/\s+#/)[0]).join('\n') + '\n');
const logDir = path.join(here, '..', 'out', 'cpython-logs');
fs.mkdirSync(logDir, { recursive: true });

function runOne(line) {
  const [module, mode = ''] = line.split(/\s+/);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const log = fs.openSync(path.join(logDir, `${module}.log`), 'w');
    const child = spawn(process.execPath, [path.join(here, 'one.mjs'), module, ignoreFile, mode], { stdio: ['ignore', log, log] });
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      fs.closeSync(log);
      const text = fs.readFileSync(path.join(logDir, `${module}.log`), 'utf8');
      const total = /Total tests: run=([\d,]+)(?: \(filtered\))?(?: failures=([\d,]+))?(?: skipped=([\d,]+))?/.exec(text);
      const num = (s) => (s ? Number(s.replace(/,/g, '')) : 0);
      const moduleSkipped = / skipped -- (.*)/.exec(text);
      resolve({ module, code, signal, seconds: (Date.now() - t0) / 1000, skipReason: moduleSkipped && moduleSkipped[1],
        run: total ? num(total[1]) : 0, failures: total ? num(total[2]) : 0, skipped: total ? num(total[3]) : 0 });
    });
  });
}

const results = [];
const queue = [...modules];
async function worker() {
  while (queue.length) {
    const r = await runOne(queue.shift());
    const verdict = r.signal ? `KILLED (${r.signal})` : r.code !== 0 ? `FAIL (exit ${r.code})`
      : r.skipReason ? `skipped: ${r.skipReason}` : 'pass';
    console.log(`${r.module.padEnd(22)} ${verdict.padEnd(14)} tests run=${r.run} failures=${r.failures} skipped=${r.skipped}  ${r.seconds.toFixed(1)}s`);
    results.push(r);
  }
}
await Promise.all([worker(), worker()]);
fs.unlinkSync(ignoreFile);
const skippedModules = results.filter((r) => r.code === 0 && r.skipReason).length;
const passed = results.filter((r) => r.code === 0 && !r.skipReason).length;
const failed = results.length - passed - skippedModules;
const sum = (k) => results.reduce((a, r) => a + r[k], 0);
console.log(`individual tests: run=${sum('run')} failures=${sum('failures')} skipped=${sum('skipped')}; logs in ${logDir}`);
console.log(`conformance: ${passed} passed, ${failed} failed, ${skippedModules} skipped`);
process.exitCode = failed ? 1 : 0;
