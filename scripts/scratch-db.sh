# Sourced by the scripts that run the real API on a database of their own (client-test.sh, web-test.sh):
#   scratch_database PREFIX
# exports TP_CONNECTION_STRING (ConnectionStrings__Default with a fresh database name; the API's migration at
# start-up creates it) and TP_API_DLL (the Release build), and drops that database when the script exits.
scratch_database() {
  scratch_db_name="$1_$(date +%s)_$$"
  export TP_CONNECTION_STRING
  TP_CONNECTION_STRING="$(echo "$ConnectionStrings__Default" | sed -E "s/(^|;)Database=[^;]*/\1Database=$scratch_db_name/I")"
  export TP_API_DLL="$root/src/WebApi/bin/Release/net10.0/ThreatPlatform.WebApi.dll"
  trap drop_scratch_database EXIT
}

drop_scratch_database() {
  local psql kv host port user password
  psql="$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1 || true)"
  [ -n "$psql" ] || return 0
  kv="$(echo "$ConnectionStrings__Default" | tr ';' '\n')"
  host="$(echo "$kv" | sed -n 's/^Host=//Ip' | head -1)"; port="$(echo "$kv" | sed -n 's/^Port=//Ip' | head -1)"
  user="$(echo "$kv" | sed -n 's/^Username=//Ip' | head -1)"; password="$(echo "$kv" | sed -n 's/^Password=//Ip' | head -1)"
  PGPASSWORD="$password" "$psql" -h "${host:-127.0.0.1}" -p "${port:-5432}" -U "$user" -d postgres -qc \
    "DROP DATABASE IF EXISTS \"$scratch_db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
}
