#!/usr/bin/env bash
# What each secondary index of `events` costs an insert: 50,000 generated events inserted in one statement (as batch
# ingest's INSERT … SELECT), once with every index and once without each, every run rolled back. Run against a
# migrated database on a cluster with production durability (make bench's: TP_PG_DIR=.data/pg-bench TP_PG_PORT=25460):
#   PGPASSWORD=… bench/tools/index-cost.sh "-h 127.0.0.1 -p 25460 -U threatplatform -d DBNAME"
# It empties events and alerts of that database first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
P="psql $1 -qAt"
$P -f "$here/index-cost.sql" >/dev/null 2>&1
indexes=$($P -c "SELECT indexname FROM pg_indexes WHERE tablename = 'events' AND indexname NOT IN (SELECT conname FROM pg_constraint) AND indexname <> 'ix_events_source_external_id'")
insert='INSERT INTO events (source, event_type, severity, description, occurred_at, source_ip, destination_ip, metadata, external_id, "timestamp") SELECT * FROM idx_src'
run() {
  local drops="" i
  for i in $2; do drops="$drops DROP INDEX $i;"; done
  echo "$1: $($P -c '\timing on' -c "BEGIN; $drops" -c "$insert" -c "ROLLBACK" 2>&1 | grep -E '^Time|ERROR' | tail -2 | head -1)"
}
run "every index" ""
run "only the primary key and the (source, external_id) unique index" "$indexes"
for i in $indexes; do run "without $i" "$i"; done
$P -c "DROP TABLE idx_src"
