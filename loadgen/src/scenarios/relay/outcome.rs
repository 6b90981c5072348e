//! The `relay` report: window readings from `/proc`, totals over all members, and the
//! human summary.

use super::chatter::Tally;
use super::{Pace, Plan, RelayArgs, SERVER_FLAGS};
use crate::proc::{CpuSample, CpuUse, MachineSample, rss_kib, sum_cpu, sum_rss};
use crate::report::{self, LatencySummary, per_second, round};
use crate::scenarios::Context;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use tokio::time::Instant;

/// The report of a `relay` run.
#[derive(Debug, Serialize)]
pub(super) struct RelayReport {
    scenario: &'static str,
    eio: u8,
    pairs: usize,
    clients: usize,
    /// The nodes' base URLs, with more than one `--url` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<Vec<String>>,
    /// With more than one node: whether the two members of a pair sit on different
    /// nodes (false with `--same-node`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs_span_nodes: Option<bool>,
    mode: &'static str,
    window: Option<u32>,
    rate: Option<f64>,
    payload_bytes: usize,
    warmup_secs: f64,
    measured_secs: f64,
    sent: u64,
    sent_per_sec: f64,
    delivered: u64,
    delivered_per_sec: f64,
    latency_us: LatencySummary,
    send_lag_us: Option<LatencySummary>,
    losses: u64,
    echo_losses: u64,
    misroutes: u64,
    out_of_order: u64,
    partner_left: u64,
    refused: BTreeMap<String, u64>,
    client_errors: u64,
    server_cpu_percent: Option<f64>,
    server_cpu_secs: Option<f64>,
    server_cpu_secs_per_million: Option<f64>,
    server_rss_kib: Option<u64>,
    /// Each server process's share, with more than one `--server-pid` only (the
    /// `server_*` fields above are their sums).
    #[serde(skip_serializing_if = "Option::is_none")]
    server_per_node: Option<Vec<NodeReport>>,
    loadgen_cpu_percent: f64,
    /// CPU that other processes took meanwhile, in % of one core: when high, the
    /// figures were squeezed by neighbours.
    others_cpu_percent: Option<f64>,
    server_flags: &'static str,
}

/// One server process's CPU and memory over the window.
#[derive(Debug, Serialize)]
pub(super) struct NodeReport {
    pid: u32,
    cpu_percent: Option<f64>,
    cpu_secs: Option<f64>,
    cpu_secs_per_million: Option<f64>,
    rss_kib: Option<u64>,
}

/// One server process's readings over the measurement window.
struct NodeReading {
    pid: u32,
    cpu: Option<CpuUse>,
    rss_kib: Option<u64>,
}

/// Readings at the start and end of the measurement window.
pub(super) struct WindowReadings {
    /// One per `--server-pid`, in order.
    nodes: Vec<NodeReading>,
    own_cpu: Option<CpuUse>,
    /// CPU seconds the whole machine was busy.
    machine_busy_secs: Option<f64>,
}

impl WindowReadings {
    /// The server processes' CPU use added up; `None` without `--server-pid` or when a
    /// reading failed.
    fn server_cpu(&self) -> Option<CpuUse> {
        sum_cpu(self.nodes.iter().map(|node| node.cpu))
    }

    /// The server processes' resident memory added up.
    fn server_rss_kib(&self) -> Option<u64> {
        sum_rss(self.nodes.iter().map(|node| node.rss_kib))
    }

    /// What processes other than the server and this tool used, in % of one core.
    fn others_cpu_percent(&self) -> Option<f64> {
        let own = self.own_cpu?;
        let server = self.server_cpu().map_or(0.0, |used| used.cpu_secs);
        let others = (self.machine_busy_secs? - own.cpu_secs - server).max(0.0);
        Some(
            CpuUse {
                cpu_secs: others,
                wall_secs: own.wall_secs,
            }
            .percent_of_core(),
        )
    }
}

pub(super) async fn sample_window(
    servers: Vec<u32>,
    start: Instant,
    end: Instant,
) -> WindowReadings {
    tokio::time::sleep_until(start).await;
    let own = std::process::id();
    let read_servers = || -> Vec<Option<CpuSample>> {
        servers
            .iter()
            .map(|&pid| CpuSample::read(pid).ok())
            .collect()
    };
    let server_before = read_servers();
    let own_before = CpuSample::read(own).ok();
    let machine_before = MachineSample::read().ok();
    tokio::time::sleep_until(end).await;
    let server_after = read_servers();
    let own_after = CpuSample::read(own).ok();
    let machine_after = MachineSample::read().ok();
    let nodes = servers
        .iter()
        .zip(server_before.into_iter().zip(server_after))
        .map(|(&pid, (before, after))| NodeReading {
            pid,
            cpu: before
                .zip(after)
                .map(|(before, after)| after.since(&before)),
            rss_kib: rss_kib(pid).ok(),
        })
        .collect();
    WindowReadings {
        nodes,
        own_cpu: own_before
            .zip(own_after)
            .map(|(before, after)| after.since(&before)),
        machine_busy_secs: machine_before
            .zip(machine_after)
            .map(|(before, after)| after.busy_cpu_secs_since(&before)),
    }
}

/// Messages one side sent that the other did not receive.
fn missing(sent: u64, received: u64) -> u64 {
    sent.saturating_sub(received)
}

/// Messages that never reached the partner, and own copies that never came back.
/// Tallies are in member order, so member `i`'s partner is member `i ^ 1`.
fn losses(tallies: &[Tally]) -> (u64, u64) {
    let to_partner = tallies
        .iter()
        .enumerate()
        .map(|(i, t)| missing(t.sent, tallies.get(i ^ 1).map_or(0, |p| p.from_partner)))
        .sum();
    let echoes = tallies.iter().map(|t| missing(t.sent, t.echoes)).sum();
    (to_partner, echoes)
}

pub(super) fn build_report(
    ctx: &Context,
    args: &RelayArgs,
    plan: &Plan,
    tallies: &[Tally],
    [latencies, send_lags]: [&Histogram<u64>; 2],
    window: &WindowReadings,
) -> RelayReport {
    let sum = |field: fn(&Tally) -> u64| tallies.iter().map(field).sum::<u64>();
    // Tallies are in member order, so member i's partner is at i ^ 1.
    let (losses, echo_losses) = losses(tallies);
    let mut refused = BTreeMap::new();
    for tally in tallies {
        for (code, count) in &tally.refused {
            *refused.entry(code.clone()).or_insert(0) += count;
        }
    }
    // Deliveries are counted by their arrival time inside the planned window.
    let measured_secs = plan
        .window_end
        .duration_since(plan.window_start)
        .as_secs_f64();
    let delivered = sum(|t| t.delivered_in_window);
    let sent = sum(|t| t.sent_in_window);
    let server_cpu = window.server_cpu();
    let server_cpu_secs = server_cpu.map(|used| used.cpu_secs);
    let per_million =
        |secs: f64| report::cpu_secs_per_million(secs, delivered).map(|s| round(s, 3));
    let server_per_node = (window.nodes.len() > 1).then(|| {
        window
            .nodes
            .iter()
            .map(|node| NodeReport {
                pid: node.pid,
                cpu_percent: node.cpu.map(|used| round(used.percent_of_core(), 1)),
                cpu_secs: node.cpu.map(|used| round(used.cpu_secs, 3)),
                cpu_secs_per_million: node.cpu.and_then(|used| per_million(used.cpu_secs)),
                rss_kib: node.rss_kib,
            })
            .collect()
    });
    let (mode, window_arg, rate) = match plan.pace {
        Pace::Closed(w) => ("closed", Some(w), None),
        Pace::Open(_) => ("open", None, args.rate),
    };
    RelayReport {
        scenario: "relay",
        eio: ctx.first_target().version.query_value(),
        pairs: args.pairs,
        clients: plan.clients,
        nodes: ctx.node_urls(),
        pairs_span_nodes: ctx.multi_node().then_some(!args.same_node),
        mode,
        window: window_arg,
        rate,
        payload_bytes: args.size,
        warmup_secs: args.warmup,
        measured_secs: round(measured_secs, 3),
        sent,
        sent_per_sec: round(per_second(sent, measured_secs), 1),
        delivered,
        delivered_per_sec: round(per_second(delivered, measured_secs), 1),
        latency_us: LatencySummary::of(latencies),
        send_lag_us: matches!(plan.pace, Pace::Open(_)).then(|| LatencySummary::of(send_lags)),
        losses,
        echo_losses,
        misroutes: sum(|t| t.misroutes),
        out_of_order: sum(|t| t.out_of_order),
        partner_left: sum(|t| t.partner_left),
        refused,
        client_errors: tallies.iter().filter(|t| t.error.is_some()).count() as u64,
        server_cpu_percent: server_cpu.map(|used| round(used.percent_of_core(), 1)),
        server_cpu_secs: server_cpu_secs.map(|secs| round(secs, 3)),
        server_cpu_secs_per_million: server_cpu_secs.and_then(per_million),
        server_rss_kib: window.server_rss_kib(),
        server_per_node,
        loadgen_cpu_percent: window
            .own_cpu
            .map_or(0.0, |used| round(used.percent_of_core(), 1)),
        others_cpu_percent: window.others_cpu_percent().map(|busy| round(busy, 1)),
        server_flags: SERVER_FLAGS,
    }
}

pub(super) fn summarize(report: &RelayReport) -> String {
    let spread = match (&report.nodes, report.pairs_span_nodes) {
        (Some(nodes), Some(true)) => format!(", {} nodes, pairs across nodes", nodes.len()),
        (Some(nodes), _) => format!(", {} nodes, pairs on one node", nodes.len()),
        (None, _) => String::new(),
    };
    let mut lines = vec![format!(
        "relay ({} loop, {} pairs{spread}, EIO {}): {:.0} delivered/s ({} in {:.2} s), latency {}",
        report.mode,
        report.pairs,
        report.eio,
        report.delivered_per_sec,
        report.delivered,
        report.measured_secs,
        report.latency_us.human()
    )];
    lines.push(format!(
        "  losses {}, echo losses {}, misroutes {}, out of order {}, client errors {}",
        report.losses,
        report.echo_losses,
        report.misroutes,
        report.out_of_order,
        report.client_errors
    ));
    if let (Some(cpu), Some(per_million)) = (
        report.server_cpu_percent,
        report.server_cpu_secs_per_million,
    ) {
        lines.push(format!(
            "  server CPU {cpu:.1}% of a core, {per_million:.2} CPU-s per million delivered; loadgen CPU {:.1}%",
            report.loadgen_cpu_percent
        ));
    }
    if let Some(nodes) = &report.server_per_node {
        let each: Vec<String> = nodes
            .iter()
            .map(|node| match node.cpu_percent {
                Some(cpu) => format!("pid {} {cpu:.1}%", node.pid),
                None => format!("pid {} (unreadable)", node.pid),
            })
            .collect();
        lines.push(format!("  server CPU per node: {}", each.join(", ")));
    }
    if let Some(others) = report.others_cpu_percent {
        lines.push(format!(
            "  other processes used {others:.0}% of a core meanwhile"
        ));
    }
    if let Some(lag) = &report.send_lag_us {
        lines.push(format!("  send lag behind schedule: {}", lag.human()));
    }
    if !report.refused.is_empty() {
        lines.push(format!(
            "  refused by the server: {:?} (start it with {SERVER_FLAGS})",
            report.refused
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(sent: u64, from_partner: u64, echoes: u64) -> Tally {
        Tally {
            sent,
            from_partner,
            echoes,
            ..Tally::default()
        }
    }

    #[test]
    fn losses_compare_each_sender_with_its_partner() {
        // Member 0 sent 10, member 1 got 9 of them; member 1 sent 5, member 0 got all.
        // Member 2 sent 7 with nobody left to receive; member 2 missed 1 own copy.
        let tallies = [tally(10, 5, 10), tally(5, 9, 5), tally(7, 0, 6)];
        assert_eq!(losses(&tallies), (1 + 7, 1));
    }

    async fn context(urls: &[&str], pids: &[u32]) -> Context {
        let mut targets = Vec::new();
        for url in urls {
            targets.push(
                crate::target::Target::resolve(url, crate::eio::Version::V4, false)
                    .await
                    .unwrap(),
            );
        }
        Context {
            targets,
            server_pids: pids.to_vec(),
            concurrency: 1,
            step_timeout: std::time::Duration::from_secs(1),
        }
    }

    fn args(same_node: bool) -> RelayArgs {
        RelayArgs {
            pairs: 1,
            duration: 2.0,
            window: None,
            rate: Some(10.0),
            warmup: 0.0,
            drain: 0.0,
            size: 100,
            same_node,
        }
    }

    fn plan() -> Plan {
        let start = Instant::now();
        let end = start + std::time::Duration::from_secs(2);
        Plan {
            pace: Pace::Open(std::time::Duration::from_millis(200)),
            epoch: start,
            send_start: start,
            window_start: start,
            window_end: end,
            drain_end: end,
            clients: 2,
            size: 100,
        }
    }

    fn node(pid: u32, cpu_secs: f64, rss_kib: u64) -> NodeReading {
        NodeReading {
            pid,
            cpu: Some(CpuUse {
                cpu_secs,
                wall_secs: 2.0,
            }),
            rss_kib: Some(rss_kib),
        }
    }

    fn readings(nodes: Vec<NodeReading>) -> WindowReadings {
        WindowReadings {
            nodes,
            own_cpu: None,
            machine_busy_secs: None,
        }
    }

    fn keys(report: &RelayReport) -> Vec<String> {
        let value = serde_json::to_value(report).unwrap();
        value.as_object().unwrap().keys().cloned().collect()
    }

    #[tokio::test]
    async fn one_node_reports_keep_their_shape() {
        let ctx = context(&["http://127.0.0.1:1"], &[7]);
        let ctx = ctx.await;
        let tallies = [tally(10, 10, 10), tally(10, 10, 10)];
        let histogram = crate::report::latency_histogram();
        let window = readings(vec![node(7, 1.0, 5000)]);
        let report = build_report(
            &ctx,
            &args(false),
            &plan(),
            &tallies,
            [&histogram, &histogram],
            &window,
        );
        let mut expected = vec![
            "scenario",
            "eio",
            "pairs",
            "clients",
            "mode",
            "window",
            "rate",
            "payload_bytes",
            "warmup_secs",
            "measured_secs",
            "sent",
            "sent_per_sec",
            "delivered",
            "delivered_per_sec",
            "latency_us",
            "send_lag_us",
            "losses",
            "echo_losses",
            "misroutes",
            "out_of_order",
            "partner_left",
            "refused",
            "client_errors",
            "server_cpu_percent",
            "server_cpu_secs",
            "server_cpu_secs_per_million",
            "server_rss_kib",
            "loadgen_cpu_percent",
            "others_cpu_percent",
            "server_flags",
        ];
        expected.sort_unstable();
        assert_eq!(keys(&report), expected);
        assert_eq!(report.server_cpu_percent, Some(50.0));
        assert_eq!(report.server_rss_kib, Some(5000));
        assert!(!summarize(&report).contains("node"));
    }

    #[tokio::test]
    async fn several_nodes_are_summed_and_listed() {
        let ctx = context(&["http://127.0.0.1:1", "http://127.0.0.1:2"], &[7, 8]).await;
        let tallies = [tally(10, 10, 10), tally(10, 10, 10)];
        let histogram = crate::report::latency_histogram();
        let window = readings(vec![node(7, 1.0, 5000), node(8, 0.5, 3000)]);
        for same_node in [false, true] {
            let report = build_report(
                &ctx,
                &args(same_node),
                &plan(),
                &tallies,
                [&histogram, &histogram],
                &window,
            );
            assert_eq!(
                report.nodes.as_deref(),
                Some(
                    &[
                        "http://127.0.0.1:1".to_owned(),
                        "http://127.0.0.1:2".to_owned()
                    ][..]
                )
            );
            assert_eq!(report.pairs_span_nodes, Some(!same_node));
            assert_eq!(report.server_cpu_percent, Some(75.0));
            assert_eq!(report.server_cpu_secs, Some(1.5));
            assert_eq!(report.server_rss_kib, Some(8000));
            let nodes = report.server_per_node.as_ref().unwrap();
            assert_eq!(nodes.len(), 2);
            assert_eq!((nodes[0].pid, nodes[0].cpu_percent), (7, Some(50.0)));
            assert_eq!((nodes[1].pid, nodes[1].cpu_percent), (8, Some(25.0)));
            let summary = summarize(&report);
            assert!(summary.contains("pid 7 50.0%, pid 8 25.0%"), "{summary}");
            let placement = if same_node {
                "pairs on one node"
            } else {
                "pairs across nodes"
            };
            assert!(summary.contains(placement), "{summary}");
        }
    }

    #[tokio::test]
    async fn a_missing_node_reading_leaves_the_sum_empty() {
        let ctx = context(&["http://127.0.0.1:1", "http://127.0.0.1:2"], &[7, 8]).await;
        let tallies = [tally(1, 1, 1), tally(1, 1, 1)];
        let histogram = crate::report::latency_histogram();
        let mut gone = node(8, 0.0, 0);
        gone.cpu = None;
        let window = readings(vec![node(7, 1.0, 5000), gone]);
        let report = build_report(
            &ctx,
            &args(false),
            &plan(),
            &tallies,
            [&histogram, &histogram],
            &window,
        );
        assert_eq!(report.server_cpu_percent, None);
        let nodes = report.server_per_node.as_ref().unwrap();
        assert_eq!(nodes[1].cpu_percent, None);
        assert!(summarize(&report).contains("pid 8 (unreadable)"));
    }

    #[test]
    fn duplicates_never_count_as_negative_losses() {
        let tallies = [tally(3, 4, 4), tally(3, 4, 3)];
        assert_eq!(losses(&tallies), (0, 0));
    }
}
