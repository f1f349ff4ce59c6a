#!/usr/bin/env bash
# Coldbrew build driver (runs on the host).
#
# Makes (once per machine) a Debian 13 "trixie" root with debootstrap, holding
# emscripten 3.1.69, clang 19 and python3.13, then runs build/inner.sh inside it
# to fetch and verify the sources, build the C libraries, CPython for
# wasm32-emscripten and the Coldbrew runtime. The result is copied to dist/.
#
# When the host itself is Debian trixie (e.g. the Dockerfile's image), no root
# is made: inner.sh runs directly on the host.
#
# Everything expensive lives under $COLDBREW_CACHE (default ~/.cache/coldbrew),
# keyed by a hash of what affects it, so a second build takes seconds.
#
# Usage: build/build.sh [all|clean]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
# shellcheck source=build/common.sh
. "$here/common.sh"

cmd="${1:-all}"

if [ "$cmd" = clean ]; then
    cb_say "removing $CB_CACHE (build root, sources, CPython and library builds)"
    # The root may still have bind mounts if a build was killed; they live in a
    # private mount namespace, so they are gone with it. Be careful anyway.
    if grep -q " $CB_CACHE/" /proc/mounts 2>/dev/null; then
        cb_die "clean" "" "something is still mounted under $CB_CACHE; unmount it first"
    fi
    rm -rf "$CB_CACHE"
    rm -rf "$repo/dist/coldbrew.wasm" "$repo/dist/coldbrew.js" "$repo/dist/coldbrew.mjs" \
           "$repo/dist/coldbrew-stdlib.zip" "$repo/dist/coldbrew-stdlib-src.zip" "$repo/dist/coldbrew-threads.wasm" "$repo/dist/coldbrew-threads.js" "$repo"/dist/*.br "$repo/dist/stdlib" "$repo/dist/bin" "$repo/dist/pack" "$repo"/dist/*.d.*ts \
           "$repo/dist/LICENSE" "$repo/dist/CHANGELOG.md" "$repo/dist/README.md" "$repo/dist/THIRD-PARTY-NOTICES.txt"
    exit 0
fi
case "$cmd" in all|exec|keys|custom) ;; *) cb_die "usage" "" "unknown command '$cmd' (expected: all, exec CMD..., clean)";; esac

if [ "$(id -u)" != 0 ]; then
    cat >&2 <<EOF
coldbrew build: this build must run as root, because it
  - installs packages with apt-get (debootstrap on Debian 12; the toolchain on trixie),
  - creates a Debian 13 root with debootstrap under $CB_CACHE, and
  - chroots into it with private mounts of /proc and /dev (unshare --mount).
Run it again as root (for example: sudo bash build/build.sh), or build in the container
described by the Dockerfile (docker build -t coldbrew . ).
EOF
    exit 2
fi

mkdir -p "$CB_CACHE/logs" "$CB_CACHE/work"

native_trixie=0
if [ -r /etc/os-release ] && grep -q '^VERSION_CODENAME=trixie' /etc/os-release; then
    native_trixie=1
fi


# Packages the toolchain needs inside trixie (pip: a custom build's requirements.txt). Changing
# this list makes a new root.
TOOLCHAIN_PACKAGES="emscripten build-essential pkg-config tcl python3.13 dpkg-dev autoconf \
automake libtool libltdl-dev xz-utils bzip2 zip unzip brotli tzdata ca-certificates python3-pip python3-setuptools python3-wheel"

# run_in_toolchain CMD...: run a command inside the trixie toolchain, with the
# work tree and the cache mounted at the same paths as on the host.
run_in_toolchain() {
    if [ "$native_trixie" = 1 ]; then
        COLDBREW_SRC="$repo" COLDBREW_CACHE="$CB_CACHE" "$@"
    else
        unshare --mount --propagation private bash -euc '
            root="$1"; repo="$2"; cache="$3"; shift 3
            mount -t proc proc "$root/proc"
            mount --rbind /dev "$root/dev"
            mkdir -p "$root$repo" "$root$cache/work" "$root$cache/logs"
            mount --bind "$repo" "$root$repo"
            mount --bind "$cache/work" "$root$cache/work"
            mount --bind "$cache/logs" "$root$cache/logs"
            if [ -n "${CB_EXTRA_DIR:-}" ]; then   # a custom build'"'"'s settings folder, where it is
                mkdir -p "$root$CB_EXTRA_DIR" && mount --bind "$CB_EXTRA_DIR" "$root$CB_EXTRA_DIR"
            fi
            cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
            cd "$root$repo"
            exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
                LANG=C.UTF-8 CB_T0="$CB_T0" COLDBREW_SRC="$repo" COLDBREW_CACHE="$cache" \
                COLDBREW_PY_OPT="${COLDBREW_PY_OPT:-}" COLDBREW_LINK_OPT="${COLDBREW_LINK_OPT:-}" \
                bash -c "cd \"\$COLDBREW_SRC\" && exec \"\$@\"" _ "$@"
        ' _ "$CB_ROOT" "$repo" "$CB_CACHE" "$@"
    fi
}

# ---- step 1: the toolchain -------------------------------------------------
root_key="$(printf '%s\n' "trixie minbase v1" "$TOOLCHAIN_PACKAGES" | cb_hash)"
CB_ROOT="$CB_CACHE/root-$root_key"

[ "$cmd" = exec ] || cb_step 1 "toolchain (Debian 13 root with emscripten, clang, python3.13)"
if [ "$native_trixie" = 1 ]; then
    if ! command -v emcc >/dev/null || ! command -v python3.13 >/dev/null; then
        cb_run toolchain "$CB_CACHE/logs/toolchain.log" bash -c "apt-get update && \
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $TOOLCHAIN_PACKAGES"
    fi
    [ "$cmd" = exec ] || cb_say "using this trixie system's own toolchain"
elif [ -f "$CB_ROOT/.coldbrew-root-ok" ]; then
    [ "$cmd" = exec ] || cb_say "cached: $CB_ROOT"
else
    log="$CB_CACHE/logs/toolchain.log"; : > "$log"
    if ! command -v debootstrap >/dev/null; then
        cb_say "installing debootstrap on the host (apt-get)"
        cb_run toolchain "$log" bash -c "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap"
    fi
    tmp="$CB_ROOT.partial"
    rm -rf "$tmp"
    cb_say "debootstrap trixie into $tmp (about 30 s)"
    debootstrap --variant=minbase trixie "$tmp" http://deb.debian.org/debian >>"$log" 2>&1 \
        || cb_die toolchain "$log" "debootstrap failed"
    cat > "$tmp/etc/apt/sources.list" <<EOF
deb http://deb.debian.org/debian trixie main
deb-src http://deb.debian.org/debian trixie main
EOF
    cb_say "installing the toolchain inside the root (about 1 min, 2.6 GB)"
    unshare --mount --propagation private bash -euc '
        root="$1"; pkgs="$2"
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin:/usr/sbin:/sbin DEBIAN_FRONTEND=noninteractive \
            bash -c "apt-get update && apt-get install -y --no-install-recommends $pkgs && apt-get clean"
    ' _ "$tmp" "$TOOLCHAIN_PACKAGES" >>"$log" 2>&1 || cb_die toolchain "$log" "installing the toolchain in the root failed"
    touch "$tmp/.coldbrew-root-ok"
    mv "$tmp" "$CB_ROOT"
    cb_say "root ready: $CB_ROOT"
fi

if [ "$cmd" = exec ]; then
    # build/build.sh exec CMD...: run CMD in the toolchain (used by bench/ for native python3.13).
    shift
    run_in_toolchain "$@"
    exit $?
fi

if [ "$cmd" = custom ]; then
    # build/build.sh custom SETTINGS_DIR (build/custom.sh runs the normal build first).
    settings="$(cd "${2:?usage: build.sh custom SETTINGS_DIR}" && pwd)"
    bash "$repo/build/ensure-esbuild.sh" >/dev/null
    export CB_EXTRA_DIR="$settings"
    run_in_toolchain bash "$repo/build/inner.sh" custom "$settings"
    exit $?
fi

if [ "$cmd" = keys ]; then
    # build/build.sh keys: print each variant's cache directories (to see what a change invalidates).
    run_in_toolchain bash "$repo/build/inner.sh" keys
    exit $?
fi

# ---- steps 2-6 run inside the toolchain -------------------------------------
# The JS bundler comes from npm on the host, into the cache the toolchain sees.
bash "$repo/build/ensure-esbuild.sh" >/dev/null
run_in_toolchain bash "$repo/build/inner.sh" all

# ---- copy the result into dist/ ---------------------------------------------
out="$(cat "$CB_CACHE/work/runtime-current")"
mkdir -p "$repo/dist"
for f in coldbrew.wasm coldbrew.js coldbrew.mjs coldbrew-stdlib.zip coldbrew-threads.wasm coldbrew-threads.js; do
    cp "$CB_CACHE/work/$out/$f" "$CB_CACHE/work/$out/$f.br" "$repo/dist/"
done
mkdir -p "$repo/tests/out"
cp "$CB_CACHE/work/$out/coldbrew-stdlib-src.zip" "$repo/dist/"   # deflated already: no .br
# The stdlib's bundles, fetched on first import (build/split_stdlib.py).
rm -rf "$repo/dist/stdlib"
cp -r "$CB_CACHE/work/$out/stdlib" "$repo/dist/stdlib"
cp "$CB_CACHE/work/$out/cpython-tests.zip" "$repo/tests/out/cpython-tests.zip"

# ---- the npm package: dist/ is its root (dist/package.json) -----------------
# Types, the CLI, the licence, the third-party notices (read from the pinned
# source tarballs, cached by their hash) and the docs join the runtime; then
# `npm pack` writes dist/pack/coldbrew-python-VERSION.tgz.
cp "$repo/src/types/coldbrew.d.ts" "$repo/src/types/coldbrew.d.mts" "$repo/LICENSE" "$repo/CHANGELOG.md" "$repo/README.md" "$repo/dist/"
mkdir -p "$repo/dist/bin"
cp "$repo/bin/coldbrew" "$repo/dist/bin/coldbrew"
notices="$CB_CACHE/work/notices-$(cat "$repo/build/sources.sha256" "$repo/build/third_party_notices.py" | cb_hash).txt"
if ! [ -s "$notices" ]; then
    run_in_toolchain python3.13 "$repo/build/third_party_notices.py" "$CB_CACHE/work/src" "$repo/build/sources.sha256" \
        "$notices.tmp" /usr/share/doc/tzdata/copyright
    mv "$notices.tmp" "$notices"
fi
cp "$notices" "$repo/dist/THIRD-PARTY-NOTICES.txt"
rm -rf "$repo/dist/pack"; mkdir -p "$repo/dist/pack"
(cd "$repo/dist" && npm pack --pack-destination pack --loglevel=error >/dev/null)
cb_say "done: dist/ holds $(cd "$repo/dist" && ls -1 | tr '\n' ' ')"
