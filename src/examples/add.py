"""Adds the numbers given as arguments: python add.py 5 15 [-v]"""
import sys

args = [a for a in sys.argv[1:] if a != "-v"]
verbose = "-v" in sys.argv[1:]
if not args:
    print("usage: add.py NUMBER [NUMBER ...] [-v]", file=sys.stderr)
    sys.exit(2)
numbers = [float(a) if "." in a else int(a) for a in args]
total = sum(numbers)
if verbose:
    print(" + ".join(args), "=", total)
else:
    print(total)
