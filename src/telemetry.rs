//! Logging: one `tracing` subscriber, filtered by `RUST_LOG` (default `info`).
//!
//! Never log message text, display names, access codes or owner tokens (PROTOCOL.md
//! section 4): the domain types that hold them redact themselves in `Debug`.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber, writing to `sink` (standard error in the server),
/// with colours only when `ansi`.
pub fn init<W>(sink: W, ansi: bool)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(sink)
        .with_ansi(ansi)
        .init();
}
