#!/usr/bin/env bash
# Mutation testing (Stryker.NET, a local dotnet tool) over src/Domain and src/Application with the fast unit-test
# projects only: no PostgreSQL, no API. Not part of `make test` or CI: a run takes minutes (see README).
# Usage: scripts/mutation.sh [domain] [application]   (default: both)
# Settings: MUTATION_CONCURRENCY (default 1: the machine's 2 cores are shared), MUTATION_SINCE=<commit> (mutate only
# files changed since that commit: a quick check of a change, not a score), MUTATION_CONFIGURATION (default Debug, from
# the config files; Release lets a domain and an application run go at once, as each then has test outputs of its own).
# Reports: StrykerOutput/<project>/reports/mutation-report.{html,json} (git-ignored). The run fails when a project's
# score falls below the `break` threshold in stryker/<project>.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

projects=("$@")
[ ${#projects[@]} -eq 0 ] && projects=(domain application)

dotnet tool restore >/dev/null

declare -A dirs=([domain]=src/Domain [application]=src/Application)
status=0
summary=()
for project in "${projects[@]}"; do
  dir="${dirs[$project]:-}"
  if [ -z "$dir" ]; then
    echo "unknown project '$project' (domain, application)" >&2
    exit 2
  fi

  out="$root/StrykerOutput/$project"
  rm -rf "$out"
  args=(--config-file "$root/stryker/$project.json" --output "$out" --skip-version-check)
  [ -n "${MUTATION_CONCURRENCY:-}" ] && args+=(--concurrency "$MUTATION_CONCURRENCY")
  [ -n "${MUTATION_SINCE:-}" ] && args+=("--since:$MUTATION_SINCE")
  [ -n "${MUTATION_CONFIGURATION:-}" ] && args+=(--configuration "$MUTATION_CONFIGURATION")
  echo "== Stryker over $dir (reports: StrykerOutput/$project/reports/)"
  started=$SECONDS
  run_status=0
  (cd "$dir" && dotnet stryker "${args[@]}") || run_status=$?
  [ "$run_status" -ne 0 ] && status=$run_status

  report="$out/reports/mutation-report.json"
  if [ -f "$report" ]; then
    summary+=("$(python3 - "$report" "$project" $((SECONDS - started)) <<'PY'
import json, sys
report, project, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
counts = {}
for f in json.load(open(report))["files"].values():
    for m in f["mutants"]:
        counts[m["status"]] = counts.get(m["status"], 0) + 1
killed = counts.get("Killed", 0) + counts.get("Timeout", 0)
survived = counts.get("Survived", 0)
uncovered = counts.get("NoCoverage", 0)
valid = killed + survived + uncovered
covered = killed + survived
score = 100 * killed / valid if valid else 0
covered_score = 100 * killed / covered if covered else 0
print(f"{project}: mutation score {score:.2f}% ({killed} killed of {valid}; {survived} survived, {uncovered} no coverage); "
      f"{covered_score:.2f}% of covered mutants; {counts.get('CompileError', 0)} compile errors, "
      f"{counts.get('Ignored', 0)} ignored; {seconds // 60} min {seconds % 60} s")
PY
)")
  else
    summary+=("$project: no report (Stryker exited with $run_status)")
  fi
done

echo
printf '%s\n' "${summary[@]}"
exit "$status"
