#!/usr/bin/env bash
# Makes sure the browser suite can run: Debian's Chromium and Firefox ESR
# (apt-get install chromium firefox-esr, as root), playwright-core (Chromium)
# and puppeteer-core (Firefox, over WebDriver BiDi) from npm (npm install,
# into node_modules/).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
chromium="${COLDBREW_CHROMIUM:-/usr/bin/chromium}"
if ! [ -x "$chromium" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "coldbrew: the browser tests need Chromium; install it (apt-get install chromium) or run as root" >&2
        exit 2
    fi
    cb_say "installing Debian's chromium (apt-get)"
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium) >&2
fi
firefox="${COLDBREW_FIREFOX:-/usr/bin/firefox-esr}"
if ! [ -x "$firefox" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "coldbrew: the browser tests need Firefox ESR; install it (apt-get install firefox-esr) or run as root" >&2
        exit 2
    fi
    cb_say "installing Debian's firefox-esr (apt-get)"
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends firefox-esr) >&2
fi
if ! [ -f node_modules/playwright-core/package.json ] || ! [ -f node_modules/puppeteer-core/package.json ]; then
    cb_say "installing playwright-core and puppeteer-core from npm"
    npm install --no-audit --no-fund --loglevel=error >&2
fi
