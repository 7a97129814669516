#!/usr/bin/env bash
# Brings the platform up: Node 24, dependencies, Kafka + registry + Postgres, topics and schemas,
# database migrations, reference FX rates. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname -- "$0")/../.."
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
