#!/usr/bin/env bash
# Prints the path of kubeconform (validates the chart's rendered manifests against the schemas vendored in
# deploy/schemas, offline), building it with `go install` at the pinned version first when it is missing
# or another version. `npm test` runs this before the tests; deploy/test/schemas.test.ts again.
set -euo pipefail
exec bash "$(dirname -- "$0")/go-tool.sh" kubeconform github.com/yannh/kubeconform/cmd/kubeconform v0.8.0
