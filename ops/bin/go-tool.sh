#!/usr/bin/env bash
# Usage: go-tool.sh NAME PACKAGE VERSION. Prints the path of the Go-built tool NAME, running
# `go install PACKAGE@VERSION` first when it is missing or was built from another version (read from the
# binary's build info with `go version -m`, so a stale build is replaced). Idempotent. Shared by helm.sh
# and kubeconform.sh, which pin the versions.
set -euo pipefail
name=$1 package=$2 version=$3
go=$(command -v go || true)
[ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } ||
  { echo "$name: Go is not installed (no go on PATH nor /usr/local/go/bin/go); install Go, then rerun to build $package@$version" >&2; exit 2; }
gobin=$("$go" env GOBIN)
[ -n "$gobin" ] || gobin="$("$go" env GOPATH | cut -d: -f1)/bin"
bin="$gobin/$name"
built() { [ -x "$bin" ] && [ "$("$go" version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $3 }')" = "$version" ]; }
if ! built; then
  echo "› building $name $version with go install (first time only)" >&2
  log=$(mktemp -t "$name-install.XXXXXX")
  GOBIN="$gobin" "$go" install "$package@$version" >"$log" 2>&1 ||
    { echo "$name: go install $package@$version failed (see $log); check access to the Go module proxy" >&2; exit 2; }
  rm -f "$log"
  built || { echo "$name: $bin is not version $version after go install" >&2; exit 2; }
fi
echo "$bin"
