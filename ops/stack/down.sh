#!/usr/bin/env bash
# Stops what up.sh started, in reverse order: registry, Kafka, then Postgres
# only if up.sh started the cluster (marker file) — never a server it found.
# Processes are identified by pid file + command line, so nothing else is hit.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$RUN_DIR"
take_stack_lock

for svc in registry kafka; do
  if our_pid "$svc" >/dev/null; then
    stop_service "$svc"
  else
    [[ ! -e $(pid_file "$svc") ]] || warn "$svc: pid file was stale (process gone or not ours); removed"
    rm -f "$(pid_file "$svc")"
    ok "$svc: not running"
  fi
done

if [[ -r $PG_MARKER ]]; then
  stop_pg_cluster
elif pg_answers; then
  ok "postgres: left running at $PGHOST:$PGPORT (up.sh did not start it)"
else
  ok "postgres: not running"
fi
