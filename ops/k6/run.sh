#!/usr/bin/env bash
# Runs one k6 script against the gateway, installing k6 first when missing:
#   bash ops/k6/run.sh smoke|load|spike|soak [extra k6 args]
# Env: GATEWAY_URL (default http://127.0.0.1:8000), API_KEY, PAYSIM_FILE, RATE, DURATION, P99_MS.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="${1:?usage: run.sh smoke|load|spike|soak [k6 args]}"
shift
K6="$(bash "$HERE/install.sh")"
cd "$HERE"
exec "$K6" run --quiet "$@" "$SCRIPT.js"
