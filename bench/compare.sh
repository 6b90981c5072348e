#!/usr/bin/env bash
# The Circle against the Node socket.io baseline, in one run: prints a markdown table of
# ratios (The Circle / Node) and writes every per-repetition figure to
# bench/results/compare-<UTC timestamp>.json (and the table to a .md beside it).
#
#   bench/compare.sh                 # 3 repetitions of every measure (~8 minutes)
#   bench/compare.sh --quick         # smoke run: 1 repetition, short, fewer connections
#   bench/compare.sh --reps 5 --only throughput
#
# Options:
#   --reps N        repetitions of each measure (default 3; --quick sets 1)
#   --quick         1 repetition, 3 s relay runs, 2,000 idle connections, 500 joins
#   --only NAME     one measure (repeatable or comma-separated): cpu, throughput, latency,
#                   memory, match (cpu and latency come from the same open-loop run)
#   --no-build      skip `cargo build` and `npm ci` (binaries must already exist)
#
# Every server runs pinned to CPU 0 and the load generator to CPU 1. Each measurement
# gets a fresh server process; within a repetition the servers alternate (The Circle,
# then Node) for each measure, after waiting (at most 15 s) for other processes to go
# quiet. Only 127.0.0.1 is contacted; every server this script starts is stopped on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
results_dir="$here/results"

reps=3
reps_set=0
quick=0
build=1
only=()

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
    case "$1" in
        --reps) reps="${2:?--reps needs a number}"; reps_set=1; shift 2 ;;
        --reps=*) reps="${1#*=}"; reps_set=1; shift ;;
        --quick) quick=1; shift ;;
        --only) IFS=, read -r -a names <<<"${2:?--only needs a name}"; only+=("${names[@]}"); shift 2 ;;
        --only=*) IFS=, read -r -a names <<<"${1#*=}"; only+=("${names[@]}"); shift ;;
        --no-build) build=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
if ! [[ "$reps" =~ ^[1-9][0-9]*$ ]] || ((reps > 20)); then
    echo "compare.sh: --reps must be 1..20" >&2; exit 2
fi
if ((quick)) && ((!reps_set)); then reps=1; fi
mode=full suffix=""
if ((quick)); then mode=quick suffix=-quick; fi

# The measures and the scenario runs that feed them.
all_measures=(cpu throughput latency memory match)
if ((${#only[@]} == 0)); then only=("${all_measures[@]}"); fi
for name in "${only[@]}"; do
    case "$name" in cpu|throughput|latency|memory|match) ;;
        *) echo "compare.sh: unknown measure '$name' (cpu, throughput, latency, memory, match)" >&2; exit 2 ;;
    esac
done
wants() { local m; for m in "${only[@]}"; do [[ "$m" == "$1" ]] && return 0; done; return 1; }
runs=()
if wants cpu || wants latency; then runs+=(open40k); fi
if wants throughput; then runs+=(closed100 closed1000); fi
if wants memory; then runs+=(conns); fi
if wants match; then runs+=(match); fi

# Sizes.
if ((quick)); then
    relay_secs=3; conns_n=2000; conns_hold=1; match_n=500
else
    relay_secs=10; conns_n=19500; conns_hold=5; match_n=2000
fi
open_rate=20000            # messages sent per second: 40,000 delivered per second

# Both servers and the tool may hold up to the hard limit of descriptors.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < conns_n + 200)); then
    echo "compare.sh: open-file limit $(ulimit -n) is too low for $conns_n connections" >&2
    exit 1
fi
for cpu in 0 1; do
    if ! taskset -c "$cpu" true 2>/dev/null; then
        echo "compare.sh: cannot pin to CPU $cpu (this script needs 2 CPUs)" >&2; exit 1
    fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/circle-compare.XXXXXX")"
server_pids=()
data_dirs=()

stop_pid() { # pid: TERM, up to 5 s, then KILL; reaps it
    local pid="$1" i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid dir
    # Keep the raw figures if the run stopped before writing its JSON.
    if [[ -s "${records:-}" && ! -s "${json_out:-}" ]]; then
        mkdir -p "$results_dir"
        cp "$records" "$results_dir/compare-${timestamp}${suffix}.partial.jsonl" &&
            echo "compare.sh: stopped early; raw runs kept in $results_dir/compare-${timestamp}${suffix}.partial.jsonl" >&2
    fi
    for pid in "${server_pids[@]}"; do stop_pid "$pid"; done
    for dir in "${data_dirs[@]}"; do rm -rf "$dir"; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------- build
if ((build)); then
    attempt=1
    until (cd "$root" && cargo build --release --workspace --quiet); do
        if ((attempt >= 5)); then
            echo "compare.sh: cargo build failed $attempt times; giving up" >&2; exit 1
        fi
        log "cargo build failed (someone may be editing the workspace); retrying in 60 s"
        sleep 60
        attempt=$((attempt + 1))
    done
    (cd "$here/node-baseline" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
for bin in "$root/target/release/circle" "$root/target/release/circle-loadgen"; do
    [[ -x "$bin" ]] || { echo "compare.sh: $bin is missing; run without --no-build" >&2; exit 1; }
done
[[ -d "$here/node-baseline/node_modules/socket.io" ]] ||
    { echo "compare.sh: run npm ci in bench/node-baseline (or drop --no-build)" >&2; exit 1; }
# Private copies, so that a rebuild in the shared target/ cannot swap a binary mid-run.
cp "$root/target/release/circle" "$work/circle"
cp "$root/target/release/circle-loadgen" "$work/circle-loadgen"
circle_bin="$work/circle"
node_bin="$here/node-baseline/circle-node"
loadgen="$work/circle-loadgen"

# ----------------------------------------------------------------------- one server
server_pid=""
server_url=""
start_server() { # kind (circle|node): sets server_pid and server_url
    local kind="$1" bin data out i
    case "$kind" in circle) bin="$circle_bin" ;; node) bin="$node_bin" ;; esac
    data="$(mktemp -d "$work/data.XXXXXX")"
    data_dirs+=("$data")
    out="$work/server-$kind.out"
    : >"$out"
    taskset -c 0 "$bin" --message-rate 1000000 --message-burst 1000000 \
        --port 0 --bind 127.0.0.1 --data-dir "$data" >"$out" 2>"$work/server-$kind.err" &
    server_pid=$!
    server_pids+=("$server_pid")
    server_url=""
    for ((i = 0; i < 300; i++)); do     # at most 30 s
        server_url="$(grep -m1 -o 'http://127\.0\.0\.1:[0-9]*' "$out" || true)"
        [[ -n "$server_url" ]] && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "compare.sh: the $kind server exited at start:" >&2
            tail -20 "$work/server-$kind.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z "$server_url" ]]; then
        echo "compare.sh: the $kind server printed no listening line in 30 s" >&2; exit 1
    fi
}

stop_server() {
    stop_pid "$server_pid"
    local kept=() pid
    for pid in "${server_pids[@]}"; do [[ "$pid" != "$server_pid" ]] && kept+=("$pid"); done
    server_pids=("${kept[@]}")
    rm -rf "${data_dirs[@]}"
    data_dirs=()
}

proc_ticks() { # pid: utime + stime in clock ticks (the names here hold no spaces)
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo null
}
machine_busy_ticks() { # all CPUs: everything but idle and iowait
    awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat
}
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo null; }

# Before each measurement, wait (bounded) for neighbours to go quiet: this machine is
# shared, and a compile on it during one server's run but not the other's skews a ratio.
quiet_budget=180            # seconds of waiting allowed over the whole run
quiet_waited_total=0
wait_for_quiet() { # sets quiet_waited and quiet_busy (machine busy, % of one core)
    local a b i
    quiet_waited=0
    for ((i = 0; i < 15; i++)); do      # at most 15 s per measurement
        a="$(machine_busy_ticks)"; sleep 1; b="$(machine_busy_ticks)"
        quiet_busy=$(( (b - a) * 100 / $(getconf CLK_TCK) ))
        ((quiet_busy <= 25)) && return 0
        ((quiet_waited_total >= quiet_budget)) && return 0
        quiet_waited=$((quiet_waited + 1)); quiet_waited_total=$((quiet_waited_total + 1))
    done
}

# ------------------------------------------------------------------------- one run
timestamp="$(date -u +%Y%m%dT%H%M%SZ)"
records="$work/runs.jsonl"
: >"$records"

run_once() { # rep kind run
    local rep="$1" kind="$2" run="$3" args limit
    case "$run" in
        open40k) args=(relay --pairs 100 --rate "$open_rate" --duration "$relay_secs"); limit=$((relay_secs + 90)) ;;
        closed100) args=(relay --pairs 100 --window 4 --duration "$relay_secs"); limit=$((relay_secs + 90)) ;;
        closed1000) args=(relay --pairs 1000 --window 4 --duration "$relay_secs"); limit=$((relay_secs + 120)) ;;
        conns) args=(conns --n "$conns_n" --hold "$conns_hold"); limit=$((conns_hold + 240)) ;;
        match) args=(match --n "$match_n"); limit=120 ;;
    esac
    wait_for_quiet
    if ((quiet_busy > 25)); then
        log "  (other processes busy: $quiet_busy % of a core after waiting ${quiet_waited} s; measuring anyway)"
    fi
    start_server "$kind"
    local pid="$server_pid" url="$server_url"
    local out="$work/lg.out" err="$work/lg.err" tf="$work/lg.time"
    : >"$out"; : >"$err"; : >"$tf"
    local srv0 busy0 t0 srv1 busy1 t1 rss_end code=0
    srv0="$(proc_ticks "$pid")"; busy0="$(machine_busy_ticks)"; t0="$(date +%s.%N)"
    timeout -k 10 "$limit" taskset -c 1 /usr/bin/time -o "$tf" -f '%e %U %S' \
        "$loadgen" "${args[@]}" --url "$url" --server-pid "$pid" >"$out" 2>"$err" || code=$?
    srv1="$(proc_ticks "$pid")"; busy1="$(machine_busy_ticks)"; t1="$(date +%s.%N)"
    rss_end="$(rss_kib "$pid")"
    local alive=true
    kill -0 "$pid" 2>/dev/null || alive=false
    stop_server
    local report
    report="$(grep -m1 '^{' "$out" || true)"
    if [[ -z "$report" ]] || ! jq -e . >/dev/null 2>&1 <<<"$report"; then report=null; fi
    local tool_time
    tool_time="$(awk 'NF==3 && $1 ~ /^[0-9.]+$/ {printf "{\"wall\":%s,\"user\":%s,\"sys\":%s}", $1, $2, $3}' "$tf")"
    [[ -n "$tool_time" ]] || tool_time=null
    jq -c -n \
        --argjson rep "$rep" --arg server "$kind" --arg run "$run" \
        --arg command "circle-loadgen ${args[*]} --url $url --server-pid $pid" \
        --argjson exit_code "$code" --argjson server_alive "$alive" \
        --argjson report "$report" --argjson tool_time "$tool_time" \
        --argjson srv0 "$srv0" --argjson srv1 "$srv1" \
        --argjson busy0 "$busy0" --argjson busy1 "$busy1" \
        --argjson t0 "$t0" --argjson t1 "$t1" --argjson hz "$(getconf CLK_TCK)" \
        --argjson rss_end "$rss_end" \
        --argjson quiet_busy "$quiet_busy" --argjson quiet_waited "$quiet_waited" \
        --arg stderr "$(tail -c 2000 "$err")" \
        '{rep: $rep, server: $server, run: $run, command: $command,
          exit_code: $exit_code, server_alive_at_end: $server_alive,
          machine_busy_before_percent: $quiet_busy, waited_for_quiet_secs: $quiet_waited,
          report: $report,
          whole_run: {
            wall_secs: ($t1 - $t0),
            tool_cpu_secs: (if $tool_time then $tool_time.user + $tool_time.sys else null end),
            server_cpu_secs: (if $srv0 != null and $srv1 != null then ($srv1 - $srv0) / $hz else null end),
            machine_busy_cpu_secs: (($busy1 - $busy0) / $hz),
            server_rss_kib_at_end: $rss_end },
          loadgen_stderr: $stderr}' >>"$records"
    local summary
    summary="$(grep -m1 -E '^(relay|conns|match) \(' "$err" || tail -1 "$err")"
    if ((code != 0)); then
        log "  $kind $run rep $rep: FAILED (exit $code): $(tail -3 "$err" | tr '\n' ' ')"
    else
        log "  $kind: $summary"
    fi
}

# ------------------------------------------------------------------------- the run
git_rev="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git_dirty="$(git -C "$root" status --porcelain 2>/dev/null | grep -c . || true)"
log "compare: ${reps} rep(s) of ${runs[*]} ($mode); work dir $work"
started="$(date +%s)"
for ((rep = 1; rep <= reps; rep++)); do
    for run in "${runs[@]}"; do
        log "rep $rep/$reps: $run"
        for kind in circle node; do
            run_once "$rep" "$kind" "$run"
        done
    done
done
elapsed=$(($(date +%s) - started))
log "measured in ${elapsed} s"

# ------------------------------------------------------------------ table and JSON
mkdir -p "$results_dir"
json_out="$results_dir/compare-$timestamp$suffix.json"
md_out="${json_out%.json}.md"
node_version="$(node --version)"
socketio_version="$(node -p "require('$here/node-baseline/node_modules/socket.io/package.json').version" 2>/dev/null || echo unknown)"
circle_version="$("$circle_bin" --version 2>/dev/null || echo unknown)"

python3 - "$records" "$json_out" "$md_out" <<PY
import json, statistics, sys

records_path, json_out, md_out = sys.argv[1:4]
runs = [json.loads(line) for line in open(records_path) if line.strip()]
meta = {
    "timestamp_utc": "$timestamp",
    "mode": "$mode",
    "reps": $reps,
    "measures": "${only[*]}".split(),
    "elapsed_secs": $elapsed,
    "git_revision": "$git_rev",
    "git_uncommitted_paths": int("$git_dirty" or 0),
    "circle": "$circle_version",
    "node": "$node_version",
    "socket_io": "$socketio_version",
    "host": {"nproc": $(nproc), "cpu": "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)",
             "kernel": "$(uname -r)", "open_file_limit": $(ulimit -n)},
    "pinning": {"server": "taskset -c 0", "loadgen": "taskset -c 1"},
    "server_flags": "--message-rate 1000000 --message-burst 1000000 --port 0 --bind 127.0.0.1 --data-dir \$(mktemp -d)",
    "sizes": {"relay_secs": $relay_secs, "open_rate_sent_per_sec": $open_rate,
              "conns_n": $conns_n, "conns_hold_secs": $conns_hold, "match_n": $match_n},
}

def reports(run, server):
    return [r for r in runs if r["run"] == run and r["server"] == server]

def values(run, server, get):
    out = []
    for r in reports(run, server):
        try:
            v = get(r)
        except (KeyError, TypeError):
            v = None
        if v is not None:
            out.append(v)
    return out

def med(xs):
    return statistics.median(xs) if xs else None

def pct(x):  return "–" if x is None else f"{x:.0f} %"
def ms(us):  return "–" if us is None else f"{us / 1000:.2f} ms"

# Health checks: anything that makes a figure suspect.
anomalies = []
for r in runs:
    tag = f"{r['server']} {r['run']} rep {r['rep']}"
    rep = r["report"]
    if r["exit_code"] != 0 or rep is None:
        anomalies.append(f"{tag}: load generator failed (exit {r['exit_code']}): {r['loadgen_stderr'][-300:]!r}")
        continue
    if not r["server_alive_at_end"]:
        anomalies.append(f"{tag}: the server was gone at the end of the run")
    if rep["scenario"] == "relay":
        for key in ("losses", "echo_losses", "misroutes", "out_of_order", "client_errors", "partner_left"):
            if rep.get(key):
                anomalies.append(f"{tag}: {key} = {rep[key]}")
        if rep.get("refused"):
            anomalies.append(f"{tag}: refused {rep['refused']}")
        if rep["mode"] == "open" and rep["delivered_per_sec"] < 0.95 * 2 * rep["rate"]:
            anomalies.append(f"{tag}: delivered {rep['delivered_per_sec']:.0f}/s of {2 * rep['rate']:.0f}/s offered")
    elif rep["scenario"] == "conns":
        if rep["connected"] != rep["n"] or rep["connect_failures"]:
            anomalies.append(f"{tag}: {rep['connected']}/{rep['n']} connected, failures {rep['connect_failures']}")
        if rep["join_failures"] or rep["dropped_during_hold"]:
            anomalies.append(f"{tag}: join failures {rep['join_failures']}, dropped {rep['dropped_during_hold']}")
    elif rep["scenario"] == "match":
        if not rep["disjoint"] or rep["pairs"] != rep["expected_pairs"] or rep["join_errors"]:
            anomalies.append(f"{tag}: pairs {rep['pairs']}/{rep['expected_pairs']}, disjoint {rep['disjoint']}, errors {rep['join_errors']}")

def neighbours(run, server):
    """Median CPU other processes took during the measurement window (% of one core)."""
    return med(values(run, server, lambda r: r["report"]["others_cpu_percent"]))

def neighbours_note(run):
    notes = []
    for server, label in (("circle", "Circle"), ("node", "Node")):
        o = neighbours(run, server)
        if o is not None and o >= 15:
            notes.append(f"other processes took {o:.0f} % of a core during {label}'s runs")
    return ("; " + "; ".join(notes)) if notes else ""

def relay_limit(run, server, label):
    srv = med(values(run, server, lambda r: r["report"]["server_cpu_percent"]))
    tool = med(values(run, server, lambda r: r["report"]["loadgen_cpu_percent"]))
    if srv is None or tool is None:
        return f"{label}: no reading"
    if srv >= 90 and tool >= 90:
        what = "both cores saturated"
    elif srv >= 90:
        what = "server core saturated"
    elif tool >= 90:
        what = "tool core saturated"
    else:
        what = "neither core saturated"
    return f"{label}: {what} (server {srv:.0f} %, tool {tool:.0f} %)"

rows, summary = [], {}

def add(measure, name, unit, c, n, fmt, target, met, limit, lower_is_better):
    ratio = (c / n) if (c is not None and n not in (None, 0)) else None
    rows.append([name, fmt(c), fmt(n), "–" if ratio is None else f"{ratio:.2f}", target, met(c, n, ratio), limit])
    summary[measure] = {"name": name, "unit": unit, "circle_median": c, "node_median": n,
                        "ratio": None if ratio is None else round(ratio, 4),
                        "target": target, "met": rows[-1][5], "limited_by": limit,
                        "lower_is_better": lower_is_better}

def yes(ok): return "yes" if ok else "**no**"
def unknown(c, n, r): return r is None

if "open40k" in {r["run"] for r in runs}:
    get_cpu = lambda r: r["report"]["server_cpu_percent"]
    c, n = med(values("open40k", "circle", get_cpu)), med(values("open40k", "node", get_cpu))
    deliv = lambda s: med(values("open40k", s, lambda r: r["report"]["delivered_per_sec"]))
    tool = lambda s: med(values("open40k", s, lambda r: r["report"]["loadgen_cpu_percent"]))
    fmt_rate = lambda x: "–" if x is None else f"{x:,.0f}"
    limit = (f"fixed offered load of {2 * $open_rate:,}/s: delivered Circle {fmt_rate(deliv('circle'))}/s, "
             f"Node {fmt_rate(deliv('node'))}/s; tool {pct(tool('circle'))} / {pct(tool('node'))}"
             + neighbours_note("open40k"))
    if "cpu" in meta["measures"]:
        add("server_cpu_at_40k", "server CPU at 40,000 delivered/s (% of one core)", "percent",
            c, n, pct, "≤ 0.5 × Node",
            lambda c, n, r: "–" if r is None else yes(r <= 0.5), limit, True)
    if "latency" in meta["measures"]:
        get = lambda r: r["report"]["latency_us"]["p99"]
        c, n = med(values("open40k", "circle", get)), med(values("open40k", "node", get))
        lag = lambda s: med(values("open40k", s, lambda r: r["report"]["send_lag_us"]["p99"]))
        p50 = lambda s: med(values("open40k", s, lambda r: r["report"]["latency_us"]["p50"]))
        limit = (f"p50 Circle {ms(p50('circle'))}, Node {ms(p50('node'))}; latency counts from the moment "
                 f"each message is written; the tool's send lag p99 behind its schedule (not included) was Circle {ms(lag('circle'))}, "
                 f"Node {ms(lag('node'))}" + neighbours_note("open40k"))
        def met(c, n, r):
            if r is None: return "–"
            why = []
            if c > 1000: why.append("p99 > 1 ms")
            if r > 0.5: why.append("ratio > 0.5")
            return "yes" if not why else "**no** (" + ", ".join(why) + ")"
        add("latency_p99_at_40k", "relay latency p99 at 40,000 delivered/s", "microseconds",
            c, n, ms, "≤ 1 ms and ≤ 0.5 × Node", met, limit, True)

for pairs in (100, 1000):
    run = f"closed{pairs}"
    if run not in {r["run"] for r in runs}:
        continue
    get = lambda r: r["report"]["delivered_per_sec"]
    c, n = med(values(run, "circle", get)), med(values(run, "node", get))
    circle_tool = med(values(run, "circle", lambda r: r["report"]["loadgen_cpu_percent"]))
    def met(c, n, r, tool=circle_tool):
        if r is None: return "–"
        if r >= 1.5: return "yes"
        if tool is not None and tool >= 90: return "yes (tool core saturated)"
        return "**no**"
    limit = relay_limit(run, "circle", "Circle") + "; " + relay_limit(run, "node", "Node") + neighbours_note(run)
    add(f"throughput_{pairs}_pairs", f"closed-loop relay, {pairs:,} pairs, window 4 (delivered/s)",
        "messages per second", c, n, lambda x: "–" if x is None else f"{x:,.0f}",
        "≥ 1.5 × Node, or tool core saturated", met, limit, False)

if "conns" in {r["run"] for r in runs}:
    get = lambda r: r["report"]["kib_per_connection"]
    c, n = med(values("conns", "circle", get)), med(values("conns", "node", get))
    def side(s, label):
        connected = med(values("conns", s, lambda r: r["report"]["connected"]))
        rate = med(values("conns", s, lambda r: r["report"]["connects_per_sec"]))
        before = med(values("conns", s, lambda r: r["report"]["server_rss_before_kib"]))
        after = med(values("conns", s, lambda r: r["report"]["server_rss_after_kib"]))
        if None in (connected, rate, before, after):
            return f"{label}: no reading"
        return (f"{label}: {connected:,.0f}/{$conns_n:,} connected at {rate:,.0f}/s, "
                f"RSS {before / 1024:.0f} → {after / 1024:.0f} MiB")
    limit = ("descriptor limit (hard 20,000 per process) caps n; " + side("circle", "Circle") + "; "
             + side("node", "Node"))
    add("memory_per_connection", f"memory per joined idle connection ({$conns_n:,} connections, KiB)",
        "KiB", c, n, lambda x: "–" if x is None else f"{x:.1f} KiB", "≤ 10 KiB (Circle)",
        lambda c, n, r: "–" if c is None else yes(c <= 10), limit, True)

if "match" in {r["run"] for r in runs}:
    get = lambda r: r["report"]["join_to_room_us"]["p99"]
    c, n = med(values("match", "circle", get)), med(values("match", "node", get))
    def side(s, label):
        sent = med(values("match", s, lambda r: r["report"]["joins_sent_secs"]))
        done = med(values("match", s, lambda r: r["report"]["all_paired_secs"]))
        cpu = med(values("match", s, lambda r: r["whole_run"]["server_cpu_secs"]))
        if None in (sent, done):
            return f"{label}: no reading"
        return (f"{label}: joins sent over {sent * 1000:.0f} ms, all paired after {done * 1000:.0f} ms, "
                f"server CPU {cpu:.2f} s for the whole run")
    limit = side("circle", "Circle") + "; " + side("node", "Node")
    add("match_join_p99", f"{$match_n:,} simultaneous joins: join→join_room p99", "microseconds",
        c, n, ms, "≤ 0.15 × Node", lambda c, n, r: "–" if r is None else yes(r <= 0.15), limit, True)

header = ["measure", "Circle (median)", "Node (median)", "ratio", "target", "met?", "what limited the run"]
lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
table = "\n".join(lines)
title = (f"The Circle vs Node socket.io {meta['socket_io']} ({meta['node']}), {meta['mode']} run, "
         f"{meta['reps']} rep(s), {meta['timestamp_utc']}, git {meta['git_revision']}"
         + (f" (+{meta['git_uncommitted_paths']} uncommitted paths)" if meta['git_uncommitted_paths'] else ""))
text = f"{title}\n\n{table}\n"
if anomalies:
    text += "\nAnomalies:\n" + "\n".join(f"- {a}" for a in anomalies) + "\n"
else:
    text += "\nNo losses, misroutes, reorders, refusals, failed connects or bad pairings.\n"
print(text)
with open(md_out, "w") as f:
    f.write(text)
with open(json_out, "w") as f:
    json.dump({"meta": meta, "summary": summary, "anomalies": anomalies, "runs": runs}, f, indent=1)
    f.write("\n")
PY
log "raw figures: ${json_out#"$root"/}; table: ${md_out#"$root"/}"
