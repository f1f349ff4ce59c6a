"""Checks that the C core's files call only downward (src/core/layers.txt).

Reads each object file's undefined and defined symbols with llvm-nm (run
inside the toolchain, by tests/layers/check.sh). A call is a symbol one of
our object files leaves undefined and another defines; it must go to a file
of a lower layer. Prints every upward or sideways call and exits 1 if any.
Usage: python3 check_layers.py LAYERS_TXT OBJ_DIR [LLVM_NM]"""
import pathlib
import subprocess
import sys

layers_txt, obj_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
nm = sys.argv[3] if len(sys.argv) > 3 else "llvm-nm-19"

layer = {}
for line in layers_txt.read_text().splitlines():
    line = line.split("#", 1)[0].split()
    if line:
        for name in line[1:]:
            layer[name] = int(line[0])

objects = sorted(obj_dir.glob("*.o"))
missing = [o.stem for o in objects if o.stem not in layer]
if missing:
    sys.exit(f"check_layers: {', '.join(missing)} not in {layers_txt} (give each C file a layer)")


def symbols(obj, *flags):
    out = subprocess.run([nm, *flags, str(obj)], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


defined = {o.stem: symbols(o, "--defined-only", "--extern-only") for o in objects}
calls, bad = 0, []
for o in objects:
    for sym in sorted(symbols(o, "--undefined-only")):
        for other, syms in defined.items():
            if other != o.stem and sym in syms:
                calls += 1
                if layer[other] >= layer[o.stem]:
                    bad.append(f"  {o.stem} (layer {layer[o.stem]}) calls {sym} of {other} (layer {layer[other]})")
if bad:
    print("check_layers: calls that do not go down a layer:\n" + "\n".join(bad))
    sys.exit(1)
print(f"check_layers: {len(objects)} files, {calls} calls between them, all downward")
