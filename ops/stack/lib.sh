# shellcheck shell=bash
# shellcheck disable=SC2034 # config/paths here are used by the scripts that source this file
# Shared helpers for ops/stack/*.sh: configuration, logging, ports, pid files.
# Sourced, never executed. Scripts that source it run with `set -euo pipefail`.

STACK_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# runuser, pg_ctlcluster and friends live in the sbin folders, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
REPO_ROOT=$(cd -- "$STACK_DIR/../.." && pwd)

# ---------------------------------------------------------------------------
# Configuration. Every setting is an environment variable with a default, so
# a plain `bash ops/stack/up.sh` works and .env / CI can override anything.
# ---------------------------------------------------------------------------

# Downloaded runtimes (Kafka jars, Apicurio). Shared between clones: a warm
# cache means up.sh downloads nothing.
: "${LEDGERLINE_CACHE:=$HOME/.cache/ledgerline}"
# Per-clone mutable state: Kafka data, generated configs, logs, pid files
# (gitignored). Different clones use different state and do not collide.
: "${LEDGERLINE_STATE:=$REPO_ROOT/.ledgerline}"

# Kafka broker version (Maven Central coordinates org.apache.kafka:kafka_2.13).
# 4.2.2 is on Central for kafka_2.13 but not for kafka-tools, so 4.2.1 is the
# newest complete 4.2.x.
: "${KAFKA_VERSION:=4.2.1}"
# Client listener and KRaft controller listener (both on 127.0.0.1) of node 1.
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
# Kafka nodes (1-9), each a combined broker+controller JVM; all of them are the controller quorum's
# voters. Node i listens on KAFKA_PORT+100*(i-1) and KAFKA_CONTROLLER_PORT+100*(i-1). 1 = a single
# node; 3 = the smallest cluster that keeps a quorum (and min.insync.replicas=2) with one node down.
: "${LEDGERLINE_KAFKA_BROKERS:=1}"
# Extra PLAINTEXT client listeners on every node, unset normally (the chaos checker sets them, one per
# stage, to keep a TCP proxy in each stage's path): "NAME:PORT:ADVERTISED_PORT,..." for node 1, node i
# adding 100*(i-1) to both ports. Node i listens on 127.0.0.1:PORT and tells the clients that came in on
# NAME to reach every node at its ADVERTISED_PORT (the proxy's). Inter-broker traffic and the tools keep
# KAFKA_PORT. PLAINTEXT stacks only.
: "${KAFKA_EXTRA_LISTENERS:=}"
# Broker JVM heap, per node; sized so the whole stack idles well under 1.5 GiB RSS (1 node) or
# about 2 GiB (3 nodes).
if [[ $LEDGERLINE_KAFKA_BROKERS =~ ^[0-9]+$ ]] && ((LEDGERLINE_KAFKA_BROKERS > 1)); then
  : "${KAFKA_HEAP:=-Xms128m -Xmx384m}"
else
  : "${KAFKA_HEAP:=-Xms256m -Xmx512m}"
fi
# JDK for the broker (17+). Unset: the `java` on PATH.
: "${KAFKA_JAVA_HOME:=}"
# Seconds to wait for the broker to come up.
: "${KAFKA_START_TIMEOUT:=60}"

# Apicurio Registry version (io.apicurio:apicurio-registry-app:<v>:tar.gz:all).
: "${REGISTRY_VERSION:=3.3.3}"
# Toxiproxy (github.com/Shopify/toxiproxy), built with `go install` by toxiproxy.sh for chaos runs only.
: "${TOXIPROXY_VERSION:=2.12.0}"
# Registry HTTP port (REST + Confluent-compatible API under /apis/ccompat/v7).
: "${REGISTRY_PORT:=8081}"
# Quarkus management interface (health, metrics); Quarkus would otherwise
# listen on 0.0.0.0:9000.
: "${REGISTRY_MANAGEMENT_PORT:=9001}"
# Registry JVM heap (without -Xms the JVM would start at 1/64 of RAM).
: "${REGISTRY_HEAP:=-Xms64m -Xmx384m}"
# JDK for the registry (21+). Unset: JAVA_HOME if it is 21+, else the newest
# JDK 21+ found under /usr/lib/jvm.
: "${REGISTRY_JAVA_HOME:=}"
# Default global compatibility rule. Confluent Schema Registry defaults to
# BACKWARD, Apicurio to none (every schema accepted); BACKWARD keeps tests
# honest. Empty = Apicurio's default (no rule).
: "${REGISTRY_COMPATIBILITY=BACKWARD}"
# Seconds to wait for the registry to answer.
: "${REGISTRY_START_TIMEOUT:=90}"

# Postgres server the stack uses. If nothing answers there, up.sh starts the
# machine's Debian cluster on this address (installing postgresql if needed).
: "${PGHOST:=127.0.0.1}"
: "${PGPORT:=5432}"
# Application and test databases; role names, passwords and database names are
# parsed from these URLs, so changing them changes what up.sh provisions.
: "${DATABASE_URL:=postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline}"
: "${TEST_DATABASE_URL:=postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline_test}"
# Debian cluster name up.sh starts (newest installed major version).
: "${PG_CLUSTER:=main}"
# Optional superuser URL used to create roles/databases. Unset: the local
# `postgres` OS user over the Unix socket (peer auth; needs root).
: "${DATABASE_ADMIN_URL:=}"
# Registry storage database and its own role.
: "${REGISTRY_DATABASE:=ledgerline_registry}"
: "${REGISTRY_DATABASE_USER:=ledgerline_registry}"
: "${REGISTRY_DATABASE_PASSWORD:=ledgerline_registry}"

# Seconds down.sh waits after SIGTERM before SIGKILL.
: "${STACK_STOP_TIMEOUT:=30}"

export PGHOST PGPORT
# Absolute paths: they are baked into pid checks and generated configs, and
# the JVMs run from other working directories.
LEDGERLINE_CACHE=$(realpath -m -- "$LEDGERLINE_CACHE")
LEDGERLINE_STATE=$(realpath -m -- "$LEDGERLINE_STATE")

RUN_DIR="$LEDGERLINE_STATE/run"
LOG_DIR="$LEDGERLINE_STATE/logs"
KAFKA_HOME="$LEDGERLINE_CACHE/kafka-$KAFKA_VERSION"
REGISTRY_HOME="$LEDGERLINE_CACHE/apicurio-registry-$REGISTRY_VERSION"
# Tag put on our JVM command lines: marks a process as started by THIS
# state dir, so a recycled pid or another clone's JVM is never mistaken for ours.
STACK_TAG="-Dledgerline.stack=$LEDGERLINE_STATE"
# Marker written only when up.sh itself started the Postgres cluster.
PG_MARKER="$RUN_DIR/postgres.started-by-up"

# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
if [[ -t 1 ]]; then _B=$'\e[1m' _R=$'\e[31m' _Y=$'\e[33m' _G=$'\e[32m' _N=$'\e[0m'; else _B='' _R='' _Y='' _G='' _N=''; fi
info() { printf '%s==>%s %s\n' "$_B" "$_N" "$*"; }
ok() { printf '%s ok%s %s\n' "$_G" "$_N" "$*"; }
warn() { printf '%swarning:%s %s\n' "$_Y" "$_N" "$*" >&2; }
# die "cause: fix" — one line on stderr, exit 1 (up.sh's EXIT trap then rolls back).
die() {
  printf '%serror:%s %s\n' "$_R" "$_N" "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------

# Prints who listens on TCP port $1 (e.g. "python3 (pid 123)"), nothing if free.
port_owner() {
  local port=$1 line
  if command -v ss >/dev/null 2>&1; then
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1) || true
    [[ -n $line ]] || return 0
    if [[ $line =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
      printf '%s (pid %s)\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    else
      echo "another process"
    fi
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "another process"
  fi
}

# True when something accepts TCP connections on $1:$2.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Fails with a one-line fix when port $1 (configured by env var $2) is taken.
require_port_free() {
  local port=$1 var=$2 who
  who=$(port_owner "$port")
  [[ -z $who ]] || die "port $port ($var) is already in use by $who: stop that process or set $var to a free port"
}

# Waits up to $3 seconds for $1:$2 to accept connections.
wait_for_port() {
  local host=$1 port=$2 deadline=$((SECONDS + $3))
  until port_open "$host" "$port"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

# Dies if two services are configured on the same port (Kafka nodes 2..N included).
check_distinct_ports() {
  local -A seen=()
  local var port name i
  for var in PGPORT KAFKA_PORT KAFKA_CONTROLLER_PORT REGISTRY_PORT REGISTRY_MANAGEMENT_PORT; do
    [[ ${!var} =~ ^[0-9]+$ ]] || die "$var='${!var}' is not a port number: set it to a free TCP port"
  done
  for var in PGPORT KAFKA_PORT KAFKA_CONTROLLER_PORT REGISTRY_PORT REGISTRY_MANAGEMENT_PORT; do
    port=${!var} name=$var
    [[ -z ${seen[$port]:-} ]] || die "$name and ${seen[$port]} are both $port: give each service its own port"
    seen[$port]=$name
  done
  local lname lport adv extra
  kafka_extra_listeners
  for extra in "${KAFKA_EXTRA[@]}"; do
    read -r lname lport adv <<<"$extra"
    for ((i = 1; i <= LEDGERLINE_KAFKA_BROKERS; i++)); do
      port=$((lport + 100 * (i - 1))) name="KAFKA_EXTRA_LISTENERS $lname (kafka node $i)"
      ((port <= 65535 && adv + 100 * (i - 1) <= 65535)) ||
        die "$name: port $port or advertised port $((adv + 100 * (i - 1))) is past 65535: lower its ports"
      [[ -z ${seen[$port]:-} ]] || die "$name and ${seen[$port]} are both $port: give the listener other ports"
      seen[$port]=$name
    done
  done
  for ((i = 2; i <= LEDGERLINE_KAFKA_BROKERS; i++)); do
    for var in KAFKA_PORT KAFKA_CONTROLLER_PORT; do
      port=$(kafka_node_port "$var" "$i") name="$var+$((100 * (i - 1))) (kafka node $i)"
      ((port <= 65535)) || die "$name is $port, past 65535: lower $var or LEDGERLINE_KAFKA_BROKERS"
      [[ -z ${seen[$port]:-} ]] || die "$name and ${seen[$port]} are both $port: move $var (nodes use it +100 per node)"
      seen[$port]=$name
    done
  done
}

# ---------------------------------------------------------------------------
# Kafka nodes. Node 1 is the service "kafka" with today's single-node files
# (kafka.pid, logs/kafka.log, kafka/data, kafka/server.properties); node i>1
# is "kafka-i" (kafka-i.pid, logs/kafka-i.log, kafka/node-i/...).
# ---------------------------------------------------------------------------

# Dies unless LEDGERLINE_KAFKA_BROKERS is a node count up.sh can run.
check_kafka_brokers() {
  [[ $LEDGERLINE_KAFKA_BROKERS =~ ^[1-9]$ ]] ||
    die "LEDGERLINE_KAFKA_BROKERS='$LEDGERLINE_KAFKA_BROKERS' is not a node count: set it to 1 (single node) .. 9, e.g. 3"
}

kafka_svc() { if (($1 == 1)); then echo kafka; else echo "kafka-$1"; fi; }
# Node number of service kafka / kafka-i.
kafka_node_of() { if [[ $1 == kafka ]]; then echo 1; else echo "${1#kafka-}"; fi; }
# Node i's directory: config, data, security-mode and broker-count records.
kafka_node_dir() { if (($1 == 1)); then echo "$LEDGERLINE_STATE/kafka"; else echo "$LEDGERLINE_STATE/kafka/node-$1"; fi; }
# Port of node $2 for KAFKA_PORT / KAFKA_CONTROLLER_PORT ($1): 100 apart per node.
kafka_node_port() { echo $((${!1} + 100 * ($2 - 1))); }
# "127.0.0.1:9092,127.0.0.1:9192,..." for nodes 1..$1.
kafka_bootstrap() {
  local i out=''
  for ((i = 1; i <= $1; i++)); do out+="${out:+,}127.0.0.1:$(kafka_node_port KAFKA_PORT "$i")"; done
  echo "$out"
}
# Parses KAFKA_EXTRA_LISTENERS into KAFKA_EXTRA ("NAME PORT ADVERTISED_PORT" per listener, node 1's
# ports); dies on a malformed entry. Runs in the calling shell, so a die stops the script.
kafka_extra_listeners() {
  local entry name port adv
  local -A names=()
  local -a entries
  KAFKA_EXTRA=()
  IFS=, read -r -a entries <<<"$KAFKA_EXTRA_LISTENERS"
  for entry in "${entries[@]}"; do
    entry=${entry//[[:space:]]/}
    [[ -n $entry ]] || continue
    [[ $entry =~ ^([A-Z][A-Z0-9_]*):([0-9]+):([0-9]+)$ ]] ||
      die "KAFKA_EXTRA_LISTENERS entry '$entry' is not NAME:PORT:ADVERTISED_PORT (e.g. GATEWAY:29092:39092)"
    name=${BASH_REMATCH[1]} port=${BASH_REMATCH[2]} adv=${BASH_REMATCH[3]}
    case $name in
      PLAINTEXT | CONTROLLER | SSL | SASL_SSL | SASL_PLAINTEXT)
        die "KAFKA_EXTRA_LISTENERS: $name is the stack's own listener name: call the extra listener something else" ;;
    esac
    [[ -z ${names[$name]:-} ]] || die "KAFKA_EXTRA_LISTENERS names $name twice: give each listener its own name"
    names[$name]=1
    KAFKA_EXTRA+=("$name $port $adv")
  done
}

# Broker count node $1's storage was formatted for (1 when formatted before the count was recorded).
kafka_recorded_brokers() { cat "$(kafka_node_dir "$1")/broker-count" 2>/dev/null || echo 1; }

# How many nodes status/logs show: the configured count, or more when the storage or pid files say a
# larger cluster exists (e.g. `npm start -- --brokers 3`, then `npm run status` without the flag).
kafka_known_nodes() {
  local n=$LEDGERLINE_KAFKA_BROKERS f i
  [[ $n =~ ^[0-9]+$ ]] || n=1
  if [[ -f $LEDGERLINE_STATE/kafka/data/meta.properties ]]; then
    i=$(kafka_recorded_brokers 1)
    [[ ! $i =~ ^[0-9]+$ ]] || ((i <= n)) || n=$i
  fi
  for f in "$RUN_DIR"/kafka-*.pid; do
    [[ -e $f ]] || continue
    i=${f##*/kafka-}
    i=${i%.pid}
    [[ ! $i =~ ^[0-9]+$ ]] || ((i <= n)) || n=$i
  done
  echo "$n"
}

# Every Kafka node with a pid file, whatever LEDGERLINE_KAFKA_BROKERS says (down.sh stops them all).
kafka_pid_services() {
  local f
  [[ ! -e $RUN_DIR/kafka.pid ]] || echo kafka
  for f in "$RUN_DIR"/kafka-*.pid; do
    [[ -e $f ]] || continue
    f=${f##*/}
    echo "${f%.pid}"
  done
}

# ---------------------------------------------------------------------------
# Pid files. A service is "ours" only if its pid file names a live process
# whose command line carries our tag and the expected main class/jar.
# ---------------------------------------------------------------------------
pid_file() { echo "$RUN_DIR/$1.pid"; }

# Command-line fragment that identifies each JVM we start (a Kafka node by its own config file).
service_signature() {
  case $1 in
    kafka | kafka-[0-9]*) echo "kafka.Kafka $(kafka_node_dir "$(kafka_node_of "$1")")/server.properties" ;;
    registry) echo "quarkus-run.jar" ;;
    *) return 1 ;;
  esac
}

# Prints the pid of our running service $1, or returns 1.
our_pid() {
  local svc=$1 file pid cmd sig
  file=$(pid_file "$svc")
  [[ -r $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  sig=$(service_signature "$svc")
  [[ $cmd == *"$STACK_TAG "* && $cmd == *"$sig"* ]] || return 1
  echo "$pid"
}

# Removes a pid file that no longer describes a live process of ours.
clear_stale_pid() {
  local svc=$1
  if [[ -e $(pid_file "$svc") ]] && ! our_pid "$svc" >/dev/null; then
    rm -f "$(pid_file "$svc")"
  fi
}

# SIGTERM, wait up to STACK_STOP_TIMEOUT, then SIGKILL. Returns 0 once gone.
stop_pid() {
  local pid=$1 name=$2 deadline=$((SECONDS + STACK_STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      warn "$name (pid $pid) ignored SIGTERM for ${STACK_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  ! kill -0 "$pid" 2>/dev/null
}

# Stops our service $1 (kafka|kafka-i|registry) if running; returns 0 if it was not running.
stop_service() {
  local svc=$1 pid
  if pid=$(our_pid "$svc"); then
    info "stopping $svc (pid $pid)"
    stop_pid "$pid" "$svc" || die "$svc (pid $pid) survived SIGKILL: inspect it with 'ps -fp $pid'"
    ok "$svc stopped"
  fi
  rm -f "$(pid_file "$svc")"
}

# Stops services "$@" together: SIGTERM to all, then wait. Kafka nodes must go at once: one left
# last without a controller quorum waits minutes for approval of its controlled shutdown.
stop_services() {
  local svc pid deadline=$((SECONDS + STACK_STOP_TIMEOUT)) failed=''
  local -a names=() pids=()
  for svc in "$@"; do
    if pid=$(our_pid "$svc"); then
      info "stopping $svc (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$svc") pids+=("$pid")
    fi
  done
  local i
  for i in "${!pids[@]}"; do
    while kill -0 "${pids[i]}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "${pids[i]}" 2>/dev/null; then
      warn "${names[i]} (pid ${pids[i]}) ignored SIGTERM for ${STACK_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "${pids[i]}" 2>/dev/null || true
      sleep 0.5
    fi
    if kill -0 "${pids[i]}" 2>/dev/null; then
      failed+=" ${names[i]} (pid ${pids[i]})"
    else
      ok "${names[i]} stopped"
    fi
  done
  for svc in "$@"; do rm -f "$(pid_file "$svc")"; done
  [[ -z $failed ]] || die "survived SIGKILL:$failed: inspect with ps -fp <pid>"
}

# Resident memory of pid $1 in MiB.
rss_mib() {
  local kb
  kb=$(ps -o rss= -p "$1" 2>/dev/null | tr -d ' ') || true
  [[ -n $kb ]] && echo "$((kb / 1024)) MiB" || echo "?"
}

# Last lines of a log, indented, on stderr (used when a service dies at start).
show_log_tail() {
  local file=$1 n=${2:-25}
  [[ -s $file ]] || return 0
  printf -- '--- last %s lines of %s ---\n' "$n" "$file" >&2
  tail -n "$n" "$file" | sed 's/^/  /' >&2
  printf -- '---\n' >&2
}

# ---------------------------------------------------------------------------
# Java
# ---------------------------------------------------------------------------

# Major version (17, 21, 25...) of the java binary $1.
java_major() {
  local bin=$1 home v=''
  home=$(dirname -- "$(dirname -- "$(readlink -f -- "$bin")")")
  if [[ -r $home/release ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [[ -z $v ]]; then
    v=$("$bin" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)
  fi
  v=${v#1.}
  v=${v%%[.+-]*}
  [[ $v =~ ^[0-9]+$ ]] || return 1
  echo "$v"
}

# Prints the java binary for Kafka (KAFKA_JAVA_HOME, else PATH), 17+ required.
kafka_java() {
  local bin major
  if [[ -n $KAFKA_JAVA_HOME ]]; then
    bin="$KAFKA_JAVA_HOME/bin/java"
    [[ -x $bin ]] || die "KAFKA_JAVA_HOME=$KAFKA_JAVA_HOME has no bin/java: point it at a JDK 17+ or unset it"
  else
    bin=$(command -v java) || die "no java on PATH for Kafka: install a JDK 17+ (apt-get install openjdk-17-jdk-headless) or set KAFKA_JAVA_HOME"
  fi
  major=$(java_major "$bin") || die "cannot tell the Java version of $bin: set KAFKA_JAVA_HOME to a JDK 17+"
  ((major >= 17)) || die "Kafka needs Java 17+ but $bin is Java $major: install a JDK 17+ (apt-get install openjdk-17-jdk-headless) or set KAFKA_JAVA_HOME"
  echo "$bin"
}

# Prints the java binary for Apicurio (needs 21+).
registry_java() {
  local fix="install a JDK 21+ (e.g. apt-get install temurin-21-jdk / openjdk-21) or set REGISTRY_JAVA_HOME"
  local bin major best='' best_major=0 home
  if [[ -n $REGISTRY_JAVA_HOME ]]; then
    bin="$REGISTRY_JAVA_HOME/bin/java"
    [[ -x $bin ]] || die "REGISTRY_JAVA_HOME=$REGISTRY_JAVA_HOME has no bin/java: point it at a JDK 21+"
    major=$(java_major "$bin") || die "cannot tell the Java version of $bin: point REGISTRY_JAVA_HOME at a JDK 21+"
    ((major >= 21)) || die "Apicurio needs Java 21+ but REGISTRY_JAVA_HOME=$REGISTRY_JAVA_HOME is Java $major: point REGISTRY_JAVA_HOME at a JDK 21+ or unset it to auto-detect"
    echo "$bin"
    return
  fi
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    major=$(java_major "$JAVA_HOME/bin/java") || major=0
    if ((major >= 21)); then
      echo "$JAVA_HOME/bin/java"
      return
    fi
  fi
  # Newest JDK 21+ installed under /usr/lib/jvm (symlinked aliases resolve to the same binary).
  for home in /usr/lib/jvm/*/; do
    bin="${home%/}/bin/java"
    [[ -x $bin ]] || continue
    major=$(java_major "$bin") || continue
    if ((major >= 21 && major > best_major)); then
      best=$bin best_major=$major
    fi
  done
  [[ -n $best ]] || die "Apicurio needs Java 21+: $fix"
  echo "$best"
}

# ---------------------------------------------------------------------------
# Postgres helpers
# ---------------------------------------------------------------------------

# Parses the postgres://user:pass@host:port/db?x URL held in variable $1 into
# PGU_USER PGU_PASS PGU_HOST PGU_PORT PGU_DB (percent-encoding decoded).
parse_pg_url() {
  local var=$1 url=${!1} rest auth hostport
  local fix="set $var to postgres://user:password@host:port/dbname"
  [[ $url =~ ^postgres(ql)?:// ]] || die "$var is not a postgres:// URL: $fix"
  rest=${url#*://}
  rest=${rest%%\?*}
  [[ $rest == *@* ]] || die "$var has no user: $fix"
  auth=${rest%@*}
  rest=${rest##*@}
  hostport=${rest%%/*}
  PGU_DB=${rest#*/}
  [[ $rest == */* && -n $PGU_DB ]] || die "$var names no database: $fix"
  PGU_USER=$(urldecode "${auth%%:*}")
  PGU_PASS=''
  [[ $auth == *:* ]] && PGU_PASS=$(urldecode "${auth#*:}")
  PGU_DB=$(urldecode "$PGU_DB")
  PGU_HOST=${hostport%:*}
  PGU_PORT=5432
  [[ $hostport == *:* ]] && PGU_PORT=${hostport##*:}
  [[ -n $PGU_USER && -n $PGU_PASS ]] || die "$var needs both a user and a password: $fix"
}

# URL with its password replaced by *** (for printing).
mask_url() { sed -E 's#^([a-z]+://[^:/@]*):[^@]*@#\1:***@#' <<<"$1"; }

urldecode() {
  local s=${1//+/ }
  printf '%b' "${s//%/\\x}"
}

# True when host $1 is this machine's loopback.
is_loopback() { [[ $1 == 127.* || $1 == localhost || $1 == ::1 ]]; }

pg_answers() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2 >/dev/null 2>&1; }

# Newest installed Debian Postgres major version with a cluster named
# $PG_CLUSTER (prints e.g. "15").
pg_local_version() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  pg_lsclusters --no-header 2>/dev/null | awk -v c="$PG_CLUSTER" '$2 == c { print $1 }' | sort -n | tail -n1 | grep .
}

# One up.sh/down.sh at a time per state dir, on fd 9. Anything long-lived we
# spawn must close fd 9 (9>&-), or it keeps the lock held for its lifetime.
take_stack_lock() {
  exec 9>"$RUN_DIR/lock"
  flock -n 9 && return 0
  info "waiting for another up.sh/down.sh on $LEDGERLINE_STATE to finish"
  flock -w 300 9 || die "$RUN_DIR/lock still held after 5 min (holders: $(fuser "$RUN_DIR/lock" 2>/dev/null || echo unknown)): wait for that up.sh/down.sh or stop it"
}

mkdir_state() {
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$LEDGERLINE_STATE/kafka" "$LEDGERLINE_STATE/registry"
  # Keeps the state dir out of git even where .gitignore lacks it.
  [[ -e $LEDGERLINE_STATE/.gitignore ]] || echo '*' >"$LEDGERLINE_STATE/.gitignore"
}

# True when pid $1 is a live (non-zombie) process.
alive() {
  [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# "inode:size" of log $1 ("0:0" if missing): marks where this run's lines start.
log_offset() { stat -c %i:%s "$1" 2>/dev/null || echo 0:0; }

# Copies what was appended to log $1 since mark $2 (from log_offset) into $3 —
# the whole file if it was rotated (new inode) — so errors shown and startup
# lines matched are this run's, not an older run's.
log_since() {
  local file=$1 mark=$2 dest=$3 off=${2#*:}
  [[ $(log_offset "$file") == "${mark%%:*}":* ]] || off=0
  tail -c "+$((off + 1))" "$file" >"$dest" 2>/dev/null || : >"$dest"
}

# First line in logs "$@" that looks like the cause of a failure (for one-line errors).
first_error() {
  local f line
  for f in "$@"; do
    line=$(grep -m1 -E 'ERROR|FATAL|Exception|Error' "$f" 2>/dev/null | sed 's/^[[:space:]]*//' | cut -c1-200) || true
    [[ -z $line ]] || { echo "$line"; return 0; }
  done
  echo "no error line logged"
}

# Stops the Debian Postgres cluster, but only if up.sh started it (marker file).
stop_pg_cluster() {
  local ver name
  [[ -r $PG_MARKER ]] || return 0
  read -r ver name <"$PG_MARKER"
  info "stopping postgres cluster $ver/$name (up.sh started it)"
  if pg_ctlcluster "$ver" "$name" status >/dev/null 2>&1; then
    pg_ctlcluster --mode fast "$ver" "$name" stop ||
      die "pg_ctlcluster $ver $name stop failed: see /var/log/postgresql/postgresql-$ver-$name.log"
  fi
  rm -f "$PG_MARKER"
  ok "postgres stopped"
}

# One line per service: state, pid, address, resident memory. Returns 3 if any is down.
print_status() {
  local pid rc=0 who pg_note=''
  if pg_answers; then
    who=$(port_owner "$PGPORT")
    pid=${who##*pid }
    pid=${pid%)}
    [[ $pid =~ ^[0-9]+$ ]] || pid='-'
    if [[ -r $PG_MARKER ]]; then
      pg_note="cluster $(tr ' ' / <"$PG_MARKER"), started by up.sh"
    else
      pg_note="found running, not managed by up.sh"
    fi
    local rss='?'
    [[ $pid == - ]] || rss=$(rss_mib "$pid")
    printf '%-9s %-8s pid %-8s %-22s %-9s %s\n' postgres running "$pid" "$PGHOST:$PGPORT" "$rss" "($pg_note)"
  else
    printf '%-9s %-8s pid %-8s %s\n' postgres stopped - "$PGHOST:$PGPORT"
    rc=3
  fi
  local i n svc port node
  n=$(kafka_known_nodes)
  for ((i = 1; i <= n; i++)); do
    svc=$(kafka_svc "$i")
    port=$(kafka_node_port KAFKA_PORT "$i")
    node=''
    ((n == 1)) || node="node $i of $n, "
    if pid=$(our_pid "$svc"); then
      printf '%-9s %-8s pid %-8s %-22s %-9s %s\n' "$svc" running "$pid" "127.0.0.1:$port" "$(rss_mib "$pid")" \
        "(${node}controller 127.0.0.1:$(kafka_node_port KAFKA_CONTROLLER_PORT "$i"), kafka $KAFKA_VERSION)"
    else
      who=$(port_owner "$port")
      printf '%-9s %-8s pid %-8s %s%s\n' "$svc" stopped - "127.0.0.1:$port" "${who:+ (port held by $who, not ours)}"
      rc=3
    fi
  done
  if pid=$(our_pid registry); then
    printf '%-9s %-8s pid %-8s %-22s %-9s %s\n' registry running "$pid" "http://127.0.0.1:$REGISTRY_PORT" "$(rss_mib "$pid")" \
      "(ccompat /apis/ccompat/v7, management 127.0.0.1:$REGISTRY_MANAGEMENT_PORT)"
  else
    who=$(port_owner "$REGISTRY_PORT")
    printf '%-9s %-8s pid %-8s %s%s\n' registry stopped - "http://127.0.0.1:$REGISTRY_PORT" "${who:+ (port held by $who, not ours)}"
    rc=3
  fi
  return "$rc"
}
