"""Starts a few threads that each count, then joins them.

Threads need a pthreads build of Coldbrew; in a build without them, starting
a thread raises RuntimeError, and this script says so instead of failing.
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
