//! `compare`: The Circle against the Node socket.io baseline. Each measure is repeated;
//! within a repetition the two servers take turns. Prints a markdown table of medians
//! and ratios (The Circle / Node) and writes it, with every raw report, to
//! `compare-<UTC timestamp>[-quick].{md,json}` in the results directory.

use super::table::{Unit, markdown, thousands};
use super::{Bench, Record, SERVERS, Setup, median, values};
use anyhow::Result;
use serde_json::{Value, json};
use std::time::Instant;

/// Messages sent per second in the open loop: 40,000 delivered per second.
const OPEN_RATE: u32 = 20_000;

/// Options of `compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// Repetitions of each measure (default 3, or 1 with --quick); medians are reported.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
    reps: Option<u32>,
    /// A smoke run: 3 s relay runs, 2,000 idle connections, 500 joins.
    #[arg(long)]
    quick: bool,
    /// Only these measures (repeatable or comma-separated); cpu and latency share a run.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Measure>,
    #[command(flatten)]
    setup: Setup,
}

/// What `compare` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Server CPU at a fixed 40,000 delivered/s.
    Cpu,
    /// Relay latency at 40,000 delivered/s.
    Latency,
    /// Closed-loop relay with 100 and 1,000 pairs.
    Throughput,
    /// Memory per joined idle connection.
    Memory,
    /// Simultaneous joins: join to `join_room`.
    Match,
}

/// How big the runs are.
#[derive(Debug, Clone, Copy, serde::Serialize)]
struct Sizes {
    relay_secs: u32,
    conns_n: u32,
    conns_hold_secs: u32,
    match_n: u32,
}

/// One row of the table: a figure of one run, its target, and figures that tell what
/// limited the run.
struct Row {
    measure: Measure,
    run: &'static str,
    name: String,
    pointer: &'static str,
    unit: Unit,
    target: &'static str,
    met: fn(circle: f64, ratio: f64) -> bool,
    notes: &'static [(&'static str, &'static str, Unit)],
}

const RELAY_NOTES: &[(&str, &str, Unit)] = &[
    ("delivered/s", "/delivered_per_sec", Unit::Count),
    ("server CPU", "/server_cpu_percent", Unit::Percent),
    ("tool CPU", "/loadgen_cpu_percent", Unit::Percent),
    ("other processes", "/others_cpu_percent", Unit::Percent),
];

fn rows(sizes: Sizes) -> Vec<Row> {
    let closed = |run, pairs| Row {
        measure: Measure::Throughput,
        run,
        name: format!("closed-loop relay, {pairs} pairs, window 4 (delivered/s)"),
        pointer: "/delivered_per_sec",
        unit: Unit::Count,
        target: "≥ 1.5 × Node",
        met: |_, ratio| ratio >= 1.5,
        notes: &RELAY_NOTES[1..],
    };
    vec![
        Row {
            measure: Measure::Cpu,
            run: "open40k",
            name: "server CPU at 40,000 delivered/s (% of one core)".into(),
            pointer: "/server_cpu_percent",
            unit: Unit::Percent,
            target: "≤ 0.5 × Node",
            met: |_, ratio| ratio <= 0.5,
            notes: RELAY_NOTES,
        },
        Row {
            measure: Measure::Latency,
            run: "open40k",
            name: "relay latency p99 at 40,000 delivered/s".into(),
            pointer: "/latency_us/p99",
            unit: Unit::MicrosAsMs,
            target: "≤ 1 ms and ≤ 0.5 × Node",
            met: |circle, ratio| circle <= 1000.0 && ratio <= 0.5,
            notes: &[
                ("p50", "/latency_us/p50", Unit::MicrosAsMs),
                (
                    "the tool's send lag p99, not counted",
                    "/send_lag_us/p99",
                    Unit::MicrosAsMs,
                ),
            ],
        },
        closed("closed100", "100"),
        closed("closed1000", "1,000"),
        Row {
            measure: Measure::Memory,
            run: "conns",
            name: format!(
                "memory per joined idle connection, {} connections",
                thousands(sizes.conns_n.into())
            ),
            pointer: "/kib_per_connection",
            unit: Unit::Kib,
            target: "≤ 10 KiB",
            met: |circle, _| circle <= 10.0,
            notes: &[
                ("connected", "/connected", Unit::Count),
                ("connects/s", "/connects_per_sec", Unit::Count),
            ],
        },
        Row {
            measure: Measure::Match,
            run: "match",
            name: format!(
                "{} simultaneous joins: join → `join_room` p99",
                thousands(sizes.match_n.into())
            ),
            pointer: "/join_to_room_us/p99",
            unit: Unit::MicrosAsMs,
            target: "≤ 0.15 × Node",
            met: |_, ratio| ratio <= 0.15,
            notes: &[("all paired after", "/all_paired_secs", Unit::SecsAsMs)],
        },
    ]
}

/// The scenario arguments and length of run `name`.
fn scenario(name: &str, sizes: Sizes) -> (Vec<String>, f64) {
    let relay = |more: &str| format!("relay --pairs {more} --duration {}", sizes.relay_secs);
    let (args, secs) = match name {
        "open40k" => (relay(&format!("100 --rate {OPEN_RATE}")), sizes.relay_secs),
        "closed100" => (relay("100 --window 4"), sizes.relay_secs),
        "closed1000" => (relay("1000 --window 4"), sizes.relay_secs),
        "conns" => (
            format!(
                "conns --n {} --hold {}",
                sizes.conns_n, sizes.conns_hold_secs
            ),
            sizes.conns_hold_secs,
        ),
        _ => (format!("match --n {}", sizes.match_n), 0),
    };
    (
        args.split(' ').map(str::to_owned).collect(),
        f64::from(secs),
    )
}

/// How The Circle's members join in every scenario (the Node baseline has neither and
/// ignores both).
#[derive(Debug, Clone, Copy)]
pub struct MemberFlags {
    /// As resumable (`--resumable`).
    pub resumable: bool,
    /// With the profanity filter on (`--filter-profanity`).
    pub filter_profanity: bool,
}

/// Runs `compare`, every scenario's members joining as `members` says.
pub async fn run(args: &CompareArgs, members: MemberFlags) -> Result<()> {
    let reps = args.reps.unwrap_or(if args.quick { 1 } else { 3 });
    let sizes = if args.quick {
        Sizes {
            relay_secs: 3,
            conns_n: 2_000,
            conns_hold_secs: 1,
            match_n: 500,
        }
    } else {
        Sizes {
            relay_secs: 10,
            conns_n: 19_500,
            conns_hold_secs: 5,
            match_n: 2_000,
        }
    };
    let rows: Vec<Row> = rows(sizes)
        .into_iter()
        .filter(|row| args.only.is_empty() || args.only.contains(&row.measure))
        .collect();
    let mut runs: Vec<&str> = rows.iter().map(|row| row.run).collect();
    runs.dedup();
    let mut bench = Bench::new(&args.setup)?;
    let started = Instant::now();
    let mut records = Vec::new();
    for rep in 1..=reps {
        for &run in &runs {
            eprintln!("rep {rep}/{reps}: {run}");
            let (mut scenario_args, secs) = scenario(run, sizes);
            if members.resumable {
                scenario_args.push("--resumable".into());
            }
            if members.filter_profanity {
                scenario_args.push("--filter-profanity".into());
            }
            for server in SERVERS {
                records.push(bench.run(rep, server, run, &scenario_args, secs).await?);
            }
        }
    }

    let stamp = super::timestamp();
    let mode = if args.quick { "quick" } else { "full" };
    let mut meta = bench.meta();
    meta["mode"] = json!(mode);
    meta["reps"] = json!(reps);
    meta["elapsed_secs"] = json!(started.elapsed().as_secs());
    meta["sizes"] = json!(sizes);
    meta["open_rate_sent_per_sec"] = json!(OPEN_RATE);
    meta["resumable"] = json!(members.resumable);
    meta["filter_profanity"] = json!(members.filter_profanity);
    let (table, summary) = tabulate(&rows, &records);
    let anomalies: Vec<String> = records.iter().flat_map(anomalies).collect();
    let mut text = format!(
        "The Circle against Node socket.io {} ({}), {mode} run, {reps} rep(s), {stamp}, git {}\n\n{table}\n",
        meta["socket_io"].as_str().unwrap_or("?"),
        meta["node"].as_str().unwrap_or("?"),
        meta["git_revision"].as_str().unwrap_or("?"),
    );
    if anomalies.is_empty() {
        text += "No losses, misroutes, reorders, refusals, failed connects or bad pairings.\n";
    } else {
        text += &format!("Anomalies:\n\n- {}\n", anomalies.join("\n- "));
    }
    println!("{text}");
    let suffix = if args.quick { "-quick" } else { "" };
    let json = json!({"meta": meta, "summary": summary, "anomalies": anomalies, "runs": records});
    bench.save(&format!("compare-{stamp}{suffix}.md"), &text)?;
    let path = bench.save(
        &format!("compare-{stamp}{suffix}.json"),
        &format!("{json:#}\n"),
    )?;
    eprintln!("raw figures: {}", path.display());
    Ok(())
}

/// The markdown table and the JSON summary of the medians.
fn tabulate(rows: &[Row], records: &[Record]) -> (String, Vec<Value>) {
    let medians = |run: &str, pointer: &str| {
        SERVERS.map(|server| {
            let reports = records
                .iter()
                .filter(|record| record.run == run && record.server == server)
                .filter_map(|record| record.report.as_ref());
            median(values(reports, pointer))
        })
    };
    let mut lines = Vec::new();
    let mut summary = Vec::new();
    for row in rows {
        let [circle, node] = medians(row.run, row.pointer);
        let ratio = circle
            .zip(node)
            .filter(|&(_, node)| node != 0.0)
            .map(|(c, n)| c / n);
        let met = circle
            .zip(ratio)
            .map(|(circle, ratio)| (row.met)(circle, ratio));
        let notes: Vec<String> = row
            .notes
            .iter()
            .map(|(label, pointer, unit)| {
                let [c, n] = medians(row.run, pointer);
                format!("{label} {} / {}", unit.show(c), unit.show(n))
            })
            .collect();
        lines.push(vec![
            row.name.clone(),
            row.unit.show(circle),
            row.unit.show(node),
            ratio.map_or("–".into(), |ratio| format!("{ratio:.2}")),
            row.target.into(),
            met.map_or("–", |met| if met { "yes" } else { "**no**" })
                .into(),
            notes.join("; "),
        ]);
        summary.push(
            json!({"measure": row.measure, "name": row.name, "circle_median": circle,
            "node_median": node, "ratio": ratio, "target": row.target, "met": met}),
        );
    }
    let header = [
        "measure",
        "The Circle",
        "Node",
        "ratio",
        "target",
        "met?",
        "what limited it (The Circle / Node)",
    ];
    (markdown(&header, &lines), summary)
}

/// What makes a run's figures suspect.
fn anomalies(record: &Record) -> Vec<String> {
    let tag = format!(
        "{} {} rep {}",
        record.server.label(),
        record.run,
        record.rep
    );
    let Some(report) = &record.report else {
        return vec![format!(
            "{tag}: failed: {}",
            record.error.as_deref().unwrap_or("?")
        )];
    };
    let mut found = Vec::new();
    if !record.server_alive_at_end {
        found.push(format!("{tag}: the server was gone at the end"));
    }
    let must_be_none: &[&str] = match report["scenario"].as_str() {
        Some("relay") => &[
            "losses",
            "echo_losses",
            "misroutes",
            "out_of_order",
            "client_errors",
            "partner_left",
            "refused",
        ],
        Some("conns") => &["connect_failures", "join_failures", "dropped_during_hold"],
        _ => &[
            "bad_rooms",
            "wrong_partner",
            "paired_twice",
            "unpaired",
            "join_errors",
        ],
    };
    for &key in must_be_none {
        let value = &report[key];
        let something = match value {
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::Object(map) => !map.is_empty(),
            _ => false,
        };
        if something {
            found.push(format!("{tag}: {key} {value}"));
        }
    }
    let rate = report["rate"].as_f64();
    let delivered = report["delivered_per_sec"].as_f64();
    if let (Some(rate), Some(delivered)) = (rate, delivered)
        && delivered < 0.95 * 2.0 * rate
    {
        found.push(format!(
            "{tag}: delivered {delivered:.0}/s of {:.0}/s offered",
            2.0 * rate
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::Kind;

    fn record(server: Kind, report: Value) -> Record {
        Record {
            rep: 1,
            server,
            run: "open40k".into(),
            command: String::new(),
            report: Some(report),
            error: None,
            server_alive_at_end: true,
            machine_busy_before_percent: 0.0,
            waited_for_quiet_secs: 0,
        }
    }

    #[test]
    fn tabulates_medians_ratios_and_targets() {
        let sizes = Sizes {
            relay_secs: 1,
            conns_n: 10,
            conns_hold_secs: 1,
            match_n: 10,
        };
        let rows: Vec<Row> = rows(sizes)
            .into_iter()
            .filter(|row| row.measure == Measure::Cpu)
            .collect();
        let records = [
            record(
                Kind::Circle,
                json!({"server_cpu_percent": 30.0, "delivered_per_sec": 40000}),
            ),
            record(
                Kind::Circle,
                json!({"server_cpu_percent": 40.0, "delivered_per_sec": 40000}),
            ),
            record(
                Kind::Node,
                json!({"server_cpu_percent": 70.0, "delivered_per_sec": 39990}),
            ),
        ];
        let (table, summary) = tabulate(&rows, &records);
        assert!(
            table.contains(
                "| 35 % | 70 % | 0.50 | ≤ 0.5 × Node | yes | delivered/s 40,000 / 39,990;"
            ),
            "{table}"
        );
        assert_eq!(summary[0]["ratio"], json!(0.5));
    }

    #[test]
    fn finds_what_makes_a_run_suspect() {
        let clean = json!({"scenario": "relay", "losses": 0, "refused": {}, "rate": 100.0, "delivered_per_sec": 200.0});
        assert!(anomalies(&record(Kind::Circle, clean)).is_empty());
        let lossy = json!({"scenario": "relay", "losses": 3, "refused": {"rate": 1}, "rate": 100.0, "delivered_per_sec": 150.0});
        let found = anomalies(&record(Kind::Node, lossy));
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("Node socket.io open40k rep 1: losses 3"));
        let mut failed = record(Kind::Circle, Value::Null);
        failed.report = None;
        failed.error = Some("boom".into());
        assert_eq!(
            anomalies(&failed),
            ["The Circle open40k rep 1: failed: boom"]
        );
    }
}
