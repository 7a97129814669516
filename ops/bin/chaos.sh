#!/usr/bin/env bash
# `npm run chaos [-- flags]`: the chaos checker (tools/chaos) on a pipeline of its own. Installs Node 24 and
# the dependencies if needed (a fresh clone), fetches the stack's runtimes, then runs it. Exit 1 on an
# anomaly, 2 when the run could not happen.
set -euo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh
. ops/bin/node-env.sh
. ops/bin/deps.sh
bash ops/stack/fetch.sh >/dev/null
exec node tools/chaos/src/main.ts "$@"
