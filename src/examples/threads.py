"""Starts a few threads that each count, then joins them.

Threads need Coldbrew loaded with load({threadWorkers: N}) (and, in a browser,
a cross-origin isolated page); without them, starting a thread raises
RuntimeError, and this script prints why instead of failing.
"""
import sys
import threading

results = {}


def work(name, n):
    results[name] = sum(range(n))


threads = [threading.Thread(target=work, args=("thread-%d" % i, 10000 * (i + 1))) for i in range(4)]
try:
    for t in threads:
        t.start()
except RuntimeError as e:
    print("threads are not available in this Coldbrew build:", e)
    sys.exit(0)
for t in threads:
    t.join()
for name in sorted(results):
    print(name, results[name])
