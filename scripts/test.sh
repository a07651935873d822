#!/usr/bin/env bash
# The whole test suite against a real PostgreSQL (the private cluster unless ConnectionStrings__Default is set):
# every .NET test, then the TypeScript client's checks (drift from the API, Spectral, tsc, Node test), then the SOC
# console's browser tests (Playwright in Chromium against the real API; TP_SKIP_WEB=1 skips them).
# Arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~OpenApi"); a filtered run skips the client's checks,
# and so does TP_SKIP_CLIENT=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/env.sh
source scripts/env.sh

# The read-replica tests (tests/…/Database/ReadReplicaTests.cs) need a streaming replica of the test cluster: on the
# private cluster, start one (4 s on a fresh cluster under load; a fresh copy whenever it is not running). Elsewhere, set
# TP_TEST_REPLICA to the connection string of a hot standby of the server ConnectionStrings__Default names.
if [ -z "${TP_TEST_REPLICA:-}" ] && [ -s .data/pg.password ] && [ "${ConnectionStrings__Default:-}" = "$(scripts/pg.sh url)" ]; then
  if scripts/pg.sh start-replica; then
    TP_TEST_REPLICA="$(scripts/pg.sh replica-url)"
    export TP_TEST_REPLICA
  else
    echo "The streaming replica did not start: the read-replica tests will fail." >&2
  fi
fi

log="$(mktemp)"
client_log="$(mktemp)"
web_log="$(mktemp)"
trap 'rm -f "$log" "$client_log" "$web_log"' EXIT
status=0
# Unfiltered, a test project that finds no test fails the run instead of passing quietly.
no_tests_fail=()
[ $# -eq 0 ] && no_tests_fail=(-- RunConfiguration.TreatNoTestsAsError=true)
dotnet test ThreatPlatform.sln -c Release --nologo "$@" "${no_tests_fail[@]}" 2>&1 | tee "$log" || status=$?

if [ $# -eq 0 ] && [ "${TP_SKIP_CLIENT:-}" != "1" ]; then
  # dotnet test has just built src/WebApi in Release.
  TP_SKIP_BUILD=1 scripts/client-drift.sh 2>&1 | tee -a "$client_log" || status=1
  scripts/client-test.sh 2>&1 | tee -a "$client_log" || status=1
fi
if [ $# -eq 0 ] && [ "${TP_SKIP_WEB:-}" != "1" ]; then
  scripts/web-test.sh 2>&1 | tee "$web_log" || status=1
fi

# One line per runner, then one closing line over all of them: "N passed, N failed, N skipped".
dotnet_counts="$(awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d %d %d", p, f, s }' "$log")"
node_counts="$(awk '/^ℹ pass [0-9]+/ { p += $3 } /^ℹ fail [0-9]+/ { f += $3 } /^ℹ skipped [0-9]+/ { s += $3 }
     END { printf "%d %d %d", p, f, s }' "$client_log")"
# Playwright's list reporter closes with "  N passed (12.3s)", "  N failed", "  N flaky", "  N skipped"; Vitest (the
# console's unit tests) with "      Tests  N failed | N passed | N skipped (N)", colours stripped.
web_counts="$(awk '{ gsub(/\033\[[0-9;]*m/, "") }
     /^ +[0-9]+ passed \(/ { p += $1 } /^ +[0-9]+ (failed|flaky)$/ { f += $1 } /^ +[0-9]+ (skipped|did not run)$/ { s += $1 }
     /^ +Tests +[0-9]+ / { for (i = 2; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^(skipped|todo)/) s += $i } }
     END { printf "%d %d %d", p, f, s }' "$web_log")"
# What failed, in the last lines of the run (CI shows only its tail): each failing test's name and the first lines of
# its error, at most 40 lines.
{
  awk '/^  Failed [A-Za-z]/ { print; n = 4; next } n > 0 && NF > 0 && !/Stack Trace:/ { print "    " $0; n--; next } /Stack Trace:/ { n = 0 }' "$log"
  awk '{ gsub(/\033\[[0-9;]*m/, "") } /^ +[0-9]+\) / { print; n = 8; next } n > 0 && NF > 0 && !/^ +(at |Call log|attachment|─)/ { print; n--; next } /Call log|attachment #/ { n = 0 }' "$web_log"
} | head -n 40 >"$log.failures" || true
if [ -s "$log.failures" ]; then
  echo "── failures ──"
  cat "$log.failures"
fi
rm -f "$log.failures"
read -r dp df ds <<<"$dotnet_counts"
read -r np nf ns <<<"$node_counts"
read -r wp wf ws <<<"$web_counts"
echo "dotnet: $dp passed, $df failed, $ds skipped"
if [ $# -eq 0 ] && [ "${TP_SKIP_CLIENT:-}" != "1" ]; then
  echo "node: $np passed, $nf failed, $ns skipped"
fi
if [ $# -eq 0 ] && [ "${TP_SKIP_WEB:-}" != "1" ]; then
  echo "browser: $wp passed, $wf failed, $ws skipped"
fi
np=$((np + wp)); nf=$((nf + wf)); ns=$((ns + ws))
# An unfiltered run that counts fewer tests than the suite has (a project skipped, the summary format changed) fails.
floor="${TP_MIN_TESTS:-500}"
if [ $# -eq 0 ] && [ $((dp + np)) -lt "$floor" ]; then
  echo "only $((dp + np)) tests ran; the suite has at least $floor (TP_MIN_TESTS): failing" >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ $((df + nf)) -eq 0 ]; then
  # A step without test counts failed (build, drift, lint, typecheck): count it so the closing line says so.
  nf=$((nf + 1))
fi
echo "total: $((dp + np)) passed, $((df + nf)) failed, $((ds + ns)) skipped"
exit "$status"
