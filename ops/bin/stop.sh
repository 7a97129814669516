#!/usr/bin/env bash
# `npm run stop`: stops the apps started by start.sh, then the stack (only what up.sh started).
set -euo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh

run_dir="$LEDGERLINE_STATE/run/apps"
for pid_file in "$run_dir"/*.pid; do
  [ -f "$pid_file" ] || continue
  app=$(basename "$pid_file" .pid)
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "› stopped $app"
  fi
  rm -f "$pid_file"
done
bash ops/stack/down.sh
