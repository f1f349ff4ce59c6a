#!/usr/bin/env bash
# Makes sure the Node.js versions Coldbrew is tested on are here, and prints
# the path of the requested one:
#   ensure-node.sh system   the machine's node (installs Debian's nodejs + npm if missing)
#   ensure-node.sh current  Node 26 from the npm registry (npm install node@26),
#                           cached under $COLDBREW_CACHE/node26
#   ensure-node.sh lts      Node 24 (the LTS users run) from the npm registry, under $COLDBREW_CACHE/node24
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
which="${1:-system}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "coldbrew: node and npm are needed; install them (apt-get install nodejs npm) or run as root" >&2
        exit 2
    fi
    # Only what is missing: a node from elsewhere (NodeSource's nodejs carries its own npm)
    # conflicts with Debian's npm package.
    pkgs="nodejs npm"; command -v node >/dev/null && pkgs="npm"
    cb_say "installing Debian's $pkgs (apt-get)"
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs) >&2
fi
case "$which" in
    system) command -v node ;;
    current|lts)
        major=26; [ "$which" = lts ] && major=24
        dir="$CB_CACHE/node$major"
        bin="$dir/node_modules/node/bin/node"
        if ! [ -x "$bin" ] || ! "$bin" --version >/dev/null 2>&1; then
            cb_say "installing Node $major from npm into $dir"
            mkdir -p "$dir"
            npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$major" >&2
        fi
        echo "$bin"
        ;;
    *) echo "ensure-node.sh: expected 'system', 'current' or 'lts'" >&2; exit 2 ;;
esac
