//! Report arithmetic (percentiles, rates, CPU cost) and output: one JSON line on stdout
//! for machines, a short summary on stderr for people.

use hdrhistogram::Histogram;
use serde::Serialize;

/// Largest latency the histograms track, in microseconds (one minute); larger values
/// are clamped to it.
pub const MAX_LATENCY_US: u64 = 60_000_000;

/// A latency histogram in microseconds with three significant digits.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant bounds are valid")
}

/// Records a latency given in nanoseconds into a microsecond histogram.
pub fn record_nanos(histogram: &mut Histogram<u64>, nanos: u64) {
    let micros = (nanos / 1_000).clamp(1, MAX_LATENCY_US);
    histogram
        .record(micros)
        .expect("value is within the bounds");
}

/// Percentiles of a latency histogram, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencySummary {
    /// How many samples.
    pub count: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest sample.
    pub max: u64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl LatencySummary {
    /// Summarises a histogram (all zero when it is empty).
    pub fn of(histogram: &Histogram<u64>) -> Self {
        if histogram.is_empty() {
            return Self {
                count: 0,
                p50: 0,
                p90: 0,
                p99: 0,
                p999: 0,
                max: 0,
                mean: 0.0,
            };
        }
        Self {
            count: histogram.len(),
            p50: histogram.value_at_quantile(0.50),
            p90: histogram.value_at_quantile(0.90),
            p99: histogram.value_at_quantile(0.99),
            p999: histogram.value_at_quantile(0.999),
            max: histogram.max(),
            mean: round(histogram.mean(), 1),
        }
    }

    /// `p50 1.23 ms, p99 4.56 ms, max 7.89 ms`.
    pub fn human(&self) -> String {
        format!(
            "p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        )
    }
}

fn ms(micros: u64) -> String {
    format!("{:.2}", micros as f64 / 1_000.0)
}

/// Events per second; zero over an empty interval.
pub fn per_second(count: u64, secs: f64) -> f64 {
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// CPU seconds spent per million events; `None` when nothing happened.
pub fn cpu_secs_per_million(cpu_secs: f64, events: u64) -> Option<f64> {
    (events > 0).then(|| cpu_secs * 1_000_000.0 / events as f64)
}

/// KiB of memory per connection between two readings; `None` without connections.
pub fn kib_per_connection(before_kib: u64, after_kib: u64, connections: u64) -> Option<f64> {
    (connections > 0).then(|| (after_kib as f64 - before_kib as f64) / connections as f64)
}

/// Rounds to `digits` decimal places, for readable JSON.
pub fn round(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// A finished scenario: its report, and a short summary for people.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The report, as written on stdout.
    pub json: serde_json::Value,
    /// The summary, as written on stderr.
    pub summary: String,
}

impl Finished {
    /// Keeps `report` as JSON beside its summary.
    pub fn new(report: &impl Serialize, summary: String) -> Self {
        Self {
            json: serde_json::to_value(report).expect("reports always serialize"),
            summary,
        }
    }

    /// Prints the report as one JSON line on stdout and the summary on stderr.
    pub fn emit(&self) {
        eprintln!("{}", self.summary);
        println!("{}", self.json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_spread() {
        let mut histogram = latency_histogram();
        for micros in 1..=1000u64 {
            record_nanos(&mut histogram, micros * 1_000);
        }
        let summary = LatencySummary::of(&histogram);
        assert_eq!(summary.count, 1000);
        assert_eq!(summary.p50, 500);
        assert_eq!(summary.p90, 900);
        assert_eq!(summary.p99, 990);
        assert_eq!(summary.max, 1000);
        assert!((summary.mean - 500.5).abs() < 1.0);
    }

    #[test]
    fn empty_histogram_summarises_to_zero() {
        let summary = LatencySummary::of(&latency_histogram());
        assert_eq!(summary.count, 0);
        assert_eq!(summary.max, 0);
    }

    #[test]
    fn latencies_are_clamped_into_range() {
        let mut histogram = latency_histogram();
        record_nanos(&mut histogram, 10);
        record_nanos(&mut histogram, u64::MAX);
        assert_eq!(histogram.min(), 1);
        assert!(histogram.max() >= MAX_LATENCY_US);
        assert_eq!(histogram.len(), 2);
    }

    #[test]
    fn rates_and_costs() {
        assert_eq!(per_second(500, 2.0), 250.0);
        assert_eq!(per_second(5, 0.0), 0.0);
        assert_eq!(cpu_secs_per_million(3.0, 2_000_000), Some(1.5));
        assert_eq!(cpu_secs_per_million(3.0, 0), None);
        assert_eq!(kib_per_connection(1000, 3000, 100), Some(20.0));
        assert_eq!(kib_per_connection(1000, 3000, 0), None);
        assert_eq!(round(1.23456, 2), 1.23);
    }

    #[test]
    fn human_summary_is_in_milliseconds() {
        let summary = LatencySummary {
            count: 3,
            p50: 1_250,
            p90: 2_000,
            p99: 3_000,
            p999: 3_500,
            max: 10_000,
            mean: 1.0,
        };
        assert_eq!(
            summary.human(),
            "p50 1.25 ms, p90 2.00 ms, p99 3.00 ms, max 10.00 ms"
        );
    }
}
