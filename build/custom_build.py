#!/usr/bin/env python3
"""Builds a custom Coldbrew environment from a settings folder (`customize/`).

Runs inside the toolchain (build/inner.sh custom), after the normal build, and
reuses its results: the C core's objects and libpython are linked again only
when a setting needs a new wasm (UNUSED_BUILTIN_MODULES, C_EXTENSIONS, memory
sizes); C extensions are compiled against CPython's headers and linked in
statically, each one a row of the built-in module table (config.c); the
standard library zip is filtered, not rebuilt. So a custom build takes seconds
to a minute. The folder (docs/custom-builds.md):

  coldbrew_settings.py  MODULE_NAME, NODE, BROWSER, INITIAL_MEMORY_MB,
                        MAXIMUM_MEMORY_MB, UNUSED_BUILTIN_MODULES, C_EXTENSIONS,
                        C_LIBRARIES (C code ctypes.CDLL opens: a symbol table
                        of each file, build/symbol_table.py, is linked in too)
  requirements.txt      pip's format: pure-Python packages, installed by pip
                        (local wheels, sdists, folders, --find-links/--no-index,
                        or an index the machine can reach)
  keeplist.txt          stdlib files to keep (Coldbrew.getUsedFiles()); empty: all
  files/                bundled, extracted into /files at load()
  export.js             sets EXPORT: what the global / module export is

The output folder holds coldbrew.js/.mjs/.wasm, coldbrew-threads.js/.wasm,
coldbrew-stdlib.zip (the stdlib and the packages), coldbrew-stdlib-src.zip
(the kept modules' sources, for tracebacks), coldbrew-files.zip, their .br copies, index.html
(BROWSER) and package.json (NODE).
"""
import argparse
import concurrent.futures
import fnmatch
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

# Built-in modules the runtime imports only if they are there: Coldbrew's zip
# helpers import zipfile, which imports bz2 and lzma inside try/except
# ImportError. A build without them reads and writes stored and deflated
# archives, and zipfile names the missing module for a bzip2 or LZMA one.
# (bench/module-bytes.mjs: _lzma and liblzma are 54 KiB of the brotli wasm,
# _bz2 and libbz2 20 KiB.)
OPTIONAL_FOR_RUNTIME = ("_bz2", "_lzma")

DEFAULTS = {"MODULE_NAME": "Coldbrew", "NODE": True, "BROWSER": True, "INITIAL_MEMORY_MB": 32,
            "MAXIMUM_MEMORY_MB": 4096, "UNUSED_BUILTIN_MODULES": [], "C_EXTENSIONS": {}, "C_LIBRARIES": {}}
# Always kept in a slimmed stdlib: Coldbrew's own helpers (HTTP, asyncio, zip
# files), which the API imports when first used, not at start-up.
ALWAYS_KEPT = ["_coldbrew/*"]


class BuildError(Exception):
    pass


def load_settings(folder):
    path = folder / "coldbrew_settings.py"
    settings = dict(DEFAULTS)
    if path.exists():
        scope = {}
        try:
            exec(compile(path.read_text(), str(path), "exec"), scope)
        except Exception as e:
            raise BuildError(f"{path}: {type(e).__name__}: {e}")
        unknown = [k for k in scope if k.isupper() and k not in DEFAULTS]
        if unknown:
            raise BuildError(f"{path}: unknown setting(s) {', '.join(unknown)} (known: {', '.join(DEFAULTS)})")
        settings.update({k: v for k, v in scope.items() if k in DEFAULTS})
    name = settings["MODULE_NAME"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", name):
        raise BuildError(f"{path}: MODULE_NAME must be a JavaScript identifier, not {name!r}")
    for k in ("NODE", "BROWSER"):
        if not isinstance(settings[k], bool):
            raise BuildError(f"{path}: {k} must be True or False")
    if not (settings["NODE"] or settings["BROWSER"]):
        raise BuildError(f"{path}: NODE and BROWSER are both False: the build would run nowhere")
    lo, hi = settings["INITIAL_MEMORY_MB"], settings["MAXIMUM_MEMORY_MB"]
    if not (isinstance(lo, int) and isinstance(hi, int) and 16 <= lo <= hi <= 4096):
        raise BuildError(f"{path}: need 16 <= INITIAL_MEMORY_MB <= MAXIMUM_MEMORY_MB <= 4096 (whole MB), "
                         f"not {lo!r} and {hi!r}")
    unused = settings["UNUSED_BUILTIN_MODULES"]
    if not (isinstance(unused, (list, tuple)) and all(isinstance(m, str) for m in unused)):
        raise BuildError(f"{path}: UNUSED_BUILTIN_MODULES must be a list of module names (Coldbrew.getUnusedModules())")
    settings["UNUSED_BUILTIN_MODULES"] = sorted(set(unused))
    extensions = settings["C_EXTENSIONS"]
    if not isinstance(extensions, dict):
        raise BuildError(f"{path}: C_EXTENSIONS must be a dict: module name -> list of C files, "
                         "e.g. {{'fastmath': ['ext/fastmath.c']}}")
    inits = {}
    for module, spec in extensions.items():
        if not (isinstance(module, str) and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module)):
            raise BuildError(f"{path}: C_EXTENSIONS: {module!r} is not a module name")
        init = "PyInit_" + module.rsplit(".", 1)[-1]
        if init in inits:
            raise BuildError(f"{path}: C_EXTENSIONS: {inits[init]} and {module} would both define {init}")
        inits[init] = module
        extensions[module] = c_sources(path, folder, f"C_EXTENSIONS[{module!r}]", spec, {"ctypes"})
    libraries = settings["C_LIBRARIES"]
    if not isinstance(libraries, dict):
        raise BuildError(f"{path}: C_LIBRARIES must be a dict: library name -> list of C files, "
                         "e.g. {{'libgeo': ['lib/geo.c']}}")
    for name, spec in libraries.items():
        if not (isinstance(name, str) and re.fullmatch(r"[A-Za-z_][\w+-]*", name)):
            raise BuildError(f"{path}: C_LIBRARIES: {name!r} is not a library name (letters, digits, _ + -)")
        libraries[name] = {**c_sources(path, folder, f"C_LIBRARIES[{name!r}]", spec, set()), "ctypes": True}
    return settings


def c_sources(path, folder, what, spec, extra_keys):
    """A list of C files, or {"sources": [...], "cflags": [...]} (plus extra_keys):
    checked, with the folder's files made absolute ($CPYTHON/ stays for later)."""
    sources, cflags = (spec.get("sources"), spec.get("cflags", [])) if isinstance(spec, dict) else (spec, [])
    if isinstance(sources, str):
        sources = [sources]
    if not (isinstance(sources, (list, tuple)) and sources and all(isinstance(f, str) for f in sources)):
        raise BuildError(f"{path}: {what} must be a list of C files (relative to {folder}, "
                         "or under $CPYTHON/, CPython's own tree), or a dict with 'sources' and 'cflags'")
    if not (isinstance(cflags, (list, tuple)) and all(isinstance(f, str) for f in cflags)):
        raise BuildError(f"{path}: {what}['cflags'] must be a list of compiler options")
    known = {"sources", "cflags", *extra_keys}
    if isinstance(spec, dict) and set(spec) - known:
        raise BuildError(f"{path}: {what}: unknown key(s) {', '.join(sorted(set(spec) - known))} "
                         f"(known: {', '.join(sorted(known))})")
    ctypes = spec.get("ctypes", False) if isinstance(spec, dict) else False
    if not isinstance(ctypes, bool):
        raise BuildError(f"{path}: {what}['ctypes'] must be True or False")
    for f in sources:
        if not f.startswith("$CPYTHON/") and not (folder / f).is_file():
            raise BuildError(f"{path}: {what}: no such file {folder / f}")
    return {"sources": [f if f.startswith("$CPYTHON/") else str(folder / f) for f in sources],
            "cflags": list(cflags), "ctypes": ctypes}


def probe(runtime):
    """What start-up reads and imports, asked of the normal runtime."""
    here = pathlib.Path(__file__).parent
    r = subprocess.run(["node", str(here / "custom_probe.cjs"), str(runtime)], capture_output=True, text=True)
    if r.returncode != 0:
        raise BuildError(f"could not start the normal runtime to see what start-up needs: {r.stderr.strip()}")
    return json.loads(r.stdout)


def config_c(pyb, drop, add, out):
    """CPython's table of built-in modules without `drop`, with the modules of `add`."""
    text = (pyb / "Modules" / "config.c").read_text()
    present = set(re.findall(r'^\s*\{"([A-Za-z0-9_.]+)", PyInit_', text, re.M))
    for m in drop:
        init = "PyInit_" + m
        text = re.sub(rf'^\s*\{{"{re.escape(m)}", {init}\}},\n', "", text, flags=re.M)
        text = re.sub(rf"^extern PyObject\* {init}\(void\);\n", "", text, flags=re.M)
    clash = sorted(m for m in add if m in present)
    if clash:
        raise BuildError(f"C_EXTENSIONS: already a built-in module of this build: {', '.join(clash)}")
    inits = {m: "PyInit_" + m.rsplit(".", 1)[-1] for m in add}
    text = text.replace("/* -- ADDMODULE MARKER 1 -- */", "/* -- ADDMODULE MARKER 1 -- */\n" +
                        "".join(f"extern PyObject* {i}(void);\n" for i in inits.values()), 1)
    text = text.replace("/* -- ADDMODULE MARKER 2 -- */", "/* -- ADDMODULE MARKER 2 -- */\n" +
                        "".join(f'    {{"{m}", {i}}},\n' for m, i in inits.items()), 1)
    out.write_text(text)
    return present


# Where a ctypes-enabled extension's __file__ points (the runtime's sys.prefix
# is /): the name a shared-library extension would have; cb_dlfcn.c opens it
# by its file name, which starts with the library's name and a dot.
EXTENSION_FILE = "/lib/python3.13/lib-dynload/{}.cpython-313-wasm32-emscripten.so"


def compile_c(pyb, src, extensions, libraries, out, cflags):
    """The objects of every C extension and C library, compiled against
    CPython's headers ($CPYTHON/ in a file name or an option is CPython's build
    tree: the test modules' sources are there). A file ctypes must see (a C
    library's, or an extension's marked "ctypes") is compiled twice: once to
    learn the names it defines, then inside a file that adds their table
    (build/symbol_table.py)."""
    here = lambda text: text.replace("$CPYTHON/", f"{pyb}/")
    jobs = []
    entries = [(f"C_EXTENSIONS[{m!r}]", m, m.rsplit(".", 1)[-1], spec) for m, spec in extensions.items()]
    entries += [(f"C_LIBRARIES[{name!r}]", None, name, spec) for name, spec in libraries.items()]
    for what, module, library, spec in entries:
        kind = "ext" if module else "lib"   # a library may share a name with an extension's last part
        for n, name in enumerate(spec["sources"]):
            source = pathlib.Path(here(name))
            if not source.is_file():
                raise BuildError(f"{what}: no such file {source}")
            obj = out / "obj" / f"{kind}-{module or library}-{n}.o"
            jobs.append((what, module, library if spec["ctypes"] else None, source, obj,
                         [*cflags, *map(here, spec["cflags"])]))

    def compile_one(job):
        what, module, library, source, obj, flags = job
        command = ["emcc", "-O2", *flags, f"-I{pyb}/Include", f"-I{pyb}", f"-I{source.parent}"]
        r = subprocess.run([*command, "-c", str(source), "-o", str(obj)], capture_output=True, text=True)
        if r.returncode != 0:
            return f"{what}: {source} does not compile:\n{r.stderr[-3000:]}"
        if library is None:
            return None
        wrapper = obj.with_suffix(".ctypes.c")
        r = subprocess.run([sys.executable, str(src / "build" / "symbol_table.py"), "library", "--name", library,
                            "--source", str(source), "--object", str(obj), "--out", str(wrapper),
                            *(["--module", module, "--file", EXTENSION_FILE.format(library)] if module else [])],
                           capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run([*command, f"-I{src}/src/core", "-c", str(wrapper), "-o", str(obj)],
                               capture_output=True, text=True)
        return None if r.returncode == 0 else f"{what}: {source}'s symbol table for ctypes failed:\n{r.stderr[-3000:]}"

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        failed = [e for e in pool.map(compile_one, jobs) if e]
    if failed:
        raise BuildError(failed[0])
    return [job[4] for job in jobs]


def link(args, settings, probe_result, work, threads=False):
    """The wasm and Emscripten's glue of one variant (default, or threaded for
    load({threadWorkers})): the normal ones, or linked again for these settings."""
    drop, add, libraries = settings["UNUSED_BUILTIN_MODULES"], settings["C_EXTENSIONS"], settings["C_LIBRARIES"]
    memory = (settings["INITIAL_MEMORY_MB"], settings["MAXIMUM_MEMORY_MB"])
    name = "coldbrew-threads" if threads else "coldbrew"
    glue = f"{name}.js" if threads else "coldbrew-core.js"
    runtime, pyb, link_libs = ((args.threads_runtime, args.threads_pyb, args.threads_link_libs) if threads
                               else (args.runtime, args.pyb, args.link_libs))
    if not drop and not add and not libraries and memory == (DEFAULTS["INITIAL_MEMORY_MB"], DEFAULTS["MAXIMUM_MEMORY_MB"]):
        # coldbrew-full.wasm: the default wasm before build/static_tables.py took
        # tables out of it (a custom build's stdlib is one zip, without bundles).
        return runtime / ("coldbrew-threads.wasm" if threads else "coldbrew-full.wasm"), runtime / glue
    out = work / ("link-threads" if threads else "link")
    shutil.rmtree(out, ignore_errors=True)
    (out / "obj").mkdir(parents=True)
    present = config_c(pyb, drop, add, out / "config.c")
    not_builtin = [m for m in drop if m not in present]
    if not_builtin:
        raise BuildError(f"UNUSED_BUILTIN_MODULES: not a built-in module of this build: {', '.join(not_builtin)}")
    needed = [m for m in drop if m not in probe_result["unused"] and m not in OPTIONAL_FOR_RUNTIME]
    if needed:
        raise BuildError(f"UNUSED_BUILTIN_MODULES: Python's start-up or Coldbrew's runtime imports "
                         f"{', '.join(needed)}; they cannot be left out")
    cflags = ["-pthread"] if threads else []
    subprocess.run(["emcc", "-O2", *cflags, "-DPy_BUILD_CORE", f"-I{pyb}/Include", f"-I{pyb}/Include/internal",
                    f"-I{pyb}", "-c", str(out / "config.c"), "-o", str(out / "config.o")], check=True)
    extra = [out / "config.o"] + compile_c(pyb, args.src, add, libraries, out, cflags)
    subprocess.run(["make", "-s", f"-j{os.cpu_count()}", "-f", str(args.src / "build" / "runtime.mk"), f"SRC={args.src}",
                    f"PYB={pyb}", f"OUT={out}", f"LINK_OPT={args.link_opt}",
                    f"LINK_LIBS={link_libs.read_text().strip()}", f"EXTRA_OBJS={' '.join(map(str, extra))}",
                    f"INITIAL_MEMORY={memory[0]}MB", f"MAXIMUM_MEMORY={memory[1]}MB",
                    *(["THREADS=1", str(out / "coldbrew-threads.wasm")] if threads else [])], check=True)
    return out / f"{name}.wasm", out / glue


def install_requirements(folder, work):
    """pip installs requirements.txt into a folder; only pure-Python packages pass."""
    req = folder / "requirements.txt"
    site = work / "site-packages"
    shutil.rmtree(site, ignore_errors=True)
    if not req.exists() or not any(l.strip() and not l.strip().startswith("#") for l in req.read_text().splitlines()):
        return None
    site.mkdir(parents=True)
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check",
                        "--no-compile", "--no-warn-script-location", "--no-build-isolation", "--target", str(site), "-r", str(req)],
                       cwd=folder, capture_output=True, text=True)
    if r.returncode != 0:
        failed = re.search(r"Failed to build (?:installable wheels for some pyproject.toml based projects \()?([\w.-]+)", r.stdout + r.stderr)
        if failed and "build_ext" in r.stdout + r.stderr:
            raise BuildError(f"{failed.group(1)} has C code (an extension module pip tried to compile for this "
                             "machine), which a Coldbrew build cannot load; use a pure-Python version of it, or "
                             "compile its C files into the build with C_EXTENSIONS")
        raise BuildError(f"pip could not install {req}:\n{r.stdout[-2000:]}{r.stderr[-3000:]}")
    native = []
    for info in sorted(site.glob("*.dist-info")):
        wheel = (info / "WHEEL").read_text() if (info / "WHEEL").exists() else ""
        record = (info / "RECORD").read_text() if (info / "RECORD").exists() else ""
        compiled = [l.split(",")[0] for l in record.splitlines() if re.search(r"\.(so|pyd|dylib)(,|$)", l.split(",")[0])]
        if "Root-Is-Purelib: false" in wheel or compiled:
            native.append(f"{info.name[:-len('.dist-info')]} ({', '.join(compiled[:3]) or 'a platform wheel'})")
    if native:
        raise BuildError("these packages contain compiled (C) code, which a Coldbrew build cannot load: " +
                         "; ".join(native) + ". Use a pure-Python version (a py3-none-any wheel), or compile its C "
                         "files into the build with C_EXTENSIONS (docs/custom-builds.md)")
    shutil.rmtree(site / "bin", ignore_errors=True)   # console scripts: nothing runs them here
    return site


def keep_patterns(folder):
    path = folder / "keeplist.txt"
    if not path.exists():
        return None
    lines = [l.strip() for l in path.read_text().splitlines()]
    lines = [l for l in lines if l and not l.startswith("#")]
    return lines or None


def kept(name, patterns):
    return any(fnmatch.fnmatchcase(name, p) or (p.endswith("/") and name.startswith(p)) for p in patterns)


def stdlib_zip(source, out, patterns, site):
    """The stdlib zip, filtered by the keep-list, with the packages at its root."""
    count = [0, 0]
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        names = set()
        for info in src.infolist():
            count[0] += 1
            if patterns is not None and not info.is_dir() and not kept(info.filename, patterns):
                continue
            dst.writestr(info, src.read(info))
            names.add(info.filename)
            count[1] += 1
        if site is not None:
            for path in sorted(site.rglob("*")):
                if path.is_dir() or "__pycache__" in path.parts:
                    continue
                name = path.relative_to(site).as_posix()
                if name in names:
                    raise BuildError(f"requirements.txt: {name} would replace the standard library's own file")
                dst.write(path, name, compress_type=zipfile.ZIP_DEFLATED)
    return count


def sources_zip(source, out, patterns):
    """The stdlib's sources (tracebacks read them on demand): those of the kept .pyc files."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if patterns is None or kept(info.filename[:-3] + ".pyc", patterns):
                dst.writestr(info, src.read(info))


def files_zip(folder, out):
    files = folder / "files"
    paths = sorted(p for p in files.rglob("*") if p.is_file()) if files.is_dir() else []
    paths = [p for p in paths if not any(part.startswith(".") for part in p.relative_to(files).parts)]
    if not paths:
        return None
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, p.relative_to(files).as_posix())
    return out


INDEX_HTML = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>{name}</title></head>
<body>
<pre id="out"></pre>
<script src="coldbrew.js"></script>
<script src="example.js"></script>
</body>
</html>
"""

# A file of its own, not inline: bin/coldbrew-serve's Content-Security-Policy allows scripts from files only.
EXAMPLE_JS = """// The custom environment {name}: load it, then run Python.
{name}.onStandardOut = (line) => {{ document.getElementById('out').textContent += line + '\\n'; }};
{name}.load().then(() => {name}.run('import sys\\nprint("Python", sys.version)'));
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--settings", type=pathlib.Path, required=True)
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--work", type=pathlib.Path, required=True)
    ap.add_argument("--runtime", type=pathlib.Path, required=True, help="the normal runtime's build folder")
    ap.add_argument("--pyb", type=pathlib.Path, required=True, help="CPython's build tree (src/)")
    ap.add_argument("--link-libs", type=pathlib.Path, required=True)
    ap.add_argument("--threads-runtime", type=pathlib.Path, required=True, help="the threaded runtime's build folder")
    ap.add_argument("--threads-pyb", type=pathlib.Path, required=True, help="the pthreads CPython's build tree (src/)")
    ap.add_argument("--threads-link-libs", type=pathlib.Path, required=True)
    ap.add_argument("--link-opt", default="-O2")
    ap.add_argument("--src", type=pathlib.Path, required=True)
    ap.add_argument("--esbuild", required=True)
    a = ap.parse_args()
    folder, out, work = a.settings.resolve(), a.out.resolve(), a.work.resolve()
    try:
        settings = load_settings(folder)
        work.mkdir(parents=True, exist_ok=True)
        started = probe(a.runtime)
        wasm, core = link(a, settings, started, work)
        threads_wasm, threads_js = link(a, settings, started, work, threads=True)
        site = install_requirements(folder, work)
        patterns = keep_patterns(folder)
        if patterns is not None:
            patterns = patterns + started["files"] + ALWAYS_KEPT
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        total, kept_count = stdlib_zip(a.runtime / "coldbrew-stdlib-full.zip", out / "coldbrew-stdlib.zip", patterns, site)
        sources_zip(a.runtime / "coldbrew-stdlib-src.zip", out / "coldbrew-stdlib-src.zip", patterns)
        bundled = files_zip(folder, out / "coldbrew-files.zip")
        shutil.copy(wasm, out / "coldbrew.wasm")
        shutil.copy(threads_wasm, out / "coldbrew-threads.wasm")   # load({threadWorkers}) loads these two
        shutil.copy(threads_js, out / "coldbrew-threads.js")
        cmd = [sys.executable, str(a.src / "build" / "assemble_js.py"), "--core", str(core), "--wasm", str(out / "coldbrew.wasm"),
               "--api-dir", str(a.src / "src" / "js"), "--examples-dir", str(a.src / "src" / "examples"),
               "--out-dir", str(work), "--esbuild", a.esbuild, "--python-include", str(a.pyb / "Include"),
               "--stdlib", str(out / "coldbrew-stdlib.zip"), "--threads-wasm", str(out / "coldbrew-threads.wasm"),
               "--module-name", settings["MODULE_NAME"]]
        if (folder / "export.js").exists():
            cmd += ["--export-js", str(folder / "export.js")]
        if bundled:
            cmd += ["--files-zip", str(bundled)]
        subprocess.run(cmd, check=True)
        for f in ("coldbrew.js", "coldbrew.mjs"):
            shutil.copy(work / f, out / f)
        if settings["BROWSER"]:
            (out / "index.html").write_text(INDEX_HTML.format(name=settings["MODULE_NAME"]))
            (out / "example.js").write_text(EXAMPLE_JS.format(name=settings["MODULE_NAME"]))
        if settings["NODE"]:
            (out / "package.json").write_text(json.dumps({
                "name": settings["MODULE_NAME"].lower(), "version": "0.1.0", "private": True,
                "description": f"A custom Coldbrew environment ({settings['MODULE_NAME']})",
                "main": "coldbrew.js", "module": "coldbrew.mjs",
                "exports": {".": {"import": "./coldbrew.mjs", "require": "./coldbrew.js"}},
            }, indent=2) + "\n")
        subprocess.run(["node", str(a.src / "build" / "precompress.mjs"),
                        *[str(out / f) for f in ("coldbrew.wasm", "coldbrew.js", "coldbrew.mjs", "coldbrew-stdlib.zip",
                                                 "coldbrew-threads.wasm", "coldbrew-threads.js")],
                        *([str(bundled)] if bundled else [])], check=True)
        summary = {"module_name": settings["MODULE_NAME"], "stdlib_entries": [kept_count, total],
                   "dropped_modules": settings["UNUSED_BUILTIN_MODULES"],
                   "c_extensions": sorted(settings["C_EXTENSIONS"]),
                   "c_libraries": sorted(settings["C_LIBRARIES"]),
                   "packages": sorted(p.name[:-len(".dist-info")] for p in site.glob("*.dist-info")) if site else [],
                   "files": bundled is not None}
        (out / "custom-build.json").write_text(json.dumps(summary, indent=2) + "\n")
        print(json.dumps(summary))
    except BuildError as e:
        print(f"custom build FAILED: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
