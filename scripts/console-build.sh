#!/usr/bin/env bash
# Builds the SOC console (web/ → web/dist, served by the API at /): npm ci when package-lock.json changed, strict
# typecheck, Vite production build. Exits 0 with a note when Node.js is missing (the API then says how to build it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/web"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js not found: the console is not built (the API still runs; / says how to build it)." >&2
  exit "${TP_CONSOLE_REQUIRED:-0}"
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install tsc -p tsconfig.json
npx --no-install vite build --logLevel warn
