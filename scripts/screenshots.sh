#!/usr/bin/env bash
# The README's screenshots (docs/screenshots/queue.png, detail.png, dashboard.png) from the demo, in Debian's Chromium
# (/usr/bin/chromium, or TP_CHROMIUM) through web/'s Playwright: run `make demo` first (same PORT), then this script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${PORT:-8000}"
logins="$root/.data/demo-logins.json"
[ -s "$logins" ] || { echo "No demo logins in $logins: run make demo first." >&2; exit 1; }
curl -fsS -o /dev/null "http://localhost:$port/health/ready" ||
  { echo "Nothing answers on http://localhost:$port: start make demo (PORT=$port) first." >&2; exit 1; }
cd "$root/web"
[ -f node_modules/.package-lock.json ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
TP_DEMO_URL="http://localhost:$port" TP_DEMO_LOGINS="$logins" TP_SCREENSHOTS_DIR="$root/docs/screenshots" \
  node demo-screenshots.mjs
