#!/usr/bin/env bash
# `make bench`: builds Release, starts its own PostgreSQL cluster with production durability (fsync,
# synchronous_commit and full_page_writes on; .data/pg-bench on port 25460, stopped afterwards), starts the API against
# a fresh database there, measures it next to raw Npgsql, prints one table with the server's settings and writes
# bench/results/latest.json. Never part of `make test` or CI.
#   BENCH_PG_PORT=25460    the bench cluster's port      BENCH_DATABASE=<connection string>: use that server instead
#   BENCH_QUICK=1          small and short, for development (20k events, 50k alerts, 3 s per level)
#   BENCH_EVENTS=200000    events for raw COPY and for batch ingest      BENCH_BATCH_SIZE=1000  BENCH_BATCH_CLIENTS=1,2
#   BENCH_ALERTS=1000000   alerts seeded for the alert-list measurement  BENCH_SEARCH=exfiltration,ids-core-117 (comma-separated)
#   BENCH_DURATION=15      seconds per load level                        BENCH_CONNECTIONS=1,16,64
#   BENCH_LOADGEN=wrk|dotnet   wrk when installed (installed from Debian's packages when run as root), else HttpClient
#   BENCH_STREAM_CLIENTS=1000  SSE clients held open in (7)        BENCH_STREAM_ALERTS=200  BENCH_STREAM_RATE=20 (alerts/s)
#   BENCH_KEEP_DATABASE=1  keep the bench database afterwards (its name is printed), to look at plans
#   BENCH_ONLY=lists       only (8), the alert and event lists at scale: seed, then each list query at
#                          BENCH_LIST_CONNECTIONS=16; writes bench/results/lists.json; BENCH_LIST_EVENTS=10000000
#                          seeds that many events in all (the alerts' own, then ones that raised none)
#   BENCH_ONLY=formats     only (10) raw CEF (POST /api/ingest/raw/) as a share of the native batch endpoint, one client,
#                          BENCH_BATCH_SIZE lines a request, and (11) the syslog listener over TCP (octet counting) from
#                          BENCH_SYSLOG_CONNECTIONS=4 senders, paced at BENCH_SYSLOG_RATE=6000 messages/s, then unpaced:
#                          events/s and p99 send → stored; writes bench/results/formats.json
#   BENCH_ONLY=notifications   only (9): CRITICAL event → webhook / mail latency and the ingest rate with notification
#                          rules on, at 16 connections; needs /usr/bin/python3 with aiosmtpd (Debian python3-aiosmtpd);
#                          updates the "notifications" entry of bench/results/latest.json
#   BENCH_ONLY=ingest      only (12): raw COPY (1,000 per transaction) against batch ingest at BENCH_BATCH_CLIENTS, raw
#                          prepared INSERTs against POST /api/events/ at BENCH_CONNECTIONS, the API's CPU per request at
#                          16 connections and its peak RSS; updates the "ingest" entry of bench/results/latest.json
#   BENCH_INGEST_TRACE=perf    (12) then profiles one more 16-connection level: perf record -e cpu-clock -g on the API
#                          (on-CPU samples; with BENCH_ONLY=ingest, which starts the API with its perf map) into
#                          bench/results/ingest-16.perf.data, top symbols printed; BENCH_INGEST_TRACE=dotnet-trace uses
#                          dotnet-trace collect (BENCH_DOTNET_TRACE=its path, BENCH_TRACE_PROFILE) instead
#   BENCH_ONLY=rules       only (13), the detection-rule rows: batch ingest with 0, 100, 1,000 Sigma rules and 10
#                          correlations, as shares of the no-rule rate; writes bench/results/rules.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The bench's own durable cluster, whatever ConnectionStrings__Default names for development and tests (whose cluster
# runs with fsync off, which flatters every write figure).
if [ -n "${BENCH_DATABASE:-}" ]; then
  ConnectionStrings__Default="$BENCH_DATABASE"
else
  export TP_PG_DIR="$root/.data/pg-bench" TP_PG_PORT="${BENCH_PG_PORT:-25460}" TP_PG_DURABLE=1
  scripts/pg.sh start
  trap 'scripts/pg.sh stop' EXIT
  ConnectionStrings__Default="$(scripts/pg.sh url)"
fi
export ConnectionStrings__Default
# shellcheck source=scripts/env.sh
source scripts/env.sh

if [ "${BENCH_LOADGEN:-}" != "dotnet" ] && ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing wrk from Debian's packages (the load generator)…"
    (apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }) \
      || echo "wrk could not be installed: using the HttpClient load generator." >&2
  else
    echo "wrk is not installed (apt-get install wrk): using the HttpClient load generator." >&2
  fi
fi

# (9)'s SMTP server: Debian's aiosmtpd, as the tests use it.
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing python3-aiosmtpd from Debian's packages (the SMTP server of (9))…"
    apt-get install -y -qq python3-aiosmtpd >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-aiosmtpd >/dev/null; }
  else
    echo "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd): (9) cannot measure mail." >&2
  fi
fi

dotnet build src/WebApi/ThreatPlatform.WebApi.csproj -c Release --nologo -v q -clp:ErrorsOnly
dotnet build bench/ThreatPlatform.Bench/ThreatPlatform.Bench.csproj -c Release --nologo -v q -clp:ErrorsOnly
dotnet bench/ThreatPlatform.Bench/bin/Release/net10.0/ThreatPlatform.Bench.dll src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll
