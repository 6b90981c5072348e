//! Bounded logging: at most a burst of lines of one kind (one place in the code, ours or
//! a dependency's) each second; the rest are counted and reported in one line per kind
//! each second. A client that makes the server fail a thousand times a second then costs
//! a few lines, and no failure goes unmentioned.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::callsite::Identifier;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// How long a burst lasts: each kind may write `burst` lines per window.
pub const WINDOW: Duration = Duration::from_secs(1);

/// The target of the report lines, which are never throttled themselves.
pub const REPORT_TARGET: &str = "circle::log_throttle";

/// One kind of line: where it comes from, and how many came in its current window.
struct Kind {
    metadata: &'static Metadata<'static>,
    window_start: Instant,
    written: u32,
    suppressed: u64,
}

/// The counts of every kind of line seen, shared by the layer and the reporter.
pub struct LogThrottle {
    burst: u32,
    kinds: Mutex<HashMap<Identifier, Kind>>,
}

impl LogThrottle {
    /// A throttle letting `burst` lines of each kind through per [`WINDOW`].
    pub fn new(burst: u32) -> Arc<Self> {
        Arc::new(Self {
            burst,
            kinds: Mutex::new(HashMap::new()),
        })
    }

    /// The layer that asks this throttle before any line is written.
    pub fn layer(self: &Arc<Self>) -> ThrottleLayer {
        ThrottleLayer(self.clone())
    }

    /// Whether a line from `metadata` may be written at `now`; if not, it is counted.
    fn admit(&self, metadata: &'static Metadata<'static>, now: Instant) -> bool {
        let mut kinds = self.kinds.lock();
        let kind = kinds.entry(metadata.callsite()).or_insert(Kind {
            metadata,
            window_start: now,
            written: 0,
            suppressed: 0,
        });
        if now.duration_since(kind.window_start) >= WINDOW {
            kind.window_start = now;
            kind.written = 0;
        }
        if kind.written < self.burst {
            kind.written += 1;
            true
        } else {
            kind.suppressed += 1;
            false
        }
    }

    /// The lines suppressed since the last call, by kind; the counts start again at zero.
    fn take_suppressed(&self) -> Vec<(&'static Metadata<'static>, u64)> {
        let mut kinds = self.kinds.lock();
        kinds
            .values_mut()
            .filter(|kind| kind.suppressed > 0)
            .map(|kind| (kind.metadata, std::mem::take(&mut kind.suppressed)))
            .collect()
    }

    /// Writes one line for each kind with lines suppressed since the last report.
    pub fn report(&self) {
        for (metadata, suppressed) in self.take_suppressed() {
            let kind = format_args!(
                "{}:{}",
                metadata.target(),
                metadata.line().unwrap_or_default()
            );
            tracing::warn!(
                target: REPORT_TARGET,
                %kind,
                level = %metadata.level(),
                suppressed,
                "log lines of one kind suppressed since the last report"
            );
        }
    }

    /// Reports every [`WINDOW`], on the current Tokio runtime, for as long as it runs.
    pub fn report_every_window(self: &Arc<Self>) {
        let throttle = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(WINDOW);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                throttle.report();
            }
        });
    }
}

/// A `tracing` layer that drops the lines its [`LogThrottle`] refuses, before any other
/// layer or the writer sees them.
pub struct ThrottleLayer(Arc<LogThrottle>);

impl<S: Subscriber> Layer<S> for ThrottleLayer {
    fn event_enabled(&self, event: &Event<'_>, _: Context<'_, S>) -> bool {
        let metadata = event.metadata();
        metadata.target() == REPORT_TARGET || self.0.admit(metadata, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    /// A writer that keeps every line for the test to read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn lines(&self) -> Vec<String> {
            String::from_utf8_lossy(&self.0.lock())
                .lines()
                .map(str::to_owned)
                .collect()
        }
    }

    /// Runs `log` under a subscriber with a throttle of `burst`; returns what was written.
    fn logged(throttle: &Arc<LogThrottle>, log: impl FnOnce()) -> Vec<String> {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry().with(throttle.layer()).with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
        tracing::subscriber::with_default(subscriber, log);
        captured.lines()
    }

    fn error_flood(times: usize) {
        for _ in 0..times {
            tracing::error!("the same failure again");
        }
    }

    #[test]
    fn a_burst_of_each_kind_is_written_and_the_rest_are_counted_in_one_report_line() {
        let throttle = LogThrottle::new(3);
        let lines = logged(&throttle, || {
            error_flood(50);
            tracing::warn!("another kind");
            throttle.report();
            throttle.report();
        });
        let repeated = lines
            .iter()
            .filter(|l| l.contains("the same failure"))
            .count();
        assert_eq!(repeated, 3, "{lines:#?}");
        assert_eq!(
            lines.iter().filter(|l| l.contains("another kind")).count(),
            1
        );
        let reports: Vec<_> = lines.iter().filter(|l| l.contains(REPORT_TARGET)).collect();
        assert_eq!(
            reports.len(),
            1,
            "one report for the one throttled kind: {lines:#?}"
        );
        assert!(reports[0].contains("suppressed=47"), "{}", reports[0]);
        assert!(reports[0].contains("level=ERROR"), "{}", reports[0]);
        assert!(
            reports[0].contains("circle::telemetry::throttle:"),
            "{}",
            reports[0]
        );
    }

    #[test]
    fn each_window_lets_a_new_burst_through() {
        let throttle = LogThrottle::new(2);
        let subscriber = tracing_subscriber::registry().with(throttle.layer());
        let metadata = tracing::subscriber::with_default(subscriber, || {
            tracing::info!("one line, to learn its callsite");
            let kinds = throttle.kinds.lock();
            kinds.values().next().map(|kind| kind.metadata).unwrap()
        });
        let start = Instant::now();
        let admitted = |at: Duration| throttle.admit(metadata, start + at);
        // The callsite wrote once already in the window that started before `start`.
        assert!(admitted(WINDOW));
        assert!(admitted(WINDOW));
        assert!(!admitted(WINDOW + Duration::from_millis(999)));
        assert!(admitted(WINDOW * 2));
        assert_eq!(throttle.take_suppressed(), vec![(metadata, 1)]);
        assert_eq!(throttle.take_suppressed(), vec![]);
    }
}
