#!/usr/bin/env bash
# Coldbrew build steps that run inside the Debian 13 toolchain (the debootstrap
# root made by build.sh, or a trixie container). Paths:
#   $COLDBREW_SRC   the work tree (read-only use)
#   $COLDBREW_CACHE the cache directory; sources and build products go to its work/
# Each step writes into a directory named by a hash of its inputs and marks it
# complete with a .ok file, so a re-run skips finished steps and a failed step
# starts over from a clean directory.
#
# Usage: inner.sh all
set -euo pipefail

SRC="${COLDBREW_SRC:?}"
. "$SRC/build/common.sh"
WORK="$CB_CACHE/work"
LOGS="$CB_CACHE/logs"
mkdir -p "$LOGS"
JOBS="$(nproc)"

export EM_FROZEN_CACHE=1

# ---- step 2: sources -------------------------------------------------------
PINS="$SRC/build/sources.sha256"
fetch_sources() {
    cb_step 2 "sources (apt-get source --download-only, sha256 verified)"
    local dir="$WORK/src" log="$LOGS/sources.log"
    mkdir -p "$dir"
    if (cd "$dir" && sha256sum --quiet -c "$PINS" >/dev/null 2>&1); then
        cb_say "cached and verified: $dir"
        return
    fi
    : > "$log"
    cb_run sources "$log" apt-get update
    # Only the pinned .orig tarballs are used (upstream sources, without Debian's
    # packaging patches). apt-get may fail on a .dsc a mirror lacks after a
    # point release; what counts is that every pinned tarball arrived intact.
    (cd "$dir" && apt-get source --download-only python3.13 zlib bzip2 xz-utils sqlite3 libffi) >>"$log" 2>&1 \
        || cb_say "  apt-get source reported a problem (see $log); checking the pinned tarballs"
    (cd "$dir" && sha256sum -c "$PINS") >>"$log" 2>&1 \
        || cb_die sources "$log" "a source tarball does not match its pinned sha256 in build/sources.sha256"
    cb_say "verified: $(awk '{print $2}' "$PINS" | tr '\n' ' ')"
}

tarball() { awk -v p="$1" '$2 ~ "^"p"_" {print $2}' "$PINS"; }

# ---- Emscripten's JS library, patched ----------------------------------------
# build/emscripten-patches/*.patch fix the toolchain's JavaScript library (its
# file system: file times, fstat). They are applied to the installed
# Emscripten's src/ (only the final link reads it; objects are not affected):
# the pristine src/ is kept once as src.coldbrew-orig, the patched copy is
# made from it and swapped in, and a stamp names the patches applied, so
# changing a patch re-applies the set to the original files.
EM_PATCHES_KEY="$(cat "$SRC"/build/emscripten-patches/*.patch | cb_hash)"
patch_emscripten() {
    local root; root="$(dirname "$(readlink -f "$(command -v emcc)")")"
    [ "$(cat "$root/.coldbrew-patches" 2>/dev/null)" = "$EM_PATCHES_KEY" ] && return
    cb_say "patching Emscripten's JS library in $root/src ($(ls "$SRC"/build/emscripten-patches/*.patch | wc -l) patches)"
    [ -d "$root/src.coldbrew-orig" ] || cp -a "$root/src" "$root/src.coldbrew-orig"
    rm -rf "$root/src.coldbrew-new"
    cp -a "$root/src.coldbrew-orig" "$root/src.coldbrew-new"
    local p
    for p in "$SRC"/build/emscripten-patches/*.patch; do
        patch -s -p2 -d "$root/src.coldbrew-new" -i "$p" >>"$LOGS/emscripten-patches.log" 2>&1 \
            || cb_die emscripten-patches "$LOGS/emscripten-patches.log" "$(basename "$p") does not apply to $root/src"
    done
    rm -rf "$root/src.coldbrew-old"
    mv "$root/src" "$root/src.coldbrew-old" && mv "$root/src.coldbrew-new" "$root/src" && rm -rf "$root/src.coldbrew-old"
    echo "$EM_PATCHES_KEY" > "$root/.coldbrew-patches"
}

# ---- step 3: C libraries ---------------------------------------------------
# Two variants of steps 3, 4 and 6 are built: THREADS=0 (the default runtime,
# no shared memory) and THREADS=1 (pthreads: every C library and CPython
# compiled with -pthread, linked as coldbrew-threads.js/.wasm; see
# docs/threads.md for why both ship). use_variant sets the flags of one.
use_variant() {
    THREADS="$1"
    if [ "$THREADS" = 1 ]; then
        DEPS_FLAGS="-O2 -pthread"; SQLITE_THREADSAFE=1; PY_THREADS_FLAG=--enable-wasm-pthreads; VARIANT_NAME=threads
    else
        DEPS_FLAGS="-O2"; SQLITE_THREADSAFE=0; PY_THREADS_FLAG=--disable-wasm-pthreads; VARIANT_NAME=default
    fi
}
use_variant 0
deps_key() { { cat "$PINS"; echo "$DEPS_FLAGS"; sed -n '/^dep_build()/,/^# ---- step 4/p' "$SRC/build/inner.sh"; emcc --version | head -1; } | cb_hash; }

# dep_build NAME TARBALL-PACKAGE COMMANDS: unpack into a fresh dir and run COMMANDS
# there; a .ok-NAME marker makes a re-run skip libraries already built.
dep_build() {
    local name="$1" pkg="$2" cmds="$3" log="$LOGS/deps-$1.log"
    if [ -f "$DEPS/.ok-$name" ]; then cb_say "  $name: cached"; return; fi
    cb_say "  $name (log: $log)"
    : > "$log"
    rm -rf "$DEPS/build/$name"; mkdir -p "$DEPS/build/$name"
    tar -C "$DEPS/build/$name" -xf "$WORK/src/$(tarball "$pkg")"
    (cd "$DEPS/build/$name"/*/ && P="$DEPS/prefix" bash -euxc "$cmds") >>"$log" 2>&1 \
        || cb_die "deps: $name" "$log" "building $name failed"
    rm -rf "$DEPS/build/$name"
    touch "$DEPS/.ok-$name"
}

build_deps() {
    cb_step 3 "C libraries (zlib, bzip2, xz, sqlite3, libffi) for wasm32, $VARIANT_NAME variant, about 4 min"
    DEPS="$WORK/deps-$(deps_key)"
    if [ -f "$DEPS/.ok" ]; then cb_say "cached: $DEPS"; return; fi
    mkdir -p "$DEPS/build" "$DEPS/prefix/include" "$DEPS/prefix/lib"
    export CFLAGS="$DEPS_FLAGS"
    dep_build zlib zlib "CC=emcc AR=emar RANLIB=emranlib ./configure --static --prefix=\$P
        emmake make -j$JOBS libz.a
        cp libz.a \$P/lib/ && cp zlib.h zconf.h \$P/include/"
    dep_build bzip2 bzip2 "emcc $DEPS_FLAGS -D_FILE_OFFSET_BITS=64 -c blocksort.c huffman.c crctable.c \
            randtable.c compress.c decompress.c bzlib.c
        emar rcs libbz2.a blocksort.o huffman.o crctable.o randtable.o compress.o decompress.o bzlib.o
        cp libbz2.a \$P/lib/ && cp bzlib.h \$P/include/"
    dep_build xz xz-utils "emconfigure ./configure --host=wasm32-unknown-emscripten --prefix=\$P \
            --disable-shared --enable-static --disable-threads --disable-nls --disable-xz --disable-xzdec \
            --disable-lzmadec --disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc
        emmake make -j$JOBS -C src/liblzma
        emmake make -C src/liblzma install"
    # The amalgamation (sqlite3.c) is generated natively with tcl, then compiled with emcc.
    dep_build sqlite3 sqlite3 "./configure --disable-shared
        make -j$JOBS sqlite3.c
        emcc $DEPS_FLAGS -DSQLITE_THREADSAFE=$SQLITE_THREADSAFE -DSQLITE_OMIT_LOAD_EXTENSION \
            -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -c sqlite3.c -o sqlite3.o
        emar rcs libsqlite3.a sqlite3.o
        cp libsqlite3.a \$P/lib/ && cp sqlite3.h sqlite3ext.h \$P/include/"
    # libffi's tarball needs autogen; its top Makefile loops over multilib
    # targets, so build and install in the host's own subdirectory.
    dep_build libffi libffi "[ -x configure ] || ./autogen.sh
        emconfigure ./configure --host=wasm32-unknown-emscripten --prefix=\$P \
            --disable-shared --enable-static --disable-docs --disable-multi-os-directory --disable-exec-static-tramp
        emmake make -j$JOBS -C wasm32-unknown-emscripten
        emmake make -C wasm32-unknown-emscripten install"
    rm -rf "$DEPS/build"
    touch "$DEPS/.ok"
}

# ---- step 4: CPython -------------------------------------------------------
# Flags CPython is configured with; part of the cache key.
PY_OPT="${COLDBREW_PY_OPT:--O2}"   # the only -O flag CPython sees (CFLAGS="" below); measured: docs/performance.md
cpython_key() {
    { deps_key; echo "$PY_OPT $PY_THREADS_FLAG"; cat "$SRC"/cpython/patches/*.patch "$SRC/cpython/Setup.local" \
        "$SRC/cpython/config.site-coldbrew"; sed -n '/^build_cpython()/,/^}/p' "$SRC/build/inner.sh"; } | cb_hash
}

build_cpython() {
    cb_step 4 "CPython 3.13 for wasm32-emscripten, $VARIANT_NAME variant (configure ~6 min, make ~3 min on 2 cores)"
    PYB="$WORK/cpython-$(cpython_key)"
    if [ -f "$PYB/.ok" ]; then cb_say "cached: $PYB"; return; fi
    local log="$LOGS/cpython.log"; : > "$log"
    rm -rf "$PYB"; mkdir -p "$PYB"
    tar -C "$PYB" -xf "$WORK/src/$(tarball python3.13)"
    mv "$PYB"/Python-3.13.*/ "$PYB/src"
    local p
    for p in "$SRC"/cpython/patches/*.patch; do
        cb_say "  patch $(basename "$p")"
        (cd "$PYB/src" && cb_run cpython-patch "$log" patch -p1 -i "$p")
    done
    cp "$SRC/cpython/Setup.local" "$PYB/src/Modules/Setup.local"
    local P="$DEPS/prefix"
    cb_say "  configure (log: $log)"
    (cd "$PYB/src" && cb_run cpython-configure "$log" env \
        CONFIG_SITE="$PYB/src/Tools/wasm/config.site-wasm32-emscripten $SRC/cpython/config.site-coldbrew" \
        OPT="-DNDEBUG $PY_OPT" CFLAGS="" \
        ZLIB_CFLAGS="-I$P/include" ZLIB_LIBS="-L$P/lib -lz" \
        BZIP2_CFLAGS="-I$P/include" BZIP2_LIBS="-L$P/lib -lbz2" \
        LIBLZMA_CFLAGS="-I$P/include" LIBLZMA_LIBS="-L$P/lib -llzma" \
        LIBSQLITE3_CFLAGS="-I$P/include" LIBSQLITE3_LIBS="-L$P/lib -lsqlite3" \
        LIBFFI_CFLAGS="-I$P/include" LIBFFI_LIBS="-L$P/lib -lffi" \
        LDFLAGS="-L$P/lib" \
        emconfigure ./configure -C --host=wasm32-unknown-emscripten --build="$(./config.guess)" \
            --with-emscripten-target=browser --disable-wasm-dynamic-linking "$PY_THREADS_FLAG" \
            --disable-test-modules --with-ensurepip=no --with-pymalloc \
            --with-build-python=/usr/bin/python3.13)
    cb_say "  make (log: $log)"
    # Only what the runtime links against: libpython (with the built-in modules),
    # the module helper libraries named in MODLIBS, and the sysconfig data.
    cat > "$PYB/coldbrew.mk" <<'MK'
coldbrew-link-deps: $(LIBRARY) $(filter Modules/%.a,$(MODLIBS)) pybuilddir.txt
print-link-libs:
	@echo $(LIBRARY) $(MODLIBS) $(LIBS) $(SYSLIBS)
MK
    (cd "$PYB/src" && cb_run cpython-make "$log" emmake make -j"$JOBS" -f Makefile -f "$PYB/coldbrew.mk" coldbrew-link-deps)
    (cd "$PYB/src" && make -s -f Makefile -f "$PYB/coldbrew.mk" print-link-libs > "$PYB/link-libs.txt") 2>>"$log" \
        || cb_die cpython-make "$log" "could not read the link libraries from CPython's Makefile"
    touch "$PYB/.ok"
}

# Fails the build when a module the product promises was not configured.
REQUIRED_MODULES="_sqlite3 zlib _bz2 _lzma _decimal pyexpat _elementtree unicodedata _sha2 _md5 _sha1 _sha3 _blake2 _json _csv _datetime _zoneinfo _struct math cmath array _ctypes"
check_cpython_modules() {
    local m missing=""
    for m in $REQUIRED_MODULES; do
        grep -q "^MODULE_$(echo "$m" | tr 'a-z' 'A-Z')_STATE=yes" "$PYB/src/Makefile" || missing="$missing $m"
    done
    [ -z "$missing" ] || cb_die cpython-configure "$LOGS/cpython.log" \
        "CPython's configure left out required modules:$missing (see MODULE_*_STATE in $PYB/src/Makefile)"
}

# ---- step 5: the packaged standard library ---------------------------------
# Steps 5, 6 and 6b key on the CPython build they use (the name of $PYB, which
# holds its key), not on cpython_key recomputed: a patch added while a build runs
# must not label output linked from the older CPython with the newer key.
build_stdlib() {
    cb_step 5 "standard library zip (.pyc, tzdata)"
    local key; key="$( { basename "$PYB"; cat "$SRC/build/pack_stdlib.py" "$SRC/build/split_stdlib.py" "$SRC/build/stdlib-core.txt" \
        "$SRC/build/precompress.mjs" "$SRC"/cpython/lib-patches/*.patch "$SRC"/src/py/_coldbrew/*.py; dpkg-query -W tzdata; } | cb_hash)"
    STDLIB="$WORK/stdlib-$key"
    if [ -f "$STDLIB/.ok" ]; then cb_say "cached: $STDLIB"; return; fi
    local log="$LOGS/stdlib.log"; : > "$log"
    rm -rf "$STDLIB"; mkdir -p "$STDLIB"
    # Pure-Python stdlib fixes (cpython/lib-patches, paths relative to Lib/)
    # are applied to a copy, so they cost a re-pack, not a CPython rebuild.
    cp -r "$PYB/src/Lib" "$STDLIB/Lib"
    cp -r "$SRC/src/py/_coldbrew" "$STDLIB/Lib/_coldbrew"   # Coldbrew's own Python helpers
    local p
    for p in "$SRC"/cpython/lib-patches/*.patch; do
        (cd "$STDLIB/Lib" && cb_run stdlib-patch "$log" patch -p1 -i "$p")
    done
    cb_run stdlib "$log" python3.13 "$SRC/build/pack_stdlib.py" --cpython "$PYB/src" --lib "$STDLIB/Lib" \
        --zoneinfo /usr/share/zoneinfo --out "$STDLIB/coldbrew-stdlib-full.zip" --sources-out "$STDLIB/coldbrew-stdlib-src.zip" \
        --tests-out "$STDLIB/cpython-tests.zip"
    rm -rf "$STDLIB/Lib"
    # What load() fetches (start-up and the common imports, build/stdlib-core.txt)
    # and a bundle per top-level name, fetched on first import. The whole zip
    # stays in the cache for custom builds, which make their own.
    cb_run stdlib "$log" python3.13 "$SRC/build/split_stdlib.py" --stdlib "$STDLIB/coldbrew-stdlib-full.zip" \
        --core-list "$SRC/build/stdlib-core.txt" --out-dir "$STDLIB"
    cb_run stdlib "$log" node "$SRC/build/precompress.mjs" "$STDLIB/coldbrew-stdlib.zip" "$STDLIB"/stdlib/*.zip
    touch "$STDLIB/.ok"
    cb_say "  $(du -h "$STDLIB/coldbrew-stdlib.zip" | cut -f1) stdlib core, $(du -sh "$STDLIB/stdlib" | cut -f1) in bundles, $(du -h "$STDLIB/cpython-tests.zip" | cut -f1) test suite"
}

# ---- step 6: the Coldbrew runtime -----------------------------------------
LINK_OPT="${COLDBREW_LINK_OPT:--O2}"
build_runtime() {
    cb_step 6 "Coldbrew runtime (C core + JS API, linked with emcc)"
    local key; key="$( { basename "$PYB"; echo "$LINK_OPT"; cat "$SRC"/src/core/*.[ch] "$SRC"/src/js/*.js \
        "$SRC"/src/examples/*.py "$SRC/build/runtime.mk" "$SRC/build/symbol_table.py" "$SRC/build/static_tables.py" "$SRC"/build/emscripten-patches/*.patch "$SRC/build/assemble_js.py" "$SRC/build/ensure-esbuild.sh" "$SRC/build/precompress.mjs" "$SRC/dist/package.json"; basename "$STDLIB"; basename "$RTT"; } | cb_hash)"
    RT="$WORK/runtime-$key"
    if [ -f "$RT/.ok" ]; then cb_say "cached: $RT"; echo "runtime-$key" > "$WORK/runtime-current"; return; fi
    local log="$LOGS/runtime.log"; : > "$log"
    rm -rf "$RT"; mkdir -p "$RT/obj"
    cb_run runtime "$log" make -j"$JOBS" -f "$SRC/build/runtime.mk" SRC="$SRC" PYB="$PYB/src" OUT="$RT" \
        LINK_OPT="$LINK_OPT" LINK_LIBS="$(cat "$PYB/link-libs.txt")"
    # unicodedata's and the CJK codecs' tables leave the wasm for stdlib/_tables_*.zip,
    # fetched on first import; coldbrew-full.wasm keeps them (custom builds).
    cb_run runtime "$log" python3.13 "$SRC/build/static_tables.py" --wasm "$RT/coldbrew.wasm" --map "$RT/coldbrew.map" \
        --full "$RT/coldbrew-full.wasm" --out-dir "$RT/tables"
    cb_run runtime "$log" python3.13 "$SRC/build/assemble_js.py" --core "$RT/coldbrew-core.js" \
        --api-dir "$SRC/src/js" --examples-dir "$SRC/src/examples" --out-dir "$RT" \
        --esbuild "$(bash "$SRC/build/ensure-esbuild.sh")" --python-include "$PYB/src/Include" \
        --stdlib "$STDLIB/coldbrew-stdlib.zip" --threads-wasm "$RTT/coldbrew-threads.wasm" --tables "$RT/tables"
    cb_run runtime "$log" node "$SRC/build/precompress.mjs" "$RT/coldbrew.wasm" "$RT/coldbrew.js" "$RT/coldbrew.mjs" "$RT"/tables/*.zip
    cp "$STDLIB/coldbrew-stdlib.zip" "$STDLIB/coldbrew-stdlib.zip.br" "$STDLIB/coldbrew-stdlib-src.zip" "$STDLIB/coldbrew-stdlib-full.zip" "$RT/"
    cp -r "$STDLIB/stdlib" "$RT/stdlib"
    cp "$RT"/tables/* "$RT/stdlib/"
    cp "$STDLIB/cpython-tests.zip" "$RT/"
    cp "$RTT"/coldbrew-threads.* "$RT/"   # one folder holds the whole runtime
    touch "$RT/.ok"
    echo "runtime-$key" > "$WORK/runtime-current"
    cb_say "  coldbrew.wasm $(du -h "$RT/coldbrew.wasm" | cut -f1), coldbrew.js $(du -h "$RT/coldbrew.js" | cut -f1)"
}

# ---- step 6b: the threaded runtime -------------------------------------------
# Only Emscripten's pthreads glue and its wasm: the API layer in coldbrew.js
# loads coldbrew-threads.js when load({threadWorkers}) asks for threads and
# the engine has shared memory, and drives its Module like the default one.
build_runtime_threads() {
    cb_say "step 6b: threaded runtime (coldbrew-threads.js/.wasm)"
    local key; key="$( { basename "$PYB"; echo "$LINK_OPT"; cat "$SRC"/src/core/*.[ch] "$SRC"/src/js/emscripten-*.js \
        "$SRC/build/runtime.mk" "$SRC/build/symbol_table.py" "$SRC"/build/emscripten-patches/*.patch "$SRC/build/precompress.mjs"; } | cb_hash)"
    RTT="$WORK/runtime-threads-$key"
    if [ -f "$RTT/.ok" ]; then cb_say "cached: $RTT"; echo "runtime-threads-$key" > "$WORK/runtime-threads-current"; return; fi
    local log="$LOGS/runtime-threads.log"; : > "$log"
    rm -rf "$RTT"; mkdir -p "$RTT/obj"
    cb_run runtime-threads "$log" make -j"$JOBS" -f "$SRC/build/runtime.mk" SRC="$SRC" PYB="$PYB/src" OUT="$RTT" \
        LINK_OPT="$LINK_OPT" LINK_LIBS="$(cat "$PYB/link-libs.txt")" THREADS=1 "$RTT/coldbrew-threads.wasm"
    cb_run runtime-threads "$log" node "$SRC/build/precompress.mjs" "$RTT/coldbrew-threads.wasm" "$RTT/coldbrew-threads.js"
    touch "$RTT/.ok"
    echo "runtime-threads-$key" > "$WORK/runtime-threads-current"
    cb_say "  coldbrew-threads.wasm $(du -h "$RTT/coldbrew-threads.wasm" | cut -f1)"
}

# ---- a custom environment (build/custom.sh; docs/custom-builds.md) ------------
# After the normal build (every step cached), build/custom_build.py makes the
# environment the settings folder describes, in its dist/ folder.
build_custom() {
    local settings="$1" log="$LOGS/custom.log"; : > "$log"
    cb_say "custom environment from $settings (log: $log)"
    python3.13 "$SRC/build/custom_build.py" --settings "$settings" --out "$settings/dist" \
        --work "$WORK/custom-$(printf '%s' "$settings" | cb_hash)" --runtime "$RT" --pyb "$PYB/src" \
        --link-libs "$PYB/link-libs.txt" --threads-runtime "$RTT" --threads-pyb "$PYB_THREADS/src" \
        --threads-link-libs "$PYB_THREADS/link-libs.txt" --link-opt="$LINK_OPT" --src "$SRC" \
        --esbuild "$(bash "$SRC/build/ensure-esbuild.sh")" 2> >(tee -a "$log" >&2) | tee -a "$log" \
        || cb_die custom "$log" "the custom build failed (the reason is above)"
    cb_say "done: $settings/dist"
}

# The cache keys of every step of one variant (used to check what a change invalidates).
print_keys() {
    DEPS="$WORK/deps-$(deps_key)"; PYB="$WORK/cpython-$(cpython_key)"
    echo "$VARIANT_NAME deps=$DEPS cpython=$PYB"
}

# Every step of both variants; the threaded one first: the default runtime's JS records its size.
build_all() {
    fetch_sources
    patch_emscripten
    use_variant 1
    build_deps
    build_cpython
    check_cpython_modules
    build_runtime_threads
    PYB_THREADS="$PYB"   # a custom build links the threaded variant again from it
    use_variant 0
    build_deps
    build_cpython
    check_cpython_modules
    build_stdlib
    build_runtime
}

case "${1:-all}" in
    keys)
        use_variant 0; print_keys
        use_variant 1; print_keys
        ;;
    custom)
        build_all
        build_custom "${2:?usage: inner.sh custom SETTINGS_DIR}"
        ;;
    cpython)
        fetch_sources
        build_deps
        build_cpython
        check_cpython_modules
        ;;
    all)
        build_all
        ;;
    *) cb_die usage "" "unknown inner step '$1'";;
esac
