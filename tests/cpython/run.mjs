// The conformance slice of CPython's own regression suite under Coldbrew, run
// by every CI: the modules in modules.txt, each in its own process (crash and
// hang isolation, 5 minutes at most) two at a time (runner.mjs); skips.txt
// lists test patterns left out, each with its reason. A module line may add
// "threads": that module runs on the threaded runtime (load({threadWorkers})).
// Prints one line per module and a closing count line. The whole suite:
// full.mjs (make test-cpython-full).
import { listFile, logDir, runAll } from './runner.mjs';

const only = process.argv.slice(2);
const entries = (only.length ? only.map((entry) => ({ entry })) : listFile('modules.txt')).map(({ entry }) => {
  const [module, mode = ''] = entry.split(/\s+/);
  return { module, mode };
});

const results = await runAll(entries, {
  capSeconds: 300,
  onResult(r) {
    const verdict = r.signal ? `KILLED (${r.signal})` : r.code !== 0 ? `FAIL (exit ${r.code})`
      : r.skipReason ? `skipped: ${r.skipReason}` : 'pass';
    console.log(`${r.module.padEnd(22)} ${verdict.padEnd(14)} tests run=${r.run} failures=${r.failures} skipped=${r.skipped}  ${r.seconds.toFixed(1)}s`);
  },
});
const skippedModules = results.filter((r) => r.code === 0 && r.skipReason).length;
const passed = results.filter((r) => r.code === 0 && !r.skipReason).length;
const failed = results.length - passed - skippedModules;
const sum = (k) => results.reduce((a, r) => a + r[k], 0);
console.log(`individual tests: run=${sum('run')} failures=${sum('failures')} skipped=${sum('skipped')}; logs in ${logDir}`);
console.log(`conformance: ${passed} passed, ${failed} failed, ${skippedModules} skipped`);
process.exitCode = failed ? 1 : 0;
