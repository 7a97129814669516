#!/usr/bin/env bash
# `npm run bench:peers [-- flags]`: our processor against Kafka Streams (exactly_once_v2) and our ledger sink
# against the Debezium JDBC sink (Kafka Connect standalone), on the stack's broker, registry and Postgres.
# The Java side is built with Maven from tools/peers into $LEDGERLINE_CACHE/peers/<hash of its sources>,
# once per change of those sources (Maven fetches Kafka Streams, Connect and Debezium into ~/.m2).
# Flags: tools/bench/src/peers/Config.ts (--rounds 3 --records 100000 --sink-records 100000 --only sink).
set -euo pipefail
cd "$(dirname -- "$0")/../.."
. ops/bin/env.sh
. ops/bin/node-env.sh
. ops/bin/deps.sh
: "${LEDGERLINE_CACHE:=$HOME/.cache/ledgerline}"
for tool in java mvn; do
  command -v "$tool" >/dev/null || {
    echo "error: $tool is needed for the Java peers (e.g. apt-get install openjdk-17-jdk-headless maven)" >&2
    exit 1
  }
done

sources=$(find tools/peers -type f \( -name pom.xml -o -path '*/src/*' \) | LC_ALL=C sort)
# shellcheck disable=SC2086 # one path per line, none with spaces
hash=$( (cat $sources ops/bin/bench-peers.sh) | sha1sum | cut -c1-12)
built="$LEDGERLINE_CACHE/peers/$hash"
if [[ ! -f $built/.complete ]]; then
  echo "› building the Java peers into $built (Maven; the first build downloads Kafka Streams, Connect, Debezium)" >&2
  work=$(mktemp -d)
  trap 'rm -rf -- "$work"' EXIT
  cp -r tools/peers/. "$work/src"
  if ! (cd "$work/src" && mvn -B -q package -DskipTests) >"$work/maven.log" 2>&1; then
    grep -m5 '\[ERROR\]' "$work/maven.log" >&2 || tail -20 "$work/maven.log" >&2
    echo "error: the Maven build of tools/peers failed (above)" >&2
    exit 1
  fi
  mkdir -p "$work/out/streams" "$work/out/connect"
  cp "$work/src/streams/target/streams-0.1.0.jar" "$work/out/streams/app.jar"
  cp -r "$work/src/streams/target/lib" "$work/out/streams/lib"
  cp -r "$work/src/connect/target/lib" "$work/out/connect/lib"
  cp -r "$work/src/jdbc-sink/target/plugin" "$work/out/plugins"
  touch "$work/out/.complete"
  mkdir -p "$LEDGERLINE_CACHE/peers"
  # Older builds go; a concurrent build of the same sources may win the rename.
  find "$LEDGERLINE_CACHE/peers" -mindepth 1 -maxdepth 1 -not -name "$hash" -exec rm -rf -- {} +
  mv -T -- "$work/out" "$built" 2>/dev/null || [[ -f $built/.complete ]]
  rm -rf -- "$work"
  trap - EXIT
fi
exec node tools/bench/src/peers.ts --peers-dir "$built" --java "$(command -v java)" "$@"
