#!/usr/bin/env bash
# Two Redis-backed nodes: relay and join-to-pair latency with each pair's members on
# different nodes, against the same with both members on one node.
# Usage: bench/multinode.sh [seconds per run, default 10]
# Needs Redis at $REDIS_URL (default redis://127.0.0.1:6379); both nodes pinned to CPU 0,
# the load generator to CPU 1; traffic on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
prefix="bench-$RANDOM$RANDOM"
cargo build --release --workspace -q

pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  redis-cli -u "$redis_url" --scan --pattern "$prefix*" | xargs -r redis-cli -u "$redis_url" del >/dev/null
}
trap cleanup EXIT

urls=()
for _ in 1 2; do
  out="$(mktemp)"
  taskset -c 0 ./target/release/circle --port 0 --bind 127.0.0.1 --data-dir "$(mktemp -d)" \
    --redis-url "$redis_url" --redis-prefix "$prefix" \
    --message-rate 1000000 --message-burst 1000000 >"$out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$out" && break; sleep 0.1; done
  urls+=(--url "$(grep -o 'http://[0-9.:]*' "$out")")
done
servers=(--server-pid "${pids[0]}" --server-pid "${pids[1]}")
load() { taskset -c 1 ./target/release/circle-loadgen "$@" "${urls[@]}" "${servers[@]}"; }

for placement in "" --same-node; do
  echo "== relay, open loop 4,000 delivered/s ${placement:-(across nodes)}" >&2
  load relay --pairs 100 --rate 2000 --duration "$seconds" $placement
  echo "== relay, closed loop, window 4 ${placement:-(across nodes)}" >&2
  load relay --pairs 100 --window 4 --duration "$seconds" $placement
done
echo "== 1,000 simultaneous joins over both nodes" >&2
load match --n 1000
