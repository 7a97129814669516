#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests and screenshots (playwright-core drives
# it; no browser is downloaded from elsewhere). LEDGERLINE_CHROMIUM names another binary.
set -uo pipefail
chromium=${LEDGERLINE_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] && exit 0
if [ -n "${LEDGERLINE_CHROMIUM:-}" ]; then
  echo "browser: LEDGERLINE_CHROMIUM=$chromium is not an executable" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "browser: Chromium is not installed and this user cannot install it; run: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "browser: Chromium is not installed and apt-get is not available; install Chromium and set LEDGERLINE_CHROMIUM" >&2
  exit 1
fi
echo "› installing Chromium (Debian package) for the browser tests"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
  { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
[ -x "$chromium" ] || { echo "browser: installing Chromium failed" >&2; exit 1; }
