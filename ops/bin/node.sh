#!/usr/bin/env bash
# Runs a TypeScript entry point under Node 24 whatever Node is on PATH (npm scripts, bins).
set -euo pipefail
. "$(dirname -- "$(readlink -f -- "$0")")/node-env.sh"
exec node "$@"
