#!/usr/bin/env bash
# `make demo`: `make run`'s start (console build, the private PostgreSQL unless one is configured, migration at start-up),
# then, once /health/ready answers, a realistic SOC seeded through the public API by scripts/demo-seed.py (users,
# sensors of every kind and format with keys, a week of events, triaged alerts, a notification channel and rule). The
# seed is written once per database: a second run finds its marker and only prints the logins. The API then keeps
# serving on :PORT (default 8000) until Ctrl-C, as `make run` does.
#   scripts/demo.sh          start, seed, serve
#   scripts/demo.sh seed     seed an API that is already running on :PORT (needs the same database settings)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${PORT:-8000}"
api="http://localhost:$port"
project=src/WebApi/ThreatPlatform.WebApi.csproj
export TP_API_DLL="$root/src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll"

if ! command -v python3 >/dev/null 2>&1; then
  echo "make demo needs python3 for its seeder (scripts/demo-seed.py, standard library only)." >&2
  exit 1
fi

if [ "${1:-}" = "seed" ]; then
  # shellcheck source=scripts/env.sh
  source scripts/env.sh
  exec python3 scripts/demo-seed.py --api "$api"
fi

scripts/console-build.sh || echo "The console did not build (see above); the API runs without it." >&2
# shellcheck source=scripts/env.sh
source scripts/env.sh
if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
  echo "Port $port is already taken; run with PORT=8001 make demo" >&2
  exit 1
fi
dotnet build "$project" -c Release --nologo -v quiet -clp:ErrorsOnly
# Warnings and errors only (unless Serilog__MinimumLevel__Default says otherwise): the seed's report stays readable.
ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}" \
  Serilog__MinimumLevel__Default="${Serilog__MinimumLevel__Default:-Warning}" dotnet "$TP_API_DLL" --urls "$api" &
api_pid=$!
trap 'kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

echo "Waiting for $api/health/ready …"
for _ in $(seq 1 240); do
  kill -0 "$api_pid" 2>/dev/null || { echo "The API exited before it was ready (see above)." >&2; exit 1; }
  curl -fsS -o /dev/null "$api/health/ready" 2>/dev/null && break
  sleep 0.5
done
curl -fsS -o /dev/null "$api/health/ready" || { echo "The API was not ready within 120 s." >&2; exit 1; }

python3 scripts/demo-seed.py --api "$api"
if [ "${TP_DEMO_EXIT:-0}" = "1" ]; then
  exit 0   # seeded, then stop (scripts/screenshots.sh and checks)
fi
echo "Serving on $api until Ctrl-C."
wait "$api_pid"
