#!/usr/bin/env bash
# Installs the locked dependencies, then runs the baseline server with the given flags:
#   bash bench/node-baseline/run.sh --port 0
# npm's output goes to stderr, so stdout carries only the server's "circle listening on" line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund --loglevel=error >&2
exec node server.mjs "$@"
