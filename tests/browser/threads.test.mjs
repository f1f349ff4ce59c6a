// Python threads in Chromium: the threaded runtime on a cross-origin isolated
// page (bin/coldbrew-serve sends COOP/COEP), each Python thread on a Web
// Worker; on a page without isolation Coldbrew still loads, and Thread.start()
// names the missing headers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumSuite, openPageWithoutIsolation, openPage, loadColdbrew } from './helpers.mjs';

const suite = chromiumSuite();

const THREADED_PROGRAM = `
import threading, queue, concurrent.futures
results, lock = [], threading.Lock()
def add(n):
    for _ in range(n):
        with lock: results.append(threading.get_ident())
ts = [threading.Thread(target=add, args=(300,)) for _ in range(3)]
for t in ts: t.start()
for t in ts: t.join()
print(len(results), len(set(results)))
q = queue.Queue()
threading.Thread(target=lambda: [q.put(i) for i in range(10)]).start()
print(sum(q.get() for _ in range(10)))
with concurrent.futures.ThreadPoolExecutor(max_workers=3) as ex:
    print(list(ex.map(lambda n: n * n, range(6))))
def talk(i):
    for j in range(20): print(f"t{i} {j}")
ts = [threading.Thread(target=talk, args=(i,)) for i in range(3)]
for t in ts: t.start()
for t in ts: t.join()
`;

describe('threads on a cross-origin isolated page', () => {
  test('threading, queue, a thread pool and output from threads; threads.py; JavaScript refused off the main thread', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    await loadColdbrew(page, { hideWarnings: true, threadWorkers: 4 });
    const r = await page.evaluate(async (program) => {
      const got = { isolated: crossOriginIsolated };
      Coldbrew.run(program);
      got.out = window.out.splice(0);
      Coldbrew.runFile('threads.py', { cwd: '/coldbrew/examples' });
      got.example = window.out.splice(0);
      Coldbrew.run(`
import threading
said = []
def f():
    try: Coldbrew.get_variable('location.href')
    except RuntimeError as e: said.append(str(e))
t = threading.Thread(target=f); t.start(); t.join()
print(said[0])`);
      got.refused = window.out.splice(0);
      return got;
    }, THREADED_PROGRAM);
    assert.equal(r.isolated, true);
    assert.deepEqual(r.out.slice(0, 3), ['900 3', '45', '[0, 1, 4, 9, 16, 25]']);
    const talk = r.out.slice(3);
    assert.equal(talk.length, 60);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(talk.filter((l) => l.startsWith(`t${i} `)), Array.from({ length: 20 }, (_, j) => `t${i} ${j}`));
    }
    assert.deepEqual(r.example, ['thread-0 49995000', 'thread-1 199990000', 'thread-2 449985000', 'thread-3 799980000']);
    assert.match(r.refused[0], /^Coldbrew.get_variable\(\): only Python's main thread can use JavaScript/);
    assert.deepEqual(page.errors, []);
  });

  test('more threads at once than the pool: RuntimeError naming threadWorkers; the runtime goes on; unload() and load() again', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    await loadColdbrew(page, { hideWarnings: true, threadWorkers: 2 });
    const r = await page.evaluate(async () => {
      Coldbrew.run(`
import threading
stop = threading.Event()
started, message = [], None
try:
    for i in range(3):
        t = threading.Thread(target=stop.wait); t.start(); started.append(t)
except RuntimeError as e:
    message = str(e)
stop.set()
for t in started: t.join()
print(len(started)); print(message)
t = threading.Thread(target=print, args=('free again',)); t.start(); t.join()
threading.Thread(target=lambda: __import__('time').sleep(1000), daemon=True).start()`);
      const out = window.out.splice(0);
      Coldbrew.unload();
      await Coldbrew.load({ hideWarnings: true, threadWorkers: 1 });
      Coldbrew.onStandardOut = (line) => out.push(line);
      Coldbrew.run('import threading\nt = threading.Thread(target=print, args=("reloaded",)); t.start(); t.join()');
      return out;
    });
    assert.deepEqual(r, ['2', "can't start new thread: every thread worker is busy: load({threadWorkers: 2}) started 2, " +
      'and each running Python thread holds one until it ends; start fewer at once (join some first, or use a ' +
      'ThreadPoolExecutor with max_workers <= 2), or load with a larger threadWorkers', 'free again', 'reloaded']);
    assert.deepEqual(page.errors, []);
  });

  test('runAsync with threads (asyncio.to_thread), and worker mode with threads', async () => {
    const page = await openPage(suite.browser, `${suite.base}/tests/browser/page.html`);
    await loadColdbrew(page, { hideWarnings: true, threadWorkers: 2 });
    const r = await page.evaluate(async () => {
      await Coldbrew.runAsync(`
import asyncio, time
def slow(n):
    time.sleep(0.05)
    return n * 2
async def main():
    print(await asyncio.gather(*(asyncio.to_thread(slow, i) for i in range(2))))
asyncio.run(main())`);
      const out = window.out.splice(0);
      Coldbrew.unload();
      Coldbrew.onStandardOut = (line) => out.push(line);
      await Coldbrew.load({ hideWarnings: true, worker: true, threadWorkers: 2 });
      await Coldbrew.run(`
import threading
r = []
ts = [threading.Thread(target=r.append, args=(i,)) for i in range(2)]
for t in ts: t.start()
for t in ts: t.join()
print("worker", sorted(r))`);
      await Coldbrew.unload();
      return out;
    });
    assert.deepEqual(r, ['[0, 2]', 'worker [0, 1]']);
    assert.deepEqual(page.errors, []);
  });
});

describe('threads on a page that is not cross-origin isolated', () => {
  test('load({threadWorkers}) still loads; Thread.start() names the missing headers', async () => {
    const { page, context } = await openPageWithoutIsolation(suite);
    await loadColdbrew(page, { hideWarnings: true, threadWorkers: 2 });
    const r = await page.evaluate(() => {
      Coldbrew.run(`
import threading
try:
    threading.Thread(target=print).start()
except RuntimeError as e:
    print(e)
print(2 + 2)`);
      return [crossOriginIsolated, ...window.out];
    });
    assert.deepEqual(r, [false, "can't start new thread: Python threads need SharedArrayBuffer, and the page is not " +
      'cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and ' +
      'Cross-Origin-Embedder-Policy: require-corp, as bin/coldbrew-serve does); load({threadWorkers: 2}) started ' +
      'Coldbrew without threads', '4']);
    await context.close();
  });
});
