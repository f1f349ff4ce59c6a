#!/usr/bin/env bash
# Builds Coldbrew if needed, then runs bin/coldbrew with the given arguments on
# current Node (node@26 from npm; Debian's nodejs + npm are installed if missing).
#   bash build/run.sh script.py args...  |  -c "code"  |  -m module
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/build.sh" all >&2
node_bin="$(bash "$here/ensure-node.sh" current)"
exec "$node_bin" "$here/../bin/coldbrew" "$@"
