#!/usr/bin/env bash
# CPU per POST /api/events/ of a running API and of its PostgreSQL cluster, from /proc counters around one wrk run
# (a figure that load on the machine distorts less than latency does). Used for README's ingest breakdown:
#   bench/tools/cpu-per-request.sh PORT API_PID CONNECTIONS SECONDS POST_LUA PG_DATA_DIR
# POST_LUA is a wrk script that sets the Authorization header and sends one new event per request (as the bench's).
set -euo pipefail
port=$1 pid=$2 conns=$3 secs=$4 script=$5 pgdir=$6
tick=$(getconf CLK_TCK)
api_cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
pg_cpu() {
  local t=0 p
  for p in $(ps -u postgres -o pid=); do
    [[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" == "$pgdir"* ]] || continue
    t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
a0=$(api_cpu); p0=$(pg_cpu)
out=$(wrk -t1 -c"$conns" -d"${secs}s" -s "$script" --latency "http://127.0.0.1:$port")
a1=$(api_cpu); p1=$(pg_cpu)
req=$(echo "$out" | awk '/requests in/{print $1}')
echo "$out" | grep -E "50%|99%|Requests/sec|Non-2xx" || true
python3 -c "print(f'requests {$req}, API CPU {($a1-$a0)*1000/$tick/$req:.2f} ms/req, PostgreSQL CPU {($p1-$p0)*1000/$tick/$req:.2f} ms/req')"
