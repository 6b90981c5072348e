//! The counts an owner sees that outlive every chat (docs/protocol.md section 7, owner
//! counts): pairings, reports and removals since the group was created.

/// `tally()`, the Lua function that adds to a group's counts in Redis: shared by the
/// store and by the pairing scripts, which count each pairing as they make it.
pub const TALLY_LUA: &str = include_str!("tally.lua");

/// One event an owner's counts record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Two members were paired.
    Pairing,
    /// A member reported her partner.
    Report,
    /// A member was removed from the group.
    Removal,
}

/// A group's lasting counts, or a batch of them still to be added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Pairs formed.
    pub pairs_formed: u64,
    /// Reports made.
    pub reports: u64,
    /// Members removed.
    pub removed: u64,
}

impl Counts {
    /// `n` times `event`.
    pub fn of(event: Counted, n: u64) -> Self {
        let mut counts = Self::default();
        *counts.field(event) = n;
        counts
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: Counts) {
        self.pairs_formed += other.pairs_formed;
        self.reports += other.reports;
        self.removed += other.removed;
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn field(&mut self, event: Counted) -> &mut u64 {
        match event {
            Counted::Pairing => &mut self.pairs_formed,
            Counted::Report => &mut self.reports,
            Counted::Removal => &mut self.removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_field_by_field() {
        let mut counts = Counts::of(Counted::Pairing, 2);
        counts.add(Counts::of(Counted::Report, 1));
        counts.add(Counts::of(Counted::Removal, 3));
        counts.add(Counts::of(Counted::Pairing, 1));
        let expected = Counts {
            pairs_formed: 3,
            reports: 1,
            removed: 3,
        };
        assert_eq!(counts, expected);
        assert!(!counts.is_empty());
        assert!(Counts::default().is_empty());
    }
}
