//! Accepting connections. When accepting fails (out of file descriptors, most often), the
//! loop waits before trying again, 10 ms at first and twice as long each time up to 1 s,
//! and logs at most one line a second, with how many attempts failed since the last one.

use crate::metrics::Metrics;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const LONGEST_BACKOFF: Duration = Duration::from_secs(1);
/// At most one log line about failed accepts per this long.
const LOG_EVERY: Duration = Duration::from_secs(1);

/// Takes connections off the listener; dropping it closes the listener.
pub(super) struct Acceptor {
    listener: TcpListener,
    metrics: Arc<Metrics>,
    backoff: Duration,
    failures: FailureLog,
}

impl Acceptor {
    pub(super) fn new(listener: TcpListener, metrics: Arc<Metrics>) -> Self {
        Self {
            listener,
            metrics,
            backoff: FIRST_BACKOFF,
            failures: FailureLog::default(),
        }
    }

    /// The next connection, however long accepting fails. Cancel-safe.
    pub(super) async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok(accepted) => {
                    self.backoff = FIRST_BACKOFF;
                    // Chat messages are small and latency matters: no Nagle delay. Should
                    // the option be refused, the connection still works, only later.
                    if let Err(cause) = accepted.0.set_nodelay(true) {
                        tracing::debug!(%cause, "TCP_NODELAY refused");
                    }
                    return accepted;
                }
                // That one client gave up before it was accepted: nothing to wait for.
                Err(cause) if is_about_one_connection(&cause) => {
                    tracing::debug!(%cause, "a connection ended before it was accepted");
                }
                Err(cause) => {
                    self.metrics.accept_errors.inc();
                    self.failures.record(&cause, self.backoff);
                    tokio::time::sleep(self.backoff).await;
                    self.backoff = (self.backoff * 2).min(LONGEST_BACKOFF);
                }
            }
        }
    }
}

fn is_about_one_connection(cause: &std::io::Error) -> bool {
    matches!(
        cause.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    )
}

/// Counts failed accepts and logs them at most once per [`LOG_EVERY`].
#[derive(Default)]
struct FailureLog {
    unlogged: u64,
    logged_at: Option<Instant>,
}

impl FailureLog {
    fn record(&mut self, cause: &std::io::Error, retry_in: Duration) {
        self.unlogged += 1;
        if self.logged_at.is_some_and(|at| at.elapsed() < LOG_EVERY) {
            return;
        }
        tracing::warn!(%cause, failures = self.unlogged, ?retry_in, "accepting connections failed");
        self.unlogged = 0;
        self.logged_at = Some(Instant::now());
    }
}
