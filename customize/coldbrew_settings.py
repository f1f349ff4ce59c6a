# Settings of a custom Coldbrew environment (build it: bash build/custom.sh;
# docs/custom-builds.md walks through every setting).

# The global name in browsers (window.MODULE_NAME) and what Node's require()
# returns. Two environments with different names work side by side.
MODULE_NAME = "Coldbrew"

# Where the environment runs: NODE adds a package.json to the output, BROWSER
# an example index.html. The JavaScript itself runs in both either way.
NODE = True
BROWSER = True

# Wasm memory: what it starts with and how far it may grow (whole MB).
INITIAL_MEMORY_MB = 32
MAXIMUM_MEMORY_MB = 4096

# Built-in C modules to leave out of coldbrew.wasm (smaller download).
# Coldbrew.getUnusedModules() lists the ones your program never imported.
UNUSED_BUILTIN_MODULES = []

# C extension modules compiled into coldbrew.wasm (the runtime is one static
# wasm, so they are linked in, not loaded): module name -> its C files,
# relative to this folder. A dotted name puts the module inside a package
# your Python code provides, e.g. {"mypkg._speedups": ["ext/speedups.c"]}.
# An entry may be {"sources": [...], "cflags": ["-DNAME", "-Iinclude"]}.
C_EXTENSIONS = {}
