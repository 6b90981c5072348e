//! `circle-loadgen`: load for The Circle over raw Engine.IO/Socket.IO websockets.
//!
//! Each scenario ends with one JSON line on stdout and a short summary on stderr;
//! `compare` and `chart` start the servers themselves and run the scenarios in turn.

mod bench;
mod chat;
mod eio;
mod http;
mod member;
mod proc;
mod report;
mod scenarios;
mod target;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use scenarios::Context;
use scenarios::conns::ConnsArgs;
use scenarios::matching::MatchArgs;
use scenarios::relay::RelayArgs;
use std::ffi::OsString;
use std::time::Duration;

/// Load generator for The Circle.
///
/// Start the server with `--message-rate 1000000 --message-burst 1000000` for `relay`:
/// the default per-socket limit (10/s, burst 30) refuses most benchmark messages.
/// Clients bind to source addresses 127.0.0.2–127.0.0.254 when the server is on
/// loopback, and only loopback targets are accepted without `--allow-remote`.
#[derive(Debug, Parser)]
#[command(name = "circle-loadgen", version, about, long_about, after_help = EXAMPLE)]
struct Cli {
    /// The server's base URL. Give it several times (or comma-separated) to spread the
    /// clients over several nodes: client i connects to the (i mod n)-th URL, and groups
    /// are created on the first.
    #[arg(
        long,
        global = true,
        env = "CIRCLE_LOADGEN_URL",
        default_value = "http://127.0.0.1:8080",
        value_delimiter = ','
    )]
    url: Vec<String>,

    /// Engine.IO protocol generation: 3 (socket.io-client 2.x) or 4.
    #[arg(long, global = true, env = "CIRCLE_LOADGEN_EIO", default_value_t = 4,
          value_parser = clap::value_parser!(u8).range(3..=4))]
    eio: u8,

    /// The server's process id: adds its CPU use and memory (from /proc) to the report.
    /// Give one per node (several times, or comma-separated): the report sums them and
    /// lists each.
    #[arg(
        long,
        global = true,
        env = "CIRCLE_LOADGEN_SERVER_PID",
        value_delimiter = ','
    )]
    server_pid: Vec<u32>,

    /// Runtime worker threads; 1 runs everything on one thread (pin it with taskset).
    #[arg(
        long,
        global = true,
        env = "CIRCLE_LOADGEN_THREADS",
        default_value_t = 1
    )]
    threads: usize,

    /// Connections opened at once. Above the server's listen backlog (128 when it binds
    /// with tokio's default), SYNs overflow and those connects wait a 1 s retransmit.
    #[arg(long, global = true, default_value_t = 64)]
    concurrency: usize,

    /// Seconds one connect or one join may take.
    #[arg(long, global = true, default_value_t = 10.0)]
    step_timeout: f64,

    /// Accept a target outside 127.0.0.0/8.
    #[arg(long, global = true)]
    allow_remote: bool,

    /// Members join as resumable (`join_group {resumable: true}`): The Circle then numbers
    /// and keeps every event to them. Servers without resume ignore it.
    #[arg(long, global = true)]
    resumable: bool,

    /// Members join with the profanity filter on (`join_group {filter_profanity: true}`):
    /// The Circle then masks every partner's message for them. Servers without the
    /// filter ignore it.
    #[arg(long, global = true)]
    filter_profanity: bool,

    #[command(subcommand)]
    scenario: Scenario,
}

const EXAMPLE: &str = "\
Example (server on CPU 0, load on CPU 1):
  taskset -c 0 circle --port 8080 --bind 127.0.0.1 --data-dir \"$(mktemp -d)\" \\
      --message-rate 1000000 --message-burst 1000000 &
  taskset -c 1 circle-loadgen relay --pairs 100 --window 4 --duration 10 --server-pid $!

Two nodes on one Redis (each pair split over both; --same-node keeps pairs local):
  taskset -c 1 circle-loadgen relay --url http://127.0.0.1:8081 --url http://127.0.0.1:8082 \\
      --server-pid $PID1 --server-pid $PID2 --pairs 100 --rate 2000

Every run prints one JSON line on stdout and a short summary on stderr.";

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Pairs chat in one group: throughput, latency at the partner, losses, misroutes,
    /// server CPU. Needs the server started with --message-rate 1000000
    /// --message-burst 1000000.
    Relay(RelayArgs),
    /// Many idle connections, half paired and half waiting: connect rate and server
    /// memory per connection.
    Conns(ConnsArgs),
    /// Everyone joins one group at once: join->join_room latency, time until all pairs
    /// exist, and a check that the pairs are disjoint.
    Match(MatchArgs),
    /// The Circle against the Node socket.io baseline: every measure on fresh servers,
    /// repeated; writes a table of medians and ratios and the raw reports.
    Compare(bench::compare::CompareArgs),
    /// Relay latency and server CPU against offered load for both servers, drawn as an
    /// SVG chart.
    Chart(bench::chart::ChartArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.threads == 0 {
        bail!("--threads must be at least 1");
    }
    match proc::raise_open_file_limit() {
        Ok(limit) if limit < 4096 => eprintln!("warning: open-file limit is only {limit}"),
        Ok(_) => {}
        Err(error) => eprintln!("warning: {error:#}"),
    }
    let runtime = if cli.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()
    }
    .context("starting the runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.scenario {
        Scenario::Compare(args) => {
            let members = bench::compare::MemberFlags {
                resumable: cli.resumable,
                filter_profanity: cli.filter_profanity,
            };
            bench::compare::run(args, members).await
        }
        Scenario::Chart(args) => bench::chart::run(args).await,
        _ => {
            run_scenario(&cli).await?.emit();
            Ok(())
        }
    }
}

/// Runs one scenario given as command-line arguments (without the program name), as the
/// bench commands do.
pub async fn measure(args: impl IntoIterator<Item = String>) -> Result<report::Finished> {
    let program = std::iter::once(OsString::from("circle-loadgen"));
    let cli = Cli::try_parse_from(program.chain(args.into_iter().map(OsString::from)))?;
    run_scenario(&cli).await
}

async fn run_scenario(cli: &Cli) -> Result<report::Finished> {
    let version = if cli.eio == 3 {
        eio::Version::V3
    } else {
        eio::Version::V4
    };
    let mut targets = Vec::with_capacity(cli.url.len());
    for url in cli.url.iter().filter(|url| !url.trim().is_empty()) {
        let mut target = target::Target::resolve(url.trim(), version, cli.allow_remote).await?;
        target.resumable = cli.resumable;
        target.filter_profanity = cli.filter_profanity;
        targets.push(target);
    }
    if targets.is_empty() {
        bail!("--url must name at least one server");
    }
    let ctx = Context {
        targets,
        server_pids: cli.server_pid.clone(),
        concurrency: cli.concurrency,
        step_timeout: Duration::from_secs_f64(cli.step_timeout),
    };
    match &cli.scenario {
        Scenario::Relay(args) => scenarios::relay::run(&ctx, args).await,
        Scenario::Conns(args) => scenarios::conns::run(&ctx, args).await,
        Scenario::Match(args) => scenarios::matching::run(&ctx, args).await,
        Scenario::Compare(_) | Scenario::Chart(_) => bail!("not a single scenario"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("circle-loadgen").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn one_url_by_default() {
        let cli = parse(&["relay"]);
        assert_eq!(cli.url, ["http://127.0.0.1:8080"]);
        assert!(cli.server_pid.is_empty());
        let Scenario::Relay(args) = cli.scenario else {
            panic!("not relay");
        };
        assert!(!args.same_node);
    }

    #[test]
    fn urls_and_pids_repeat_or_split_on_commas() {
        let cli = parse(&[
            "relay",
            "--url",
            "http://127.0.0.1:1,http://127.0.0.1:2",
            "--url",
            "http://127.0.0.1:3",
            "--server-pid",
            "10,11",
            "--server-pid",
            "12",
            "--same-node",
        ]);
        assert_eq!(
            cli.url,
            [
                "http://127.0.0.1:1",
                "http://127.0.0.1:2",
                "http://127.0.0.1:3"
            ]
        );
        assert_eq!(cli.server_pid, [10, 11, 12]);
        let Scenario::Relay(args) = cli.scenario else {
            panic!("not relay");
        };
        assert!(args.same_node);
    }

    #[test]
    fn global_flags_go_before_the_scenario_too() {
        let cli = parse(&[
            "--url",
            "http://127.0.0.1:1",
            "--url",
            "http://127.0.0.1:2",
            "match",
            "--n",
            "10",
        ]);
        assert_eq!(cli.url.len(), 2);
        assert!(matches!(cli.scenario, Scenario::Match(_)));
    }
}
