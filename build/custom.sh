#!/usr/bin/env bash
# Builds a custom Coldbrew environment (docs/custom-builds.md):
#   bash build/custom.sh [SETTINGS_DIR]      (default: customize/)
# Runs the normal build first (cached: seconds when nothing changed), then
# makes SETTINGS_DIR/dist/ from the folder's settings, packages and files.
# Serve it with: bash serve.sh --root SETTINGS_DIR/dist
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
settings="${1:-$here/../customize}"
[ -d "$settings" ] || { echo "build/custom.sh: no settings folder at $settings (copy customize/ to start one)" >&2; exit 2; }
bash "$here/build.sh" all
exec bash "$here/build.sh" custom "$settings"
