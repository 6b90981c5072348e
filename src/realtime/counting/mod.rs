//! The owner's counts (docs/protocol.md section 7): events counted without waiting, saved
//! in batches, and read together with who is where right now.
//!
//! [`Realtime::count`] never waits on storage: it adds to a per-group sum in memory, and
//! [`Realtime::save_counts`] adds those sums to the store, one write per group. It runs
//! every [`SAVE_EVERY`], when the node shuts down, and before an owner's counts are read
//! on this node (so that what this node counted is in them). On one node the hub's
//! pairings join the same batches ([`Presence::take_pairings`]); on Redis the pairing
//! scripts count each pairing as they make it, and reports or removals counted on
//! another node reach the store within [`SAVE_EVERY`]. A failed save is logged, counted
//! in `counts_unsaved` and kept for the next one.

use super::{Presence, Realtime};
use crate::domain::{AccessCode, Group};
use crate::store::{Counted, Counts, StoreError};
use parking_lot::Mutex;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// How often the counts waiting in memory are saved.
pub const SAVE_EVERY: Duration = Duration::from_secs(1);

/// Counts not saved yet, per group.
#[derive(Default)]
pub(super) struct UnsavedCounts {
    sums: Mutex<HashMap<AccessCode, Counts>>,
    /// One save at a time, so that an owner's read waits for a save under way.
    saving: tokio::sync::Mutex<()>,
}

impl UnsavedCounts {
    fn add(&self, code: &AccessCode, counts: Counts) {
        self.sums
            .lock()
            .entry(code.clone())
            .or_default()
            .add(counts);
    }

    fn take(&self) -> HashMap<AccessCode, Counts> {
        std::mem::take(&mut *self.sums.lock())
    }
}

/// What a group's owner sees (`GET /groups/{code}/stats`): counts only, never names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OwnerCounts {
    /// Members waiting in its lobby.
    pub waiting: usize,
    /// Members sitting in its rooms (a chat counts 2; one left alone by her partner, 1).
    pub chatting: usize,
    /// Pairs formed since the group was created.
    pub pairs_formed: u64,
    /// Reports made since the group was created.
    pub reports: u64,
    /// Members removed since the group was created.
    pub removed: u64,
}

impl<P: Presence> Realtime<P> {
    /// Counts `event` for `group`, never waiting: saved with the next batch (see the
    /// module documentation). Pairings are counted where pairs form, by the backend.
    pub fn count(&self, group: &AccessCode, event: Counted) {
        self.unsaved_counts.add(group, Counts::of(event, 1));
    }

    /// Adds every count waiting in memory to the store; what fails to save is kept for
    /// the next try.
    pub async fn save_counts(&self) {
        let _saving = self.unsaved_counts.saving.lock().await;
        let mut batch = self.unsaved_counts.take();
        for (code, pairings) in self.presence.take_pairings() {
            let counts = Counts::of(Counted::Pairing, pairings);
            batch.entry(code).or_default().add(counts);
        }
        for (code, counts) in batch {
            if let Err(cause) = self.store.add_counts(&code, counts).await {
                tracing::warn!(%cause, "saving owner counts failed; kept for the next try");
                self.metrics.counts_unsaved.inc();
                self.unsaved_counts.add(&code, counts);
            }
        }
    }

    /// `group`'s counts for its owner, with everything this node counted so far.
    pub async fn owner_counts(&self, group: &Group) -> Result<OwnerCounts, StoreError> {
        self.save_counts().await;
        let occupancy = self.presence.occupancy(group).await?;
        let lasting = self.store.counts(&group.access_code).await?;
        Ok(OwnerCounts {
            waiting: occupancy.waiting,
            chatting: occupancy.chatting,
            pairs_formed: lasting.pairs_formed,
            reports: lasting.reports,
            removed: lasting.removed,
        })
    }
}

#[cfg(test)]
mod tests;
