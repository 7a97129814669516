#!/usr/bin/env bash
# Brings the platform up: Node 24, dependencies, Kafka + registry + Postgres, topics and schemas,
# database migrations, reference FX rates. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh
. ops/bin/node-env.sh
. ops/bin/deps.sh
bash ops/stack/up.sh
echo "› applying topology (topics, subjects, compatibility)"
node topology/src/cli.ts apply
if [ -f packages/ledger-db/src/migrate.ts ]; then
  echo "› migrating the database"
  node packages/ledger-db/src/migrate.ts
fi
if [ -f apps/processor/src/publishFxRates.ts ]; then
  node apps/processor/src/publishFxRates.ts --if-empty
fi
