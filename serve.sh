#!/usr/bin/env bash
# Serves the demo page and dist/ on http://localhost:8000 (see bin/coldbrew-serve);
# builds first if dist/ is empty. Arguments go to the server (--port N, --host H).
set -euo pipefail
cd "$(dirname "$0")"
[ -f dist/coldbrew.wasm ] || bash build/build.sh
node_bin="$(bash build/ensure-node.sh system)"
exec "$node_bin" bin/coldbrew-serve "$@"
