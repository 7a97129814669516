#!/usr/bin/env bash
# Prints the path of helm (Helm 4, which lints and renders deploy/helm/ledgerline), building it with
# `go install` at the pinned version first when it is missing or another version. `npm test` runs this
# before the tests; deploy/test/schemas.test.ts again.
set -euo pipefail
exec bash "$(dirname -- "$0")/go-tool.sh" helm helm.sh/helm/v4/cmd/helm v4.3.2
