//! What a series remembers between rounds: who has met whom, and who sat out how often.

use super::RoundPlan;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// The past rounds of one series, as far as pairing needs them. The caller keeps one per
/// series and feeds it every plan it applies with [`History::record`].
#[derive(Debug, Clone)]
pub struct History<T> {
    /// Each member's partners so far in this series (symmetric: if `b` is in `a`'s set,
    /// `a` is in `b`'s).
    partners: HashMap<T, HashSet<T>>,
    /// How many rounds each member has sat out in this series; absent means none.
    byes: HashMap<T, u32>,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        Self {
            partners: HashMap::new(),
            byes: HashMap::new(),
        }
    }
}

impl<T: Clone + Eq + Hash> History<T> {
    /// An empty history: the start of a series.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a round that was applied: its pairs have met, its byes sat out once more.
    pub fn record(&mut self, plan: &RoundPlan<T>) {
        for (a, b) in &plan.pairs {
            self.partners
                .entry(a.clone())
                .or_default()
                .insert(b.clone());
            self.partners
                .entry(b.clone())
                .or_default()
                .insert(a.clone());
        }
        for member in &plan.byes {
            *self.byes.entry(member.clone()).or_default() += 1;
        }
    }

    /// Whether `a` and `b` have been paired in an earlier round of this series.
    pub fn has_met(&self, a: &T, b: &T) -> bool {
        self.partners.get(a).is_some_and(|met| met.contains(b))
    }

    /// How many rounds of this series `member` has sat out.
    pub fn byes(&self, member: &T) -> u32 {
        self.byes.get(member).copied().unwrap_or(0)
    }

    /// Everyone `member` has been paired with in this series.
    pub(super) fn partners(&self, member: &T) -> impl Iterator<Item = &T> {
        self.partners.get(member).into_iter().flatten()
    }
}
