//! `conns`: many idle members held open, half of them paired and half waiting alone
//! in a group of their own; measures connect rate and the server's memory per
//! connection.

use super::{Context, Placement, close_all, connect_all, member_name, pair};
use crate::member::Member;
use crate::proc::{rss_kib, sum_rss};
use crate::report::{self, LatencySummary, kib_per_connection, per_second, round};
use anyhow::{Context as _, Result, bail};
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// Options of `conns`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnsArgs {
    /// Connections to open.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Seconds to hold them open once all have joined.
    #[arg(long, default_value_t = 10.0)]
    pub hold: f64,
}

/// The report of a `conns` run.
#[derive(Debug, Serialize)]
struct ConnsReport {
    scenario: &'static str,
    eio: u8,
    n: usize,
    /// The nodes' base URLs, with more than one `--url` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<Vec<String>>,
    connected: usize,
    connect_failures: BTreeMap<String, u64>,
    connect_secs: f64,
    connects_per_sec: f64,
    connect_us: LatencySummary,
    paired: usize,
    waiting: usize,
    join_failures: BTreeMap<String, u64>,
    join_secs: f64,
    hold_secs: f64,
    dropped_during_hold: usize,
    server_rss_before_kib: Option<u64>,
    server_rss_after_kib: Option<u64>,
    server_rss_end_kib: Option<u64>,
    kib_per_connection: Option<f64>,
    /// Each server process's memory, with more than one `--server-pid` only (the
    /// `server_rss_*` fields above are their sums).
    #[serde(skip_serializing_if = "Option::is_none")]
    server_rss_per_node: Option<Vec<NodeRss>>,
}

/// One server process's resident memory at the three readings, in KiB.
#[derive(Debug, Serialize)]
struct NodeRss {
    pid: u32,
    before_kib: Option<u64>,
    after_kib: Option<u64>,
    end_kib: Option<u64>,
}

/// Runs `conns`.
pub async fn run(ctx: &Context, args: &ConnsArgs) -> Result<report::Finished> {
    if args.n == 0 {
        bail!("--n must be positive");
    }
    // One reading per server process, in --server-pid order.
    let rss = || -> Vec<Option<u64>> {
        ctx.server_pids
            .iter()
            .map(|&pid| rss_kib(pid).ok())
            .collect()
    };
    // Half the members (an even number) are paired in one group; each of the others
    // waits alone in a group of its own, so nobody is eligible for anybody.
    let pairable = (args.n / 2) & !1;
    let waiting_groups = args.n - pairable;
    let codes = create_groups(ctx, 1 + waiting_groups).await?;
    eprintln!(
        "conns: {} groups created; connecting {}",
        codes.len(),
        args.n
    );
    // Read after the groups exist, so that their storage is not counted per connection.
    let rss_before_each = rss();
    let rss_before = sum_rss(rss_before_each.iter().copied());

    let connected = connect_all(ctx, args.n, Placement::RoundRobin).await;
    let connected_count = connected.members.len();
    eprintln!(
        "conns: {connected_count} connected in {:.2} s; joining",
        connected.secs
    );
    let join_started = Instant::now();
    let mut join_failures = BTreeMap::new();
    let (mut pair_members, mut waiters): (Vec<Member>, Vec<Member>) = connected
        .members
        .into_iter()
        .partition(|member| member.index < pairable);
    let mut paired = 0;
    for couple in pair_members.chunks_exact_mut(2) {
        let [a, b] = couple else {
            unreachable!("chunks of two")
        };
        match pair(a, b, &codes[0], ctx.step_timeout).await {
            Ok(_) => paired += 2,
            Err(error) => *join_failures.entry(format!("{error:#}")).or_insert(0) += 1,
        }
    }
    let waiting = join_alone(ctx, &mut waiters, &codes[1..], &mut join_failures).await;
    let join_secs = join_started.elapsed().as_secs_f64();
    let rss_after_each = rss();
    let rss_after = sum_rss(rss_after_each.iter().copied());
    eprintln!(
        "conns: {paired} paired, {waiting} waiting; holding {} s",
        args.hold
    );

    let mut members = pair_members;
    members.append(&mut waiters);
    let hold_started = Instant::now();
    let (members, dropped) = hold(members, hold_started + Duration::from_secs_f64(args.hold)).await;
    let hold_secs = hold_started.elapsed().as_secs_f64();
    let rss_end_each = rss();
    let rss_end = sum_rss(rss_end_each.iter().copied());
    close_all(members).await;
    let server_rss_per_node = (ctx.server_pids.len() > 1).then(|| {
        ctx.server_pids
            .iter()
            .enumerate()
            .map(|(i, &pid)| NodeRss {
                pid,
                before_kib: rss_before_each[i],
                after_kib: rss_after_each[i],
                end_kib: rss_end_each[i],
            })
            .collect()
    });

    let report = ConnsReport {
        scenario: "conns",
        eio: ctx.first_target().version.query_value(),
        n: args.n,
        nodes: ctx.node_urls(),
        connected: connected_count,
        connect_failures: connected.failures,
        connect_secs: round(connected.secs, 3),
        connects_per_sec: round(per_second(connected_count as u64, connected.secs), 1),
        connect_us: connected.latency,
        paired,
        waiting,
        join_failures,
        join_secs: round(join_secs, 3),
        hold_secs: round(hold_secs, 3),
        dropped_during_hold: dropped,
        server_rss_before_kib: rss_before,
        server_rss_after_kib: rss_after,
        server_rss_end_kib: rss_end,
        kib_per_connection: rss_before
            .zip(rss_after)
            .and_then(|(before, after)| kib_per_connection(before, after, connected_count as u64))
            .map(|kib| round(kib, 2)),
        server_rss_per_node,
    };
    let mut summary = format!(
        "conns (EIO {}): {}/{} connected in {:.2} s ({:.0}/s); {} paired, {} waiting; {} dropped while held {:.1} s",
        report.eio,
        report.connected,
        report.n,
        report.connect_secs,
        report.connects_per_sec,
        report.paired,
        report.waiting,
        report.dropped_during_hold,
        report.hold_secs
    );
    if let Some(nodes) = &report.nodes {
        summary.push_str(&format!(
            "\n  spread over {} nodes (groups created on {})",
            nodes.len(),
            nodes[0]
        ));
    }
    summary.push_str(&format!("\n  connect time {}", report.connect_us.human()));
    if let (Some(before), Some(after), Some(per)) =
        (rss_before, rss_after, report.kib_per_connection)
    {
        summary.push_str(&format!(
            "\n  server RSS {before} KiB -> {after} KiB: {per:.1} KiB per connection"
        ));
    }
    Ok(report::Finished::new(&report, summary))
}

/// Creates `count` groups, a few at a time; answers their access codes.
async fn create_groups(ctx: &Context, count: usize) -> Result<Vec<String>> {
    let target = ctx.first_target();
    futures_util::stream::iter(0..count)
        .map(|_| crate::http::create_group(target, "load", "load test"))
        .buffered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>>>()
        .context("creating groups")
}

/// Each waiter joins its own group; answers how many were acknowledged.
async fn join_alone(
    ctx: &Context,
    waiters: &mut [Member],
    codes: &[String],
    failures: &mut BTreeMap<String, u64>,
) -> usize {
    let timeout = ctx.step_timeout;
    let results: Vec<Result<()>> = futures_util::stream::iter(waiters.iter_mut().zip(codes))
        .map(|(member, code)| async move {
            let deadline = Instant::now() + timeout;
            let id = member.join_group(code, &member_name(member.index)).await?;
            member.expect_ok_ack(id, deadline).await
        })
        .buffer_unordered(ctx.concurrency.max(1))
        .collect()
        .await;
    let mut joined = 0;
    for result in results {
        match result {
            Ok(()) => joined += 1,
            Err(error) => *failures.entry(format!("{error:#}")).or_insert(0) += 1,
        }
    }
    joined
}

/// Keeps every member's connection alive until `until`; answers the members still
/// connected and how many were dropped.
async fn hold(members: Vec<Member>, until: Instant) -> (Vec<Member>, usize) {
    let tasks: Vec<_> = members
        .into_iter()
        .map(|mut member| {
            tokio::spawn(async move {
                loop {
                    match tokio::time::timeout_at(until, member.recv()).await {
                        Err(_) => return Some(member),
                        Ok(Ok(_)) => continue,
                        Ok(Err(_)) => return None,
                    }
                }
            })
        })
        .collect();
    let mut alive = Vec::with_capacity(tasks.len());
    let mut dropped = 0;
    for task in tasks {
        match task.await {
            Ok(Some(member)) => alive.push(member),
            _ => dropped += 1,
        }
    }
    (alive, dropped)
}
