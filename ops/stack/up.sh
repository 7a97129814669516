#!/usr/bin/env bash
# Starts the local stack: (1) Postgres, (2) Kafka, (3) Apicurio Registry.
# Idempotent: services already running are reported and left alone. On any
# failure it prints a one-line cause + fix, stops whatever THIS run started,
# and exits non-zero. Configuration: environment variables, see lib.sh.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STARTED=() # services started by this invocation, in start order

# EXIT trap: on failure, undo this run's starts in reverse order.
rollback() {
  local rc=$? i svc
  local -a kafka=()
  trap - EXIT
  if ((rc != 0 && ${#STARTED[@]} > 0)); then
    warn "up.sh failed: stopping what this run started (${STARTED[*]})"
    for svc in "${STARTED[@]}"; do [[ $svc != kafka* ]] || kafka+=("$svc"); done
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
      # Subshells: a die() inside must not cut the rollback short.
      case ${STARTED[i]} in
        postgres) (stop_pg_cluster) || true ;;
        # Kafka nodes together (see stop_services), once.
        kafka*)
          ((${#kafka[@]} == 0)) || (stop_services "${kafka[@]}") || true
          kafka=()
          ;;
        *) (stop_service "${STARTED[i]}") || true ;;
      esac
    done
  fi
  exit "$rc"
}
trap rollback EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Preflight: everything that can be checked before starting anything.
# ---------------------------------------------------------------------------
preflight() {
  check_kafka_brokers
  check_distinct_ports
  check_kafka_storage_brokers
  ! kafka_secure || ((${#KAFKA_EXTRA[@]} == 0)) ||
    die "KAFKA_EXTRA_LISTENERS works with a PLAINTEXT stack only, not KAFKA_SECURITY_PROTOCOL=SASL_SSL: unset one of them"
  local i port var who extra lname lport adv
  for ((i = 1; i <= LEDGERLINE_KAFKA_BROKERS; i++)); do
    our_pid "$(kafka_svc "$i")" >/dev/null && continue
    KAFKA_JAVA=$(kafka_java)
    for extra in "${KAFKA_EXTRA[@]}"; do
      read -r lname lport adv <<<"$extra"
      port=$((lport + 100 * (i - 1)))
      who=$(port_owner "$port")
      [[ -z $who ]] || die "port $port (KAFKA_EXTRA_LISTENERS $lname, kafka node $i) is already in use by $who: stop that process or move the listener"
    done
    if ((i == 1)); then
      require_port_free "$KAFKA_PORT" KAFKA_PORT
      require_port_free "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
      continue
    fi
    for var in KAFKA_PORT KAFKA_CONTROLLER_PORT; do
      port=$(kafka_node_port "$var" "$i")
      who=$(port_owner "$port")
      [[ -z $who ]] || die "port $port ($var+$((100 * (i - 1))), kafka node $i) is already in use by $who: stop that process or move $var (node i uses $var+100*(i-1))"
    done
  done
  if ! our_pid registry >/dev/null; then
    REGISTRY_JAVA=$(registry_java)
    require_port_free "$REGISTRY_PORT" REGISTRY_PORT
    require_port_free "$REGISTRY_MANAGEMENT_PORT" REGISTRY_MANAGEMENT_PORT
  fi
  command -v curl >/dev/null 2>&1 || die "curl not found (used to probe the registry): apt-get install curl"
}

# ---------------------------------------------------------------------------
# (1) Postgres
# ---------------------------------------------------------------------------
pg_install() {
  ((EUID == 0)) || die "PostgreSQL is not installed and up.sh is not root: run 'sudo apt-get install postgresql' or point PGHOST/PGPORT at a running server"
  info "installing Debian postgresql (apt-get)"
  local log="$LOG_DIR/apt-postgresql.log"
  {
    apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  } >"$log" 2>&1 9>&- || die "apt-get install postgresql failed (see $log): check access to the Debian mirrors, or install Postgres yourself"
}

start_postgres() {
  local ver state
  if pg_answers; then
    if [[ -r $PG_MARKER ]]; then
      ok "postgres: already running at $PGHOST:$PGPORT (started by an earlier up.sh)"
    else
      ok "postgres: already running at $PGHOST:$PGPORT; using it (down.sh will leave it running)"
    fi
    return
  fi
  rm -f "$PG_MARKER" # stale: whatever we started is gone
  is_loopback "$PGHOST" ||
    die "nothing answers at PGHOST=$PGHOST PGPORT=$PGPORT and that host is not this machine: start that server or set PGHOST=127.0.0.1"
  require_port_free "$PGPORT" PGPORT
  command -v pg_isready >/dev/null 2>&1 && ver=$(pg_local_version) || ver=''
  if [[ -z $ver ]]; then
    if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
      pg_install
      # The package may start its new cluster itself; restart it our way below.
      ver=$(pg_local_version) || true
      [[ -z $ver ]] || pg_ctlcluster "$ver" "$PG_CLUSTER" stop >/dev/null 2>&1 9>&- || true
    fi
    if [[ -z $ver ]]; then
      ver=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -n | tail -n1)
      info "creating postgres cluster $ver/$PG_CLUSTER"
      pg_createcluster "$ver" "$PG_CLUSTER" >/dev/null ||
        die "pg_createcluster $ver $PG_CLUSTER failed: create a cluster yourself or point PGHOST/PGPORT at a running server"
    fi
  fi
  if pg_ctlcluster "$ver" "$PG_CLUSTER" status >/dev/null 2>&1; then
    state=$(pg_lsclusters --no-header | awk -v v="$ver" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $3 }')
    die "postgres cluster $ver/$PG_CLUSTER is running but not answering at $PGHOST:$PGPORT (its port is $state): set PGPORT=$state or stop it with 'pg_ctlcluster $ver $PG_CLUSTER stop'"
  fi
  info "starting postgres cluster $ver/$PG_CLUSTER on $PGHOST:$PGPORT"
  # listen_addresses/port given on the command line: loopback only, on
  # PGPORT, whatever postgresql.conf says (and without editing it).
  # 9>&-: the server must not inherit (and keep holding) the stack lock.
  pg_ctlcluster -o "-c listen_addresses=$PGHOST" -o "-c port=$PGPORT" "$ver" "$PG_CLUSTER" start 9>&- ||
    die "pg_ctlcluster $ver $PG_CLUSTER start failed: see /var/log/postgresql/postgresql-$ver-$PG_CLUSTER.log"
  echo "$ver $PG_CLUSTER" >"$PG_MARKER"
  STARTED+=(postgres)
  local deadline=$((SECONDS + 30))
  until pg_answers; do
    ((SECONDS < deadline)) || die "postgres $ver/$PG_CLUSTER started but does not answer at $PGHOST:$PGPORT after 30s: see /var/log/postgresql/postgresql-$ver-$PG_CLUSTER.log"
    sleep 0.3
  done
  ok "postgres: started cluster $ver/$PG_CLUSTER at $PGHOST:$PGPORT"
}

# psql as a superuser: DATABASE_ADMIN_URL if set, else the local postgres OS
# user over the Unix socket (peer auth, needs root).
admin_psql() {
  if [[ -n $DATABASE_ADMIN_URL ]]; then
    psql "$DATABASE_ADMIN_URL" -X -q -v ON_ERROR_STOP=1 "$@"
  else
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p "$PGPORT" -d postgres "$@")
  fi
}

# Idempotent role: created if missing, attributes and password (re)set every
# run so env changes take effect. Never touches a superuser role.
role_sql() {
  local p=$1 createdb=$2
  cat <<SQL
SELECT format('CREATE ROLE %I', :'${p}_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'${p}_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER $createdb NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', rolname, :'${p}_pass') FROM pg_roles WHERE rolname = :'${p}_user' AND NOT rolsuper \gexec
SQL
}

# Idempotent database owned by its role; PUBLIC loses CONNECT/TEMP, so each
# role reaches only its own databases (least privilege).
db_sql() {
  local d=$1 p=$2
  cat <<SQL
SELECT format('CREATE DATABASE %I OWNER %I', :'${d}_db', :'${p}_user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'${d}_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'${d}_db', :'${p}_user') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'${d}_db') \gexec
SQL
}

# The apps' runtime roles (least privilege): they log in with the application role's password, own
# nothing, cannot create databases, and get table grants from migration 1700000000005. CONNECT on the
# application and test databases only.
RUNTIME_ROLES="ledgerline_gateway ledgerline_sink ledgerline_ops"
runtime_roles_sql() {
  local role
  for role in $RUNTIME_ROLES; do
    cat <<SQL
SELECT format('CREATE ROLE %I', '$role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', '$role', :'app_pass') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', d, '$role') FROM unnest(ARRAY[:'app_db', :'test_db']) AS d \gexec
SQL
  done
}

# Checks that user $1 / password $2 can log in to db $3 over TCP.
can_login() {
  PGPASSWORD=$2 psql -X -q -w -h "$PGHOST" -p "$PGPORT" -U "$1" -d "$3" -tAc 'select 1' >/dev/null 2>&1
}

provision_postgres() {
  local app_user app_pass app_db test_user test_pass test_db
  parse_pg_url DATABASE_URL
  app_user=$PGU_USER app_pass=$PGU_PASS app_db=$PGU_DB
  [[ $PGU_HOST:$PGU_PORT == "$PGHOST:$PGPORT" ]] ||
    warn "DATABASE_URL points at $PGU_HOST:$PGU_PORT but the stack's Postgres is PGHOST:PGPORT=$PGHOST:$PGPORT"
  parse_pg_url TEST_DATABASE_URL
  test_user=$PGU_USER test_pass=$PGU_PASS test_db=$PGU_DB
  local u
  for u in "$app_user" "$test_user" "$REGISTRY_DATABASE_USER"; do
    [[ $u != postgres ]] || die "the stack's roles must not be the 'postgres' superuser: use a dedicated user in DATABASE_URL / TEST_DATABASE_URL / REGISTRY_DATABASE_USER"
  done
  [[ $test_user != "$app_user" || $test_pass == "$app_pass" ]] ||
    die "DATABASE_URL and TEST_DATABASE_URL give role $app_user two passwords: make them the same"
  [[ $app_db != "$test_db" ]] || die "DATABASE_URL and TEST_DATABASE_URL name the same database $app_db: give tests their own database"
  [[ $REGISTRY_DATABASE != "$app_db" && $REGISTRY_DATABASE != "$test_db" ]] ||
    die "REGISTRY_DATABASE=$REGISTRY_DATABASE is also an application database: give the registry its own database"
  [[ $REGISTRY_DATABASE_USER != "$app_user" && $REGISTRY_DATABASE_USER != "$test_user" ]] ||
    die "REGISTRY_DATABASE_USER=$REGISTRY_DATABASE_USER is also the application role: give the registry its own role"

  local sql
  sql=$(
    role_sql app CREATEDB # CREATEDB: tests create throwaway databases
    [[ $test_user == "$app_user" ]] || role_sql test CREATEDB
    role_sql reg NOCREATEDB
    db_sql app app
    db_sql test test
    db_sql reg reg
    runtime_roles_sql
    echo "SELECT 'superuser:' || rolname FROM pg_roles WHERE rolsuper AND rolname IN (:'app_user', :'test_user', :'reg_user');"
  )
  local out
  if ! out=$(admin_psql -tA -v app_user="$app_user" -v app_pass="$app_pass" -v app_db="$app_db" \
    -v test_user="$test_user" -v test_pass="$test_pass" -v test_db="$test_db" \
    -v reg_user="$REGISTRY_DATABASE_USER" -v reg_pass="$REGISTRY_DATABASE_PASSWORD" -v reg_db="$REGISTRY_DATABASE" \
    <<<"$sql" 2>&1); then
    # No admin access (e.g. an external server): fine if everything already exists.
    if can_login "$app_user" "$app_pass" "$app_db" && can_login "$test_user" "$test_pass" "$test_db" &&
      can_login "$REGISTRY_DATABASE_USER" "$REGISTRY_DATABASE_PASSWORD" "$REGISTRY_DATABASE"; then
      warn "could not provision as superuser (${out%%$'\n'*}); roles and databases already work, continuing"
    else
      die "creating roles/databases failed: ${out%%$'\n'*}: run as root (uses the local postgres user) or set DATABASE_ADMIN_URL to a superuser URL"
    fi
  fi
  local line
  while IFS= read -r line; do
    if [[ $line == superuser:* ]]; then
      warn "role ${line#superuser:} is a superuser; left as is (least privilege wants a plain role)"
    fi
  done <<<"$out"

  # Verify TCP password auth end to end (pg_hba: host ... 127.0.0.1/32 scram-sha-256).
  if ! { can_login "$app_user" "$app_pass" "$app_db" && can_login "$test_user" "$test_pass" "$test_db" &&
    can_login "$REGISTRY_DATABASE_USER" "$REGISTRY_DATABASE_PASSWORD" "$REGISTRY_DATABASE"; }; then
    die "roles exist but cannot log in over TCP at $PGHOST:$PGPORT: pg_hba.conf needs 'host all all 127.0.0.1/32 scram-sha-256'"
  fi
  # ...and that a wrong password is refused (no 'trust' rule). Once per server:
  # each probe leaves a "password authentication failed" line in its log.
  local checked="$RUN_DIR/pg-auth-checked"
  if [[ $(cat "$checked" 2>/dev/null) != "$PGHOST:$PGPORT" ]]; then
    if can_login "$app_user" "wrong-$RANDOM$RANDOM" "$app_db"; then
      warn "Postgres at $PGHOST:$PGPORT accepts TCP logins with a wrong password (trust auth in pg_hba.conf); use scram-sha-256"
    else
      echo "$PGHOST:$PGPORT" >"$checked"
    fi
  fi
  local roles=$app_user
  [[ $test_user == "$app_user" ]] || roles+=", $test_user"
  ok "postgres: roles $roles, ${RUNTIME_ROLES// /, }, $REGISTRY_DATABASE_USER and databases $app_db, $test_db, $REGISTRY_DATABASE ready"
}

# ---------------------------------------------------------------------------
# (2) Kafka (KRaft, combined broker+controller nodes: one, or LEDGERLINE_KAFKA_BROKERS that together
# are the controller quorum)
# ---------------------------------------------------------------------------
kafka_tool() {
  "$KAFKA_JAVA" -Xmx256m "-Dlog4j2.configurationFile=$STACK_DIR/kafka/log4j2-tools.xml" \
    -cp "$KAFKA_HOME/libs/*" "$@"
}

# KAFKA_SECURITY_PROTOCOL=SASL_SSL: the broker takes only SASL_SSL clients (SCRAM-SHA-512), authorizes
# each by ACL (setup.sh grants what each principal needs) and refuses what no ACL allows.
kafka_secure() { [[ ${KAFKA_SECURITY_PROTOCOL:-PLAINTEXT} == SASL_SSL ]]; }
KAFKA_USERS="admin gateway processor sink ops"

# Once per state dir: a CA and a broker certificate for 127.0.0.1 (PEM), and a random password per user.
ensure_kafka_security() {
  local dir="$LEDGERLINE_STATE/kafka/security" u
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [[ ! -s $dir/broker-keystore.pem ]]; then
    info "making the broker's CA and certificate (openssl)"
    bash "$STACK_DIR/kafka-certs.sh" "$dir" || die "making the broker's certificates with openssl failed (in $dir)"
  fi
  if [[ ! -s $dir/credentials.env ]]; then
    for u in $KAFKA_USERS; do printf '%s=%s\n' "$u" "$(openssl rand -hex 16)"; done >"$dir/credentials.env"
    chmod 600 "$dir/credentials.env"
  fi
}

kafka_password() { sed -n "s/^$1=//p" "$LEDGERLINE_STATE/kafka/security/credentials.env"; }

kafka_security_config() {
  local dir="$LEDGERLINE_STATE/kafka/security"
  cat <<EOF
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(kafka_password admin)";
ssl.keystore.type=PEM
ssl.keystore.location=$dir/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$dir/ca.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
# The controller listener is plain text on loopback: the broker reaches it as ANONYMOUS.
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
EOF
}

# What to delete to start Kafka's storage over (every node's).
kafka_storage_dirs() {
  if ((LEDGERLINE_KAFKA_BROKERS > 1)) || compgen -G "$LEDGERLINE_STATE/kafka/node-*" >/dev/null; then
    echo "$LEDGERLINE_STATE/kafka/data and $LEDGERLINE_STATE/kafka/node-*"
  else
    echo "$LEDGERLINE_STATE/kafka/data"
  fi
}

# Storage formatted for another node count knows other voters and holds internal topics with other
# replication factors: refused, for running nodes too (a new node would join a quorum they lack).
check_kafka_storage_brokers() {
  local i dir count
  for ((i = 1; i <= LEDGERLINE_KAFKA_BROKERS; i++)); do
    dir=$(kafka_node_dir "$i")
    [[ -f $dir/data/meta.properties ]] || continue
    count=$(kafka_recorded_brokers "$i")
    [[ $count == "$LEDGERLINE_KAFKA_BROKERS" ]] ||
      die "kafka storage in $dir/data was formatted for $count broker(s), not LEDGERLINE_KAFKA_BROKERS=$LEDGERLINE_KAFKA_BROKERS: set LEDGERLINE_KAFKA_BROKERS=$count (npm start -- --brokers $count), or npm run stop and delete $(kafka_storage_dirs) (their topics go) to switch"
  done
}

# server.properties of node $1.
write_kafka_config() {
  local node=$1 n=$LEDGERLINE_KAFKA_BROKERS dir listener=PLAINTEXT i voters='' port cport
  dir=$(kafka_node_dir "$node")
  mkdir -p "$dir"
  if kafka_secure; then
    ensure_kafka_security
    listener=SASL_SSL
  fi
  # Static quorum: every node a voter.
  for ((i = 1; i <= n; i++)); do voters+="${voters:+,}$i@127.0.0.1:$(kafka_node_port KAFKA_CONTROLLER_PORT "$i")"; done
  port=$(kafka_node_port KAFKA_PORT "$node")
  cport=$(kafka_node_port KAFKA_CONTROLLER_PORT "$node")
  # KAFKA_EXTRA_LISTENERS (PLAINTEXT only, preflight checked): node i's ports are 100*(i-1) higher.
  local extra lname lport adv listens='' advertised='' protocols=''
  kafka_extra_listeners
  for extra in "${KAFKA_EXTRA[@]}"; do
    read -r lname lport adv <<<"$extra"
    listens+=",$lname://127.0.0.1:$((lport + 100 * (node - 1)))"
    advertised+=",$lname://127.0.0.1:$((adv + 100 * (node - 1)))"
    protocols+=",$lname:PLAINTEXT"
  done
  {
    cat <<EOF
# Generated by ops/stack/up.sh on every start: change env vars or up.sh, not this file.
process.roles=broker,controller
node.id=$node
controller.quorum.voters=$voters
listeners=$listener://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport$listens
advertised.listeners=$listener://127.0.0.1:$port$advertised
controller.listener.names=CONTROLLER
log.dirs=$dir/data
num.partitions=3
EOF
    if ((n == 1)); then
      cat <<EOF
# Single node: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
    else
      local rf=3 isr=2 note="so one node may be down"
      ((n >= 3)) || rf=2 isr=1 note="but the 2-voter quorum needs both nodes (3 survive one down)"
      cat <<EOF
# $n nodes: internal topics and topics created without a replication factor get $rf replicas, and
# an acks=all write needs $isr in sync, $note.
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
default.replication.factor=$rf
min.insync.replicas=$isr
EOF
    fi
    grep -v '^#' "$STACK_DIR/kafka/failure-detection.properties"
    cat <<EOF
group.initial.rebalance.delay.ms=0
transaction.max.timeout.ms=900000
# Topics are created explicitly by the app/tests, never by a typo'd producer.
auto.create.topics.enable=false
# Share groups (KIP-932) off: also formatted with share.version=0.
group.share.enable=false
# Small dev box: fewer threads, less memory.
num.network.threads=2
num.io.threads=4
EOF
    if kafka_secure; then
      kafka_security_config
    else
      printf '%s\n' "inter.broker.listener.name=PLAINTEXT" "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT$protocols"
    fi
  } >"$dir/server.properties"
}

# Formats node $1's storage unless done; every node gets the same cluster id (kafka/cluster-id).
format_kafka_storage() {
  local node=$1 dir cid mode=PLAINTEXT what=''
  dir=$(kafka_node_dir "$node")
  kafka_secure && mode=SASL_SSL
  if [[ -f $dir/data/meta.properties ]]; then
    # SCRAM users are written at format time: storage formatted for another mode has none of them.
    [[ $(cat "$dir/security-mode" 2>/dev/null || echo PLAINTEXT) == "$mode" ]] ||
      die "kafka storage in $dir/data was made for $(cat "$dir/security-mode" 2>/dev/null || echo PLAINTEXT), not $mode: set KAFKA_SECURITY_PROTOCOL back, or npm run stop and delete $(kafka_storage_dirs) (its topics go) to switch"
    return 0
  fi
  if [[ -s $LEDGERLINE_STATE/kafka/cluster-id ]]; then
    cid=$(<"$LEDGERLINE_STATE/kafka/cluster-id")
  else
    cid=$(kafka_tool kafka.tools.StorageTool random-uuid) || die "kafka StorageTool random-uuid failed: check the Kafka runtime in $KAFKA_HOME (delete it to re-download)"
    echo "$cid" >"$LEDGERLINE_STATE/kafka/cluster-id"
  fi
  ((LEDGERLINE_KAFKA_BROKERS == 1)) || what=" of node $node"
  info "formatting kafka storage$what (cluster id $cid)"
  local out
  # Static quorum (controller.quorum.voters): no --standalone.
  local -a scram=()
  if kafka_secure; then
    local u
    for u in $KAFKA_USERS; do scram+=(--add-scram "SCRAM-SHA-512=[name=$u,password=$(kafka_password "$u")]"); done
  fi
  out=$(kafka_tool kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" \
    --feature share.version=0 "${scram[@]}" 2>&1) ||
    die "kafka storage format failed: ${out%%$'\n'*}: fix the cause or delete $dir/data to start over"
  echo "$mode" >"$dir/security-mode"
  echo "$LEDGERLINE_KAFKA_BROKERS" >"$dir/broker-count"
}

# Launch and readiness are split so Kafka's nodes and the registry (independent
# of each other) boot in parallel: warm start ≈ the slowest, not the sum.
REGISTRY_NEW_PID=''
declare -A KAFKA_NEW_PIDS=() KAFKA_LOG_MARKS=() # by node number: the nodes this run launched

launch_kafka() {
  local i
  for ((i = 1; i <= LEDGERLINE_KAFKA_BROKERS; i++)); do launch_kafka_node "$i"; done
  KAFKA_DEADLINE=$((SECONDS + KAFKA_START_TIMEOUT))
}

launch_kafka_node() {
  local node=$1 pid svc dir log port what=''
  svc=$(kafka_svc "$node")
  dir=$(kafka_node_dir "$node")
  log="$LOG_DIR/$svc.log"
  port=$(kafka_node_port KAFKA_PORT "$node")
  if pid=$(our_pid "$svc"); then
    ok "$svc: already running (pid $pid) at 127.0.0.1:$port"
    return
  fi
  clear_stale_pid "$svc"
  write_kafka_config "$node"
  format_kafka_storage "$node"
  # The log is appended to (log4j rolls it by size): only look past this mark.
  KAFKA_LOG_MARKS[$node]=$(log_offset "$log")
  local -a heap
  read -r -a heap <<<"$KAFKA_HEAP"
  ((LEDGERLINE_KAFKA_BROKERS == 1)) || what=" (node $node of $LEDGERLINE_KAFKA_BROKERS)"
  info "starting kafka $KAFKA_VERSION$what"
  (
    cd "$dir"
    exec 9>&- # do not inherit the stack lock (it would stay held for the JVM's lifetime)
    # setsid: own session, so a Ctrl-C or closed terminal does not reach it.
    # stdout/stderr only get JVM-level output; the broker logs to kafka.log.
    # G1PeriodicGCInterval: when idle, give heap grown during test runs back to the OS.
    exec setsid "$KAFKA_JAVA" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -XX:G1PeriodicGCInterval=60000 \
      -Djava.awt.headless=true "$STACK_TAG" \
      "-Dlog4j2.configurationFile=$STACK_DIR/kafka/log4j2.xml" "-Dledgerline.kafka.log=$log" \
      -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$dir/server.properties"
  ) >"$LOG_DIR/$svc.out" 2>&1 </dev/null &
  KAFKA_NEW_PIDS[$node]=$!
  echo "$!" >"$(pid_file "$svc")"
  STARTED+=("$svc")
}

# Ready = this run logged "Kafka Server started" AND the listener accepts
# connections. Returns 1 while starting; dies if the broker exits or times out.
# A node of a cluster gets there only once a majority of the voters runs.
kafka_ready() {
  local node=$1 svc port
  svc=$(kafka_svc "$node")
  port=$(kafka_node_port KAFKA_PORT "$node")
  local log="$LOG_DIR/$svc.log" out="$LOG_DIR/$svc.out" run_log="$RUN_DIR/$svc-start.log"
  log_since "$log" "${KAFKA_LOG_MARKS[$node]}" "$run_log"
  if grep -q 'Kafka Server started' "$run_log" && port_open 127.0.0.1 "$port"; then
    rm -f "$run_log"
    return 0
  fi
  if ! alive "${KAFKA_NEW_PIDS[$node]}"; then
    show_log_tail "$out"
    show_log_tail "$run_log"
    die "$svc exited during startup ($(first_error "$out" "$run_log")): fix the cause above (logs: $log, $out)"
  fi
  if ((SECONDS >= KAFKA_DEADLINE)); then
    show_log_tail "$run_log"
    die "$svc not ready after ${KAFKA_START_TIMEOUT}s: see $log and $out, or raise KAFKA_START_TIMEOUT"
  fi
  return 1
}

# ---------------------------------------------------------------------------
# (3) Apicurio Registry (SQL storage in our Postgres)
# ---------------------------------------------------------------------------
launch_registry() {
  local pid log="$LOG_DIR/registry.log"
  if pid=$(our_pid registry); then
    ok "registry: already running (pid $pid) at http://127.0.0.1:$REGISTRY_PORT"
    return
  fi
  clear_stale_pid registry
  REGISTRY_LOG_MARK=$(log_offset "$log")
  local -a heap extra=()
  read -r -a heap <<<"$REGISTRY_HEAP"
  # Applies while no global rule is stored (PUT /config still overrides it).
  [[ -z $REGISTRY_COMPATIBILITY ]] || extra+=("-Dapicurio.rules.global.compatibility=$REGISTRY_COMPATIBILITY")
  # REGISTRY_BASIC_AUTH=true: Quarkus's HTTP basic auth with one embedded user (the credentials env.sh
  # made), on every path. Quarkus reads config/application.properties from the working directory.
  local registry_config="$LEDGERLINE_STATE/registry/config/application.properties"
  if [[ ${REGISTRY_BASIC_AUTH:-false} == true ]]; then
    local user password
    IFS=: read -r user password <"$LEDGERLINE_STATE/registry/credentials"
    mkdir -p "${registry_config%/*}"
    (
      umask 077
      cat >"$registry_config" <<EOF
quarkus.http.auth.basic=true
quarkus.security.users.embedded.enabled=true
quarkus.security.users.embedded.plain-text=true
quarkus.security.users.embedded.users.$user=$password
quarkus.security.users.embedded.roles.$user=sr-admin
quarkus.http.auth.permission.authenticated.paths=/*
quarkus.http.auth.permission.authenticated.policy=authenticated
EOF
    )
  else
    rm -f "$registry_config"
  fi
  info "starting apicurio registry $REGISTRY_VERSION"
  (
    # Own working dir: Quarkus also reads ./config/application.properties and ./.env.
    cd "$LEDGERLINE_STATE/registry"
    exec 9>&-
    # Credentials via env (Quarkus maps APICURIO_DATASOURCE_*), not visible in ps.
    export APICURIO_DATASOURCE_USERNAME=$REGISTRY_DATABASE_USER
    export APICURIO_DATASOURCE_PASSWORD=$REGISTRY_DATABASE_PASSWORD
    # Logs: Quarkus file handler, plain text, rotated at boot and at 20 MB (the
    # access log grows fast under tests); stdout/stderr only get JVM-level output.
    # Pool: Apicurio keeps 20 idle connections by default; 2 is plenty here.
    # record-request-start-time: the access log's response_time (ms) is filled in, not "-".
    exec setsid "$REGISTRY_JAVA" "${heap[@]}" -XX:+UseG1GC -XX:G1PeriodicGCInterval=60000 "$STACK_TAG" \
      -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$REGISTRY_PORT" \
      -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=$REGISTRY_MANAGEMENT_PORT" \
      -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
      "-Dapicurio.datasource.url=jdbc:postgresql://$PGHOST:$PGPORT/$REGISTRY_DATABASE" \
      -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
      -Dapicurio.datasource.jdbc.max-size=20 "${extra[@]}" \
      -Dquarkus.log.console.enabled=false -Dquarkus.log.file.enabled=true "-Dquarkus.log.file.path=$log" \
      -Dquarkus.log.file.json.enabled=false -Dquarkus.http.record-request-start-time=true \
      -Dquarkus.log.file.rotation.max-file-size=20M -Dquarkus.log.file.rotation.max-backup-index=3 \
      -jar "$REGISTRY_HOME/quarkus-run.jar"
  ) >"$LOG_DIR/registry.out" 2>&1 </dev/null &
  REGISTRY_NEW_PID=$!
  echo "$REGISTRY_NEW_PID" >"$(pid_file registry)"
  STARTED+=(registry)
  REGISTRY_DEADLINE=$((SECONDS + REGISTRY_START_TIMEOUT))
}

# Ready = the Confluent-compatible API answers. Returns 1 while starting; dies
# if the registry exits or times out.
registry_ready() {
  local log="$LOG_DIR/registry.log" out="$LOG_DIR/registry.out" run_log="$RUN_DIR/registry-start.log"
  local url="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"
  local -a auth=()
  [[ ${REGISTRY_BASIC_AUTH:-false} != true ]] || auth=(-u "$(<"$LEDGERLINE_STATE/registry/credentials")")
  curl -sf -o /dev/null --max-time 2 "${auth[@]}" "$url" && return 0
  if ! alive "$REGISTRY_NEW_PID"; then
    log_since "$log" "$REGISTRY_LOG_MARK" "$run_log"
    show_log_tail "$out"
    show_log_tail "$run_log"
    die "registry exited during startup ($(first_error "$out" "$run_log")): fix the cause above (logs: $log, $out)"
  fi
  if ((SECONDS >= REGISTRY_DEADLINE)); then
    log_since "$log" "$REGISTRY_LOG_MARK" "$run_log"
    show_log_tail "$run_log"
    die "registry not answering $url after ${REGISTRY_START_TIMEOUT}s: see $log and $out, or raise REGISTRY_START_TIMEOUT"
  fi
  return 1
}

# Waits for whatever this run launched.
await_started() {
  local node
  while ((${#KAFKA_NEW_PIDS[@]} > 0)) || [[ -n $REGISTRY_NEW_PID ]]; do
    for node in "${!KAFKA_NEW_PIDS[@]}"; do
      if kafka_ready "$node"; then
        ok "$(kafka_svc "$node"): started (pid ${KAFKA_NEW_PIDS[$node]}) at 127.0.0.1:$(kafka_node_port KAFKA_PORT "$node")"
        unset "KAFKA_NEW_PIDS[$node]"
      fi
    done
    if [[ -n $REGISTRY_NEW_PID ]] && registry_ready; then
      ok "registry: started (pid $REGISTRY_NEW_PID) at http://127.0.0.1:$REGISTRY_PORT"
      REGISTRY_NEW_PID=''
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------------------
main() {
  local t0=$SECONDS
  mkdir_state
  # One up/down at a time per state dir.
  take_stack_lock
  preflight
  bash "$STACK_DIR/fetch.sh"
  start_postgres
  provision_postgres
  launch_kafka
  launch_registry
  await_started
  echo
  info "ledgerline stack is up ($((SECONDS - t0))s):"
  print_status || true
  echo "    DATABASE_URL=$(mask_url "$DATABASE_URL")  KAFKA_BROKERS=$(kafka_bootstrap "$LEDGERLINE_KAFKA_BROKERS")  SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
}

main "$@"
