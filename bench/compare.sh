#!/usr/bin/env bash
# The Circle against the Node socket.io baseline (`circle-loadgen compare`), or, with
# `chart` first, relay latency against offered load (`circle-loadgen chart`). Builds the
# server, the load generator and the baseline, then runs from the repository root; all
# other options go to the load generator (`--help` lists them).
#
#   bench/compare.sh                  # every measure, 3 repetitions (~8 minutes)
#   bench/compare.sh --quick          # smoke run: 1 repetition, short, fewer connections
#   bench/compare.sh --only cpu,latency --reps 5
#   bench/compare.sh chart --reps 3   # -> bench/results/latency.svg (~5 minutes)
#   bench/compare.sh chart --from bench/results/latency-20261128T113732Z.json
#
# Each measurement gets a fresh server pinned to CPU 0; the load generator runs on CPU 1.
# Results go to bench/results/. Only 127.0.0.1 is contacted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command=compare
if [[ "${1:-}" == chart ]]; then command=chart; shift; fi
cargo build --release --workspace --quiet
(cd bench/node-baseline && npm ci --no-audit --no-fund --loglevel=error >&2)
exec target/release/circle-loadgen "$command" "$@"
