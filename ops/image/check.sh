#!/usr/bin/env bash
# Runs the image ops/image/build.sh wrote, without a container engine: umoci unpacks it into an OCI
# runtime bundle and runc (apt-get install runc) runs it as the image's config says (uid 10001, /app,
# NODE_ENV=production), hardened as the chart runs it: read-only root, a tmpfs /tmp, no capabilities,
# and no network (an empty network namespace: nothing to connect to). Each check is short; nothing
# keeps running afterwards.
#   bash ops/image/check.sh            (as root, after ops/image/build.sh)
set -euo pipefail
repo=$(cd -- "$(dirname -- "$0")/../.." && pwd)
cd "$repo"
. ops/bin/node-env.sh
out=${LEDGERLINE_IMAGE_DIR:-$repo/.ledgerline/image}
bundle=$out/bundle
die() { echo "error: $*" >&2; exit 1; }
((EUID == 0)) || die "run as root (runc runs the bundle)"
for tool in umoci runc; do command -v "$tool" >/dev/null || die "$tool is missing: apt-get install $tool"; done
[[ -f $out/oci/index.json ]] || die "no image in $out/oci: run ops/image/build.sh first"

rm -rf "$bundle"
umoci unpack --image "$out/oci:ledgerline" "$bundle" >/dev/null
base_config=$(cat "$bundle/config.json")
failures=0

# $1: what is checked; $2: a pattern its output must match; $3: the exit code expected ("any": whatever
# it is once the timeout ends it); $4: seconds; $5: env (space separated, added to the image's); rest: argv.
check() {
  local what=$1 pattern=$2 want=$3 seconds=$4 env=$5 id="ledgerline-check-$$"
  shift 5
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const config = JSON.parse(readFileSync(0, "utf8"));
    const [env, ...args] = process.argv.slice(1);
    config.process.terminal = false;
    config.process.args = args;
    config.process.env.push(...env.split(" ").filter(Boolean));
    for (const set of Object.keys(config.process.capabilities)) config.process.capabilities[set] = [];
    config.root.readonly = true;
    config.mounts.push({ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", "size=64m"] });
    process.stdout.write(JSON.stringify(config, null, 1));
  ' "$env" "$@" <<<"$base_config" >"$bundle/config.json.new"
  mv "$bundle/config.json.new" "$bundle/config.json"
  local output code=0
  # runc forwards the timeout's SIGTERM to the app; -k: SIGKILL if it has not stopped 3 s later.
  local started=$SECONDS
  output=$(timeout -k 3 "$seconds" runc run --bundle "$bundle" "$id" 2>&1) || code=$?
  runc delete --force "$id" >/dev/null 2>&1 || true
  if [[ $output =~ $pattern ]] && [[ $want == any || $code == "$want" ]]; then
    echo "✓ $what (exit $code, $((SECONDS - started)) s)"
  else
    echo "✗ $what: exit $code (expected $want), output:" && sed 's/^/    /' <<<"$output" | tail -15
    failures=$((failures + 1))
  fi
}

check "node --version is 24" '^v24\.' 0 20 "" node --version
check "the user is uid 10001, the root read-only, /tmp writable" '^10001 read-only tmp-ok$' 0 20 "" \
  sh -c 'echo "$(id -u) $(touch /app/x 2>/dev/null && echo writable || echo read-only) $(touch /tmp/x && echo tmp-ok)"'
# Every entry point's modules resolve (the programs, not main.ts, which would start them).
check "the apps' modules load" '^loaded 6$' 0 60 "" node --input-type=module -e '
  const modules = ["./apps/gateway/src/server.ts", "./apps/processor/src/processor.ts",
    "./apps/ledger-sink/src/programs.ts", "./apps/processor/src/fxRatesFile.ts",
    "./topology/src/index.ts", "@ledgerline/ledger-db"];
  await Promise.all(modules.map((m) => import(m)));
  console.log("loaded", modules.length);'
check "the topology CLI runs offline (describe)" 'ledgerline' 0 30 "" node topology/src/cli.ts describe
check "the gateway refuses to start without API keys outside development" 'Misconfigured: no API keys' 1 30 "" \
  node apps/gateway/src/main.ts
# The set-up Jobs with nothing to connect to: topology and the migrations fail at once, naming what
# they cannot reach (exit 3: unreachable, as the CLIs' codes say); the FX seed waits for Kafka.
check "topology apply fails: Kafka unreachable" 'Kafka at .* is unreachable' 3 30 "" node topology/src/cli.ts apply
check "the migrations fail: Postgres unreachable" 'cannot reach Postgres' 1 30 "" node packages/ledger-db/src/migrate.ts
check "the FX seed retries Kafka" 'BrokerUnavailable, retrying' any 12 "" \
  node apps/processor/src/publishFxRates.ts --if-empty
# The stages with nothing to connect to: each starts, says what it cannot reach, and keeps retrying
# (readiness stays false) until the timeout stops it: SIGTERM, then SIGKILL 3 s later (exit 137).
check "the gateway (development keys) starts and retries Postgres, Kafka and the registry" 'ECONNREFUSED' any 12 \
  "LEDGERLINE_ENV=development" node apps/gateway/src/main.ts
check "the processor starts and retries Kafka" 'ECONNREFUSED|retrying' any 12 "PROCESSOR_INSTANCE_ID=0" \
  node apps/processor/src/main.ts
check "the ledger sink starts and retries Postgres and Kafka" 'ECONNREFUSED|retrying' any 12 \
  "LEDGER_SINK_INSTANCE_ID=0" node apps/ledger-sink/src/main.ts
check "the outbox relay starts and retries Postgres and Kafka" 'ECONNREFUSED|retrying' any 12 \
  "LEDGER_SINK_INSTANCE_ID=0" node apps/ledger-sink/src/relay.ts

printf '%s\n' "$base_config" >"$bundle/config.json"
((failures == 0)) || die "$failures check(s) failed"
echo "✓ the image runs (runc, read-only root, uid 10001, no network)"
