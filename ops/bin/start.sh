#!/usr/bin/env bash
# `npm start`: the platform (setup.sh), then the three apps under the supervisor (tools/supervisor), which
# restarts an app that exits, with backoff. Returns once every app answers ready, or fails after
# LEDGERLINE_START_TIMEOUT seconds naming the app that is not ready, with its last log lines.
# Running it again starts only what is not running. `npm run stop` stops everything it started.
set -euo pipefail
cd "$(dirname -- "$0")/../.."
bash ops/bin/setup.sh
. ops/bin/node-env.sh
. ops/bin/env.sh
# npm start runs a development pipeline: with no GATEWAY_API_KEYS, the gateway accepts the development key
# (client "dev", every scope). Anywhere LEDGERLINE_ENV is not development, the gateway refuses to start
# without configured keys.
export LEDGERLINE_ENV="${LEDGERLINE_ENV:-development}"
# On the stack's Postgres the apps connect as their runtime roles, not as the role that owns the tables
# (ops/stack/up.sh makes them with DATABASE_URL's password; migration 1700000000005 grants what each uses).
if [[ $DATABASE_URL == *@127.0.0.1:"${PGPORT:-5432}"/* || $DATABASE_URL == *@localhost:"${PGPORT:-5432}"/* ]]; then
  role_url() { sed -E "s#^(postgres(ql)?://)[^:@/]+#\1$1#" <<<"$DATABASE_URL"; }
  export GATEWAY_DATABASE_URL="${GATEWAY_DATABASE_URL:-$(role_url ledgerline_gateway)}"
  export LEDGER_SINK_DATABASE_URL="${LEDGER_SINK_DATABASE_URL:-$(role_url ledgerline_sink)}"
  export LEDGERLINE_DATABASE_URL="${LEDGERLINE_DATABASE_URL:-$(role_url ledgerline_ops)}"
fi

# A SASL_SSL stack: each app logs in as its own principal (<APP>_KAFKA_SASL_*); the admin user that made
# the topics and ACLs is not handed to the apps.
if [[ ${KAFKA_SECURITY_PROTOCOL:-} == SASL_SSL && ${KAFKA_SASL_USERNAME:-} == admin ]]; then
  unset KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD
fi

run_dir="$LEDGERLINE_STATE/run"
log_dir="$LEDGERLINE_STATE/logs"
mkdir -p "$run_dir" "$log_dir"
supervisor_main="$PWD/tools/supervisor/src/main.ts"

# Our supervisor: the pid file names a live process running this checkout's supervisor.
supervisor_pid() {
  local pid
  [ -r "$run_dir/supervisor.pid" ] || return 1
  pid=$(cat "$run_dir/supervisor.pid")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$supervisor_main" || return 1
  echo "$pid"
}

# Apps started directly by an older start.sh (before the supervisor) would hold the ports.
for pid_file in "$run_dir"/apps/*.pid; do
  [ -f "$pid_file" ] || continue
  kill -TERM "$(cat "$pid_file")" 2>/dev/null || true
  rm -f "$pid_file"
done

if pid=$(supervisor_pid); then
  echo "✓ supervisor already running (pid $pid)"
else
  # setsid: its own session, so a Ctrl-C in this terminal does not reach the apps.
  setsid nohup node "$supervisor_main" >>"$log_dir/supervisor.log" 2>&1 </dev/null &
  echo $! >"$run_dir/supervisor.pid"
  echo "› started the supervisor (pid $!, log $log_dir/supervisor.log): gateway, processor, ledger-sink"
fi

echo "› waiting for every app to be ready"
node tools/supervisor/src/waitReady.ts --timeout "${LEDGERLINE_START_TIMEOUT:-120}"

gateway_url="http://${GATEWAY_HOST:-127.0.0.1}:${GATEWAY_PORT:-8000}"
if [ -n "${GATEWAY_API_KEYS:-}" ]; then
  key_line="API keys     from GATEWAY_API_KEYS (pages ask for an ops key as the password)"
  key='<your API key>'
else
  key_line="dev API key  dev-key-change-me   (client \"dev\", scopes ingest+read+ops; LEDGERLINE_ENV=development only;
               the pages ask for it as the password, with any user name)"
  key=dev-key-change-me
fi
cat <<INFO

ledgerline is running
  gateway      $gateway_url   (docs: $gateway_url/docs, reports: $gateway_url/reports, status: $gateway_url/status)
  Kafka        ${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
  registry     ${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}
  Postgres     ${DATABASE_URL:-postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline}
  logs         $log_dir   (npm run status, npm run stack:logs)
  $key_line

try:
  curl -s -X POST $gateway_url/v1/transactions -H "Authorization: Bearer $key" \\
    -H 'Content-Type: application/json' \\
    -d '{"account_id":"ACC-7890","amount":1250.75,"currency":"USD","merchant_name":"Chicago Retail Hub"}'
stop with: npm run stop
INFO
