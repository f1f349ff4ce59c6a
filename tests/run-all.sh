#!/usr/bin/env bash
# The whole test suite: the Node suites on Node 26 and Node 24 (LTS; both from
# npm) and on the system's Node, the browser suite (Chromium, Firefox ESR, WebKitGTK), the npm
# package as a user installs and bundles it, one short round of the benchmark,
# then the conformance slice of CPython's regression suite; first, the layering
# check of the C core.
# Builds first (seconds when cached).
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/build.sh all
echo "== Layering of the C core (src/core/layers.txt)"
status=0
bash tests/layers/check.sh || status=1
node_current="$(bash build/ensure-node.sh current)"
node_lts="$(bash build/ensure-node.sh lts)"
node_system="$(bash build/ensure-node.sh system)"
for node_bin in "$node_current" "$node_lts" "$node_system"; do
    echo "== Node suites on $("$node_bin" --version) ($node_bin)"
    "$node_bin" --test --test-concurrency=1 tests/node/*.test.mjs || status=1
done
echo "== Browser suite: Debian's Chromium, Firefox ESR (headless) and WebKitGTK (under Xvfb) (tests/browser)"
bash build/ensure-browser.sh
"$node_current" --test --test-concurrency=1 tests/browser/*.test.mjs || status=1
echo "== The npm package: installed from its tarball into a fresh project; CJS, ESM, TypeScript, the CLI; Vite, esbuild and webpack apps in Chromium"
"$node_current" --test tests/package/*.test.mjs || status=1
echo "== Custom environments: build/custom.sh on settings folders written by the test; Node and Chromium"
"$node_current" --test tests/custom/*.test.mjs || status=1
echo "== The benchmark, one short round; the eval loop's profile by bytecode; load() taken apart (tests/bench): every runtime, workload and step measured, the report complete; no time is judged"
# bench/opcode_profile.py needs perf (a software clock; no hardware counters needed) and readelf.
for need in perf:linux-perf readelf:binutils; do
    command -v "${need%%:*}" >/dev/null ||
        (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need#*:}") >&2 || status=1
done
"$node_current" --test --test-concurrency=1 tests/bench/*.test.mjs || status=1
echo "== CPython regression suite (conformance slice) on $("$node_current" --version), in tests/cpython/test-env (CPython's C test modules linked in)"
bash build/custom.sh tests/cpython/test-env >/dev/null || status=1
"$node_current" tests/cpython/run.mjs || status=1
exit $status
