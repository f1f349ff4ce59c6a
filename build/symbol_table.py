"""Writes the C symbol tables that let ctypes find C code linked into the wasm.

A static WebAssembly build has no shared libraries, so src/core/cb_dlfcn.c
answers ctypes' dlopen()/dlsym() from tables of {name, address} that register
themselves at start-up. This script writes them as C (the addresses must come
from the compiler and linker: in wasm a function's address is its slot in the
function table, known only at link time):

  python   CPython's C API, for ctypes.pythonapi: every function and datum of
           the stable ABI (Misc/stable_abi.toml) and of the public headers
           (Include/, Include/cpython/) that libpython defines. Linked into
           every runtime by build/runtime.mk.
  library  one C file of a custom build's C_LIBRARIES, or of a C_EXTENSIONS
           entry marked "ctypes": True: a file that #includes the source itself
           (so every name is declared with its real type; a function declared
           with another signature would link to a stub that traps) and lists
           the external names its object file defines. An extension's PyInit
           is wrapped so that its module gets __file__, the name CDLL() opens.

usage:
  symbol_table.py python --cpython SRC --archive libpython3.13.a --name python3.13 --out F.c [--cc emcc]
  symbol_table.py library --source F.c --object F.o --name NAME --out W.c
                          [--module MOD --file PATH] [--nm emnm]
"""
import argparse
import pathlib
import re
import subprocess
import sys

HEADER_NAME = re.compile(r"PyAPI_(?:FUNC\([^;{]*?\)\s*\(?\s*|DATA\([^;{]*?\)\s*)(\w+)\s*[\(\[;]", re.S)
# Declared by headers that Python.h does not include itself.
EXTRA_HEADERS = ["marshal.h", "frameobject.h", "structmember.h", "datetime.h"]
# Stable-ABI items for other platforms or other builds.
OTHER_BUILDS = {"MS_WINDOWS", "Py_REF_DEBUG", "USE_STACKCHECK"}


def defined_names(nm, *objects):
    """External functions and data an object file or archive defines."""
    out = subprocess.run([nm, "--defined-only", "--extern-only", "--format=posix", *map(str, objects)],
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines()
            if len(line.split()) >= 2 and line.split()[1] in "TDBR" and not line.endswith(":")}


def stable_abi_names(cpython):
    names, current, skip = [], None, False
    for line in (cpython / "Misc" / "stable_abi.toml").read_text().splitlines():
        m = re.match(r"\[(function|data)\.(\w+)\]", line)
        if m or line.startswith("["):
            if current and not skip:
                names.append(current)
            current, skip = (m.group(2) if m else None), False
        elif current and re.match(r"\s*ifdef\s*=\s*'(\w+)'", line):
            skip = re.match(r"\s*ifdef\s*=\s*'(\w+)'", line).group(1) in OTHER_BUILDS
    if current and not skip:
        names.append(current)
    return names


def header_names(cpython):
    include = cpython / "Include"
    names = set()
    for header in [*include.glob("*.h"), *(include / "cpython").glob("*.h")]:
        names.update(HEADER_NAME.findall(header.read_text(errors="replace")))
    return names


def definitions(cpython, names):
    """Declarations for names that libpython defines but no header declares
    (the stable ABI keeps functions the headers dropped long ago), copied from
    their definitions in CPython's sources: CPython writes the return type on
    one line and `name(parameters)` at the start of the next."""
    found = {}
    for source in [*cpython.glob("Objects/*.c"), *cpython.glob("Python/*.c"), *cpython.glob("Modules/*.c")]:
        text = source.read_text(errors="replace")
        functions = r"^(PyAPI_FUNC\(([^\n]*?)\)|[\w ]+\**)[ \t]*(?:/\*.*?\*/)?[ \t]*\n(\w+)(\([^)]*\))\s*\{"
        for m in re.finditer(functions, text, re.M):
            name, returns = m.group(3), m.group(2) or m.group(1)
            if name in names and name not in found:
                found[name] = f"extern {returns.strip()} {name}{m.group(4)};\n"
        for m in re.finditer(r"^([A-Za-z_][\w ]*?\**)\s*\b(\w+)(\[\])?\s*=", text, re.M):   # data
            if m.group(2) in names and m.group(2) not in found and not m.group(1).startswith(("static", "return")):
                found[m.group(2)] = f"extern {m.group(1).strip()} {m.group(2)}{m.group(3) or ''};\n"
    return found


def table(name, names, tag):
    rows = "".join(f'    {{"{n}", (void *)&{n}}},\n' for n in sorted(names))
    return (f"static const cb_symbol cb_symbols_{tag}[] = {{\n{rows}}};\n"
            f'static cb_library cb_library_{tag} = {{"{name}", cb_symbols_{tag}, {len(names)}, 0}};\n'
            f"__attribute__((constructor)) static void cb_register_{tag}(void)\n"
            f"{{\n    cb_dl_register(&cb_library_{tag});\n}}\n")


def python_table(args):
    cpython = pathlib.Path(args.cpython)
    wanted = (set(stable_abi_names(cpython)) | header_names(cpython)) & defined_names(args.nm, args.archive)
    head = ("/* Generated by build/symbol_table.py: CPython's C API for ctypes.pythonapi. */\n"
            "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n" +
            "".join(f"#include <{h}>\n" for h in EXTRA_HEADERS) + '#include "cb_symbols.h"\n')
    # A name the headers declare only under conditions this build does not
    # meet is left out: the compiler says which.
    declared = {}
    for _ in range(5):
        text = head + "".join(declared.values()) + table(args.name, wanted, "python")
        args.out.write_text(text)
        r = subprocess.run([args.cc, "-fsyntax-only", "-ferror-limit=0", "-Wno-deprecated-declarations", *args.cflags, str(args.out)],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return 0
        bad = set(re.findall(r"undeclared identifier '(\w+)'", r.stderr))
        if not bad:
            sys.stderr.write(r.stderr)
            return 1
        found = definitions(cpython, bad - set(declared))
        declared.update(found)
        wanted -= bad - set(found)
    sys.stderr.write(r.stderr)
    return 1


def library_table(args):
    tag = re.sub(r"\W", "_", f"{args.name}_{args.object.stem}")
    names = {n for n in defined_names(args.nm, args.object) if not n.startswith("__")}
    lines = [f"/* Generated by build/symbol_table.py: {args.source} as ctypes library {args.name!r}. */\n"]
    init = f"PyInit_{args.module.rsplit('.', 1)[-1]}" if args.module else None
    if init and init in names:
        lines.append(f"#define {init} cb_inner_{init}\n")
    lines.append(f'#include "{args.source}"\n')
    if init and init in names:
        lines.append(f"#undef {init}\n")
    lines.append('#include "cb_symbols.h"\n')
    lines.append(table(args.name, names - {init}, tag))   # PyInit is for the import system only
    if init and init in names:
        lines.append(f"static PyModuleDef cb_module_copy_{tag};\nstatic PyModuleDef_Slot cb_module_slots_{tag}[32];\n"
                     f"PyMODINIT_FUNC\n{init}(void)\n{{\n"
                     f"    return (PyObject *)cb_dl_module_with_file((void *(*)(void))cb_inner_{init}, "
                     f'"{args.file}", &cb_module_copy_{tag}, cb_module_slots_{tag}, 32);\n}}\n')
    args.out.write_text("".join(lines))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["python", "library"])
    p.add_argument("--name", required=True)
    p.add_argument("--out", type=pathlib.Path, required=True)
    p.add_argument("--nm", default="emnm")
    p.add_argument("--cc", default="emcc")
    p.add_argument("--cpython")
    p.add_argument("--archive")
    p.add_argument("--source")
    p.add_argument("--object", type=pathlib.Path)
    p.add_argument("--module")
    p.add_argument("--file")
    p.add_argument("--cflag", dest="cflags", action="append", default=[])
    args = p.parse_args()
    return python_table(args) if args.kind == "python" else library_table(args)


sys.exit(main())
