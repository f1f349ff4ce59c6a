// Python threads (load({threadWorkers})): the threaded runtime, each running
// Python thread on a worker_threads Worker of a pool load() starts. What a
// user's threaded code relies on: the threading primitives, output from many
// threads, a failed start that names the option, JavaScript refused off the
// main thread (never a crash), threads alongside async runs and worker mode,
// and no worker left behind by unload().
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Coldbrew, capture, loadedInstance, py } from './helpers.mjs';

const distJs = fileURLToPath(new URL('../../dist/coldbrew.js', import.meta.url));

/* The OS threads of this process (each worker is one); settles after terminations. */
async function osThreads(expected) {
  const count = () => Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
  for (let i = 0; i < 100 && expected !== undefined && count() !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return count();
}

describe('threads', () => {
  let cb;
  before(async () => { cb = await loadedInstance({ hideWarnings: true, threadWorkers: 4 }); });
  after(() => cb.unload());

  test('the threads.py example runs its four threads', () => {
    cb.out.length = 0;
    cb.runFile('threads.py', { cwd: '/coldbrew/examples' });
    assert.deepEqual(cb.out, ['thread-0 49995000', 'thread-1 199990000', 'thread-2 449985000', 'thread-3 799980000']);
  });

  test('threading primitives, queue, ThreadPoolExecutor, threading.local and sleep in threads', () => {
    assert.equal(py(cb, `
import threading, queue, time, concurrent.futures
results = []
lock = threading.Lock()
def add(n):
    for _ in range(n):
        with lock:
            results.append(threading.get_ident())
ts = [threading.Thread(target=add, args=(500,)) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(len(results), len(set(results)))

q = queue.Queue()
def produce():
    for i in range(100): q.put(i)
    q.put(None)
threading.Thread(target=produce).start()
got = []
while (item := q.get()) is not None: got.append(item)
print(sum(got))

ev = threading.Event(); cond = threading.Condition(); sem = threading.Semaphore(2); inside = []
def waiter():
    ev.wait()
    with sem:
        with cond:
            inside.append(1); cond.notify_all()
ws = [threading.Thread(target=waiter) for _ in range(3)]
for w in ws: w.start()
ev.set()
with cond:
    cond.wait_for(lambda: len(inside) == 3, timeout=10)
for w in ws: w.join()
print(len(inside))

local = threading.local(); local.x = 'main'; seen = {}
def show(name):
    local.x = name; time.sleep(0.02); seen[name] = local.x
ts = [threading.Thread(target=show, args=(f't{i}',)) for i in range(3)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(seen.items()), local.x)

t0 = time.monotonic()
sleepers = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(3)]
for s in sleepers: s.start()
for s in sleepers: s.join()
print('slept together', time.monotonic() - t0 < 0.55)

with concurrent.futures.ThreadPoolExecutor(max_workers=3) as ex:
    print(list(ex.map(lambda n: n * n, range(10))))
`), [
      '2000 4',
      '4950',
      '3',
      "[('t0', 't0'), ('t1', 't1'), ('t2', 't2')] main",
      'slept together True',
      '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]',
    ].join('\n'));
  });

  test('print from many threads reaches onStandardOut whole, line by line', () => {
    cb.out.length = 0;
    cb.run(`
import threading
def talk(i):
    for j in range(50):
        print(f"thread {i} line {j}")
ts = [threading.Thread(target=talk, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
`);
    assert.equal(cb.out.length, 200);
    for (let i = 0; i < 4; i++) {
      const mine = cb.out.filter((l) => l.startsWith(`thread ${i} `));
      assert.deepEqual(mine, Array.from({ length: 50 }, (_, j) => `thread ${i} line ${j}`));
    }
  });

  test('JavaScript from another thread: a RuntimeError naming the call, never a crash', () => {
    globalThis.threadTestValue = new (class Box { constructor() { this.n = 5; } })();   // crosses as a JavaScriptVariable
    try {
      assert.equal(py(cb, `
import threading
value = Coldbrew.get_variable('threadTestValue')
errors = []
def use_js():
    for call in (lambda: Coldbrew.run('1'), lambda: Coldbrew.get_variable('threadTestValue'),
                 lambda: Coldbrew.run_function('String', 1), lambda: value.n):
        try:
            call()
            errors.append('no error')
        except RuntimeError as e:
            errors.append(str(e).split(':')[0])
t = threading.Thread(target=use_js); t.start(); t.join()
print(errors)
print(value.n)
del value
`), "['Coldbrew.run()', 'Coldbrew.get_variable()', 'Coldbrew.run_function()', 'JavaScriptVariable']\n5");
      assert.match(py(cb, `
import threading
msg = []
def f():
    try: Coldbrew.run('1')
    except RuntimeError as e: msg.append(str(e))
t = threading.Thread(target=f); t.start(); t.join(); print(msg[0])`), /only Python's main thread can use JavaScript/);
      // A JavaScriptVariable dropped on another thread is released later, on the main thread.
      assert.equal(py(cb, `
import threading
holder = [Coldbrew.get_variable('threadTestValue')]
def drop(): holder.clear()
t = threading.Thread(target=drop); t.start(); t.join()
print(Coldbrew.get_variable('threadTestValue').n)`), '5');
    } finally {
      delete globalThis.threadTestValue;
    }
  });

  test('a thread that raises: its traceback on stderr, the runtime goes on', () => {
    cb.err.length = 0;
    assert.equal(py(cb, `
import threading
def boom(): raise ValueError('from a thread')
t = threading.Thread(target=boom, name='boomer'); t.start(); t.join()
print('after', t.is_alive())`), 'after False');
    const err = cb.err.join('\n');
    assert.match(err, /Exception in thread boomer/);
    assert.match(err, /ValueError: from a thread/);
    assert.equal(py(cb, 'print(1 + 1)'), '2');
  });

  test('a thread imports stdlib modules outside the core: the threaded runtime has every bundle from load()', () => {
    assert.equal(py(cb, `
import threading
got = []
def work():
    import email.mime.text, xml.dom.minidom, fractions
    got.append(email.mime.text.MIMEText("x")["Content-Type"])
    got.append(xml.dom.minidom.parseString("<r/>").documentElement.tagName)
t = threading.Thread(target=work); t.start(); t.join()
print(got)`), `['text/plain; charset="us-ascii"', 'r']`);
  });

  test('200 threads started and joined in batches of 4', () => {
    assert.equal(py(cb, `
import threading
done = []
for batch in range(50):
    ts = [threading.Thread(target=done.append, args=(batch * 4 + i,)) for i in range(4)]
    for t in ts: t.start()
    for t in ts: t.join()
print(len(done), sorted(done) == list(range(200)), threading.active_count())`), '200 True 1');
  });

  test('more threads at once than the pool holds: Node grows the pool, and all of them run', () => {
    // (In a browser a worker started while Python runs could not load: there
    // the start fails instead; tests/browser/threads.test.mjs.)
    assert.equal(py(cb, `
import threading
stop = threading.Event()
started = []
for i in range(6):
    t = threading.Thread(target=stop.wait); t.start(); started.append(t)
print(threading.active_count())
stop.set()
for t in started: t.join()
print(threading.active_count())`), '7\n1');
  });

  test('async runs: threads work alongside them, and asyncio.to_thread returns', async () => {
    cb.out.length = 0;
    await cb.runAsync(`
import asyncio, threading, time
def slow(n):
    time.sleep(0.05)
    return n * 2
async def main():
    results = await asyncio.gather(*(asyncio.to_thread(slow, i) for i in range(3)))
    print(results)
asyncio.run(main())`);
    assert.deepEqual(cb.out, ['[0, 2, 4]']);
  });

  test('time.sleep on the main thread lets threads print meanwhile', () => {
    assert.equal(py(cb, `
import threading, time
marks = []
def tick():
    for i in range(3):
        marks.append(time.monotonic()); time.sleep(0.03)
t = threading.Thread(target=tick); t.start()
time.sleep(0.2)
t.join()
print(len(marks))`), '3');
  });
});

describe('threads: loading and unloading', () => {
  test('the default runtime has no threads: Thread.start() says how to get them', async () => {
    const cb = await loadedInstance();
    try {
      assert.equal(py(cb, `
import threading
try:
    threading.Thread(target=print).start()
except RuntimeError as e:
    print(e)
    print(type(e.__cause__).__name__)`), "can't start new thread: Python threads are off in this runtime; load Coldbrew with " +
        'load({threadWorkers: N}) to run up to N at once\nRuntimeError');
    } finally {
      cb.unload();
    }
  });

  test('threadWorkers must be a whole number from 1 to 256', async () => {
    const cb = Coldbrew.createNewInstance();
    for (const bad of [0, -1, 1.5, '4', 257, null]) {
      await assert.rejects(cb.load({ threadWorkers: bad }), (e) => e instanceof TypeError
        && /option 'threadWorkers' must be a whole number from 1 to 256/.test(e.message), String(bad));
    }
  });

  test('unload() ends every thread worker, a daemon thread still running included; no leak over cycles', async () => {
    const baseline = await osThreads();
    for (let cycle = 0; cycle < 3; cycle++) {
      const cb = Coldbrew.createNewInstance();
      await cb.load({ hideWarnings: true, threadWorkers: 3 });
      capture(cb);
      assert.equal(await osThreads(), baseline + 3, 'the pool: one OS thread per worker');
      cb.run(`
import threading, time
def forever():
    while True: time.sleep(0.01)
threading.Thread(target=forever, daemon=True).start()`);
      cb.unload();
      assert.equal(await osThreads(baseline), baseline, `cycle ${cycle}: threads left after unload()`);
    }
  });

  test('Node exits by itself after a script that used threads (no unload)', () => {
    const script = `
const Coldbrew = require(${JSON.stringify(distJs)});
Coldbrew.load({ hideWarnings: true, threadWorkers: 2 }).then(() => {
  Coldbrew.run('import threading\\nt = threading.Thread(target=print, args=("from a thread",))\\nt.start(); t.join()');
});`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.signal, null, 'ended by the timeout: the workers kept Node alive');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'from a thread');
  });

  test('worker mode with threads', async () => {
    const cb = Coldbrew.createNewInstance();
    const out = [];
    cb.onStandardOut = (line) => out.push(line);
    await cb.load({ hideWarnings: true, worker: true, threadWorkers: 2 });
    try {
      await cb.run(`
import threading
r = []
ts = [threading.Thread(target=r.append, args=(i,)) for i in range(2)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(r))`);
      assert.deepEqual(out, ['[0, 1]']);
    } finally {
      await cb.unload();
    }
  });
});
