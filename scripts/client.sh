#!/usr/bin/env bash
# `make client`: builds the API, serves it on a free local port, saves the OpenAPI document it serves to
# clients/typescript/openapi.json and generates clients/typescript/src/client.ts from it with NSwag
# (clients/typescript/nswag.json; NSwag.ConsoleCore is a local .NET tool pinned in dotnet-tools.json).
# Serving the document needs no database: without one configured, a placeholder connection string is used.
# TP_SKIP_BUILD=1 reuses the Release build already in src/WebApi/bin.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "${ConnectionStrings__Default:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
  export ConnectionStrings__Default="Host=127.0.0.1;Port=1;Database=unused;Username=unused"
fi
# shellcheck source=scripts/env.sh
source scripts/env.sh
client="$root/clients/typescript"
dll="$root/src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll"

if [ "${TP_SKIP_BUILD:-}" != "1" ] || [ ! -f "$dll" ]; then
  dotnet build src/WebApi/ThreatPlatform.WebApi.csproj -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
fi
dotnet tool restore >/dev/null

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
log="$(mktemp)"
Database__MigrateOnStartup=false Serilog__MinimumLevel__Default=Warning \
  dotnet "$dll" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log" "$client/openapi.json.tmp"' EXIT

for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/health/live" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "The API did not start:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/swagger/v1/swagger.json" -o "$client/openapi.json.tmp"
mv "$client/openapi.json.tmp" "$client/openapi.json"
(cd "$client" && dotnet nswag run nswag.json >/dev/null)
echo "clients/typescript/openapi.json and clients/typescript/src/client.ts are up to date with the API."
