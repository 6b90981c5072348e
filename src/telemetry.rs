//! Logging: one `tracing` subscriber, filtered by `RUST_LOG` (default `info`).
//!
//! Never log message text, display names, access codes or owner tokens (PROTOCOL.md
//! section 4): the domain types that hold them redact themselves in `Debug`.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;

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
/// with colours only when `ansi`.
pub fn init<W>(sink: W, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = QUIET_DEPENDENCIES.iter().fold(
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        |filter, directive| {
            filter.add_directive(directive.parse::<Directive>().expect("valid directive"))
        },
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(sink)
        .with_ansi(ansi)
        .init();
}
