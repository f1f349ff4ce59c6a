#!/usr/bin/env python3
"""Where the eval loop's time goes, bytecode by bytecode, in Coldbrew on Node.

A V8 CPU profile stops at the function: it says 85-95 % of a call-heavy
workload is `_PyEval_EvalFrameDefault`, and no more (docs/performance.md,
Finding 11). This script looks inside it:

1. runs a workload of bench/workloads.py (or a Python file) through Coldbrew
   under `perf record -e cpu-clock` (a software clock: it needs no hardware
   counters, which these VMs lack), with V8's `--perf-prof` writing the
   machine code it generates;
2. `perf inject --jit` turns that into one ELF object per compiled function;
3. the function with the most samples whose name is TurboFan's code for a
   wasm function is the eval loop; in its disassembly the bytecode switch is
   the first indirect jump through a table (`jmp *(%reg,%reg,8)`), the table's
   address the `lea ...(%rip)` before it, and the opcode bias the `sub $k`;
4. each table entry (a run-time address, mapped back through the code's load
   address in the jit dump) starts one instruction's code; every sample in the
   function is given to the instruction whose code starts at or before it,
   and samples between the switch's entry and its jump are "dispatch".

Opcode names come from CPython 3.13 in the build's Debian 13 root (the same
numbering as ours). The mapping is by address, so a handler's out-of-line
slow paths placed elsewhere count for whatever precedes them: read the top
rows, not the tail.

  python3 bench/opcode_profile.py [--dist DIR] [--workload NAME | --file F.py] [--rounds N] [--show-switch]

Needs perf (Debian's linux-perf).
"""
import argparse
import bisect
import collections
import json
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def opcode_names():
    """number -> name, specialized instructions included, from the build root's CPython 3.13."""
    out = run(["bash", str(ROOT / "build" / "build.sh"), "exec", "python3.13", "-c",
               "import json, opcode; m = dict(opcode.opmap); m.update(opcode._specialized_opmap); "
               "print(json.dumps({v: k for k, v in m.items()}))"])
    names = {int(k): v for k, v in json.loads(out.strip().splitlines()[-1]).items()}
    # Coldbrew's own quickened instruction, in a hole of 3.13's numbering (cpython/patches/0007).
    names.setdefault(223, "LOAD_SMALL_INT (quickened LOAD_CONST)")
    return names


def code_load_address(dump, index):
    """The run-time address of the code `perf inject` wrote as jitted-PID-INDEX.so (its JIT_CODE_LOAD
    record). The eval loop may be compiled more than once, each time under the same name."""
    data, pos = dump.read_bytes(), 40
    while pos < len(data):
        record, size = struct.unpack_from("<II", data, pos)
        if record == 0:   # JIT_CODE_LOAD: pid, tid, vma, code_addr, code_size, code_index, name
            addr, _, code_index = struct.unpack_from("<QQQ", data, pos + 32)
            if code_index == index:
                return addr
        pos += size
    sys.exit(f"opcode_profile: no code load record {index} in {dump}")


def switch_shares(tmp, jit, dso, sym, show_switch):
    """{opcodes (a tuple) or a label: percent of the function's samples}, or None if the function
    `sym` (in the object `dso`) has no bytecode switch."""
    # -d: the eval loop may have been compiled more than once, each copy under the same name.
    annotate = run(["perf", "annotate", "-i", str(tmp / "perf.jit.data"), "--stdio", "-d", dso, "-s", sym], cwd=tmp)
    insns = []   # (address, percent of this function, text)
    for line in annotate.splitlines():
        m = re.match(r"\s+([0-9.]+) :\s+([0-9a-f]+):\s+(.*)", line)
        if m:
            insns.append((int(m.group(2), 16), float(m.group(1)), m.group(3)))
    switch = next((i for i, (_, _, t) in enumerate(insns) if re.match(r"jmp\s+\*\(%r\w+,%r\w+,8\)", t)), None)
    if switch is None:
        return None
    if show_switch:
        print("\n".join(f"{addr:x}: {text}" for addr, _, text in insns[max(0, switch - 12):switch + 1]))
    table = bias = None
    entries = 256
    for _, _, text in reversed(insns[max(0, switch - 8):switch]):
        m = re.match(r"lea\s+0x[0-9a-f]+\(%rip\),%r\w+\s+#\s+([0-9a-f]+)", text)
        if m and table is None:
            table = int(m.group(1), 16)
        m = re.match(r"sub\s+\$0x([0-9a-f]+),%\w+", text)
        if m and bias is None:
            bias = int(m.group(1), 16)
        m = re.match(r"cmp\s+\$0x([0-9a-f]+),%\w+", text)
        if m:
            entries = int(m.group(1), 16) + 1
    if table is None:
        return None
    bias = bias or 0
    so = jit / dso   # perf inject writes the objects beside the dump
    elf = so.read_bytes()
    text_start = int(re.search(r"\.text\s+PROGBITS\s+([0-9a-f]+)", run(["readelf", "-SW", str(so)])).group(1), 16)
    load = code_load_address(next(jit.glob("jit-*.dump")), int(re.search(r"-(\d+)\.so$", dso).group(1)))
    starts = {}
    lo, hi = insns[0][0], insns[-1][0]
    for i in range(entries):
        if table + 8 * i + 8 > len(elf):
            break
        target = struct.unpack_from("<Q", elf, table + 8 * i)[0] - load + text_start
        if lo <= target <= hi:   # a table entry outside the function: the table was misread
            starts.setdefault(target, []).append(i + bias)
    if len(starts) < 50:   # a small switch of some C function, not the eval loop's
        return None
    # The switch's entry: where the instructions' code jumps back to.
    backs = collections.Counter(int(m.group(1), 16) for _, _, t in insns
                                for m in [re.match(r"jmp\s+([0-9a-f]+)\s+<", t)] if m)
    dispatch_from = max((addr for addr, _ in backs.most_common(3) if addr <= insns[switch][0]), default=insns[switch][0])
    order = sorted(starts)
    share = collections.Counter()
    for addr, pct, _ in insns:
        if dispatch_from <= addr <= insns[switch][0]:
            share["(dispatch: the switch)"] += pct
            continue
        k = bisect.bisect_right(order, addr) - 1
        share["(before the first instruction's code)" if k < 0 else tuple(starts[order[k]])] += pct
    return share


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"))
    ap.add_argument("--workload", default="fib_recursive", help="a function of bench/workloads.py")
    ap.add_argument("--file", help="a Python file to run instead (its top level runs --rounds times)")
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--show-switch", action="store_true", help="print the machine code of the switch found")
    a = ap.parse_args()
    if not shutil.which("perf"):
        sys.exit("opcode_profile: perf is missing: apt-get install linux-perf")
    node = run(["bash", str(ROOT / "build" / "ensure-node.sh"), "current"]).strip()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="cb-opprof-"))
    try:
        measure(a, node, tmp)
    finally:   # perf's data and V8's code dumps: tens of MB
        shutil.rmtree(tmp, ignore_errors=True)


def measure(a, node, tmp):
    if a.file:
        body = pathlib.Path(a.file).read_text()
        py = f"code = compile({body!r}, {a.file!r}, 'exec')\nfor _ in range({a.rounds}):\n    exec(code, {{'__name__': '__main__'}})"
    else:
        py = (f"import sys\nsys.path.insert(0, '/tmp')\nimport workloads\nfor _ in range(3): workloads.{a.workload}()\n"
              f"for _ in range({a.rounds}): workloads.{a.workload}()")
    runner = tmp / "run.cjs"
    runner.write_text(f"""const C = require({json.dumps(str(pathlib.Path(a.dist, 'coldbrew.js').resolve()))});
C.load({{ hideWarnings: true }}).then(() => {{
  C.addFile('/tmp/workloads.py', require('fs').readFileSync({json.dumps(str(ROOT / 'bench' / 'workloads.py'))}, 'utf8'));
  C.run({json.dumps(py)});
}});
""")
    jit = tmp / "jit"
    jit.mkdir()
    rec = subprocess.run(["perf", "record", "-e", "cpu-clock", "-k", "1", "-o", str(tmp / "perf.data"), "--",
                          node, "--perf-prof", f"--perf-prof-path={jit}", str(runner)],
                         capture_output=True, text=True, cwd=tmp)  # V8 writes an isolate-*.log into its cwd
    if rec.returncode:
        sys.exit(f"opcode_profile: perf record failed:\n{rec.stderr}")
    run(["perf", "inject", "--jit", "-i", str(tmp / "perf.data"), "-o", str(tmp / "perf.jit.data")], cwd=tmp)
    report = run(["perf", "report", "-i", str(tmp / "perf.jit.data"), "--stdio", "--sort", "dso,sym"], cwd=tmp)
    rows = [re.match(r"\s*([0-9.]+)%\s+(\S+)\s+\[\.\]\s+(.*\S)", line) for line in report.splitlines()]
    rows = [(float(m.group(1)), m.group(2), m.group(3)) for m in rows if m]
    print(f"Coldbrew {pathlib.Path(a.dist).name}/, {a.file or 'workloads.' + a.workload} x {a.rounds}, "
          f"perf cpu-clock samples; the busiest code:")
    for pct, dso, sym in rows[:8]:
        print(f"  {pct:6.2f} %  {sym}")
    loops = [(pct, dso, sym) for pct, dso, sym in rows if re.match(r"JS:wasm-function\[\d+\]-\d+-turbofan$", sym)]
    # The eval loop: the busiest TurboFan-compiled wasm function that is a bytecode switch
    # (in a regex- or string-heavy workload, C functions may be busier).
    for total_pct, dso, sym in loops[:5]:
        found = switch_shares(tmp, jit, dso, sym, a.show_switch)
        if found:
            break
    else:
        sys.exit("opcode_profile: none of the busiest TurboFan wasm functions is a bytecode switch (too short a run?)")
    names = opcode_names()
    share = collections.Counter()
    for key, pct in found.items():
        share[key if isinstance(key, str) else "/".join(sorted({names.get(op, f"op{op}") for op in key}))[:60]] += pct
    print(f"\nthe eval loop ({sym}): {total_pct:.1f} % of all samples; by bytecode instruction, % of the loop's samples:")
    for name, pct in share.most_common(a.top):
        if pct < 0.05:
            break
        print(f"  {pct:6.2f} %  {name}")


if __name__ == "__main__":
    main()
