//! The comparison with the Node socket.io baseline (`compare`) and the latency chart
//! (`chart`): every measurement on a fresh server pinned to one CPU, with this tool
//! pinned to another, the two servers taking turns.

pub mod chart;
pub mod compare;
mod quiet;
mod server;
mod table;

use anyhow::{Context as _, Result};
use quiet::Quiet;
use serde::Serialize;
use serde_json::{Value, json};
use server::Server;
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;

/// The two servers, in the order they take turns.
pub const SERVERS: [Kind; 2] = [Kind::Circle, Kind::Node];

/// Most seconds one scenario run may take beyond its own length.
const RUN_SLACK_SECS: f64 = 240.0;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The Circle.
    Circle,
    /// The Node socket.io baseline.
    Node,
}

impl Kind {
    /// The name in tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Circle => "The Circle",
            Kind::Node => "Node socket.io",
        }
    }
}

/// Binaries, CPUs and where the results go; paths are relative to the repository root.
#[derive(Debug, Clone, clap::Args)]
pub struct Setup {
    /// The Circle's server (copied first, so that a rebuild cannot swap it mid-run).
    #[arg(long, default_value = "target/release/circle")]
    circle_bin: PathBuf,
    /// The Node baseline's drop-in for the server (`npm ci` in its directory first).
    #[arg(long, default_value = "bench/node-baseline/circle-node")]
    node_bin: PathBuf,
    /// The CPU the servers are pinned to.
    #[arg(long, default_value_t = 0)]
    server_cpu: usize,
    /// The CPU this tool is pinned to.
    #[arg(long, default_value_t = 1)]
    tool_cpu: usize,
    /// Where the raw reports, tables and charts go.
    #[arg(long, default_value = "bench/results")]
    results: PathBuf,
}

/// One scenario run against one fresh server, as saved in the results.
#[derive(Debug, Serialize)]
pub struct Record {
    /// Repetition, from 1.
    pub rep: u32,
    /// Which server.
    pub server: Kind,
    /// What the run is for (`open40k`, `conns`, a load, ...).
    pub run: String,
    /// The scenario's arguments (the server's URL and pid added).
    pub command: String,
    /// The scenario's report; `None` when it failed.
    pub report: Option<Value>,
    /// Why it failed.
    pub error: Option<String>,
    /// Whether the server still ran at the end.
    pub server_alive_at_end: bool,
    /// How busy the machine was just before, in % of one core.
    pub machine_busy_before_percent: f64,
    /// Seconds waited for other processes to go quiet.
    pub waited_for_quiet_secs: u32,
}

/// A run in progress: private copies of the binaries and the quiet-waiting budget.
pub struct Bench {
    setup: Setup,
    circle_bin: PathBuf,
    _copies: TempDir,
    quiet: Quiet,
}

impl Bench {
    /// Pins this tool to its CPU and copies The Circle's binary.
    pub fn new(setup: &Setup) -> Result<Self> {
        crate::proc::pin_to_cpu(setup.tool_cpu)
            .with_context(|| format!("pinning to CPU {}", setup.tool_cpu))?;
        crate::proc::raise_open_file_limit()?;
        let copies = tempfile::Builder::new().prefix("circle-bench.").tempdir()?;
        let circle_bin = copies.path().join("circle");
        std::fs::copy(&setup.circle_bin, &circle_bin).with_context(|| {
            format!(
                "copying {} (cargo build --release first)",
                setup.circle_bin.display()
            )
        })?;
        if !setup
            .node_bin
            .with_file_name("node_modules/socket.io")
            .is_dir()
        {
            anyhow::bail!(
                "run npm ci in {} first",
                setup.node_bin.with_file_name("").display()
            );
        }
        Ok(Self {
            setup: setup.clone(),
            circle_bin,
            _copies: copies,
            quiet: Quiet::default(),
        })
    }

    /// Runs one scenario (`args`, e.g. `relay --pairs 100`), named `run`, against a
    /// fresh `server`; it lasts `secs` (plus slack) at most.
    pub async fn run(
        &mut self,
        rep: u32,
        server: Kind,
        run: &str,
        args: &[String],
        secs: f64,
    ) -> Result<Record> {
        let waited = self.quiet.wait().await;
        let binary = match server {
            Kind::Circle => &self.circle_bin,
            Kind::Node => &self.setup.node_bin,
        };
        let mut process = Server::start(binary, self.setup.server_cpu).await?;
        let mut args = args.to_vec();
        args.extend([
            "--url".into(),
            process.url.clone(),
            "--server-pid".into(),
            process.pid.to_string(),
        ]);
        let limit = Duration::from_secs_f64(secs + RUN_SLACK_SECS);
        let outcome = match tokio::time::timeout(limit, crate::measure(args.clone())).await {
            Ok(outcome) => outcome,
            Err(_) => Err(anyhow::anyhow!("no report within {limit:?}")),
        };
        let server_alive_at_end = process.alive();
        process.stop().await;
        let (report, error) = match outcome {
            Ok(finished) => {
                eprintln!(
                    "  {}: {}",
                    server.label(),
                    finished.summary.lines().next().unwrap_or_default()
                );
                (Some(finished.json), None)
            }
            Err(error) => {
                eprintln!("  {}: FAILED: {error:#}", server.label());
                (None, Some(format!("{error:#}")))
            }
        };
        Ok(Record {
            rep,
            server,
            run: run.to_owned(),
            command: args.join(" "),
            report,
            error,
            server_alive_at_end,
            machine_busy_before_percent: crate::report::round(waited.busy_percent, 1),
            waited_for_quiet_secs: waited.secs,
        })
    }

    /// What was measured with what, for the results' `meta`.
    pub fn meta(&self) -> Value {
        let modules = self
            .setup
            .node_bin
            .with_file_name("node_modules/socket.io/package.json");
        let socket_io = std::fs::read_to_string(modules)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .and_then(|package| package["version"].as_str().map(str::to_owned));
        json!({
            "timestamp_utc": timestamp(),
            "git_revision": output("git", &["rev-parse", "--short", "HEAD"]),
            "git_uncommitted_paths": output("git", &["status", "--porcelain"]).map(|text| text.lines().count()),
            "circle": output(&self.circle_bin.to_string_lossy(), &["--version"]),
            "node": output("node", &["--version"]),
            "socket_io": socket_io,
            "nproc": std::thread::available_parallelism().map(usize::from).ok(),
            "kernel": output("uname", &["-r"]),
            "pinning": {"server_cpu": self.setup.server_cpu, "tool_cpu": self.setup.tool_cpu},
            "server_flags": format!("{} --port 0 --bind 127.0.0.1 --data-dir (fresh)", crate::scenarios::relay::SERVER_FLAGS),
        })
    }

    /// Writes `text` to `name` in the results directory; answers the path.
    pub fn save(&self, name: &str, text: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.setup.results)?;
        let path = self.setup.results.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

/// Now in UTC, as in result file names: `20261128T092051Z`.
pub fn timestamp() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(['-', ':'], "")
}

/// A command's trimmed standard output, if it ran and succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The reports' values at `pointer` (e.g. `/latency_us/p99`), skipping missing ones.
pub fn values<'a>(reports: impl IntoIterator<Item = &'a Value>, pointer: &str) -> Vec<f64> {
    reports
        .into_iter()
        .filter_map(|report| report.pointer(pointer)?.as_f64())
        .collect()
}

/// The median; `None` of nothing.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[mid]),
        _ => Some((values[mid - 1] + values[mid]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_pointers() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        let reports = [
            json!({"l": {"p99": 5}}),
            json!({"l": {}}),
            json!({"l": {"p99": 1.5}}),
        ];
        assert_eq!(values(&reports, "/l/p99"), [5.0, 1.5]);
    }

    #[test]
    fn timestamps_name_files() {
        let stamp = timestamp();
        assert_eq!(stamp.len(), "20261128T092051Z".len(), "{stamp}");
        assert!(
            stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
            "{stamp}"
        );
    }
}
