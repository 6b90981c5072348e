#!/usr/bin/env bash
# Interop suite: the real `circle` server against the official socket.io clients 2.x and 4.x.
# Run from anywhere (CI calls it from the repository root):   bash tests/interop/run.sh
# Environment: CIRCLE_BIN=/path/to/circle to test a prebuilt binary instead of the debug build;
# TEST_LOG=1 to see the server's output.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# 1. The clients, exactly as locked in package-lock.json.
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

# 2. The server. Without CIRCLE_BIN, (re)build the debug binary: a no-op when it is up to
#    date, and it never tests a stale binary left over from an older checkout.
if [ -z "${CIRCLE_BIN:-}" ]; then
  export CIRCLE_BIN="$repo/target/debug/circle"
  (cd "$repo" && cargo build --bin circle)
fi
if [ ! -x "$CIRCLE_BIN" ]; then
  echo "interop: no server binary at $CIRCLE_BIN" >&2
  exit 1
fi

# 3. The suite; node's exit code is the result.
cd "$here"
exec node --test --test-timeout=60000 test/*.test.mjs
