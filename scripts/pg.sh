#!/usr/bin/env bash
# A private PostgreSQL cluster for development, tests and benchmarks: no system service, no root-owned state.
#   scripts/pg.sh start   initialise (first time) and start the cluster; prints nothing else on success
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url     print the connection string for ConnectionStrings__Default
# Settings: TP_PG_DIR (default .data/pg), TP_PG_PORT (default 25432).
#   TP_PG_DURABLE=1       production durability (fsync, synchronous_commit and full_page_writes on) instead of the
#                         development cluster's speed settings; `make bench` runs its own such cluster
#                         (TP_PG_DIR=.data/pg-bench, TP_PG_PORT=25460) so that its figures are the ones production gets.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pg_dir="${TP_PG_DIR:-$root/.data/pg}"
state_dir="$root/.data"
port="${TP_PG_PORT:-25432}"
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
  mkdir -p "$pg_dir"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
    chown postgres: "$pg_dir"
    chmod 700 "$pg_dir"
  fi
}

password() {
  if [ ! -s "$pw_file" ]; then
    mkdir -p "$(dirname "$pw_file")"
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$pw_file")
  fi
  cat "$pw_file"
}

url() {
  echo "Host=127.0.0.1;Port=$port;Database=$db_name;Username=$db_user;Password=$(password)"
}

start() {
  local initdb pg_ctl pg_isready psql
  initdb="$(find_bin initdb)"; pg_ctl="$(find_bin pg_ctl)"; pg_isready="$(find_bin pg_isready)"; psql="$(find_bin psql)"
  prepare_dir
  if [ ! -f "$pg_dir/PG_VERSION" ]; then
    local tmp_pw
    tmp_pw="$(mktemp)"
    password > "$tmp_pw"
    chmod 644 "$tmp_pw"
    as_owner "$initdb" -D "$pg_dir" -U "$db_user" --pwfile="$tmp_pw" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$tmp_pw"
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

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
