"""Fibonacci three ways, for trying out and timing Coldbrew.

usage: fib.py N [-i | -f] [-v]
  (default)  recursive: fib(N) = fib(N-1) + fib(N-2); try N around 25
  -i         iterative with big integers; try N = 100000
  -f         file I/O: writes each term to a file in /tmp and reads it back; try N = 1000
  -v         print how long it took
"""
import os
import sys
import time


def fib_recursive(n):
    return n if n < 2 else fib_recursive(n - 1) + fib_recursive(n - 2)


def fib_iterative(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def fib_files(n, folder="/tmp/fib"):
    os.makedirs(folder, exist_ok=True)
    a, b = 0, 1
    for i in range(n):
        path = os.path.join(folder, "term-%d.txt" % (i % 10))
        with open(path, "w") as f:
            f.write(str(b))
        with open(path) as f:
            a, b = b, a + int(f.read())
    return a


def main(argv):
    flags = {a for a in argv if a.startswith("-")}
    rest = [a for a in argv if not a.startswith("-")]
    unknown = flags - {"-i", "-f", "-v"}
    if len(rest) != 1 or not rest[0].isdigit() or unknown:
        print(__doc__, file=sys.stderr)
        return 2
    n = int(rest[0])
    start = time.perf_counter()
    if "-i" in flags:
        result, mode = fib_iterative(n), "iterative"
    elif "-f" in flags:
        result, mode = fib_files(n), "file I/O"
    else:
        result, mode = fib_recursive(n), "recursive"
    elapsed = time.perf_counter() - start
    text = str(result)
    if len(text) > 60:
        text = "%s...%s (%d digits)" % (text[:20], text[-20:], len(text))
    print("fib(%d) = %s" % (n, text))
    if "-v" in flags:
        print("%s mode took %.3f s" % (mode, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
