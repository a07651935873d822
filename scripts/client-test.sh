#!/usr/bin/env bash
# The TypeScript client's checks: installs its pinned packages (npm ci), lints the OpenAPI document with Spectral,
# typechecks in strict mode and runs its Node test against the real API on a fresh PostgreSQL database (created by the
# API's migration at start-up, dropped afterwards). Needs the Release build of src/WebApi (scripts/test.sh makes it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh
client="$root/clients/typescript"

if [ -z "${ConnectionStrings__Default:-}" ]; then
  echo "The client test needs ConnectionStrings__Default (DATABASE_URL alone is not supported here)." >&2
  exit 1
fi

cd "$client"
# Install (again) only when package-lock.json is newer than the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install spectral lint --fail-severity=error --display-only-failures openapi.json
npx --no-install tsc -p tsconfig.json --noEmit

database="tp_client_$(date +%s)_$$"
export TP_CONNECTION_STRING
TP_CONNECTION_STRING="$(echo "$ConnectionStrings__Default" | sed -E "s/(^|;)Database=[^;]*/\1Database=$database/I")"
export TP_API_DLL="$root/src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll"

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

rm -rf dist
npx --no-install tsc -p tsconfig.json
node --test --test-reporter=spec --test-reporter-destination=stdout dist/test/*.test.js
