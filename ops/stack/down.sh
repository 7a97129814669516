#!/usr/bin/env bash
# Stops what up.sh started, in reverse order: registry, Kafka, then Postgres
# only if up.sh started the cluster (marker file) — never a server it found.
# Processes are identified by pid file + command line, so nothing else is hit.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$RUN_DIR"
take_stack_lock

# Reports service $1 not running (dropping a stale pid file); false if it runs.
not_running() {
  our_pid "$1" >/dev/null && return 1
  [[ ! -e $(pid_file "$1") ]] || warn "$1: pid file was stale (process gone or not ours); removed"
  rm -f "$(pid_file "$1")"
  ok "$1: not running"
}

not_running registry || stop_service registry
# Every Kafka node with a pid file, whatever LEDGERLINE_KAFKA_BROKERS says now, all at once (a
# node stopped after the others lost their quorum waits minutes for its controlled shutdown).
kafka=()
while read -r svc; do not_running "$svc" || kafka+=("$svc"); done < <(kafka_pid_services)
[[ -e $(pid_file kafka) ]] || not_running kafka
((${#kafka[@]} == 0)) || stop_services "${kafka[@]}"

if [[ -r $PG_MARKER ]]; then
  stop_pg_cluster
elif pg_answers; then
  ok "postgres: left running at $PGHOST:$PGPORT (up.sh did not start it)"
else
  ok "postgres: not running"
fi
