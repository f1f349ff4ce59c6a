// CPython's whole regression suite under Coldbrew (make test-cpython-full):
// every module of Lib/test, packages (test_asyncio, test_email, ...) by their
// sub-modules, each in its own process with a time cap, two at a time
// (runner.mjs), on Node. Gives each module a state and writes the table,
// totals first, to tests/cpython/results.md:
//   pass          regrtest passed it (tests skipped by the suite itself, and
//                 skips.txt's patterns, each with its reason, allowed)
//   fail          tests failed (they are named), or the module raised outside them
//   crash         the process ended without regrtest's summary, or not as
//                 regrtest ends (a JavaScript error, a signal)
//   hang          killed at the time cap
//   n/a           not applicable here: listed in not-applicable.txt (not run),
//                 or skipped by regrtest for a reason that file's reason rules name
//   skipped       skipped by regrtest for another reason (a missing C module, ...),
//                 or not importable for want of a module: applicable, so counted against us
// A module skipped with "requires threading support" is run again on the
// threaded runtime (load({threadWorkers})), as are modules.txt's "threads" lines.
//   node tests/cpython/full.mjs [--cap SECONDS] [--only test_x,test_y] [--from-logs]
// --from-logs writes results.md again from tests/out/cpython-logs, running nothing.
import fs from 'node:fs';
import path from 'node:path';
import { here, listFile, logDir, readLog, runAll, testsZip, zipNames } from './runner.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const capSeconds = Number(option('--cap', 180));
const only = option('--only', null);
const fromLogs = args.includes('--from-logs');

/* Every module of the suite: test_x.py, and for a package test_pkg/ its test_*.py at any depth. */
function suiteModules() {
  const names = zipNames(testsZip).filter((n) => n.startsWith('test/test_') && n.endsWith('.py'));
  const packages = new Set(names.filter((n) => n.split('/').length > 2).map((n) => n.split('/')[1]));
  const out = [];
  for (const n of names) {
    const parts = n.slice('test/'.length, -'.py'.length).split('/');
    if (parts.length === 1 && !packages.has(parts[0])) out.push(parts[0]);
    else if (parts.length > 1 && parts.at(-1).startsWith('test_')) out.push(parts.join('.'));
  }
  // A package without test_*.py files of its own runs whole.
  for (const p of packages) if (!out.some((m) => m.startsWith(`${p}.`))) out.push(p);
  return out.sort();
}

const notApplicable = listFile('not-applicable.txt');
const reasonRules = notApplicable.filter((r) => r.entry.startsWith('reason:')).map((r) => ({ re: new RegExp(r.entry.slice(7), 'i'), why: r.reason }));
const moduleRules = notApplicable.filter((r) => !r.entry.startsWith('reason:'));
const glob = (pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
const listedNA = (m) => moduleRules.find((r) => glob(r.entry).test(m) || glob(r.entry).test(m.split('.')[0]));
const threaded = new Set(listFile('modules.txt').filter((l) => /\sthreads$/.test(l.entry)).map((l) => l.entry.split(/\s+/)[0]));

let modules = suiteModules();
if (only) modules = modules.filter((m) => only.split(',').some((o) => m === o || m.startsWith(`${o}.`)));
const toRun = modules.filter((m) => !listedNA(m)).map((module) => ({ module, mode: threaded.has(module.split('.')[0]) ? 'threads' : '' }));
console.log(`${modules.length} modules; ${modules.length - toRun.length} listed not applicable; running ${toRun.length}, cap ${capSeconds} s each`);

/* A result again from a module's log (--from-logs): a log without regrtest's last line is a crash or a hang. */
function fromLog({ module }) {
  const file = path.join(logDir, `${module}.log`);
  if (!fs.existsSync(file)) return { module, mode: '', code: null, signal: 'never run', timedOut: false, seconds: 0, ...readLog('') };
  const text = fs.readFileSync(file, 'utf8');
  const result = /^Result: (.*)$/m.exec(text);
  const duration = /^Total duration: (?:(\d+) min )?(\d+(?:\.\d+)?) (ms|sec)/m.exec(text);
  const seconds = duration ? Number(duration[1] || 0) * 60 + Number(duration[2]) / (duration[3] === 'ms' ? 1000 : 1) : 0;
  return { module, mode: /^coldbrew: threaded runtime/m.test(text) ? 'threads' : '', code: result ? (/FAILURE/.test(result[1]) ? 2 : 0) : null,
    signal: result ? null : 'no summary in the log (killed at the cap, or the process died)', timedOut: false, seconds, ...readLog(text) };
}

const t0 = Date.now();
let done = 0;
const show = (r) => console.log(`[${++done}/${toRun.length}] ${r.module} ${stateOf(r).state} ${r.seconds.toFixed(1)}s`);
let results = fromLogs ? toRun.map(fromLog) : await runAll(toRun, { capSeconds, onResult: show });
const again = results.filter((r) => r.mode !== 'threads' && r.skipReason === 'requires threading support');
if (again.length && !fromLogs) {
  console.log(`again on the threaded runtime: ${again.length} modules`);
  done = 0;
  const rerun = await runAll(again.map((r) => ({ module: r.module, mode: 'threads' })), { capSeconds, onResult: show });
  const byName = new Map(rerun.map((r) => [r.module, r]));
  results = results.map((r) => byName.get(r.module) || r);
}

function stateOf(r) {
  if (r.timedOut) return { state: 'hang', note: `killed after ${capSeconds} s` };
  // Not importable for want of a module this build leaves out: as regrtest's own "skipped -- No module named".
  const missing = r.uncaught && /^ModuleNotFoundError: /.test(r.uncaught) ? r.uncaught.replace(/^ModuleNotFoundError: /, '') : null;
  // regrtest exits 4 ("NO TESTS RAN") when a resource the module needs is not enabled.
  if (((r.code === 0 || r.code === 4) && r.skipReason) || missing) {
    const why = missing || r.skipReason;
    const rule = reasonRules.find((x) => x.re.test(why));
    return rule ? { state: 'n/a', note: `${why} (${rule.why})` } : { state: 'skipped', note: why };
  }
  if (r.code === 0) return { state: 'pass', note: '' };
  if (r.uncaught) return { state: 'fail', note: `outside any test: ${r.uncaught}` };
  if (r.total && (r.failures > 0 || r.failing.length)) return { state: 'fail', note: r.failing.slice(0, 12).join(', ') + (r.failing.length > 12 ? ` and ${r.failing.length - 12} more` : '') };
  return { state: 'crash', note: r.signal ? String(r.signal) : `exit ${r.code}; see tests/out/cpython-logs/${r.module}.log` };
}

const rows = modules.map((m) => {
  const na = listedNA(m);
  if (na) return { module: m, state: 'n/a', note: na.reason, run: 0, skipped: 0, failures: 0, seconds: 0, mode: '' };
  const r = results.find((x) => x.module === m);
  return { ...r, ...stateOf(r) };
});
const count = (s) => rows.filter((r) => r.state === s).length;
const sum = (k) => rows.reduce((a, r) => a + (k === 'failures' ? Math.max(r.failures || 0, (r.failing || []).length) : r[k] || 0), 0);
const applicable = rows.length - count('n/a');
const minutes = ((Date.now() - t0) / 60000).toFixed(1);
const lines = [
  '# CPython 3.13 regression suite under Coldbrew',
  '',
  `Written by \`node tests/cpython/full.mjs\` (\`make test-cpython-full\`) on ${process.version}, ${new Date().toISOString().slice(0, 10)}; ` +
    (fromLogs ? 'from the logs of the last run' : `${minutes} min on 2 parallel processes`) +
    `, ${capSeconds} s cap per module. States: see the header of tests/cpython/full.mjs.`,
  '',
  `- modules: ${rows.length}; applicable ${applicable}; pass ${count('pass')} (${(100 * count('pass') / applicable).toFixed(1)} % of applicable); ` +
    `fail ${count('fail')}; skipped ${count('skipped')}; crash ${count('crash')}; hang ${count('hang')}; not applicable ${count('n/a')}`,
  `- individual tests: run ${sum('run')}, skipped ${sum('skipped')}, failed ${sum('failures')}`,
  '',
  '| module | state | run | skipped | failed | s | runtime | reason / failing tests |',
  '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
  ...rows.map((r) => `| ${r.module} | ${r.state} | ${r.run} | ${r.skipped} | ${Math.max(r.failures, (r.failing || []).length)} | ${(r.seconds || 0).toFixed(0)} | ${r.mode || 'default'} | ${String(r.note || '').replace(/\|/g, '\\|')} |`),
  '',
];
fs.writeFileSync(path.join(here, only ? 'results-partial.md' : 'results.md'), lines.join('\n'));
console.log(lines.slice(4, 6).join('\n'));
