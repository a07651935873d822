#!/usr/bin/env bash
# A private PostgreSQL cluster for development, tests and benchmarks: no system service, no root-owned state.
#   scripts/pg.sh start   initialise (first time) and start the cluster; prints nothing else on success
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url     print the connection string for ConnectionStrings__Default
#   scripts/pg.sh start-replica   a streaming replica of that cluster (pg_basebackup -R, hot standby) on a physical
#                                 replication slot: the primary keeps the WAL the replica has not received yet (up to
#                                 max_slot_wal_keep_size), so a replica that falls behind catches up instead of dying
#   scripts/pg.sh stop-replica    stop it and drop its slot (the primary keeps no WAL for a replica that is gone)
#   scripts/pg.sh replica-url     print its connection string (for ConnectionStrings__ReadOnly)
# Settings: TP_PG_DIR (default .data/pg), TP_PG_PORT (default 25432), TP_PG_REPLICA_DIR (default .data/pg-replica),
#   TP_PG_REPLICA_PORT (default 25433).
#   TP_PG_DURABLE=1       production durability (fsync, synchronous_commit and full_page_writes on) instead of the
#                         development cluster's speed settings; `make bench` runs its own such cluster
#                         (TP_PG_DIR=.data/pg-bench, TP_PG_PORT=25460) so that its figures are the ones production gets.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pg_dir="${TP_PG_DIR:-$root/.data/pg}"
state_dir="$root/.data"
port="${TP_PG_PORT:-25432}"
replica_dir="${TP_PG_REPLICA_DIR:-$root/.data/pg-replica}"
replica_port="${TP_PG_REPLICA_PORT:-25433}"
durable="${TP_PG_DURABLE:-0}"
db_user="threatplatform"
db_name="threatplatform"
pw_file="$state_dir/pg.password"

# As root, the postgres account must reach the data folder through every parent folder; where a parent is private
# (a checkout under /root, say), the cluster lives in a folder of its own under /var/tmp, named after this checkout.
if [ -z "${TP_PG_DIR:-}" ] && [ "$(id -u)" = "0" ] && id postgres >/dev/null 2>&1 \
    && ! runuser -u postgres -- test -x "$root"; then
  pg_dir="/var/tmp/threatplatform-pg-$(echo "$root" | md5sum | cut -c1-12)"
fi
if [ -z "${TP_PG_REPLICA_DIR:-}" ] && [ "$(id -u)" = "0" ] && id postgres >/dev/null 2>&1 \
    && ! runuser -u postgres -- test -x "$root"; then
  replica_dir="/var/tmp/threatplatform-pg-replica-$(echo "$root" | md5sum | cut -c1-12)"
fi

# The durability settings, given on the command line at every start so that they hold whatever postgresql.conf says.
if [ "$durable" = "1" ]; then
  durability=(-o "-c fsync=on -c synchronous_commit=on -c full_page_writes=on")
else
  durability=()
fi

find_bin() {
  local name="$1" dir
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/$name" ] && { echo "$dir/$name"; return; }
  done
  echo "PostgreSQL binaries ($name) not found: install PostgreSQL 15+ (Debian/Ubuntu: apt-get install postgresql)." >&2
  exit 1
}

# initdb and postgres refuse to run as root: run them as the unprivileged 'postgres' account then.
as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

prepare_dir() {
  local dir="${1:-$pg_dir}"
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
}

password() {
  if [ ! -s "$pw_file" ]; then
    mkdir -p "$(dirname "$pw_file")"
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$pw_file")
  fi
  cat "$pw_file"
}

password_digest() {
  password | sha256sum | cut -c1-64
}

url() {
  echo "Host=127.0.0.1;Port=${1:-$port};Database=$db_name;Username=$db_user;Password=$(password)"
}

# The WAL a streaming replica may still need (scripts/pg.sh start-replica): its slot keeps up to
# max_slot_wal_keep_size on the primary for a replica that is behind or briefly away; past that the slot is lost
# (pg_replication_slots.wal_status = 'lost'), the primary's disk is safe, and /health/ready says the replica must be
# rebuilt. max_wal_size is kept small on the development cluster so that checkpoints (and with them the recycling
# of segments a replica still needs) come often: the test suite proves the replica survives several times that.
# Appended to clusters made before these lines too (later lines win).
wal_settings() {
  if ! as_owner grep -q '^max_slot_wal_keep_size' "$pg_dir/postgresql.conf"; then
    local small_wal=""
    # The benchmark's durable cluster keeps PostgreSQL's own checkpoint spacing: its figures are production's.
    [ "$durable" = "1" ] || small_wal=$'max_wal_size = 256MB\nmin_wal_size = 80MB'
    as_owner tee -a "$pg_dir/postgresql.conf" >/dev/null <<CONF
# Streaming replicas (scripts/pg.sh start-replica): a slot keeps WAL for a replica that is behind, within a bound.
max_slot_wal_keep_size = 4GB
$small_wal
CONF
    as_owner "$(find_bin pg_ctl)" -D "$pg_dir" status >/dev/null 2>&1 \
      && as_owner "$(find_bin pg_ctl)" -D "$pg_dir" reload >/dev/null || true
  fi
}

start() {
  local initdb pg_ctl pg_isready psql
  initdb="$(find_bin initdb)"; pg_ctl="$(find_bin pg_ctl)"; pg_isready="$(find_bin pg_isready)"; psql="$(find_bin psql)"
  # A cluster outside this checkout (the fault run's under /var/tmp, or root's when the checkout is private) is named
  # after the checkout's path, so a later clone at the same path finds the earlier clone's cluster, made with that
  # clone's password (CI failed that way: "password authentication failed"). Such a cluster carries a digest of the
  # password it was made with; one made with another password, or without the digest, is removed and made anew.
  case "$pg_dir/" in
    "$root"/*) ;;
    *)
      if [ -f "$pg_dir/PG_VERSION" ] \
          && [ "$(as_owner cat "$pg_dir/tp-password.sha256" 2>/dev/null || true)" != "$(password_digest)" ]; then
        echo "PostgreSQL cluster $pg_dir was made by another checkout (another password): making it anew." >&2
        as_owner "$pg_ctl" -D "$pg_dir" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
      fi
      ;;
  esac
  prepare_dir
  if [ ! -f "$pg_dir/PG_VERSION" ]; then
    local tmp_pw
    tmp_pw="$(mktemp)"
    password > "$tmp_pw"
    chmod 644 "$tmp_pw"
    as_owner "$initdb" -D "$pg_dir" -U "$db_user" --pwfile="$tmp_pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$tmp_pw"
    password_digest | as_owner tee "$pg_dir/tp-password.sha256" >/dev/null
    cat >> "$pg_dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 300
shared_buffers = 512MB
work_mem = 16MB
maintenance_work_mem = 512MB
# A development and test cluster: durability of the machine's crash is not needed, speed is (TP_PG_DURABLE=1
# overrides these three at start: the benchmark's cluster runs with production durability).
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  wal_settings
  # A cluster made before the default ports left Linux's ephemeral range (32768–60999, where a client socket of
  # another test could hold the port just as the server binds it) moves to the setting, restarted if it runs.
  if ! as_owner grep -qx "port = $port" "$pg_dir/postgresql.conf"; then
    as_owner "$pg_ctl" -D "$pg_dir" -m fast stop >/dev/null 2>&1 || true
    as_owner sed -i "s/^port = .*/port = $port/" "$pg_dir/postgresql.conf"
  fi
  if as_owner "$pg_ctl" -D "$pg_dir" status >/dev/null 2>&1; then
    return 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already taken by another program; set TP_PG_PORT to a free port." >&2
    exit 1
  fi
  # A failed start says why (the server's own log) and tries again: CI once saw a start fail right after the
  # fault-injection run with nothing on screen but pg_ctl's "could not start server" (the ports were in the
  # ephemeral range then, where a client socket of that run could hold one; a socket bound there reproduces it).
  local attempt
  for attempt in 1 2 3 4; do
    if as_owner "$pg_ctl" -D "$pg_dir" -l "$pg_dir/server.log" "${durability[@]}" -w -t 60 start >/dev/null; then
      break
    fi
    echo "PostgreSQL did not start (attempt $attempt of 4, port $port, $pg_dir); the end of its log:" >&2
    tail -n 15 "$pg_dir/server.log" >&2 || true
    [ "$attempt" = 4 ] && exit 1
    sleep $((attempt * 10))
  done
  "$pg_isready" -h 127.0.0.1 -p "$port" -q -t 30
  if ! PGPASSWORD="$(password)" "$psql" -h 127.0.0.1 -p "$port" -U "$db_user" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
    PGPASSWORD="$(password)" "$psql" -h 127.0.0.1 -p "$port" -U "$db_user" -d postgres -qc "CREATE DATABASE $db_name" >/dev/null
  fi
}

stop() {
  local pg_ctl
  pg_ctl="$(find_bin pg_ctl)"
  if [ -f "$pg_dir/PG_VERSION" ]; then
    as_owner "$pg_ctl" -D "$pg_dir" -m fast stop >/dev/null 2>&1 || true
  fi
}

# A hot standby of the cluster above, streaming from it (pg_hba.conf as initdb writes it allows replication from
# 127.0.0.1 with scram-sha-256; the cluster's user is its superuser, so it may replicate), on the physical replication
# slot $replica_slot: while the replica is behind (two busy cores replaying CREATE DATABASE copies, say) the primary
# keeps the WAL it has not received, up to max_slot_wal_keep_size (wal_settings). A replica that is not running is
# taken afresh, with a new slot; stop-replica drops the slot, so the primary keeps no WAL for a replica that is gone.
replica_slot="tp_replica"

primary_sql() {
  PGPASSWORD="$(password)" "$(find_bin psql)" -h 127.0.0.1 -p "$port" -U "$db_user" -d postgres -tAq -v ON_ERROR_STOP=1 -c "$1"
}

# The slot stays active for a moment after its replica stopped (the primary's WAL sender ends on its own): wait for it.
drop_replica_slot() {
  local attempt
  for attempt in $(seq 1 25); do
    if [ -z "$(primary_sql "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$replica_slot' AND active")" ]; then
      break
    fi
    sleep 0.2
  done
  primary_sql "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
               WHERE slot_name = '$replica_slot' AND NOT active" >/dev/null
}

start_replica() {
  local pg_ctl pg_isready pg_basebackup psql
  pg_ctl="$(find_bin pg_ctl)"; pg_isready="$(find_bin pg_isready)"; pg_basebackup="$(find_bin pg_basebackup)"; psql="$(find_bin psql)"
  if ! "$pg_isready" -h 127.0.0.1 -p "$port" -q -t 5; then
    echo "The primary on port $port is not running: start it first (scripts/pg.sh start)." >&2
    exit 1
  fi
  if [ -f "$replica_dir/PG_VERSION" ] && as_owner "$pg_ctl" -D "$replica_dir" status >/dev/null 2>&1; then
    # A running replica is kept while its slot holds what it needs; one without a slot (made before slots were
    # used) or whose slot lost WAL it had not received yet can never catch up: it is taken afresh.
    if [ "$(primary_sql "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '$replica_slot'")" != "lost" ] \
        && [ -n "$(primary_sql "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$replica_slot'")" ]; then
      return 0
    fi
    echo "The replica on port $replica_port has no usable slot on the primary: taking it afresh." >&2
    as_owner "$pg_ctl" -D "$replica_dir" -m fast stop >/dev/null 2>&1 || true
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$replica_port") 2>/dev/null; then
    # Another checkout's replica of this same cluster (same system identifier) serves as well as ours would.
    local ours theirs
    ours="$(PGPASSWORD="$(password)" "$psql" -h 127.0.0.1 -p "$port" -U "$db_user" -d postgres -tAc \
      "SELECT system_identifier FROM pg_control_system()" 2>/dev/null || true)"
    theirs="$(PGPASSWORD="$(password)" "$psql" -h 127.0.0.1 -p "$replica_port" -U "$db_user" -d postgres -tAc \
      "SELECT system_identifier FROM pg_control_system() WHERE pg_is_in_recovery()" 2>/dev/null || true)"
    if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
      return 0
    fi
    echo "Port $replica_port is already taken by another program; set TP_PG_REPLICA_PORT to a free port." >&2
    exit 1
  fi
  rm -rf "$replica_dir"
  prepare_dir "$replica_dir"
  # A slot left by a replica that was stopped without stop-replica (a crash, a reboot) goes with that replica's copy.
  drop_replica_slot
  # -X stream: the WAL written during the copy comes along; -C -S: the slot is made before the copy starts, so the
  # primary keeps every segment from the copy's start on; -R: standby.signal + primary_conninfo (with the password,
  # inside the replica's private folder) + primary_slot_name. Checkpoint fast: the copy must not wait for the next
  # timed checkpoint.
  as_owner env PGPASSWORD="$(password)" "$pg_basebackup" -h 127.0.0.1 -p "$port" -U "$db_user" -D "$replica_dir" \
    -X stream -C -S "$replica_slot" -R -c fast --no-sync >/dev/null
  # The copied postgresql.conf says the primary's port; later lines win. hot_standby_feedback: the primary's vacuum
  # keeps rows a replica query still reads, instead of cancelling that query.
  cat >> "$replica_dir/postgresql.conf" <<CONF
# The streaming replica (scripts/pg.sh start-replica)
port = $replica_port
shared_buffers = 128MB
hot_standby = on
hot_standby_feedback = on
CONF
  as_owner "$pg_ctl" -D "$replica_dir" -l "$replica_dir/server.log" -w -t 60 start >/dev/null
  "$pg_isready" -h 127.0.0.1 -p "$replica_port" -q -t 30
  PGPASSWORD="$(password)" "$psql" -h 127.0.0.1 -p "$replica_port" -U "$db_user" -d postgres -tAc "SELECT pg_is_in_recovery()" \
    | grep -q t || { echo "The replica on port $replica_port is not in recovery." >&2; exit 1; }
}

stop_replica() {
  local pg_ctl
  pg_ctl="$(find_bin pg_ctl)"
  if [ -f "$replica_dir/PG_VERSION" ]; then
    as_owner "$pg_ctl" -D "$replica_dir" -m fast stop >/dev/null 2>&1 || true
  fi
  # The primary may already be stopped (then the next start-replica drops the slot before its copy).
  if "$(find_bin pg_isready)" -h 127.0.0.1 -p "$port" -q -t 2; then
    drop_replica_slot || true
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  start-replica) start_replica ;;
  stop-replica) stop_replica ;;
  replica-url) url "$replica_port" ;;
  *) echo "usage: $0 start|stop|url|start-replica|stop-replica|replica-url" >&2; exit 2 ;;
esac
