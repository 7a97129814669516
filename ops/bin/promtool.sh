#!/usr/bin/env bash
# Prints the path of promtool (Prometheus' rule checker and rule unit tester), installing Debian's
# `prometheus` package first when it is missing (apt, as root or with passwordless sudo: a fresh CI
# machine). Idempotent. The package's server is not started: the install runs under a policy-rc.d that
# refuses it. `npm test` runs this before the tests; ops/prometheus/test/promtool.test.ts again.
set -euo pipefail
if ! command -v promtool >/dev/null 2>&1; then
  sudo=""
  if ((EUID != 0)); then
    sudo -n true 2>/dev/null && sudo="sudo -n" ||
      { echo "promtool: not installed and this user cannot install it; run: sudo apt-get install -y --no-install-recommends prometheus" >&2; exit 2; }
  fi
  command -v apt-get >/dev/null 2>&1 ||
    { echo "promtool: not installed and apt-get is not available; install Prometheus' promtool and put it on PATH" >&2; exit 2; }
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  echo "› installing promtool (Debian package prometheus) for the alert rules' tests" >&2
  log=$(mktemp -t promtool-install.XXXXXX)
  # Waits for another apt (DPkg::Lock::Timeout); updates the package lists only when the install needs it.
  install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 prometheus; }
  { install || { $sudo apt-get update -q -o DPkg::Lock::Timeout=300 && install; }; } >"$log" 2>&1 ||
    { echo "promtool: apt-get install prometheus failed (see $log); check access to the Debian mirrors" >&2; exit 2; }
  rm -f "$log"
fi
command -v promtool
