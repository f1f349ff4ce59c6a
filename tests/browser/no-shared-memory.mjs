// Worker mode where there is no SharedArrayBuffer: a page that is not
// cross-origin isolated (Chromium, tests/browser/browser.test.mjs) and an
// engine without it even when isolated (WebKit, webkit.test.mjs). One page
// function and one set of checks for both; only the reason named differs.
import assert from 'node:assert/strict';

/* Runs in the page (Coldbrew loaded by its <script>); returns what it saw. */
export const inPage = async () => {
  const out = { lines: [], err: [] };
  Coldbrew.onStandardOut = (line) => out.lines.push(line);
  Coldbrew.onStandardErr = (line) => out.err.push(line);
  await Coldbrew.load({ worker: true, hideWarnings: true });
  out.value = await Coldbrew.getVariable('6 * 7');
  await Coldbrew.run('import collections\nc = collections.Counter("aab")');
  const c = await Coldbrew.getVariable('c');
  out.remote = [c.__type__, await c.a];
  Coldbrew.standardInBuffer = 'one\ntwo\n';
  await Coldbrew.run('print(input())');
  await Coldbrew.run('print(input().upper())');
  try { await Coldbrew.run('input()'); } catch (e) { out.eof = e.errorData.type; }
  Coldbrew.onStandardInRead = () => 'never asked\n';
  try { await Coldbrew.run('input()'); } catch (e) { out.asked = e.errorData.type; }
  Coldbrew.onStandardInRead = null;
  try { await Coldbrew.run('Coldbrew.run("1")'); } catch (e) { out.scope = e.message; }
  // The page stays responsive while Python loops in the worker; a time limit ends it.
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 5);
  const loop = Coldbrew.run('while True:\n    pass', { timeout: 300 });
  try { await Coldbrew.interrupt(); } catch (e) { out.interrupt = e.message; }
  try { await loop; } catch (e) { out.timeout = [e.code, e.message]; }
  clearInterval(timer);
  out.ticks = ticks;
  out.unloaded = typeof Coldbrew.run;
  await Coldbrew.load({ worker: true, hideWarnings: true });
  Coldbrew.onStandardOut = (line) => out.lines.push(line);   // unload() put back the default callbacks
  out.again = await Coldbrew.run('print("fresh")');
  Coldbrew.unload();
  return out;
};

/* The checks; reason: the reason the refusals name (a RegExp's source). */
export function check(r, reason) {
  assert.equal(r.value, 42);
  assert.deepEqual(r.remote, ['Counter', 2]);
  assert.deepEqual(r.lines, ['one', 'TWO', 'fresh']);
  assert.equal(r.eof, 'EOFError');
  assert.equal(r.asked, 'OSError');
  const said = (text) => new RegExp(`${text}.*, and ${reason}`);
  assert.match(r.err.join('\n'), said('asks onStandardInRead through a SharedArrayBuffer'));
  assert.match(r.err.join('\n'), /put the input in Coldbrew.standardInBuffer before the run/);
  assert.match(r.scope, said("reaches the calling thread's globals through a SharedArrayBuffer"));
  assert.match(r.interrupt, said('interrupts Python through a SharedArrayBuffer'));
  assert.match(r.interrupt, /call unload\(\).*\{timeout\}/);
  assert.deepEqual(r.timeout[0], 'COLDBREW_TIMEOUT');
  assert.match(r.timeout[1], new RegExp(`time limit of 300 ms passed and Python could not be interrupted first: ${reason}`));
  assert.ok(r.ticks >= 20, `page timers ran while Python looped in the worker: ${r.ticks}`);
  assert.equal(r.unloaded, 'undefined');
  assert.equal(r.again, 0);
}
