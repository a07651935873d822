#!/usr/bin/env bash
# `make bench-web`: the SOC console's budget (never part of make test or CI). Builds the console and the API (Release),
# starts the API on a fresh database, seeds BENCH_ALERTS alerts (default 1,000,000) with COPY, then measures in
# Chromium: initial JS gzipped, and navigation → first queue row (first load, median and p90 of BENCH_WEB_RUNS more).
# Writes bench/results/web.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh
export BENCH_ALERTS="${BENCH_ALERTS:-1000000}"
TP_CONSOLE_REQUIRED=1 scripts/console-build.sh
dotnet build src/WebApi/ThreatPlatform.WebApi.csproj -c Release --nologo -v q -clp:ErrorsOnly
dotnet build bench/ThreatPlatform.Bench/ThreatPlatform.Bench.csproj -c Release --nologo -v q -clp:ErrorsOnly
dotnet bench/ThreatPlatform.Bench/bin/Release/net10.0/ThreatPlatform.Bench.dll src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll --web
