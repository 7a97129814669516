#!/usr/bin/env bash
# `npm run bench:e2e [-- flags]`: the end-to-end benchmark (tools/bench) on a pipeline of its own. Installs
# Node 24 and the dependencies if needed (a fresh clone), fetches the stack's runtimes and k6, then runs it.
set -euo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh
. ops/bin/node-env.sh
. ops/bin/deps.sh
bash ops/stack/fetch.sh >/dev/null
bash ops/k6/install.sh >/dev/null
exec node tools/bench/src/main.ts "$@"
