//! What an owner asks for when she starts a series: validated at the edge.

use crate::domain::Invalid;
use serde::{Deserialize, Serialize};

/// A series' settings: each round's length, each break's, and the number of rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSettings {
    /// Seconds each round lasts: 10–3600.
    pub round_seconds: u32,
    /// Seconds of break between two rounds: 0–600.
    pub break_seconds: u32,
    /// Rounds in the series: 1–50.
    pub rounds: u32,
}

impl RoundSettings {
    /// Default break, when the owner gives none.
    pub const DEFAULT_BREAK_SECONDS: u32 = 30;
    /// `round_seconds` out of range or not a whole number.
    pub const BAD_ROUND_SECONDS: Invalid = Invalid::new(
        "invalid_round_seconds",
        "round_seconds must be a whole number from 10 to 3600",
    );
    /// `break_seconds` out of range or not a whole number.
    pub const BAD_BREAK_SECONDS: Invalid = Invalid::new(
        "invalid_break_seconds",
        "break_seconds must be a whole number from 0 to 600",
    );
    /// `rounds` out of range or not a whole number.
    pub const BAD_ROUNDS: Invalid = Invalid::new(
        "invalid_rounds",
        "rounds must be a whole number from 1 to 50",
    );

    /// Checks each value against its range.
    pub fn new(round_seconds: u64, break_seconds: u64, rounds: u64) -> Result<Self, Invalid> {
        let within = |value: u64, range: std::ops::RangeInclusive<u64>, error| {
            range.contains(&value).then_some(value as u32).ok_or(error)
        };
        Ok(Self {
            round_seconds: within(round_seconds, 10..=3600, Self::BAD_ROUND_SECONDS)?,
            break_seconds: within(break_seconds, 0..=600, Self::BAD_BREAK_SECONDS)?,
            rounds: within(rounds, 1..=50, Self::BAD_ROUNDS)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_is_checked_against_its_own_range_with_its_own_code() {
        assert!(RoundSettings::new(10, 0, 1).is_ok());
        assert!(RoundSettings::new(3600, 600, 50).is_ok());
        assert_eq!(
            RoundSettings::new(9, 0, 1),
            Err(RoundSettings::BAD_ROUND_SECONDS)
        );
        assert_eq!(
            RoundSettings::new(3601, 0, 1),
            Err(RoundSettings::BAD_ROUND_SECONDS)
        );
        assert_eq!(
            RoundSettings::new(10, 601, 1),
            Err(RoundSettings::BAD_BREAK_SECONDS)
        );
        assert_eq!(RoundSettings::new(10, 0, 0), Err(RoundSettings::BAD_ROUNDS));
        assert_eq!(
            RoundSettings::new(10, 0, 51),
            Err(RoundSettings::BAD_ROUNDS)
        );
    }
}
