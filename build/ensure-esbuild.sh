#!/usr/bin/env bash
# Installs esbuild (the bundler that joins src/js's ES modules) from the npm
# registry into the build cache, where the toolchain sees it too; prints the
# path of its (static, native) binary. The version is pinned here.
#   bash build/ensure-esbuild.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"
version=0.28.2
dir="$CB_CACHE/work/esbuild-$version"
bin="$dir/node_modules/@esbuild/linux-x64/bin/esbuild"
if [ ! -x "$bin" ]; then
    bash "$here/ensure-node.sh" system >/dev/null   # npm
    cb_say "installing esbuild $version from npm into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "esbuild@$version" >&2
fi
echo "$bin"
