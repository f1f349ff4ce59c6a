#!/usr/bin/env bash
# Makes sure the browser suite can run: Debian's Chromium, Firefox ESR and
# WebKitGTK (apt-get install chromium firefox-esr webkit2gtk-driver xvfb, as
# root), and package.json's devDependencies from npm (npm install, into
# node_modules/): playwright-core (Chromium), puppeteer-core (Firefox, over
# WebDriver BiDi), typescript and the bundlers tests/package builds with. WebKit is driven
# over plain WebDriver by tests/browser/webdriver.mjs, under xvfb-run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A browser from Debian's packages, unless it is there: ensure_browser NAME EXECUTABLE PACKAGE
ensure_browser() {
    [ -x "$2" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "coldbrew: the browser tests need $1; install it (apt-get install $3) or run as root" >&2
        exit 2
    fi
    cb_say "installing Debian's $3 (apt-get)"
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$3") >&2
}
ensure_browser Chromium "${COLDBREW_CHROMIUM:-/usr/bin/chromium}" chromium
ensure_browser "Firefox ESR" "${COLDBREW_FIREFOX:-/usr/bin/firefox-esr}" firefox-esr
ensure_browser "WebKitGTK's WebDriver" /usr/bin/WebKitWebDriver webkit2gtk-driver
ensure_browser "Xvfb (WebKitGTK needs a display)" /usr/bin/xvfb-run xvfb
# Every devDependency (the browser drivers; tsc and the bundlers of tests/package).
missing="$(node -e 'const fs = require("fs");
  const deps = Object.keys(require("./package.json").devDependencies || {});
  console.log(deps.filter((d) => !fs.existsSync(`node_modules/${d}/package.json`)).join(" "))')"
if [ -n "$missing" ]; then
    cb_say "installing from npm: $missing"
    npm install --no-audit --no-fund --loglevel=error >&2
fi
