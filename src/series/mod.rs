//! Timed rounds for events (docs/protocol.md section 8): a series' settings and its
//! schedule, as a pure state machine. No I/O and no clock of its own: the driver asks
//! [`Series::due`] what falls due at `now`, has the presence backend apply that
//! [`Step`] atomically, and then [`Series::advance`]s.
//!
//! Each phase is timed from the moment its step was applied, not from the series' start:
//! a driver that takes over late (its predecessor died) starts the overdue round at once
//! and gives it its full length. No round is ever skipped.

mod schedule;
mod settings;

pub use schedule::{Phase, Series, Step};
pub use settings::RoundSettings;

/// Rounds at least this long get a `round_ending` warning this long before they end.
pub const WARNING_SECONDS: u32 = 30;
/// Shortest round that gets a `round_ending` warning.
pub const WARNED_ROUND_SECONDS: u32 = 60;
