#!/usr/bin/env bash
# The test command (`npm test`): sets the platform up if needed, runs every test once against it,
# and ends with a plain "N passed, N failed" line. Extra arguments go to vitest (e.g. a file filter).
set -euo pipefail
cd "$(dirname -- "$0")/../.."
bash ops/bin/setup.sh
# The page tests need a browser; without one they fail and say why, the other tests still run.
bash ops/bin/browser.sh || true
# The alert rules' tests need promtool (Debian's prometheus package): installed now, not during the tests.
bash ops/bin/promtool.sh >/dev/null || true
# The chart's checks need helm and kubeconform, built with Go at pinned versions: now, not during the tests.
bash ops/bin/helm.sh >/dev/null || true
bash ops/bin/kubeconform.sh >/dev/null || true
. ops/bin/env.sh
. ops/bin/node-env.sh
mkdir -p .ledgerline
results=.ledgerline/test-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
node ops/bin/summarize-tests.ts "$results" || status=1
exit "$status"
