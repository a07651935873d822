# ThreatPlatform: `make run` serves the API on http://localhost:8000; `make test` runs every test on a real PostgreSQL.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
API := src/WebApi/ThreatPlatform.WebApi.csproj
# `make bench BENCH_QUICK=1 BENCH_ALERTS=…`: the settings reach scripts/bench.sh through the environment.
export BENCH_QUICK BENCH_EVENTS BENCH_BATCH_SIZE BENCH_BATCH_CLIENTS BENCH_ALERTS BENCH_DURATION BENCH_CONNECTIONS BENCH_LOADGEN BENCH_SEARCH BENCH_STREAM_CLIENTS BENCH_STREAM_ALERTS BENCH_STREAM_RATE BENCH_PG_PORT BENCH_DATABASE BENCH_ONLY BENCH_LIST_CONNECTIONS BENCH_KEEP_DATABASE BENCH_LIST_EVENTS BENCH_SYSLOG_CONNECTIONS BENCH_SYSLOG_RATE

.PHONY: help run demo test test-faults mutation bench bench-web console web-test migrate create-admin db-start db-stop build format clean client client-test lint-openapi proxy-check

help:
	@echo "make run           build the console (when Node.js is present), restore, build, start the private PostgreSQL if none is configured, migrate, serve on :$(PORT)"
	@echo "make demo          make run's start, then a demo SOC seeded through the API (sensors, a week of events, triaged alerts); prints the logins"
	@echo "make test          the whole test suite against a real PostgreSQL"
	@echo "make test-faults   real API + its own PostgreSQL (port 25450): DB stop, kill -9, terminated connections, pool/timeouts"
	@echo "make mutation      Stryker.NET over Domain + Application with the unit tests (minutes; not part of make test/CI)"
	@echo "make bench         Release build on its own durable PostgreSQL (fsync on): one table + bench/results/latest.json (BENCH_QUICK=1: short)"
	@echo "make migrate       apply database migrations"
	@echo "make create-admin  USERNAME=… EMAIL=… (password asked without echo, or the first line of a piped stdin)"
	@echo "make db-start | db-stop   the private PostgreSQL cluster under .data/ (db-stop also stops its replica, scripts/pg.sh start-replica)"
	@echo "make client        regenerate clients/typescript (openapi.json + src/client.ts) from the API it builds and serves"
	@echo "make client-test   the TypeScript client's checks: Spectral, tsc --noEmit, Node test against the real API"
	@echo "make lint-openapi  Spectral (OpenAPI + OWASP rules) over clients/typescript/openapi.json"
	@echo "make proxy-check   nginx -t on docker/proxy/nginx.conf, then its access log checked for access tokens (needs nginx)"
	@echo "make console       build the SOC console (web/ → web/dist, served by the API at /); needs Node.js 20.19+"
	@echo "make web-test      the console's Playwright tests in Chromium against the real API (part of make test)"
	@echo "make bench-web     the console's budget: initial JS gzipped, first queue page time on BENCH_WEB_ALERTS alerts"

run:
	@scripts/console-build.sh || echo "The console did not build (see above); the API runs without it." >&2
	@source scripts/env.sh && \
	if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then echo "Port $(PORT) is already taken; run with PORT=8001 make run" >&2; exit 1; fi && \
	ASPNETCORE_ENVIRONMENT=$${ASPNETCORE_ENVIRONMENT:-Development} dotnet run --project $(API) -c Release -- --urls http://localhost:$(PORT)

demo:
	@PORT=$(PORT) scripts/demo.sh

test:
	@scripts/test.sh

test-faults:
	@scripts/test-faults.sh

mutation:
	@scripts/mutation.sh

bench:
	@scripts/bench.sh

bench-web:
	@scripts/bench-web.sh

console:
	@TP_CONSOLE_REQUIRED=1 scripts/console-build.sh

web-test:
	@dotnet build $(API) -c Release --nologo -v quiet -clp:ErrorsOnly && scripts/web-test.sh

client:
	@scripts/client.sh

client-test:
	@dotnet build $(API) -c Release --nologo -v quiet -clp:ErrorsOnly && scripts/client-test.sh

lint-openapi:
	@cd clients/typescript && { [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && \
	npx --no-install spectral lint --fail-severity=error openapi.json

proxy-check:
	@scripts/proxy-check.sh

migrate:
	@source scripts/env.sh && dotnet run --project $(API) -c Release -- migrate

create-admin:
	@test -n "$(USERNAME)" -a -n "$(EMAIL)" || { echo "usage: make create-admin USERNAME=alice EMAIL=alice@example.org" >&2; exit 2; }
	@source scripts/env.sh && dotnet run --project $(API) -c Release -- create-admin --username "$(USERNAME)" --email "$(EMAIL)"

db-start:
	@scripts/pg.sh start && echo "PostgreSQL is up: $$(scripts/pg.sh url | sed 's/Password=[^;]*/Password=…/')"

db-stop:
	@scripts/pg.sh stop-replica; scripts/pg.sh stop

build:
	dotnet build ThreatPlatform.sln -c Release

format:
	dotnet format ThreatPlatform.sln

clean:
	dotnet clean ThreatPlatform.sln >/dev/null; rm -rf src/*/bin src/*/obj tests/*/bin tests/*/obj
