# shellcheck shell=bash
# Sourced by the ops/bin scripts: loads .env, then derives the client addresses from the stack's
# ports so that changing KAFKA_PORT or REGISTRY_PORT alone moves everything consistently.
repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# .env fills in what the environment does not set (the environment wins, as with dotenv): a script run with
# other ports or another database, like the chaos checker's private pipeline, is not pulled back to .env's.
if [ -f "$repo_root/.env" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ && $line == *=* ]] || continue
    # Surrounding quotes, if any, are not part of the value.
    [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]] && value=${BASH_REMATCH[1]}
    [ -n "${!key+x}" ] || export "$key=$value"
  done <"$repo_root/.env"
fi
: "${KAFKA_PORT:=9092}"
: "${REGISTRY_PORT:=8081}"
: "${LEDGERLINE_STATE:=$repo_root/.ledgerline}"
# LEDGERLINE_KAFKA_BROKERS=N (ops/stack/up.sh runs N Kafka nodes, node i on KAFKA_PORT+100*(i-1)): the
# clients get every node, so they connect while any one of them is down. Unset, it is the count this
# clone's Kafka storage was formatted for, so `npm start -- --brokers 3` once is remembered.
if [[ -z ${LEDGERLINE_KAFKA_BROKERS:-} && -s $LEDGERLINE_STATE/kafka/broker-count ]]; then
  LEDGERLINE_KAFKA_BROKERS=$(<"$LEDGERLINE_STATE/kafka/broker-count")
  export LEDGERLINE_KAFKA_BROKERS
fi
kafka_nodes=${LEDGERLINE_KAFKA_BROKERS:-1}
if [[ -z ${KAFKA_BOOTSTRAP_SERVERS:-} && $kafka_nodes =~ ^[0-9]+$ ]] && ((kafka_nodes > 1)); then
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
  for ((node = 2; node <= kafka_nodes; node++)); do
    KAFKA_BOOTSTRAP_SERVERS+=",127.0.0.1:$((KAFKA_PORT + 100 * (node - 1)))"
  done
fi
: "${KAFKA_BOOTSTRAP_SERVERS:=127.0.0.1:$KAFKA_PORT}"
: "${SCHEMA_REGISTRY_URL:=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7}"
# REGISTRY_BASIC_AUTH=true: the stack's Apicurio asks for HTTP basic credentials (a user made once per
# state dir, ops/stack/up.sh configures it); the clients get them in SCHEMA_REGISTRY_URL.
if [[ ${REGISTRY_BASIC_AUTH:-false} == true ]]; then
  registry_credentials="$LEDGERLINE_STATE/registry/credentials"
  if [[ ! -s $registry_credentials ]]; then
    mkdir -p "$LEDGERLINE_STATE/registry"
    (umask 077 && printf 'ledgerline:%s\n' "$(openssl rand -hex 16)" >"$registry_credentials")
  fi
  case "$SCHEMA_REGISTRY_URL" in
    http://127.0.0.1:"$REGISTRY_PORT"/*)
      SCHEMA_REGISTRY_URL="http://$(<"$registry_credentials")@${SCHEMA_REGISTRY_URL#http://}"
      ;;
  esac
fi
# One pipeline per clone: Kafka's storage is per clone (LEDGERLINE_STATE), so the ledger is too — a ledger
# database named after this checkout on the machine's Postgres. Two clones never share positions.
if [ -z "${DATABASE_URL:-}" ]; then
  clone_id=$(printf '%s' "$repo_root" | sha1sum | cut -c1-8)
  DATABASE_URL="postgres://ledgerline:ledgerline@127.0.0.1:${PGPORT:-5432}/ledgerline_${clone_id}"
fi
export KAFKA_PORT REGISTRY_PORT KAFKA_BOOTSTRAP_SERVERS SCHEMA_REGISTRY_URL LEDGERLINE_STATE DATABASE_URL
# KAFKA_SECURITY_PROTOCOL=SASL_SSL: the stack's CA and each principal's SCRAM user.
. "$repo_root/ops/bin/kafka-credentials.sh"
