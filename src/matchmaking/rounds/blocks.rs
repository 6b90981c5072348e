//! Who may never meet whom, as [`super::pair_round`] reads it: each member's list.

use std::collections::HashMap;
use std::hash::Hash;

/// Each member's blocked partners, both ways, built from a group's blocked pairs.
#[derive(Debug, Clone)]
pub struct Blocks<T>(HashMap<T, Vec<T>>);

impl<T: Clone + Eq + Hash> Blocks<T> {
    /// The lists of `pairs` (each pair blocks both ways).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut lists: HashMap<T, Vec<T>> = HashMap::new();
        for (a, b) in pairs {
            lists.entry(a.clone()).or_default().push(b.clone());
            lists.entry(b).or_default().push(a);
        }
        Self(lists)
    }

    /// Whom `member` may never meet (none when she blocked nobody and nobody her).
    pub fn of(&self, member: &T) -> &[T] {
        self.0.get(member).map_or(&[], Vec::as_slice)
    }
}

impl<T> Default for Blocks<T> {
    fn default() -> Self {
        Self(HashMap::new())
    }
}
