#!/usr/bin/env python3
"""Relay latency against offered load, The Circle and the Node socket.io baseline.

Runs the open-loop relay (`circle-loadgen relay --pairs 100 --rate R`, R = half the
delivered load) at several offered loads for each server, a fresh server per point, the
servers alternating (The Circle, then Node) at each load, server on CPU 0 and load
generator on CPU 1. Saves every report to bench/results/latency-<UTC timestamp>.json and
draws p50 and p99 latency (log scale) and the server's CPU against offered load to
bench/results/latency.svg.

    bench/chart.py                         # run and draw (about 3 minutes)
    bench/chart.py --loads 10000,40000 --duration 3
    bench/chart.py --from bench/results/latency-20261128T093000Z.json   # redraw only

Python 3 standard library only. Needs target/release/circle and circle-loadgen (run
`cargo build --release --workspace`, or pass --build) and `npm ci` in
bench/node-baseline.
"""

import argparse
import datetime
import json
import math
import os
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SERVER_FLAGS = ["--message-rate", "1000000", "--message-burst", "1000000",
                "--port", "0", "--bind", "127.0.0.1"]
SERVERS = {
    "circle": {"label": "The Circle", "color": "#1f6fd1"},
    "node": {"label": "Node socket.io", "color": "#d9541e"},
}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- running

def machine_busy_ticks():
    with open("/proc/stat") as f:
        fields = f.readline().split()
    values = [int(x) for x in fields[1:9]]
    return sum(values) - values[3] - values[4]


def wait_for_quiet(max_secs=15):
    """Waits (bounded) until other processes use at most a quarter of a core."""
    hz = os.sysconf("SC_CLK_TCK")
    busy = 0
    for waited in range(max_secs):
        before = machine_busy_ticks()
        time.sleep(1)
        busy = (machine_busy_ticks() - before) * 100 / hz
        if busy <= 25:
            return waited, busy
    return max_secs, busy


class Server:
    """One server process pinned to CPU 0; stopped on exit whatever happens."""

    def __init__(self, kind, binary, workdir):
        self.kind = kind
        self.data = tempfile.mkdtemp(prefix="data.", dir=workdir)
        self.err = open(Path(workdir) / f"server-{kind}.err", "w")
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", str(binary), *SERVER_FLAGS, "--data-dir", self.data],
            stdout=subprocess.PIPE, stderr=self.err, text=True, start_new_session=True)
        self.url = None
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = self.proc.stdout.readline()
            if not line:
                break
            found = re.search(r"http://127\.0\.0\.1:\d+", line)
            if found:
                self.url = found.group(0)
                break
        if self.url is None:
            self.stop()
            raise RuntimeError(f"the {kind} server did not start: {line!r}")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.err.close()
        shutil.rmtree(self.data, ignore_errors=True)


def run_point(kind, binary, loadgen, load, duration, workdir):
    waited, busy = wait_for_quiet()
    if busy > 25:
        log(f"  (other processes busy: {busy:.0f} % of a core after {waited} s; measuring anyway)")
    server = Server(kind, binary, workdir)
    try:
        command = [str(loadgen), "relay", "--url", server.url, "--server-pid", str(server.pid),
                   "--pairs", "100", "--rate", str(load / 2), "--duration", str(duration)]
        done = subprocess.run(["taskset", "-c", "1", *command], capture_output=True, text=True,
                              timeout=duration + 90)
    finally:
        server.stop()
    report = None
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    summary = next((l for l in done.stderr.splitlines() if l.startswith("relay (")), done.stderr[-300:])
    log(f"  {kind} at {load:,}/s: {summary}")
    return {"server": kind, "offered_delivered_per_sec": load, "command": " ".join(command[1:]),
            "exit_code": done.returncode, "machine_busy_before_percent": round(busy, 1),
            "report": report, "loadgen_stderr": done.stderr[-2000:]}


def measure(args):
    circle = ROOT / "target/release/circle"
    loadgen = ROOT / "target/release/circle-loadgen"
    node = HERE / "node-baseline/circle-node"
    if args.build:
        for attempt in range(5):
            if subprocess.run(["cargo", "build", "--release", "--workspace", "--quiet"], cwd=ROOT).returncode == 0:
                break
            if attempt == 4:
                sys.exit("chart.py: cargo build failed 5 times")
            log("cargo build failed (someone may be editing the workspace); retrying in 60 s")
            time.sleep(60)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=HERE / "node-baseline", check=True, stdout=sys.stderr)
    for path in (circle, loadgen):
        if not path.exists():
            sys.exit(f"chart.py: {path} is missing: cargo build --release --workspace (or --build)")
    if not (HERE / "node-baseline/node_modules/socket.io").is_dir():
        sys.exit("chart.py: run npm ci in bench/node-baseline (or --build)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    workdir = tempfile.mkdtemp(prefix="circle-chart.")
    try:
        # Private copies: a rebuild in the shared target/ cannot swap a binary mid-run.
        shutil.copy2(circle, Path(workdir) / "circle")
        shutil.copy2(loadgen, Path(workdir) / "circle-loadgen")
        binaries = {"circle": Path(workdir) / "circle", "node": node}
        points = []
        started = time.time()
        for rep in range(1, args.reps + 1):
            for load in args.loads:
                log(f"rep {rep}/{args.reps}: {load:,} delivered/s offered")
                for kind in ("circle", "node"):
                    point = run_point(kind, binaries[kind], Path(workdir) / "circle-loadgen",
                                      load, args.duration, workdir)
                    point["rep"] = rep
                    points.append(point)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    socket_io = json.loads((HERE / "node-baseline/node_modules/socket.io/package.json").read_text())["version"]
    git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    return {
        "meta": {
            "timestamp_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
            "elapsed_secs": round(time.time() - started),
            "git_revision": git,
            "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
            "socket_io": socket_io,
            "pairs": 100, "duration_secs": args.duration, "reps": args.reps,
            "loads_delivered_per_sec": args.loads,
            "pinning": {"server": "taskset -c 0", "loadgen": "taskset -c 1"},
            "server_flags": " ".join(SERVER_FLAGS) + " --data-dir $(mktemp -d)",
        },
        "points": points,
    }


# --------------------------------------------------------------------------- drawing

def series(data):
    """Per server: per offered load, the medians over reps of what the chart shows."""
    out = {}
    for kind in SERVERS:
        by_load = {}
        for p in data["points"]:
            r = p.get("report")
            if p["server"] != kind or not r:
                continue
            by_load.setdefault(p["offered_delivered_per_sec"], []).append(r)
        rows = []
        for load in sorted(by_load):
            reports = by_load[load]
            med = lambda get: statistics.median(get(r) for r in reports)
            rows.append({
                "load": load,
                "p50_ms": med(lambda r: r["latency_us"]["p50"]) / 1000,
                "p99_ms": med(lambda r: r["latency_us"]["p99"]) / 1000,
                "lag_p99_ms": med(lambda r: (r.get("send_lag_us") or {}).get("p99", 0)) / 1000,
                "delivered": med(lambda r: r["delivered_per_sec"]),
                "cpu": med(lambda r: r["server_cpu_percent"] or 0),
                "tool_cpu": med(lambda r: r["loadgen_cpu_percent"] or 0),
                "losses": sum(r["losses"] + r["misroutes"] for r in reports),
            })
        out[kind] = rows
    return out


def nice_ceiling(value, steps=(1, 2, 2.5, 5, 10)):
    magnitude = 10 ** math.floor(math.log10(value))
    for step in steps:
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def tick_label(load):
    return f"{load / 1000:g}k" if load else "0"


def fmt_ms(value):
    if value >= 1:
        return f"{value:g}"
    return f"{value:.3g}"


def draw(data, path):
    rows = series(data)
    meta = data["meta"]
    loads = [row["load"] for kind in rows for row in rows[kind]]
    if not loads:
        sys.exit("chart.py: no successful runs to draw")
    all_ms = [row[k] for kind in rows for row in rows[kind] for k in ("p50_ms", "p99_ms") if row[k] > 0]

    width, height = 920, 740
    left, right = 90, 220
    top1, h1 = 84, 380            # latency panel
    top2, h2 = top1 + h1 + 70, 140  # server CPU panel
    plot_w = width - left - right

    x_step = nice_ceiling(max(loads) / 8)
    x_max = math.ceil(max(loads) * 1.05 / x_step) * x_step
    # Keep the 1 ms target inside the panel, with a little room below it.
    y_lo = min(10 ** math.floor(math.log10(min(all_ms))), 0.5)
    y_hi = 10 ** math.ceil(math.log10(max(all_ms)))
    if y_hi / y_lo < 100:
        y_hi = y_lo * 100

    def x(v):
        return left + plot_w * v / x_max

    def y1(ms):
        ms = min(max(ms, y_lo), y_hi)
        return top1 + h1 * (1 - (math.log10(ms) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo)))

    def y2(cpu):
        return top2 + h2 * (1 - min(cpu, 100) / 100)

    svg = []
    add = svg.append
    add(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="13">')
    add(f'<rect width="{width}" height="{height}" fill="white"/>')
    add(f'<text x="{left}" y="26" font-size="18" font-weight="bold">'
        f'Relay latency against offered load: The Circle and Node socket.io</text>')
    reps = "" if meta["reps"] == 1 else f", median of {meta['reps']} reps"
    sub1 = (f"Open-loop relay, {meta['pairs']} pairs, ~100-byte messages, {meta['duration_secs']:g} s measured "
            f"per point{reps}; server pinned to CPU 0, load generator to CPU 1.")
    sub2 = (f"The Circle (git {meta.get('git_revision', '?')}) against Node {meta['node']} with socket.io "
            f"{meta['socket_io']}; run {meta['timestamp_utc']}.")
    add(f'<text x="{left}" y="46" font-size="11.5" fill="#555">{escape(sub1)}</text>')
    add(f'<text x="{left}" y="61" font-size="11.5" fill="#555">{escape(sub2)}</text>')

    # Latency panel: grid, axes, labels.
    decade = 10 ** math.floor(math.log10(y_lo))
    while decade <= y_hi * 1.0001:
        for mult in (1, 2, 5):
            v = decade * mult
            if v < y_lo * 0.9999:
                continue
            if v > y_hi * 1.0001:
                break
            yy = y1(v)
            major = mult == 1
            add(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                f'stroke="{"#d0d0d0" if major else "#ececec"}" stroke-width="1"/>')
            if major or v == y_lo or (y_hi / y_lo <= 1000):
                add(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end" '
                    f'fill="{"#222" if major else "#777"}" font-size="{12 if major else 10.5}">{fmt_ms(v)}</text>')
        decade *= 10
    # The 1 ms p99 target.
    if y_lo < 1 < y_hi:
        add(f'<line x1="{left}" x2="{left + plot_w}" y1="{y1(1):.1f}" y2="{y1(1):.1f}" '
            f'stroke="#2a9d2a" stroke-width="1.2" stroke-dasharray="2,3"/>')
        add(f'<text x="{left + plot_w - 4}" y="{y1(1) - 5:.1f}" text-anchor="end" font-size="11" '
            f'fill="#2a9d2a">p99 target 1 ms</text>')
    for panel_top, panel_h in ((top1, h1), (top2, h2)):
        v = 0
        while v <= x_max + 1e-9:
            xx = x(v)
            add(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{panel_top}" y2="{panel_top + panel_h}" stroke="#ececec"/>')
            add(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{panel_top + panel_h}" y2="{panel_top + panel_h + 5}" stroke="#222"/>')
            add(f'<text x="{xx:.1f}" y="{panel_top + panel_h + 19}" text-anchor="middle">{tick_label(v)}</text>')
            v += x_step
        add(f'<rect x="{left}" y="{panel_top}" width="{plot_w}" height="{panel_h}" fill="none" stroke="#222"/>')
    add(f'<text transform="translate(28,{top1 + h1 / 2}) rotate(-90)" text-anchor="middle">'
        f'latency at the partner (ms, log scale)</text>')
    add(f'<text x="{left + plot_w / 2}" y="{top1 + h1 + 40}" text-anchor="middle">'
        f'offered load (delivered messages per second)</text>')

    # CPU panel.
    for cpu in (0, 25, 50, 75, 100):
        yy = y2(cpu)
        add(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ececec"/>')
        add(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end">{cpu}</text>')
    add(f'<text transform="translate(28,{top2 + h2 / 2}) rotate(-90)" text-anchor="middle" font-size="12">'
        f'CPU use</text>')
    add(f'<text transform="translate(44,{top2 + h2 / 2}) rotate(-90)" text-anchor="middle" font-size="11" fill="#555">'
        f'(% of one core)</text>')
    add(f'<text x="{left + plot_w / 2}" y="{top2 + h2 + 40}" text-anchor="middle">'
        f'offered load (delivered messages per second)</text>')

    def polyline(points, color, dash, width_=2.2):
        coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        add(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="{width_}"{dash_attr} '
            f'stroke-linejoin="round"/>')

    def marker(cx, cy, color, shape, filled=True, title=None):
        fill = color if filled else "white"
        tip = f"<title>{escape(title)}</title>" if title else ""
        if shape == "circle":
            add(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.2" fill="{fill}" stroke="{color}" stroke-width="1.8">{tip}</circle>')
        else:
            s = 4.2
            add(f'<rect x="{cx - s:.1f}" y="{cy - s:.1f}" width="{2 * s}" height="{2 * s}" fill="{fill}" '
                f'stroke="{color}" stroke-width="1.8">{tip}</rect>')

    short_fall = []
    for kind, style in SERVERS.items():
        color = style["color"]
        pts = rows[kind]
        if not pts:
            continue
        for key, dash, shape in (("p99_ms", "7,4", "square"), ("p50_ms", None, "circle")):
            polyline([(x(r["load"]), y1(r[key])) for r in pts], color, dash)
            for r in pts:
                kept_up = r["delivered"] >= 0.95 * r["load"]
                marker(x(r["load"]), y1(r[key]), color, shape, filled=kept_up,
                       title=f"{style['label']} {key[:3]} at {r['load']:,}/s offered: {r[key]:.2f} ms "
                             f"(delivered {r['delivered']:,.0f}/s, server CPU {r['cpu']:.0f} %)")
                if not kept_up and key == "p99_ms":
                    short_fall.append((kind, r))
        polyline([(x(r["load"]), y2(r["tool_cpu"])) for r in pts], color, "2,3", 1.4)
        polyline([(x(r["load"]), y2(r["cpu"])) for r in pts], color, None, 2)
        for r in pts:
            marker(x(r["load"]), y2(r["cpu"]), color, "circle",
                   title=f"{style['label']} server CPU at {r['load']:,}/s: {r['cpu']:.0f} %")

    # Legend.
    lx, ly = left + plot_w + 20, top1 + 6
    add(f'<text x="{lx}" y="{ly + 6}" font-weight="bold">Legend</text>')
    ly += 26
    for kind, style in SERVERS.items():
        color = style["color"]
        add(f'<text x="{lx}" y="{ly}" fill="{color}" font-weight="bold">{style["label"]}</text>')
        for label, dash, shape in (("p99", "7,4", "square"), ("p50", None, "circle")):
            ly += 22
            polyline([(lx, ly - 4), (lx + 36, ly - 4)], color, dash)
            marker(lx + 18, ly - 4, color, shape)
            add(f'<text x="{lx + 46}" y="{ly}">{label}</text>')
        ly += 32
    add(f'<rect x="{lx + 13.8}" y="{ly - 8.2}" width="8.4" height="8.4" fill="white" stroke="#444" stroke-width="1.8"/>')
    add(f'<text x="{lx + 46}" y="{ly}" font-size="11.5">hollow: delivered</text>')
    add(f'<text x="{lx + 46}" y="{ly + 15}" font-size="11.5">&lt; 95 % of offered</text>')
    ly += 44
    notes = ["Latency counts from the moment", "a message is written; how late", "the load generator sent against",
             "its schedule is counted apart", "(send lag p99 per point:"]
    for kind, style in SERVERS.items():
        if rows[kind]:
            low = min(r["lag_p99_ms"] for r in rows[kind])
            high = max(r["lag_p99_ms"] for r in rows[kind])
            notes.append(f"{style['label']} {low:.1f}–{high:.1f} ms" + ("" if kind == "node" else ","))
    notes[-1] += ")."
    for line in notes:
        add(f'<text x="{lx}" y="{ly}" font-size="11" fill="#555">{escape(line)}</text>')
        ly += 15
    # CPU panel legend.
    ly = top2 + 8
    add(f'<text x="{lx}" y="{ly + 6}" font-weight="bold">CPU panel</text>')
    for label, dash, width_ in (("server (CPU 0)", None, 2), ("load generator (CPU 1)", "2,3", 1.4)):
        ly += 24
        polyline([(lx, ly - 4), (lx + 36, ly - 4)], "#444", dash, width_)
        add(f'<text x="{lx + 46}" y="{ly}" font-size="11.5">{label}</text>')
    ly += 22
    add(f'<text x="{lx}" y="{ly}" font-size="11" fill="#555">colours as above</text>')
    add("</svg>")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(svg) + "\n")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", default="10000,20000,40000,60000,80000",
                        help="offered loads in delivered messages/s, comma-separated (--rate is half)")
    parser.add_argument("--duration", type=float, default=5, help="measured seconds per point (default 5)")
    parser.add_argument("--reps", type=int, default=1, help="repetitions of every point (default 1; medians drawn)")
    parser.add_argument("--from", dest="from_file", help="redraw from this saved JSON instead of running")
    parser.add_argument("--out", default=str(RESULTS / "latency.svg"), help="the SVG to write")
    parser.add_argument("--build", action="store_true", help="cargo build and npm ci first")
    args = parser.parse_args()
    if args.from_file:
        data = json.loads(Path(args.from_file).read_text())
    else:
        args.loads = [int(float(v)) for v in args.loads.split(",") if v.strip()]
        if not args.loads or min(args.loads) <= 0 or not 1 <= args.reps <= 10 or not 0 < args.duration <= 120:
            sys.exit("chart.py: positive --loads, --reps 1..10 and --duration up to 120 s")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        data = measure(args)
        RESULTS.mkdir(parents=True, exist_ok=True)
        saved = RESULTS / f"latency-{data['meta']['timestamp_utc']}.json"
        saved.write_text(json.dumps(data, indent=1) + "\n")
        log(f"raw figures: {saved.relative_to(ROOT)}")
    rows = draw(data, args.out)
    for kind, style in SERVERS.items():
        for r in rows[kind]:
            print(f"{style['label']:>15} {r['load']:>7,}/s offered: delivered {r['delivered']:>9,.0f}/s, "
                  f"p50 {r['p50_ms']:8.2f} ms, p99 {r['p99_ms']:8.2f} ms, send lag p99 {r['lag_p99_ms']:6.2f} ms, "
                  f"server CPU {r['cpu']:5.1f} %")
    log(f"chart: {Path(args.out).resolve().relative_to(ROOT) if Path(args.out).resolve().is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
