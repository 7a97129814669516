#!/usr/bin/env bash
# Installs k6 (a Go program) into the ledgerline cache when it is missing; prints its path.
# `go install go.k6.io/k6@latest` builds it from the Go module proxy in about two minutes.
set -euo pipefail
BIN_DIR="${LEDGERLINE_BIN_DIR:-$HOME/.cache/ledgerline/bin}"
K6="$BIN_DIR/k6"
if [[ -x "$K6" ]]; then echo "$K6"; exit 0; fi
if command -v k6 >/dev/null 2>&1; then command -v k6; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "k6 is not installed and Go is not available to build it (install Go, or k6 from https://k6.io)" >&2
  exit 3
fi
mkdir -p "$BIN_DIR"
echo "installing k6 with go install (about two minutes)…" >&2
# A lock: parallel test runs must not build it twice into the same place.
exec 9>"$BIN_DIR/.k6-install.lock"
flock 9
if [[ ! -x "$K6" ]]; then
  GOBIN="$BIN_DIR" go install "go.k6.io/k6@${K6_VERSION:-latest}" >&2
fi
echo "$K6"
