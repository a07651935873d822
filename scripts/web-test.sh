#!/usr/bin/env bash
# The SOC console's checks: installs web/'s pinned packages (npm ci), typechecks, builds the console (web/dist, which the
# API serves at /), lints it (ESLint, npm run lint) and runs its unit tests (Vitest, npm run test:unit), then runs the
# Playwright browser tests in Debian's Chromium (/usr/bin/chromium, or TP_CHROMIUM) against the real API on a fresh
# PostgreSQL database (created by the API's migration at start-up, dropped afterwards). A lint error or a failing unit
# test fails the run after the browser tests have run too. Needs the Release build of src/WebApi (scripts/test.sh makes
# it). Arguments go to `playwright test` (e.g. a file), and then only those browser tests run: no lint, no unit tests.
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
status=0
if [ $# -eq 0 ]; then
  npm run --silent lint || status=1
  npm run --silent test:unit || status=1
fi
source "$root/scripts/scratch-db.sh"
scratch_database tp_web
export Console__Root="$root/web/dist"

rm -rf screenshots test-results
npx --no-install playwright test "$@" || status=1
exit "$status"
