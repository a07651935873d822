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

source "$root/scripts/scratch-db.sh"
scratch_database tp_client

rm -rf dist
npx --no-install tsc -p tsconfig.json
node --test --test-reporter=spec --test-reporter-destination=stdout dist/test/*.test.js
