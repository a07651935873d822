#!/usr/bin/env bash
# The whole test suite against a real PostgreSQL (the private cluster unless ConnectionStrings__Default is set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test ThreatPlatform.sln -c Release --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test assembly: "N passed, N failed".
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "dotnet: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
