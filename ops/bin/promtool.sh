#!/usr/bin/env bash
# Prints the path of promtool (Prometheus' rule checker and rule unit tester), installing Debian's
# `prometheus` package first when it is missing (as root, with apt: a fresh CI machine). Idempotent.
# The package's server is never started: the install runs under a policy-rc.d that refuses it.
set -euo pipefail
if ! command -v promtool >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 ||
    { echo "error: promtool not found and no apt-get: install Prometheus' promtool and put it on PATH" >&2; exit 2; }
  ((EUID == 0)) ||
    { echo "error: promtool not found: run 'sudo apt-get install --no-install-recommends prometheus'" >&2; exit 2; }
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  log=$(mktemp -t promtool-install.XXXXXX.log)
  export DEBIAN_FRONTEND=noninteractive
  # Waits for another apt (DPkg::Lock::Timeout); updates the package lists only when the install needs it.
  install() { apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 prometheus; }
  { install || { apt-get update -q -o DPkg::Lock::Timeout=300 && install; }; } >"$log" 2>&1 ||
    { echo "error: apt-get install prometheus failed (see $log): check access to the Debian mirrors" >&2; exit 2; }
  rm -f "$log"
fi
command -v promtool
