"""Benchmark workloads, run the same way natively, inside Coldbrew and inside Pyodide.
Function calls (fib_recursive), big integers (fib_bigint), file I/O (file_io),
dicts/json/regex (mix), string methods/regex/formatting/json (strings),
classes and attributes (classes), and asyncio tasks (asyncio_tasks).
Each function returns a value (checked equal across runtimes) and is timed
with time.perf_counter inside Python, best of REPEAT."""
import json
import os
import re
import time

REPEAT = 5


def fib_recursive():
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    return fib(27)


def fib_bigint():
    a, b = 0, 1
    for _ in range(200000):
        a, b = b, a + b
    return a % 1000000007


def file_io(folder):
    os.makedirs(folder, exist_ok=True)
    total = 0
    for i in range(5000):
        path = os.path.join(folder, "f%d.txt" % (i % 20))
        with open(path, "w") as f:
            f.write(("line %d\n" % i) * 50)
        with open(path) as f:
            total += len(f.read())
    return total


def mix():
    words = ["alpha", "beta", "gamma", "delta", "epsilon"] * 40
    pattern = re.compile(r"(\w)(\w*)a\b")
    total = 0
    for i in range(1500):
        d = {w + str(i % 7): len(w) * i for w in words}
        s = json.dumps(d, sort_keys=True)
        back = json.loads(s)
        total += sum(back.values()) % 1000
        total += len(pattern.findall(" ".join(words)))
        total += len("-".join(sorted(set(w.upper() for w in words))))
    return total


def strings():
    text = " ".join("word%d, Other-%d; thing_%d." % (i, i * 7, i % 13) for i in range(400))
    pattern = re.compile(r"([A-Za-z]+)[-_]?(\d+)")
    total = 0
    for i in range(60):
        parts = text.split()
        total += sum(len(p) for p in parts)
        total += len(pattern.sub(lambda m: m.group(1).upper() + m.group(2)[::-1], text))
        total += len(",".join(sorted(set(p.strip(",.;").lower() for p in parts))))
        total += len("{:>8}|{:<6}|{:^5}".format(i, text[i], "x") * 50)
        total += len(json.loads(json.dumps({"t": text[:2000], "n": list(range(50))}))["t"])
        total += text.count("thing") + len(text.replace("word", "w").encode("utf-8"))
    return total


class Shape:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def area(self):
        return 0.0


class Rect(Shape):
    __slots__ = ("w", "h")

    def __init__(self, w, h):
        super().__init__("rect")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    @property
    def perimeter(self):
        return 2 * (self.w + self.h)


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def moved(self, dx, dy):
        return Point(self.x + dx, self.y + dy)


def classes():
    total = 0.0
    shapes = [Rect(i % 7 + 1, i % 5 + 1) for i in range(300)]
    for _ in range(600):
        for s in shapes:
            total += s.area() + s.perimeter
        p = Point(0, 0)
        for i in range(100):
            p = p.moved(1, -1)
        total += p.x - p.y + len(getattr(shapes[0], "name"))
    return int(total)


def asyncio_tasks():
    import asyncio

    async def worker(i, queue):
        await asyncio.sleep(0)
        await queue.put(i * i)

    async def main():
        queue = asyncio.Queue()
        await asyncio.gather(*(worker(i, queue) for i in range(5000)))
        total = 0
        while not queue.empty():
            total += queue.get_nowait()
        return total

    return asyncio.run(main())


def run_all(folder, warmup=True):
    """Times each workload (best of REPEAT) after one untimed round, so a JIT
    engine's tier-up (V8 compiles hot wasm in the background) is not measured."""
    if warmup:
        fib_recursive(), fib_bigint(), file_io(folder), mix(), strings(), classes(), asyncio_tasks()
    results = {}
    for name, fn in [("fib_recursive", fib_recursive), ("fib_bigint", fib_bigint),
                     ("file_io", lambda: file_io(folder)), ("mix", mix), ("strings", strings),
                     ("classes", classes), ("asyncio_tasks", asyncio_tasks)]:
        best = None
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            value = fn()
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        results[name] = {"seconds": best, "value": value}
    return results


if __name__ == "__main__":
    import sys
    print(json.dumps(run_all(sys.argv[1] if len(sys.argv) > 1 else "/tmp/coldbrew-bench")))
