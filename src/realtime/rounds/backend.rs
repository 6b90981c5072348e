//! What a presence backend does for timed rounds (docs/protocol.md section 8): it keeps
//! each group's series, and applies each step atomically and once.

use super::super::Presence;
use crate::domain::{AccessCode, Group, RoomId};
use crate::matchmaking::Pairing;
use crate::series::{RoundSettings, Series, Step};
use crate::store::StoreError;
use async_trait::async_trait;

/// A series could not start: one runs already in the group.
#[derive(Debug, PartialEq)]
pub struct AlreadyRunning;

/// What one step did, for the members to be told.
pub struct Stepped<M> {
    /// The series after the step.
    pub series: Series,
    /// Members whose room ended, with the room: `round_ended`.
    pub ended: Vec<(RoomId, M)>,
    /// The round's new pairs: `round_started`, then `join_room`.
    pub pairs: Vec<Pairing<M>>,
    /// Members sitting this round out: `round_bye`.
    pub byes: Vec<M>,
    /// Pairs formed the ordinary way while the step put members back in the lobby (a bye
    /// meets a latecomer): `join_room`.
    pub ordinary: Vec<Pairing<M>>,
    /// The group's present members, for `round_ending`, `round_break` and
    /// `rounds_finished`.
    pub present: Vec<M>,
}

impl<M> Stepped<M> {
    /// A step that touched nobody yet.
    pub fn of(series: Series) -> Self {
        Self {
            series,
            ended: Vec::new(),
            pairs: Vec::new(),
            byes: Vec::new(),
            ordinary: Vec::new(),
            present: Vec::new(),
        }
    }
}

/// What stopping a series did.
pub struct Stopped<M> {
    /// The group's present members when it stopped: `rounds_stopped`.
    pub present: Vec<M>,
    /// Pairs formed as the waiters of a break joined again: `join_room`.
    pub paired: Vec<Pairing<M>>,
}

/// A presence backend's side of timed rounds.
#[async_trait]
pub trait Timed: Presence {
    /// `group`'s series, running or finished, if one was started and not stopped.
    async fn series(&self, group: &AccessCode) -> Result<Option<Series>, StoreError>;

    /// Starts a series in `group` now, unless one runs: its first round starts at once.
    async fn start_series(
        &self,
        group: &Group,
        settings: RoundSettings,
    ) -> Result<Result<Stepped<Self::Handle>, AlreadyRunning>, StoreError>;

    /// Stops `group`'s series at once (running chats go on as ordinary chats; waiters of a
    /// break are paired the ordinary way). `None` when none runs.
    async fn stop_series(&self, group: &Group)
    -> Result<Option<Stopped<Self::Handle>>, StoreError>;

    /// Applies `step` to `group`'s series if it is still `expected`; `None` when another
    /// driver applied it (or the series was stopped) meanwhile.
    async fn step_series(
        &self,
        group: &Group,
        expected: &Series,
        step: Step,
    ) -> Result<Option<Stepped<Self::Handle>>, StoreError>;

    /// Drops `group`'s series (the group is gone), letting pairing run again.
    async fn forget_series(&self, group: &AccessCode) -> Result<(), StoreError>;

    /// The running series this node is to drive now (on several nodes: those whose
    /// lease it holds).
    async fn driven_series(&self) -> Vec<(AccessCode, Series)>;
}
