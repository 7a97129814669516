#!/usr/bin/env bash
# `npm run status`: the native stack, the supervised apps (pid, restarts, last exit) and, when the gateway
# answers, every stage's state and consumer lag from its GET /status. Exit 0 only when all is ready.
set -uo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh
. ops/bin/node-env.sh
rc=0
bash ops/stack/status.sh || rc=3
node tools/supervisor/src/status.ts || rc=3
exit "$rc"
