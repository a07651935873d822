#!/usr/bin/env bash
# `make proxy-check`: the Compose proxy's nginx config (docker/proxy/nginx.conf) as the image loads it (inside http {}):
# `nginx -t`, then a running nginx on free local ports in front of a stand-in API, whose access log must show no access
# token whatever form the query names it in, while the rest of a query stays readable.
# A copy is adapted to run here, outside Compose: the certificate, log and listen addresses; `api:8000` (a Compose
# service name, resolved when nginx loads) points at the stand-in; `http2 on;` goes when this nginx predates it (1.25.1;
# Debian 12 has 1.22, the image 1.27). Needs nginx (Debian: nginx-light), openssl, curl and python3; without nginx it
# says so and exits 0, unless TP_PROXY_CHECK_REQUIRED=1.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$root/docker/proxy/nginx.conf"

nginx="$(command -v nginx || true)"
[ -z "$nginx" ] && [ -x /usr/sbin/nginx ] && nginx=/usr/sbin/nginx
if [ -z "$nginx" ]; then
  echo "nginx not found (apt-get install nginx-light): docker/proxy/nginx.conf is not checked." >&2
  exit "${TP_PROXY_CHECK_REQUIRED:-0}"
fi

tmp="$(mktemp -d)"
nginx_pid=""
upstream_pid=""
cleanup() {
  local status=$?
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$upstream_pid" ]; then kill "$upstream_pid" 2>/dev/null; wait "$upstream_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
http_port="$(free_port)"
https_port="$(free_port)"
upstream_port="$(free_port)"

mkdir -p "$tmp/tls" "$tmp/temp"
touch "$tmp/access.log" "$tmp/http-level.log"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -keyout "$tmp/tls/tls.key" -out "$tmp/tls/tls.crt" >/dev/null 2>&1

version="$("$nginx" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
drop_http2=""
if [ "$(printf '%s\n1.25.1\n' "$version" | sort -V | head -n1)" != "1.25.1" ]; then
  drop_http2='/^[[:space:]]*http2 on;/d'
fi
sed -e "s|/etc/nginx/tls/|$tmp/tls/|g" \
    -e "s|/var/log/nginx/access.log|$tmp/access.log|g" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|listen 443 ssl;|listen 127.0.0.1:$https_port ssl;|" \
    -e "s|http://api:8000|http://127.0.0.1:$upstream_port|" \
    ${drop_http2:+-e "$drop_http2"} \
    "$conf" >"$tmp/default.conf"

# The image's main config in small: an http-level access log in nginx's own format, which the servers must override.
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 64; }
http {
    access_log $tmp/http-level.log combined;
    client_body_temp_path $tmp/temp/body;
    proxy_temp_path $tmp/temp/proxy;
    fastcgi_temp_path $tmp/temp/fastcgi;
    uwsgi_temp_path $tmp/temp/uwsgi;
    scgi_temp_path $tmp/temp/scgi;
    include $tmp/default.conf;
}
EOF

"$nginx" -t -q -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" || { cat "$tmp/error.log" >&2; exit 1; }
echo "nginx -t: docker/proxy/nginx.conf is valid (nginx $version)."

# The stand-in API: answers anything (a 404 page) so that every request below reaches the access log as a proxied one.
(cd "$tmp/temp" && exec python3 -m http.server "$upstream_port" --bind 127.0.0.1 >/dev/null 2>&1) &
upstream_pid=$!
"$nginx" -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" -g "daemon off;" &
nginx_pid=$!
for _ in $(seq 1 100); do
  if curl -ksS -o /dev/null "https://127.0.0.1:$https_port/health/live" 2>/dev/null \
      && curl -sS -o /dev/null "http://127.0.0.1:$upstream_port/" 2>/dev/null; then break; fi
  sleep 0.1
done

stream="/api/alerts/stream/"
queries=(
  "last_event_id=41&access_token=SECRET-1"
  "access_token=SECRET-2&last_event_id=7"
  "Access_Token=SECRET-3"
  "access%5Ftoken=SECRET-4"
  "%61ccess_token=SECRET-5&last_event_id=1"
  "access_token=SECRET-6&access_token=SECRET-7"
  "search=port%20scan&page=2"
)
for query in "${queries[@]}"; do
  curl -ksS -o /dev/null "https://127.0.0.1:$https_port$stream?$query"
done
curl -sS -o /dev/null "http://127.0.0.1:$http_port$stream?access_token=SECRET-8"

# nginx writes a request's log line after it answered, so the lines are there now; stop it to flush nothing later.
kill "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

log="$tmp/access.log"
failed=0
expect() { grep -qF -- "$1" "$log" || { echo "The access log lacks: $1" >&2; failed=1; }; }
if grep -q "SECRET" "$log" "$tmp/http-level.log"; then
  echo "An access token reached an access log:" >&2
  grep "SECRET" "$log" "$tmp/http-level.log" >&2
  failed=1
fi
expect "\"GET $stream?last_event_id=41&access_token=[REDACTED] HTTP/1.1\""
expect "\"GET $stream?access_token=[REDACTED]&last_event_id=7 HTTP/1.1\""
expect "\"GET $stream?Access_Token=[REDACTED] HTTP/1.1\""
expect "\"GET $stream?[REDACTED] HTTP/1.1\" 404"
expect "\"GET $stream?access_token=[REDACTED] HTTP/1.1\" 308"
expect "\"GET $stream?search=port%20scan&page=2 HTTP/1.1\""
lines="$(grep -c -- "$stream" "$log" || true)"
if [ "$lines" -ne 8 ] || [ -s "$tmp/http-level.log" ]; then
  echo "Expected the 8 stream requests in the redacting log only (it has $lines; the http-level log $(wc -l <"$tmp/http-level.log") lines)." >&2
  failed=1
fi
if [ "$failed" -ne 0 ]; then
  echo "--- access log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "The proxy's access log shows no access token ($lines requests, every form of the parameter)."
