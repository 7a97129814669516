#!/usr/bin/env bash
# Runs a TypeScript entry point under Node 24 whatever Node is on PATH (npm scripts, bins), with the
# same environment npm start gives the apps (.env, the stack's addresses, this clone's ledger database).
set -euo pipefail
here=$(dirname -- "$(readlink -f -- "$0")")
. "$here/env.sh"
. "$here/node-env.sh"
exec node "$@"
