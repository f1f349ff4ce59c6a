"""Adds two whole numbers: python add.py X Y [-v]

The example script of the original Coldbrew, kept with the same interface:
positional integers x and y, and -v / --verbose for a sentence instead of
just the sum.
"""
import argparse

parser = argparse.ArgumentParser(prog="add.py", description="Adds two whole numbers.")
parser.add_argument("x", type=int, help="the first number")
parser.add_argument("y", type=int, help="the second number")
parser.add_argument("-v", "--verbose", action="store_true", help="say it in a sentence")
args = parser.parse_args()
if args.verbose:
    print(f"The answer to {args.x} + {args.y} is {args.x + args.y}")
else:
    print(args.x + args.y)
