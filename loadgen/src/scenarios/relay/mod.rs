//! `relay`: pairs chatting as fast as allowed (closed loop) or at a fixed rate (open
//! loop); measures throughput, latency at the partner, losses, misroutes and the
//! server's CPU cost.
//!
//! `chatter.rs` is one member's loop; `outcome.rs` turns the counts into the report.

mod chatter;
mod outcome;

use super::{Context, Placement, close_all, connect_all, pair_in_order};
use crate::report::{self, latency_histogram};
use anyhow::{Context as _, Result, bail};
use chatter::chat;
use hdrhistogram::Histogram;
use outcome::{build_report, sample_window, summarize};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Options of `relay`.
#[derive(Debug, Clone, clap::Args)]
pub struct RelayArgs {
    /// Chatting pairs (2 × this many connections, all in one group).
    #[arg(long, default_value_t = 100)]
    pub pairs: usize,
    /// Seconds of measurement (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Closed loop (the default, with 4): messages each client keeps in flight; it sends
    /// one more each time its partner's message arrives.
    #[arg(long, conflicts_with = "rate")]
    pub window: Option<u32>,
    /// Open loop: messages sent per second in total, spread evenly over the clients, each
    /// on its own timer (every message is delivered twice, so delivered/s is about twice
    /// this). Each message is stamped when it is written; how far sends fell behind
    /// their schedule is reported apart, as send lag.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds of load before the measurement starts.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Most seconds to wait, after sending stops, for messages still in flight.
    #[arg(long, default_value_t = 3.0)]
    pub drain: f64,
    /// Size of each chat payload in bytes (padding included).
    #[arg(long, default_value_t = 100)]
    pub size: usize,
    /// With several --url: put both members of pair i on node i mod n, so that every
    /// pair is local to one node (the baseline), instead of one member on each node.
    #[arg(long)]
    pub same_node: bool,
}

impl RelayArgs {
    /// How the members are spread over the nodes.
    fn placement(&self) -> Placement {
        if self.same_node {
            Placement::PairTogether
        } else {
            Placement::RoundRobin
        }
    }
}

/// How the clients pace their messages.
#[derive(Debug, Clone, Copy)]
enum Pace {
    /// Keep this many messages in flight per client.
    Closed(u32),
    /// Send one message every interval per client.
    Open(Duration),
}

/// The timeline and pace every member task follows.
#[derive(Debug, Clone, Copy)]
struct Plan {
    pace: Pace,
    /// Zero of the timestamps carried in messages.
    epoch: Instant,
    send_start: Instant,
    window_start: Instant,
    window_end: Instant,
    drain_end: Instant,
    clients: usize,
    size: usize,
}

impl Plan {
    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    fn in_window(&self, at: Instant) -> bool {
        at >= self.window_start && at < self.window_end
    }
}

/// What all member tasks share.
struct Shared {
    latencies: Mutex<Histogram<u64>>,
    /// Open loop: how late sends left after their scheduled time.
    send_lags: Mutex<Histogram<u64>>,
    /// Each member's final count of messages sent; `u64::MAX` while still sending.
    final_sent: Vec<AtomicU64>,
}

/// The server flags without which the per-socket rate limit drops most messages.
pub const SERVER_FLAGS: &str = "--message-rate 1000000 --message-burst 1000000";

/// Runs `relay`.
pub async fn run(ctx: &Context, args: &RelayArgs) -> Result<report::Finished> {
    if args.pairs == 0 || args.duration <= 0.0 {
        bail!("--pairs and --duration must be positive");
    }
    let clients = 2 * args.pairs;
    let pace = match (args.window, args.rate) {
        (_, Some(rate)) if rate > 0.0 => Pace::Open(Duration::from_secs_f64(clients as f64 / rate)),
        (_, Some(_)) => bail!("--rate must be positive"),
        (window, None) => Pace::Closed(window.unwrap_or(4).max(1)),
    };
    let epoch = Instant::now();
    let code = crate::http::create_group(ctx.first_target(), "load", "load test").await?;
    let connected = connect_all(ctx, clients, args.placement()).await;
    if connected.failed() > 0 {
        bail!(
            "{} connections failed: {:?}",
            connected.failed(),
            connected.failures
        );
    }
    let mut members = connected.members;
    let spread = if ctx.multi_node() {
        let pairs = if args.same_node {
            "each pair on one node"
        } else {
            "each pair across two nodes"
        };
        format!(" over {} nodes ({pairs})", ctx.targets.len())
    } else {
        String::new()
    };
    eprintln!(
        "relay: {clients} clients connected{spread} in {:.2} s; pairing",
        connected.secs
    );
    let rooms = pair_in_order(&mut members, &code, ctx.step_timeout).await?;

    let send_start = Instant::now() + Duration::from_millis(50);
    let window_start = send_start + Duration::from_secs_f64(args.warmup.max(0.0));
    let window_end = window_start + Duration::from_secs_f64(args.duration);
    let plan = Plan {
        pace,
        epoch,
        send_start,
        window_start,
        window_end,
        drain_end: window_end + Duration::from_secs_f64(args.drain.max(0.0)),
        clients,
        size: args.size,
    };
    let shared = Arc::new(Shared {
        latencies: Mutex::new(latency_histogram()),
        send_lags: Mutex::new(latency_histogram()),
        final_sent: (0..clients).map(|_| AtomicU64::new(u64::MAX)).collect(),
    });
    let sampler = tokio::spawn(sample_window(
        ctx.server_pids.clone(),
        window_start,
        window_end,
    ));
    let mut tasks = Vec::with_capacity(clients);
    for member in members {
        let room = rooms[member.index / 2].clone();
        tasks.push(tokio::spawn(chat(member, room, plan, shared.clone())));
    }
    let mut tallies = Vec::with_capacity(clients);
    let mut finished = Vec::with_capacity(clients);
    for task in tasks {
        let (member, tally) = task.await.context("member task panicked")?;
        finished.extend(member);
        tallies.push(tally);
    }
    let window = sampler.await.context("sampler panicked")?;
    close_all(finished).await;

    let latencies = shared.latencies.lock().expect("no task panicked").clone();
    let send_lags = shared.send_lags.lock().expect("no task panicked").clone();
    let report = build_report(
        ctx,
        args,
        &plan,
        &tallies,
        [&latencies, &send_lags],
        &window,
    );
    let summary = summarize(&report);
    Ok(report::Finished::new(&report, summary))
}
