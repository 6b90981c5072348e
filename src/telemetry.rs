//! Logging: one `tracing` subscriber, filtered by `RUST_LOG` (default `info`) and
//! throttled: at most `--log-burst` lines of one kind a second, ours and the transport
//! crates' alike, then one line a second with the count of the rest.
//!
//! Never log message text, display names, access codes or owner tokens (docs/protocol.md
//! section 4): the domain types that hold them redact themselves in `Debug`.

mod throttle;

use throttle::LogThrottle;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Dependencies that print packets, frames or bodies at their debug and trace levels:
/// capped at `info` whatever `RUST_LOG` asks, so that no message, name or access code
/// reaches the logs.
const QUIET_DEPENDENCIES: &[&str] = &[
    "socketioxide=info",
    "socketioxide_core=info",
    "socketioxide_parser_common=info",
    "engineioxide=info",
    "engineioxide_core=info",
    "tungstenite=info",
    "tokio_tungstenite=info",
    "hyper=info",
    "hyper_util=info",
    "h2=info",
    "axum::rejection=info",
    "sqlx=warn",
];
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber, writing to `sink` (standard error in the server),
/// with colours only when `ansi`, and at most `log_burst` lines of one kind a second (see
/// `throttle.rs`; the count of the rest is reported each second). Call it within a
/// Tokio runtime, which runs the reports.
pub fn init<W>(sink: W, ansi: bool, log_burst: u32)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    // The throttle's reports count only lines the filter let through: always write them.
    let reports = format!("{}=warn", throttle::REPORT_TARGET);
    let filter = QUIET_DEPENDENCIES.iter().chain([&reports.as_str()]).fold(
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        |filter, directive| {
            filter.add_directive(directive.parse::<Directive>().expect("valid directive"))
        },
    );
    let throttle = LogThrottle::new(log_burst);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(sink)
        .with_ansi(ansi)
        .finish()
        .with(throttle.layer())
        .init();
    throttle.report_every_window();
}
