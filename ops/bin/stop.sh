#!/usr/bin/env bash
# `npm run stop`: stops the supervisor (which stops the apps gracefully), then the stack (only what
# up.sh started).
set -euo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh

run_dir="$LEDGERLINE_STATE/run"
stop_pid() {
  local pid=$1 name=$2 seconds=$3
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((seconds * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  echo "› stopped $name"
}
if [ -f "$run_dir/supervisor.pid" ]; then
  pid=$(cat "$run_dir/supervisor.pid")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "tools/supervisor/src/main.ts"; then
    # The supervisor gives each app 20 s after SIGTERM; allow for that.
    stop_pid "$pid" "the supervisor and its apps" 30
  fi
  rm -f "$run_dir/supervisor.pid"
fi
# Apps a supervisor that was killed outright left behind (their pids are in its status file).
if [ -f "$run_dir/supervisor.json" ]; then
  for pid in $(grep -o '"pid": [0-9]*' "$run_dir/supervisor.json" | grep -o '[0-9]*$'); do
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$PWD/apps/.*/src/main.ts"; then
      stop_pid "$pid" "app pid $pid (left by a killed supervisor)" 20
    fi
  done
fi
# Apps started directly by an older start.sh.
for pid_file in "$run_dir"/apps/*.pid; do
  [ -f "$pid_file" ] || continue
  stop_pid "$(cat "$pid_file")" "$(basename "$pid_file" .pid)" 10
  rm -f "$pid_file"
done
bash ops/stack/down.sh
