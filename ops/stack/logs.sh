#!/usr/bin/env bash
# Follows the stack's logs: logs.sh [-n LINES] [--no-follow] [kafka|kafka-N|registry|postgres ...]
# Without a service name: all of them. kafka: every Kafka node's log; kafka-N: node N's only.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  echo "usage: $(basename "$0") [-n LINES] [--no-follow] [kafka|kafka-N|registry|postgres ...]"
}

lines=50 follow=(-F) services=()
while (($#)); do
  case $1 in
    -n) [[ ${2:-} =~ ^[0-9]+$ ]] || { usage >&2; die "-n needs a number of lines: e.g. -n 200"; }
        lines=$2; shift 2 ;;
    -n[0-9]*) lines=${1#-n}; shift ;;
    --no-follow) follow=(); shift ;;
    -h | --help) usage; exit 0 ;;
    kafka | kafka-[1-9] | registry | postgres) services+=("$1"); shift ;;
    *) usage >&2; die "unknown argument '$1': use kafka, kafka-N (node N), registry or postgres" ;;
  esac
done
((${#services[@]})) || services=(postgres kafka registry)

# Debian cluster log: the one up.sh started, else the newest local cluster's.
postgres_log() {
  local ver name
  if [[ -r $PG_MARKER ]]; then
    read -r ver name <"$PG_MARKER"
  else
    ver=$(pg_local_version) || return 1
    name=main
  fi
  echo "/var/log/postgresql/postgresql-$ver-$name.log"
}

# kafka stands for every node (kafka, kafka-2, ...: as many as the cluster has); kafka-1 for node 1,
# whose files are kafka.*.
expanded=()
for svc in "${services[@]}"; do
  case $svc in
    kafka) for ((i = 1; i <= $(kafka_known_nodes); i++)); do expanded+=("$(kafka_svc "$i")"); done ;;
    kafka-1) expanded+=(kafka) ;;
    *) expanded+=("$svc") ;;
  esac
done
services=("${expanded[@]}")

files=()
for svc in "${services[@]}"; do
  case $svc in
    postgres) f=$(postgres_log) || { warn "no local Postgres cluster log found"; continue; } ;;
    *) f="$LOG_DIR/$svc.log" ;;
  esac
  if [[ -e $f ]]; then files+=("$f"); else warn "$svc: no log yet at $f (has up.sh run?)"; fi
  # JVM-level output (crashes, OOM) lands in <svc>.out; show it when there is any.
  [[ ! -s $LOG_DIR/$svc.out ]] || files+=("$LOG_DIR/$svc.out")
done
((${#files[@]})) || die "no log files to show: start the stack with ops/stack/up.sh"
exec tail -n "$lines" "${follow[@]}" -- "${files[@]}"
