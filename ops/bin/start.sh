#!/usr/bin/env bash
# `npm start`: the platform (setup.sh) plus the three apps as background processes, left running.
# Running it again starts only what is not running. `npm run stop` stops everything it started.
set -euo pipefail
cd "$(dirname -- "$0")/../.."
bash ops/bin/setup.sh
. ops/bin/node-env.sh
. ops/bin/env.sh

run_dir="$LEDGERLINE_STATE/run/apps"
log_dir="$LEDGERLINE_STATE/logs"
mkdir -p "$run_dir" "$log_dir"

app_running() { [ -f "$run_dir/$1.pid" ] && kill -0 "$(cat "$run_dir/$1.pid")" 2>/dev/null; }

for app in ledger-sink processor gateway; do
  main="apps/$app/src/main.ts"
  [ -f "$main" ] || continue
  if app_running "$app"; then
    echo "✓ $app already running (pid $(cat "$run_dir/$app.pid"))"
    continue
  fi
  nohup node "$main" >>"$log_dir/$app.log" 2>&1 &
  echo $! >"$run_dir/$app.pid"
  echo "› started $app (pid $!, log $log_dir/$app.log)"
done

gateway_url="http://${GATEWAY_HOST:-127.0.0.1}:${GATEWAY_PORT:-8000}"
if [ -f apps/gateway/src/main.ts ]; then
  for _ in $(seq 1 60); do
    curl -fsS "$gateway_url/health" >/dev/null 2>&1 && break
    if ! app_running gateway; then
      echo "error: the gateway exited during start-up; last log lines:" >&2
      tail -n 20 "$log_dir/gateway.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  curl -fsS "$gateway_url/health" >/dev/null || { echo "error: gateway not answering at $gateway_url/health" >&2; exit 1; }
fi

cat <<INFO

ledgerline is running
  gateway      $gateway_url   (docs: $gateway_url/docs, reports: $gateway_url/reports)
  Kafka        ${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
  registry     ${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}
  Postgres     ${DATABASE_URL:-postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline}
  logs         $log_dir   (npm run stack:logs)
  dev API key  ${GATEWAY_DEV_API_KEY:-dev-key-change-me}   (client "dev"; development only)

try:
  curl -s -X POST $gateway_url/v1/transactions -H 'Authorization: Bearer ${GATEWAY_DEV_API_KEY:-dev-key-change-me}' \\
    -H 'Content-Type: application/json' \\
    -d '{"account_id":"ACC-7890","amount":1250.75,"currency":"USD","merchant_name":"Chicago Retail Hub"}'
stop with: npm run stop
INFO
