#!/usr/bin/env bash
# Fault injection on the real API and a real PostgreSQL of its own (`make test-faults`): a private cluster on another
# port (TP_FAULTS_PG_PORT, default 25450) in its own folder, so stopping it hurts no other cluster. Builds Release,
# then scripts/faults.py runs the scenarios and prints the table (also written to .data/faults-last.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export TP_PG_PORT="${TP_FAULTS_PG_PORT:-25450}"
export TP_PG_DIR="${TP_FAULTS_PG_DIR:-/var/tmp/threatplatform-faults-$(echo "$root" | md5sum | cut -c1-12)/pg}"
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$(dirname "$TP_PG_DIR")"
  chmod 755 "$(dirname "$TP_PG_DIR")"
fi

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | tail -1
}
export TP_PG_CTL="$(find_bin pg_ctl)" TP_PSQL="$(find_bin psql)"
if [ "$(id -u)" = "0" ]; then export TP_AS_OWNER="runuser -u postgres --"; else export TP_AS_OWNER=""; fi

trap 'scripts/pg.sh stop || true' EXIT
scripts/pg.sh start
server="$(scripts/pg.sh url)"
password="$(echo "$server" | tr ';' '\n' | sed -n 's/^Password=//p')"
PGPASSWORD="$password" "$TP_PSQL" -h 127.0.0.1 -p "$TP_PG_PORT" -U threatplatform -d postgres -qc "DROP DATABASE IF EXISTS threatplatform_faults WITH (FORCE)" -c "CREATE DATABASE threatplatform_faults"
export TP_FAULTS_CONNECTION_STRING="$(echo "$server" | sed -E 's/(^|;)Database=[^;]*/\1Database=threatplatform_faults/')"

if [ -z "${TP_FAULTS_NO_BUILD:-}" ]; then
  dotnet build src/WebApi/ThreatPlatform.WebApi.csproj -c Release --nologo -v q -clp:ErrorsOnly
fi
export TP_API_DLL="$root/src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll"
export TP_FAULTS_LOG="$root/.data/faults-api.log"
mkdir -p .data
: > "$TP_FAULTS_LOG"

started=$(date +%s)
set +e
python3 scripts/faults.py | tee .data/faults-last.md
status=${PIPESTATUS[0]}
set -e
echo "Fault run took $(( $(date +%s) - started )) s (API log: .data/faults-api.log)"
exit "$status"
