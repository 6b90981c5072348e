//! Who is where in each group, for its owner's counts (docs/protocol.md section 7), and the
//! pairings the hub formed that are not saved yet.
//!
//! Each group's seated members are counted where pairs form and members leave their seat,
//! so that reading a group's counts never scans the rooms of every group. The per-group
//! map is a leaf in the lock order: nothing else is locked while one of its entries is.

use super::Hub;
use crate::domain::AccessCode;

/// A group's members at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Occupancy {
    /// Waiting in its lobby (away or not).
    pub waiting: usize,
    /// Sitting in its rooms, with a partner or alone after the partner left.
    pub chatting: usize,
}

/// What the hub keeps per group beside its lobby.
#[derive(Debug, Default)]
pub(super) struct GroupTally {
    /// Members sitting in the group's rooms.
    pub(super) seated: usize,
    /// Pairings formed since they were last taken to be saved.
    unsaved_pairings: u64,
}

impl<M: Clone> Hub<M> {
    /// Who waits in `code`'s lobby and who sits in its rooms.
    pub fn occupancy(&self, code: &AccessCode) -> Occupancy {
        // The lobby is copied out of the map before its lock is taken (lobby, then map).
        let lobby = self.lobbies.get(code).map(|entry| entry.value().clone());
        Occupancy {
            waiting: lobby.map_or(0, |lobby| lobby.lock().waiting.len()),
            chatting: self.tallies.get(code).map_or(0, |tally| tally.seated),
        }
    }

    /// The pairings formed in each group since the last call, to be saved; from then on
    /// they are the caller's.
    pub fn take_pairings(&self) -> Vec<(AccessCode, u64)> {
        let mut taken = Vec::new();
        self.tallies.retain(|code, tally| {
            if tally.unsaved_pairings > 0 {
                taken.push((code.clone(), tally.unsaved_pairings));
                tally.unsaved_pairings = 0;
            }
            tally.seated > 0
        });
        taken
    }

    /// A pair of `code` sat down in a new room.
    pub(super) fn count_pairing(&self, code: &AccessCode) {
        let mut tally = self.tallies.entry(code.clone()).or_default();
        tally.seated += 2;
        tally.unsaved_pairings += 1;
    }

    /// A member of `code` left her seat.
    pub(super) fn count_unseated(&self, code: &AccessCode) {
        if let Some(mut tally) = self.tallies.get_mut(code) {
            tally.seated = tally.seated.saturating_sub(1);
        }
        self.tallies.remove_if(code, |_, tally| {
            tally.seated == 0 && tally.unsaved_pairings == 0
        });
    }
}
