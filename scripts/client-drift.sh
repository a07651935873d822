#!/usr/bin/env bash
# CI: regenerates the OpenAPI document and the TypeScript client and fails when either differs from what is committed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/client.sh >/dev/null
if ! git diff --exit-code --stat -- clients/typescript/openapi.json clients/typescript/src/client.ts; then
  echo "The committed TypeScript client is out of step with the API: run \`make client\` and commit the result." >&2
  git diff -- clients/typescript/openapi.json | head -40 >&2
  exit 1
fi
echo "TypeScript client: no drift from the API."
