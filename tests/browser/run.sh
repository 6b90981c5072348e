#!/usr/bin/env bash
# Browser tests of the built-in web client, as CI runs them (from the repo root):
#   bash tests/browser/run.sh
# Installs Debian's Chromium if missing, installs playwright-core with npm ci,
# builds the server unless CIRCLE_BIN points at one, and runs the suite.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$chromium" ]; then
  echo "browser tests: installing Debian's chromium package"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

if [ -z "${CIRCLE_BIN:-}" ]; then
  (cd "$repo" && cargo build --bin circle)
fi

cd "$here"
exec node --test --test-concurrency=1 --test-reporter=spec circle.test.js reconnect.test.js resume.test.js leaving.test.js prompts.test.js typing.test.js stats.test.js filter.test.js safety.test.js rounds.test.js
