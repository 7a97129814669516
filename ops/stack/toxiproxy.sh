#!/usr/bin/env bash
# Prints the path of toxiproxy-server $TOXIPROXY_VERSION, building it into $LEDGERLINE_CACHE first when
# missing (`go install` from the Go module proxy, a few seconds). Only the chaos checker's network faults
# need it (packages/testkit ScriptedPipeline with `network: true`); `npm start` never calls this.
# Progress goes to stderr: stdout is the path alone.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

home="$LEDGERLINE_CACHE/toxiproxy-$TOXIPROXY_VERSION"
bin="$home/toxiproxy-server"
if [[ -x $bin ]]; then
  echo "$bin"
  exit 0
fi
# CI's Go lives in /usr/local/go, which a non-login PATH may lack.
go=$(command -v go || true)
[[ -n $go || ! -x /usr/local/go/bin/go ]] || go=/usr/local/go/bin/go
[[ -n $go ]] || die "toxiproxy-server $TOXIPROXY_VERSION is not in $home and Go is not installed to build it: install Go (https://go.dev/dl) or put a toxiproxy-server binary at $bin"
mkdir -p "$LEDGERLINE_CACHE"
# One build at a time per cache (parallel tests share it); the binary is built in a temp folder and
# renamed into place, so an interrupted build is never mistaken for a finished one.
exec 8>"$LEDGERLINE_CACHE/.toxiproxy.lock"
flock -w 600 8 || die "another build holds $LEDGERLINE_CACHE/.toxiproxy.lock for 10 min: wait for it or remove the lock"
if [[ ! -x $bin ]]; then
  info "building toxiproxy-server $TOXIPROXY_VERSION with go install" >&2
  tmp=$(mktemp -d "$LEDGERLINE_CACHE/.toxiproxy-$TOXIPROXY_VERSION.XXXXXX")
  chmod 755 "$tmp"
  trap 'rm -rf -- "$tmp"' EXIT
  if ! GOBIN="$tmp" GOFLAGS=-buildvcs=false "$go" install "github.com/Shopify/toxiproxy/v2/cmd/server@v$TOXIPROXY_VERSION" >"$tmp/go.log" 2>&1; then
    cp "$tmp/go.log" "$LEDGERLINE_CACHE/toxiproxy-build.log"
    die "go install of toxiproxy v$TOXIPROXY_VERSION failed ($(tail -n1 "$tmp/go.log" | cut -c1-240)): check access to the Go module proxy (GOPROXY) (full log: $LEDGERLINE_CACHE/toxiproxy-build.log)"
  fi
  mv "$tmp/server" "$tmp/toxiproxy-server"
  rm -f "$tmp/go.log"
  mv -T -- "$tmp" "$home" 2>/dev/null || [[ -x $bin ]] || die "could not move the build to $home: check permissions on $LEDGERLINE_CACHE"
  ok "toxiproxy-server $TOXIPROXY_VERSION built ($bin)" >&2
fi
echo "$bin"
