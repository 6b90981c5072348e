//! Configuration: every setting is a command-line flag with an environment fallback
//! (`--help` lists them; `.env.sample` documents the variables).

use clap::{Args, Parser};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The Circle server.
#[derive(Debug, Clone, Parser)]
#[command(name = "circle", version, about)]
pub struct Config {
    /// TCP port to serve HTTP, Socket.IO and the web client on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Address to listen on.
    #[arg(long, env = "CIRCLE_BIND", default_value = "0.0.0.0")]
    pub bind: IpAddr,

    /// Directory for the SQLite database and the node's key file, created on first start.
    #[arg(long, env = "CIRCLE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// How long a group lives after its creation (e.g. `72h`, `30m`, `2s`).
    #[arg(long, env = "CIRCLE_GROUP_TTL", default_value = "72h", value_parser = humantime::parse_duration)]
    pub group_ttl: Duration,

    /// How often expired groups are deleted and their lobbies closed.
    #[arg(long, env = "CIRCLE_SWEEP_INTERVAL", default_value = "60s", value_parser = humantime::parse_duration)]
    pub sweep_interval: Duration,

    /// Answer `GET /groups` with every live group and its access code (compat: the
    /// original front end needs it; it exposes every group, so it is off by default).
    #[arg(long, env = "CIRCLE_PUBLIC_GROUP_LIST")]
    pub public_group_list: bool,

    /// Origins allowed to call the API from a browser (repeatable, or comma-separated in
    /// the variable). Without any, every origin is allowed and reflected.
    #[arg(
        long = "cors-origin",
        env = "CIRCLE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// Proxies (addresses or CIDR ranges; repeatable, or comma-separated in the variable)
    /// whose `X-Forwarded-For` names the client: from one of them, the client is the
    /// right-most forwarded address that is not itself a trusted proxy. Without any, the
    /// TCP peer is the client and `X-Forwarded-For` is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "CIRCLE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,

    /// How many tasks each runtime worker runs before it takes one from the shared queue,
    /// where ready connections overflow when more are ready at once than a worker keeps
    /// locally (256). Lower is fairer to every connection under saturation; higher keeps
    /// a little more latency headroom below it (BENCHMARKS.md, "Fairness").
    #[arg(long, env = "CIRCLE_GLOBAL_QUEUE_INTERVAL", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub global_queue_interval: u32,

    /// Run as one of several nodes sharing this Redis (or Valkey) 7+, e.g.
    /// `redis://127.0.0.1:6379`: groups, lobbies, rooms and member records live there and
    /// events travel between nodes through it. Without it, one node keeps groups in
    /// SQLite and everything else in memory.
    #[arg(long, env = "CIRCLE_REDIS_URL")]
    pub redis_url: Option<String>,

    /// Prefix of every Redis key and channel, so that several deployments (or tests) can
    /// share one Redis.
    #[arg(long, env = "CIRCLE_REDIS_PREFIX", default_value = "circle")]
    pub redis_prefix: String,

    /// With Redis: how long a member's record outlives her node if it dies; her node
    /// refreshes it every third of this.
    #[arg(long, env = "CIRCLE_MEMBER_TTL", default_value = "10s", value_parser = humantime::parse_duration)]
    pub member_ttl: Duration,

    /// Limits on what clients may send.
    #[command(flatten)]
    pub limits: Limits,

    /// Limits on connections, and how the node stops.
    #[command(flatten)]
    pub connections: ConnectionLimits,
}

/// Every limit on client input, with its default.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest HTTP request body, in bytes.
    #[arg(long, env = "CIRCLE_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Largest chat message payload, in bytes; larger ones get `message_too_large`.
    #[arg(long, env = "CIRCLE_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024)]
    pub max_message_bytes: usize,

    /// Largest inbound Engine.IO packet (websocket message or polling body), in bytes; a
    /// connection that sends a larger one is closed. Leaves room for a full-size message.
    #[arg(long, env = "CIRCLE_MAX_PACKET_BYTES", default_value_t = 32 * 1024)]
    pub max_packet_bytes: usize,

    /// Chat messages one socket may send per second, sustained.
    #[arg(long, env = "CIRCLE_MESSAGE_RATE", default_value_t = 10)]
    pub message_rate: u32,

    /// Chat messages one socket may send in a burst.
    #[arg(long, env = "CIRCLE_MESSAGE_BURST", default_value_t = 30)]
    pub message_burst: u32,

    /// `typing` events passed on per second per socket; more are dropped (typing is
    /// ephemeral, docs/protocol.md section 7).
    #[arg(long, env = "CIRCLE_TYPING_RATE", default_value_t = 2,
          value_parser = clap::builder::RangedU64ValueParser::<u32>::new().range(1..))]
    pub typing_rate: u32,

    /// Distinct members of a group whose reports remove a member from it
    /// (docs/protocol.md section 7).
    #[arg(long, env = "CIRCLE_REPORT_THRESHOLD", default_value_t = 3,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub report_threshold: usize,

    /// Failed `join_group` attempts one client address may make per minute.
    #[arg(long, env = "CIRCLE_FAILED_JOINS_PER_MINUTE", default_value_t = 20)]
    pub failed_joins_per_minute: u32,

    /// How often the server pings each Engine.IO v4 connection (a v3 client pings at this
    /// interval itself). With `--ping-timeout`, it bounds how long a dead connection (a
    /// network switch leaves it half-open) goes unnoticed: at most the sum of the two.
    #[arg(long, env = "CIRCLE_PING_INTERVAL", default_value = "10s", value_parser = humantime::parse_duration)]
    pub ping_interval: Duration,

    /// How long the server waits for a ping's answer (or, from a v3 client, for its next
    /// ping beyond the interval) before it closes the connection as dead.
    #[arg(long, env = "CIRCLE_PING_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub ping_timeout: Duration,

    /// Packets waiting to be written to one connection (replies, acks, relayed messages);
    /// a packet that finds the queue full is not sent. Room is only taken as packets come,
    /// so an idle connection pays nothing for a large bound.
    #[arg(long, env = "CIRCLE_MAX_QUEUED_PACKETS", default_value_t = 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_queued_packets: usize,

    /// Log lines of one kind (one place in the code) written per second; the rest of the
    /// second's lines of that kind are counted and reported in one line.
    #[arg(long, env = "CIRCLE_LOG_BURST", default_value_t = 10)]
    pub log_burst: u32,

    /// How long a resumable member whose connection dropped stays away, keeping her place,
    /// before she is gone; also how long her recent events are kept for a resume
    /// (docs/protocol.md section 6).
    #[arg(long, env = "CIRCLE_RESUME_WINDOW", default_value = "30s", value_parser = humantime::parse_duration)]
    pub resume_window: Duration,

    /// At most this many events kept per resumable member (`--resume-buffer`, with
    /// `--resume-buffer-bytes`); a message to an away member whose buffer is full is
    /// refused to its sender with `partner_unreachable`.
    #[arg(long = "resume-buffer", env = "CIRCLE_RESUME_BUFFER", default_value_t = 100,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub resume_buffer_events: usize,

    /// How long events for a member wait for room in her full send queue (the queue
    /// of `--max-queued-packets`, then as many again waiting in order) before she counts
    /// as stuck: the senders of the waiting messages are told `partner_unreachable`.
    #[arg(long, env = "CIRCLE_SEND_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub send_timeout: Duration,

    /// At most this many bytes of events kept per resumable member.
    #[arg(long, env = "CIRCLE_RESUME_BUFFER_BYTES", default_value_t = 256 * 1024,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub resume_buffer_bytes: usize,
}

impl Limits {
    /// What a resumable member's journal keeps.
    pub fn resume_bounds(&self) -> crate::realtime::Bounds {
        crate::realtime::Bounds {
            window: self.resume_window,
            events: self.resume_buffer_events,
            bytes: self.resume_buffer_bytes,
        }
    }
}

/// Every limit on connections, with its default.
#[derive(Debug, Clone, Args)]
pub struct ConnectionLimits {
    /// Open TCP connections (websockets included) the node serves at once; more are closed
    /// as soon as accepted. Default: the process's file limit (raised to its hard limit at
    /// start) less a reserve for the store, Redis and logs.
    #[arg(long, env = "CIRCLE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,

    /// How long a client may take to send a request's head, from its first byte; a slower
    /// connection is closed.
    #[arg(long, env = "CIRCLE_HEADER_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub header_timeout: Duration,

    /// How long a new connection may stay silent before its first request; it is closed
    /// then.
    #[arg(long, env = "CIRCLE_IDLE_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub idle_timeout: Duration,

    /// On SIGTERM or SIGINT, how long the node waits for requests in flight once every
    /// client has been disconnected.
    #[arg(long, env = "CIRCLE_SHUTDOWN_GRACE", default_value = "10s", value_parser = humantime::parse_duration)]
    pub shutdown_grace: Duration,
}

impl Config {
    /// The defaults, as if started with no flags and no environment (for tests).
    pub fn defaults() -> Self {
        Self::parse_from(["circle"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global_queue_interval(args: &[&str]) -> Result<u32, clap::Error> {
        let args = ["circle"].iter().chain(args);
        Config::try_parse_from(args).map(|config| config.global_queue_interval)
    }

    #[test]
    fn the_runtime_visits_its_shared_queue_every_fourth_task_unless_told_otherwise() {
        assert_eq!(global_queue_interval(&[]).unwrap(), 4);
        let told = global_queue_interval(&["--global-queue-interval", "31"]);
        assert_eq!(told.unwrap(), 31);
        assert!(global_queue_interval(&["--global-queue-interval", "0"]).is_err());
    }
}
