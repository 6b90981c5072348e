//! The `relay` report: window readings from `/proc`, totals over all members, and the
//! human summary.

use super::chatter::Tally;
use super::{Pace, Plan, RelayArgs, SERVER_FLAGS};
use crate::proc::{CpuSample, CpuUse, MachineSample, rss_kib};
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
    loadgen_cpu_percent: f64,
    /// CPU that other processes took meanwhile, in % of one core: when high, the
    /// figures were squeezed by neighbours.
    others_cpu_percent: Option<f64>,
    server_flags: &'static str,
}

/// Readings at the start and end of the measurement window.
pub(super) struct WindowReadings {
    server_cpu: Option<CpuUse>,
    server_rss_kib: Option<u64>,
    own_cpu: Option<CpuUse>,
    /// CPU seconds the whole machine was busy.
    machine_busy_secs: Option<f64>,
}

impl WindowReadings {
    /// What processes other than the server and this tool used, in % of one core.
    fn others_cpu_percent(&self) -> Option<f64> {
        let own = self.own_cpu?;
        let server = self.server_cpu.map_or(0.0, |used| used.cpu_secs);
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
    server: Option<u32>,
    start: Instant,
    end: Instant,
) -> WindowReadings {
    tokio::time::sleep_until(start).await;
    let own = std::process::id();
    let server_before = server.and_then(|pid| CpuSample::read(pid).ok());
    let own_before = CpuSample::read(own).ok();
    let machine_before = MachineSample::read().ok();
    tokio::time::sleep_until(end).await;
    let server_after = server.and_then(|pid| CpuSample::read(pid).ok());
    let own_after = CpuSample::read(own).ok();
    let machine_after = MachineSample::read().ok();
    WindowReadings {
        server_cpu: server_before
            .zip(server_after)
            .map(|(before, after)| after.since(&before)),
        server_rss_kib: server.and_then(|pid| rss_kib(pid).ok()),
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
    let server_cpu_secs = window.server_cpu.map(|used| used.cpu_secs);
    let (mode, window_arg, rate) = match plan.pace {
        Pace::Closed(w) => ("closed", Some(w), None),
        Pace::Open(_) => ("open", None, args.rate),
    };
    RelayReport {
        scenario: "relay",
        eio: ctx.target.version.query_value(),
        pairs: args.pairs,
        clients: plan.clients,
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
        server_cpu_percent: window
            .server_cpu
            .map(|used| round(used.percent_of_core(), 1)),
        server_cpu_secs: server_cpu_secs.map(|secs| round(secs, 3)),
        server_cpu_secs_per_million: server_cpu_secs
            .and_then(|secs| report::cpu_secs_per_million(secs, delivered))
            .map(|secs| round(secs, 3)),
        server_rss_kib: window.server_rss_kib,
        loadgen_cpu_percent: window
            .own_cpu
            .map_or(0.0, |used| round(used.percent_of_core(), 1)),
        others_cpu_percent: window.others_cpu_percent().map(|busy| round(busy, 1)),
        server_flags: SERVER_FLAGS,
    }
}

pub(super) fn summarize(report: &RelayReport) -> String {
    let mut lines = vec![format!(
        "relay ({} loop, {} pairs, EIO {}): {:.0} delivered/s ({} in {:.2} s), latency {}",
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

    #[test]
    fn duplicates_never_count_as_negative_losses() {
        let tallies = [tally(3, 4, 4), tally(3, 4, 3)];
        assert_eq!(losses(&tallies), (0, 0));
    }
}
