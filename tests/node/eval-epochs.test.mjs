// cpython/patches/0003: an eval-loop activation begun before the latest epoch
// runs each function call it makes in a new activation (so a long run picks up
// the engine's optimized code). Python must not see the difference: values,
// exceptions and their tracebacks, generators, __init__, properties,
// __getitem__, keyword and star calls, frames, tracing and recursion limits.
// Coldbrew._next_eval_epoch() begins an epoch at a chosen point.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadedInstance, py } from './helpers.mjs';

const prelude = `
import Coldbrew, sys, traceback
def stale_then(f, *a, **k):
    Coldbrew._next_eval_epoch()   # this activation is now older than the epoch
    return f(*a, **k)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
`;

describe('eval loop epochs', () => {
  let cb;
  before(async () => { cb = await loadedInstance(); cb.run(prelude); });

  test('calls from a stale activation return their values', () => {
    assert.equal(py(cb, 'print(stale_then(fib, 20), stale_then(lambda: [fib(i) for i in range(10)]))'),
      '6765 [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]');
    // A recursion whose every level begins a new epoch: every call nests.
    assert.equal(py(cb, 'def down(n):\n    Coldbrew._next_eval_epoch()\n    return 0 if n == 0 else 1 + down(n - 1)\nprint(down(200))'), '200');
  });

  test('exceptions cross the new activation with the whole traceback', () => {
    const out = py(cb, `
def boom():
    raise ValueError("inner")
def middle():
    return boom()
try:
    stale_then(middle)
except ValueError as e:
    print(e, [f.name for f in traceback.extract_tb(e.__traceback__)])
def catches():
    try:
        return stale_then(boom)
    except ValueError:
        return "caught"
    finally:
        print("finally ran")
print(catches())`);
    assert.equal(out, "inner ['<module>', 'stale_then', 'middle', 'boom']\nfinally ran\ncaught");
  });

  test('generators, __init__, properties, __getitem__, keyword and star calls', () => {
    const out = py(cb, `
def gen(n):
    for i in range(n):
        yield fib(i)
class Point:
    def __init__(self, x, y=0):
        self.x = fib(x); self.y = y
    @property
    def norm(self):
        return abs(self.x) + abs(self.y)
    def __getitem__(self, i):
        return (self.x, self.y)[i]
def kw(a, *, b):
    return a * 10 + b
def outer():
    Coldbrew._next_eval_epoch()
    p = Point(7, y=2)
    return (list(gen(6)), sum(x for x in gen(5)), p.x, p.norm, p[1], kw(1, b=2), kw(*[3], **{"b": 4}))
print(outer())`);
    assert.equal(out, '([0, 1, 1, 2, 3, 5], 7, 13, 15, 2, 12, 34)');
  });

  test('frames, tracing and the recursion limit', () => {
    const out = py(cb, `
def caller_name():
    return sys._getframe(1).f_code.co_name
def asks():
    return stale_then(caller_name)
print(asks())
calls = []
def tracer(frame, event, arg):
    if event == "call":
        calls.append(frame.f_code.co_name)
sys.settrace(tracer)
stale_then(fib, 3)
sys.settrace(None)
print(calls)
def deep(n):
    return deep(n + 1)
try:
    stale_then(deep, 0)
except RecursionError as e:
    print("RecursionError", type(e).__name__)
print(stale_then(fib, 15))`);
    assert.equal(out, "stale_then\n['stale_then', 'fib', 'fib', 'fib', 'fib', 'fib']\nRecursionError RecursionError\n610");
  });
});
