#!/usr/bin/env bash
# `npm start`: the platform (setup.sh), then the three apps under the supervisor (tools/supervisor), which
# restarts an app that exits, with backoff. Returns once every app answers ready, or fails after
# LEDGERLINE_START_TIMEOUT seconds naming the app that is not ready, with its last log lines.
# Running it again starts only what is not running. `npm run stop` stops everything it started.
#   npm start -- [--processors N] [--sinks N] [--brokers N]
# The flags set SUPERVISOR_PROCESSORS, SUPERVISOR_SINKS (instances of each stage, tools/supervisor) and
# LEDGERLINE_KAFKA_BROKERS (Kafka nodes, ops/stack/up.sh); the environment variables work as well.
set -euo pipefail
cd "$(dirname -- "$0")/../.."

usage="usage: npm start -- [--processors N] [--sinks N] [--brokers N]   (N a positive whole number)"
# Counts asked for on the command line or in the environment: checked against a running supervisor.
requested=()
[[ -z ${SUPERVISOR_PROCESSORS:-} ]] || requested+=(processor)
[[ -z ${SUPERVISOR_SINKS:-} ]] || requested+=(ledger-sink)
while (($#)); do
  flag=${1%%=*}
  if [[ $1 == *=* ]]; then value=${1#*=} n=1; else value=${2:-} n=2; fi
  case $flag in
    -h | --help) echo "$usage"; exit 0 ;;
    --processors | --sinks | --brokers) ;;
    *) echo "error: unknown argument '$1': $usage" >&2; exit 2 ;;
  esac
  [[ $value =~ ^[1-9][0-9]*$ ]] || { echo "error: $flag needs a positive number, not '$value': $usage" >&2; exit 2; }
  case $flag in
    --processors) export SUPERVISOR_PROCESSORS=$value && requested+=(processor) ;;
    --sinks) export SUPERVISOR_SINKS=$value && requested+=(ledger-sink) ;;
    --brokers) export LEDGERLINE_KAFKA_BROKERS=$value ;;
  esac
  shift "$n"
done

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

# "3 processors", "processor": how many instances of stage $1 ($2 of them).
instances() { if (($2 == 1)); then echo "$1"; else echo "$2 ${1}s"; fi; }
# "3 processors", "1 processor".
counted() { if (($2 == 1)); then echo "1 $1"; else echo "$2 ${1}s"; fi; }

if pid=$(supervisor_pid); then
  # The instances it runs, from its status file (run/supervisor.json, one entry per instance).
  running=$(node -e '
    const counts = { processor: 0, "ledger-sink": 0 };
    try {
      for (const a of JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).apps ?? [])
        if (a.app in counts) counts[a.app]++;
    } catch {}
    console.log(counts.processor, counts["ledger-sink"]);
  ' "$run_dir/supervisor.json")
  read -r have_processors have_sinks <<<"$running"
  # A running supervisor keeps the counts it started with: asking for others needs a restart.
  for stage in "${requested[@]}"; do
    if [[ $stage == processor ]]; then want=$SUPERVISOR_PROCESSORS have=$have_processors; else want=$SUPERVISOR_SINKS have=$have_sinks; fi
    if [[ $want != "$have" ]]; then
      echo "error: the supervisor (pid $pid) already runs $(counted processor "$have_processors") and $(counted ledger-sink "$have_sinks"), not $(counted "$stage" "$want"): run 'npm run stop' first, then npm start again with the counts you want" >&2
      exit 1
    fi
  done
  echo "✓ supervisor already running (pid $pid): gateway, $(instances processor "$have_processors"), $(instances ledger-sink "$have_sinks")"
else
  # setsid: its own session, so a Ctrl-C in this terminal does not reach the apps.
  setsid nohup node "$supervisor_main" >>"$log_dir/supervisor.log" 2>&1 </dev/null &
  echo $! >"$run_dir/supervisor.pid"
  echo "› started the supervisor (pid $!, log $log_dir/supervisor.log): gateway, $(instances processor "${SUPERVISOR_PROCESSORS:-1}"), $(instances ledger-sink "${SUPERVISOR_SINKS:-1}")"
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
