#!/usr/bin/env bash
# The SOC console's checks: installs web/'s pinned packages (npm ci), typechecks, builds the console (web/dist, which the
# API serves at /), then runs the Playwright browser tests in Debian's Chromium (/usr/bin/chromium, or TP_CHROMIUM)
# against the real API on a fresh PostgreSQL database (created by the API's migration at start-up, dropped afterwards).
# Needs the Release build of src/WebApi (scripts/test.sh makes it). Arguments go to `playwright test` (e.g. a file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh

if [ -z "${ConnectionStrings__Default:-}" ]; then
  echo "The browser tests need ConnectionStrings__Default (DATABASE_URL alone is not supported here)." >&2
  exit 1
fi
export TP_CHROMIUM="${TP_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$TP_CHROMIUM" ]; then
  echo "Chromium not found at $TP_CHROMIUM: apt-get install chromium (.ci/run does), or set TP_CHROMIUM." >&2
  exit 1
fi

scripts/console-build.sh

cd "$root/web"
database="tp_web_$(date +%s)_$$"
export TP_CONNECTION_STRING
TP_CONNECTION_STRING="$(echo "$ConnectionStrings__Default" | sed -E "s/(^|;)Database=[^;]*/\1Database=$database/I")"
export TP_API_DLL="$root/src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll"
export Console__Root="$root/web/dist"

drop_database() {
  local psql
  psql="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1 || true)"
  [ -n "$psql" ] || return 0
  local kv host port user password
  kv="$(echo "$ConnectionStrings__Default" | tr ';' '\n')"
  host="$(echo "$kv" | sed -n 's/^Host=//Ip' | head -1)"; port="$(echo "$kv" | sed -n 's/^Port=//Ip' | head -1)"
  user="$(echo "$kv" | sed -n 's/^Username=//Ip' | head -1)"; password="$(echo "$kv" | sed -n 's/^Password=//Ip' | head -1)"
  PGPASSWORD="$password" "$psql" -h "${host:-127.0.0.1}" -p "${port:-5432}" -U "$user" -d postgres -qc \
    "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap drop_database EXIT

rm -rf screenshots test-results
npx --no-install playwright test "$@"
