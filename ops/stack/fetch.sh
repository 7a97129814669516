#!/usr/bin/env bash
# Downloads the Kafka and Apicurio runtimes into $LEDGERLINE_CACHE if missing.
# Called by up.sh; a warm cache means no Maven call at all. Each runtime is
# built in a temp folder and renamed into place, so an interrupted download is
# never mistaken for a complete one.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

TMP_DIRS=()
cleanup() {
  local d
  for d in "${TMP_DIRS[@]}"; do rm -rf -- "$d"; done
}
trap cleanup EXIT

# Runs Maven quietly, keeping its output in $1 for the error message. Runs
# from the cache dir so a pom.xml in the caller's directory is never picked up.
run_mvn() {
  local log=$1
  shift
  (cd "$LEDGERLINE_CACHE" && mvn -B -q "$@") >"$log" 2>&1
}

# First Maven [ERROR] line, trimmed, for one-line error messages.
mvn_cause() {
  grep -m1 '\[ERROR\]' "$1" | sed 's/\x1b\[[0-9;]*m//g; s/^\[ERROR\] *//' | cut -c1-240
}

# Moves a finished temp dir into place; loses gracefully to a concurrent fetch.
publish() {
  local tmp=$1 dest=$2
  if ! mv -T -- "$tmp" "$dest" 2>/dev/null; then
    [[ -d $dest ]] || die "could not move $tmp to $dest: check permissions on $LEDGERLINE_CACHE"
  fi
}

fetch_kafka() {
  if [[ -d $KAFKA_HOME/libs ]]; then
    ok "kafka $KAFKA_VERSION runtime cached ($KAFKA_HOME)"
    return
  fi
  info "downloading kafka $KAFKA_VERSION jars from Maven Central"
  local tmp log
  tmp=$(mktemp -d "$LEDGERLINE_CACHE/.kafka-$KAFKA_VERSION.XXXXXX")
  TMP_DIRS+=("$tmp")
  log="$tmp/mvn.log"
  if ! run_mvn "$log" -f "$STACK_DIR/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$tmp/libs"; then
    cp "$log" "$LEDGERLINE_CACHE/fetch-kafka.log"
    die "downloading Kafka $KAFKA_VERSION via Maven failed ($(mvn_cause "$log")): check that Maven Central is reachable and KAFKA_VERSION names a published release (full log: $LEDGERLINE_CACHE/fetch-kafka.log)"
  fi
  ls "$tmp"/libs/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 ||
    die "Kafka download finished without kafka_2.13-$KAFKA_VERSION.jar: delete $tmp and retry"
  rm -f "$log"
  publish "$tmp" "$KAFKA_HOME"
  ok "kafka $KAFKA_VERSION: $(find "$KAFKA_HOME/libs" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_HOME" | cut -f1)"
}

fetch_registry() {
  if [[ -f $REGISTRY_HOME/quarkus-run.jar ]]; then
    ok "apicurio registry $REGISTRY_VERSION runtime cached ($REGISTRY_HOME)"
    return
  fi
  info "downloading apicurio registry $REGISTRY_VERSION from Maven Central (~160 MB)"
  local tmp log tarball
  tmp=$(mktemp -d "$LEDGERLINE_CACHE/.apicurio-registry-$REGISTRY_VERSION.XXXXXX")
  TMP_DIRS+=("$tmp")
  log="$tmp/mvn.log"
  if ! run_mvn "$log" dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all" -DoutputDirectory="$tmp/dl"; then
    cp "$log" "$LEDGERLINE_CACHE/fetch-registry.log"
    die "downloading Apicurio Registry $REGISTRY_VERSION via Maven failed ($(mvn_cause "$log")): check that Maven Central is reachable and REGISTRY_VERSION is published (full log: $LEDGERLINE_CACHE/fetch-registry.log)"
  fi
  tarball="$tmp/dl/apicurio-registry-app-$REGISTRY_VERSION-all.tar.gz"
  mkdir "$tmp/app"
  # The tarball has no top-level folder: it unpacks straight to quarkus-run.jar, lib/, app/...
  tar -xzf "$tarball" -C "$tmp/app" ||
    die "unpacking $tarball failed: remove ~/.m2/repository/io/apicurio/apicurio-registry-app/$REGISTRY_VERSION and retry"
  [[ -f $tmp/app/quarkus-run.jar ]] ||
    die "Apicurio tarball has no quarkus-run.jar: remove ~/.m2/repository/io/apicurio/apicurio-registry-app/$REGISTRY_VERSION and retry"
  publish "$tmp/app" "$REGISTRY_HOME"
  ok "apicurio registry $REGISTRY_VERSION: $(du -sh "$REGISTRY_HOME" | cut -f1)"
}

command -v mvn >/dev/null 2>&1 || die "mvn not found (needed to download Kafka/Apicurio from Maven Central): apt-get install maven"
mkdir -p "$LEDGERLINE_CACHE"
# One fetch at a time per cache (clones share it).
exec 8>"$LEDGERLINE_CACHE/.fetch.lock"
flock -w 600 8 || die "another fetch holds $LEDGERLINE_CACHE/.fetch.lock for 10 min: wait for it or remove the lock"
fetch_kafka
fetch_registry
