#!/bin/sh
# Generates a self-signed certificate on first start when none is mounted, then runs nginx in the foreground.
set -eu
dir=/etc/nginx/tls
if [ ! -s "$dir/tls.crt" ] || [ ! -s "$dir/tls.key" ]; then
  host="${TLS_HOSTNAME:-localhost}"
  echo "No certificate in $dir: generating a self-signed one for $host (mount your own to replace it)"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:3072 -sha256 -days 825 -nodes \
    -keyout "$dir/tls.key" -out "$dir/tls.crt" -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1"
  chmod 600 "$dir/tls.key"
fi
exec nginx -g 'daemon off;'
