//! When a connection must have sent a request head by: within `--idle-timeout` of being
//! accepted if it sends nothing, within `--header-timeout` of a head's first byte.
//!
//! hyper's own `header_read_timeout` is not used: it also runs while a kept-alive
//! connection waits between requests, and would close a long-polling client's connection
//! between two polls. Here a connection that completed a request is never timed while it
//! waits for the next one, only once that one starts arriving.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Nothing received yet: the idle timeout runs.
const SILENT: u8 = 0;
/// Part of a request head received: the header timeout runs.
const READING_HEAD: u8 = 1;
/// A request is being served: no timeout here (long-polls are held by the server).
const SERVING: u8 = 2;
/// Answered, kept alive for the next request: no timeout until its first byte.
const KEPT_ALIVE: u8 = 3;

/// One connection's clock; see the module documentation.
pub(super) struct RequestClock {
    phase: AtomicU8,
    accepted: Instant,
    /// When the head being read started, in nanoseconds after `accepted`.
    head_started: AtomicU64,
    idle_timeout: Duration,
    header_timeout: Duration,
    changed: Notify,
}

impl RequestClock {
    pub(super) fn start(idle_timeout: Duration, header_timeout: Duration) -> Self {
        Self {
            phase: AtomicU8::new(SILENT),
            accepted: Instant::now(),
            head_started: AtomicU64::new(0),
            idle_timeout,
            header_timeout,
            changed: Notify::new(),
        }
    }

    /// Bytes arrived: the first of a request head, unless one is already being read or
    /// served.
    pub(super) fn bytes_received(&self) {
        let phase = self.phase.load(Ordering::Acquire);
        if phase == SILENT || phase == KEPT_ALIVE {
            let since_accepted = self.accepted.elapsed().as_nanos();
            self.head_started.store(
                u64::try_from(since_accepted).unwrap_or(u64::MAX),
                Ordering::Release,
            );
            self.set(READING_HEAD);
        }
    }

    /// A request head was read in full.
    pub(super) fn request_started(&self) {
        self.set(SERVING);
    }

    /// The request was answered; the connection waits for the next one.
    pub(super) fn request_answered(&self) {
        self.set(KEPT_ALIVE);
    }

    fn set(&self, phase: u8) {
        self.phase.store(phase, Ordering::Release);
        self.changed.notify_one();
    }

    fn deadline(&self) -> Option<Instant> {
        match self.phase.load(Ordering::Acquire) {
            SILENT => Some(self.accepted + self.idle_timeout),
            READING_HEAD => {
                let started = Duration::from_nanos(self.head_started.load(Ordering::Acquire));
                Some(self.accepted + started + self.header_timeout)
            }
            _ => None,
        }
    }

    /// Resolves when the connection is late with a request head.
    pub(super) async fn expired(&self) {
        loop {
            let changed = self.changed.notified();
            match self.deadline() {
                Some(deadline) if deadline <= Instant::now() => return,
                Some(deadline) => tokio::select! {
                    () = tokio::time::sleep_until(deadline) => {}
                    () = changed => {}
                },
                None => changed.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    const SECOND: Duration = Duration::from_secs(1);

    fn clock() -> RequestClock {
        RequestClock::start(SECOND, 2 * SECOND)
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_connection_expires_after_the_idle_timeout() {
        let clock = clock();
        let started = Instant::now();
        clock.expired().await;
        assert_eq!(started.elapsed(), SECOND);
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_must_arrive_within_the_header_timeout_of_its_first_byte() {
        let clock = clock();
        tokio::time::advance(SECOND / 2).await;
        clock.bytes_received();
        let started = Instant::now();
        clock.expired().await;
        assert_eq!(started.elapsed(), 2 * SECOND);
    }

    #[tokio::test(start_paused = true)]
    async fn served_and_kept_alive_connections_are_not_timed() {
        let clock = clock();
        clock.bytes_received();
        clock.request_started();
        assert!(
            tokio::time::timeout(60 * SECOND, clock.expired())
                .await
                .is_err()
        );
        clock.request_answered();
        assert!(
            tokio::time::timeout(60 * SECOND, clock.expired())
                .await
                .is_err()
        );
        clock.bytes_received();
        assert!(clock.expired().now_or_never().is_none());
        tokio::time::advance(2 * SECOND).await;
        assert!(clock.expired().now_or_never().is_some());
    }
}
