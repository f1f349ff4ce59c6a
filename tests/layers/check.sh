#!/usr/bin/env bash
# The layering check of the C core (src/core/layers.txt), then its error
# convention (check_conventions.py, on the sources). The first runs
# tests/layers/check_layers.py inside the toolchain (its llvm-nm reads the wasm
# object files of the runtime just built). Part of tests/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${COLDBREW_CACHE:-$HOME/.cache/coldbrew}"
objs="$cache/work/$(cat "$cache/work/runtime-current")/obj"
bash build/build.sh exec python3.13 tests/layers/check_layers.py src/core/layers.txt "$objs"
bash build/build.sh exec python3.13 tests/layers/check_conventions.py src/core
