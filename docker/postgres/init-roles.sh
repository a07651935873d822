#!/bin/sh
# First start of the PostgreSQL volume only (docker-entrypoint-initdb.d): the owner role that runs migrations and owns
# the schema, and the API's role, both without superuser, CREATEDB or CREATEROLE. The superuser (POSTGRES_USER) is
# used for nothing else.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$TP_OWNER_PASSWORD" -v api_password="$TP_API_PASSWORD" <<'SQL'
CREATE ROLE threatplatform_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE threatplatform_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'api_password';
CREATE DATABASE threatplatform OWNER threatplatform_owner;
SQL
