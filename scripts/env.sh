#!/usr/bin/env bash
# Sourced by the Makefile's targets: when no database is configured, start the private cluster and point the app at
# it; when no JWT signing key (or audit chain key) is set, make a random development key kept in .data/ (never committed).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${ConnectionStrings__Default:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
  "$root/scripts/pg.sh" start
  ConnectionStrings__Default="$("$root/scripts/pg.sh" url)"
  export ConnectionStrings__Default
fi
if [ -z "${Jwt__SigningKey:-}" ]; then
  mkdir -p "$root/.data"
  if [ ! -s "$root/.data/jwt.key" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 -w0 > "$root/.data/jwt.key")
  fi
  Jwt__SigningKey="$(cat "$root/.data/jwt.key")"
  export Jwt__SigningKey
fi
if [ -z "${Audit__ChainKey:-}" ]; then
  mkdir -p "$root/.data"
  if [ ! -s "$root/.data/audit-chain.key" ]; then
    (umask 077; head -c 48 /dev/urandom | base64 -w0 > "$root/.data/audit-chain.key")
  fi
  Audit__ChainKey="$(cat "$root/.data/audit-chain.key")"
  export Audit__ChainKey
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
