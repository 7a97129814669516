#!/usr/bin/env bash
# Brings the platform up: Node 24, dependencies, Kafka + registry + Postgres, topics and schemas,
# database migrations, reference FX rates. Idempotent: a second run only checks.
#   npm run stack:up -- [--brokers N]   (N Kafka nodes: LEDGERLINE_KAFKA_BROKERS, see ops/stack/lib.sh)
set -euo pipefail
cd "$(dirname -- "$0")/../.."
usage="usage: npm run stack:up -- [--brokers N]   (N Kafka nodes, 1-9)"
while (($#)); do
  case $1 in
    -h | --help) echo "$usage"; exit 0 ;;
    --brokers=*) value=${1#*=} n=1 ;;
    --brokers) value=${2:-} n=2 ;;
    *) echo "error: unknown argument '$1': $usage" >&2; exit 2 ;;
  esac
  [[ $value =~ ^[1-9][0-9]*$ ]] || { echo "error: --brokers needs a positive number, not '$value': $usage" >&2; exit 2; }
  export LEDGERLINE_KAFKA_BROKERS=$value
  shift "$n"
done
. ops/bin/env.sh
. ops/bin/node-env.sh
. ops/bin/deps.sh
bash ops/stack/up.sh
# A SASL_SSL broker made its users just now: point the tools at them (a no-op otherwise).
. ops/bin/kafka-credentials.sh
echo "› applying topology (topics, subjects, compatibility)"
node topology/src/cli.ts apply
if [[ ${KAFKA_SECURITY_PROTOCOL:-} == SASL_SSL && -s $LEDGERLINE_STATE/kafka/security/credentials.env ]]; then
  echo "› granting each principal its Kafka ACLs"
  node topology/src/cli.ts acls --apply gateway=gateway,processor=processor,ledger-sink=sink,ops=ops
fi
if [ -f packages/ledger-db/src/migrate.ts ]; then
  echo "› migrating the database"
  node packages/ledger-db/src/migrate.ts
fi
if [ -f apps/processor/src/publishFxRates.ts ]; then
  node apps/processor/src/publishFxRates.ts --if-empty
fi
