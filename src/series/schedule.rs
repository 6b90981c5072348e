//! A series' state and what falls due when.

use super::{RoundSettings, WARNED_ROUND_SECONDS, WARNING_SECONDS};
use serde::{Deserialize, Serialize};

/// Where a series is (the `phase` of `GET /groups/{code}/rounds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// A round runs: its pairs chat.
    Round,
    /// Between two rounds: everyone waits, and nobody is paired.
    Break,
    /// The last round has ended.
    Finished,
}

/// A series at one moment. Times are Unix milliseconds, so that every node (and Redis)
/// reads them alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// What the owner asked for.
    pub settings: RoundSettings,
    /// The current round (in a break: the one that just ended), from 1.
    pub round: u32,
    /// Where the series is.
    pub phase: Phase,
    /// When the current phase ends (once finished: when it finished).
    pub ends_at_ms: i64,
    /// Whether this round's `round_ending` warning went out.
    pub warned: bool,
}

/// One change a driver applies: every step is applied exactly once, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Round `round` starts: every present member is paired anew (the rooms of the round
    /// before, if any, end).
    Start {
        /// The round that starts.
        round: u32,
    },
    /// `round_ending`: round `round` ends in [`WARNING_SECONDS`].
    Warn {
        /// The round about to end.
        round: u32,
    },
    /// Round `round` ends and a break begins: its rooms end, everyone waits unpaired.
    Break {
        /// The round that ended.
        round: u32,
    },
    /// The last round, `round`, ends: its rooms end and the series is over.
    Finish {
        /// The round that ended.
        round: u32,
    },
}

impl Series {
    /// A series whose first round starts at `now_ms`: the state after [`Step::Start`] of
    /// round 1.
    pub fn start(settings: RoundSettings, now_ms: i64) -> Self {
        Self {
            settings,
            round: 1,
            phase: Phase::Round,
            ends_at_ms: now_ms + seconds(settings.round_seconds),
            warned: false,
        }
    }

    /// Whether the series still runs (not finished).
    pub fn is_running(&self) -> bool {
        self.phase != Phase::Finished
    }

    /// When the next step falls due, if there is one.
    pub fn next_at(&self) -> Option<i64> {
        match self.phase {
            Phase::Round if self.warns() => Some(self.ends_at_ms - seconds(WARNING_SECONDS)),
            Phase::Round | Phase::Break => Some(self.ends_at_ms),
            Phase::Finished => None,
        }
    }

    /// The step that falls due at `now_ms`, if any.
    pub fn due(&self, now_ms: i64) -> Option<Step> {
        if now_ms < self.next_at()? {
            return None;
        }
        let round = self.round;
        Some(match self.phase {
            Phase::Round if self.warns() => Step::Warn { round },
            Phase::Round if round == self.settings.rounds => Step::Finish { round },
            Phase::Round if self.settings.break_seconds > 0 => Step::Break { round },
            Phase::Round | Phase::Break => Step::Start { round: round + 1 },
            Phase::Finished => return None,
        })
    }

    /// The state after `step`, applied at `now_ms`.
    pub fn advance(&self, step: Step, now_ms: i64) -> Self {
        let settings = self.settings;
        match step {
            Step::Start { round } => Self {
                round,
                ..Self::start(settings, now_ms)
            },
            Step::Warn { .. } => Self {
                warned: true,
                ..self.clone()
            },
            Step::Break { .. } => Self {
                phase: Phase::Break,
                ends_at_ms: now_ms + seconds(settings.break_seconds),
                ..self.clone()
            },
            Step::Finish { .. } => Self {
                phase: Phase::Finished,
                ends_at_ms: now_ms,
                ..self.clone()
            },
        }
    }

    /// Whether this round's warning is still to go out.
    fn warns(&self) -> bool {
        !self.warned && self.settings.round_seconds >= WARNED_ROUND_SECONDS
    }
}

fn seconds(s: u32) -> i64 {
    i64::from(s) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(round_seconds: u32, break_seconds: u32, rounds: u32) -> RoundSettings {
        RoundSettings {
            round_seconds,
            break_seconds,
            rounds,
        }
    }

    /// Every step of a series driven by a clock that ticks every `tick` ms from 0.
    fn steps(series: Series, tick: i64) -> Vec<(i64, Step)> {
        let (mut series, mut now, mut out) = (series, 0, Vec::new());
        while series.is_running() {
            now += tick;
            while let Some(step) = series.due(now) {
                out.push((now, step));
                series = series.advance(step, now);
            }
        }
        out
    }

    #[test]
    fn short_rounds_with_breaks_alternate_and_finish_after_the_last() {
        let series = Series::start(settings(10, 2, 3), 0);
        assert_eq!(
            steps(series, 1000),
            [
                (10_000, Step::Break { round: 1 }),
                (12_000, Step::Start { round: 2 }),
                (22_000, Step::Break { round: 2 }),
                (24_000, Step::Start { round: 3 }),
                (34_000, Step::Finish { round: 3 }),
            ]
        );
    }

    #[test]
    fn long_rounds_are_warned_thirty_seconds_before_their_end_and_no_break_means_none() {
        let series = Series::start(settings(60, 0, 2), 0);
        assert_eq!(
            steps(series, 1000),
            [
                (30_000, Step::Warn { round: 1 }),
                (60_000, Step::Start { round: 2 }),
                (90_000, Step::Warn { round: 2 }),
                (120_000, Step::Finish { round: 2 }),
            ]
        );
    }

    #[test]
    fn a_late_driver_applies_every_overdue_step_in_order_and_skips_no_round() {
        let mut series = Series::start(settings(10, 2, 3), 0);
        // Nothing ran for 40 s (the driving node died): each step comes once, in order,
        // and the round started late gets its full length.
        let mut seen = Vec::new();
        while let Some(step) = series.due(40_000) {
            seen.push(step);
            series = series.advance(step, 40_000);
        }
        assert_eq!(seen, [Step::Break { round: 1 }]);
        assert_eq!(series.ends_at_ms, 42_000);
        assert_eq!(series.due(42_000), Some(Step::Start { round: 2 }));
        let started = series.advance(Step::Start { round: 2 }, 42_000);
        assert_eq!((started.round, started.ends_at_ms), (2, 52_000));
    }

    #[test]
    fn a_finished_series_has_nothing_due() {
        let series = Series::start(settings(10, 0, 1), 0);
        let finished = series.advance(Step::Finish { round: 1 }, 10_000);
        assert_eq!(finished.phase, Phase::Finished);
        assert_eq!(finished.due(i64::MAX), None);
        assert_eq!(finished.next_at(), None);
    }
}
