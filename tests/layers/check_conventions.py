"""The error convention of the C core (src/core/coldbrew.h), checked on the
sources: a function fails by returning NULL or -1 (no other negative status);
a function with cleanup has one label, `done:`, and every goto goes there.

usage: check_conventions.py SRC_CORE_DIR [FILE.c ...]
Exits 1 and names file:line for each breach."""
import pathlib
import re
import sys

LABEL = re.compile(r"^\s*([A-Za-z_]\w*):\s*(/\*.*)?$")
GOTO = re.compile(r"\bgoto\s+(\w+)\s*;")
BAD_RETURN = re.compile(r"\breturn\s+-(?!1\b)\d+\s*;")
FUNCTION_START = re.compile(r"^\{\s*$")


def check(path):
    problems = []
    labels_in_function = 0
    for n, line in enumerate(path.read_text().splitlines(), 1):
        code = line.split("//")[0]
        if FUNCTION_START.match(code):
            labels_in_function = 0
        m = LABEL.match(code)
        if m and m.group(1) != "default":
            if m.group(1) != "done":
                problems.append(f"{path}:{n}: cleanup label '{m.group(1)}:' (the convention's one label is 'done:')")
            labels_in_function += 1
            if labels_in_function > 1:
                problems.append(f"{path}:{n}: a second cleanup label in one function")
        for target in GOTO.findall(code):
            if target != "done":
                problems.append(f"{path}:{n}: 'goto {target}' (failures go to 'done', by CB_FAIL_IF_NULL / CB_FAIL_IF_NEG)")
        if BAD_RETURN.search(code):
            problems.append(f"{path}:{n}: a negative status other than -1: {code.strip()}")
    return problems


def main():
    core = pathlib.Path(sys.argv[1])
    files = [pathlib.Path(f) for f in sys.argv[2:]] or sorted(core.glob("*.c"))
    problems = [p for f in files for p in check(f)]
    for p in problems:
        print(f"check_conventions: {p}")
    if problems:
        return 1
    print(f"check_conventions: {len(files)} files follow the error convention (one 'done:' label, gotos to it, NULL or -1)")
    return 0


sys.exit(main())
