//! The reference the property tests compare with: every matching of a small group, tried.

use std::cmp::Reverse;

/// The best any plan can do for one round of members `0..n`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Best {
    /// The most pairs (stored reversed, so that less is better throughout).
    pub(super) pairs: Reverse<usize>,
    /// The byes so far of those left out, from most to fewest: the lexicographically least
    /// list among plans with the most pairs.
    pub(super) left_out: Vec<u32>,
    /// The fewest repeated pairs among plans as good on the two counts above.
    pub(super) repeats: usize,
}

/// Tries every matching of members `0..n` whose pairs are `allowed`; `met` says which
/// pairs are repeats, `byes` how often each member sat out. Fine up to n = 12 (140,152
/// matchings).
pub(super) fn best(
    n: usize,
    allowed: &dyn Fn(usize, usize) -> bool,
    met: &dyn Fn(usize, usize) -> bool,
    byes: &[u32],
) -> Best {
    let mut walk = Walk {
        allowed,
        met,
        byes,
        free: vec![true; n],
        pairs: 0,
        repeats: 0,
        left_out: Vec::new(),
        best: None,
    };
    walk.from(0);
    walk.best.expect("the empty matching is always there")
}

/// The state of the enumeration: members before the current one are decided.
struct Walk<'a> {
    allowed: &'a dyn Fn(usize, usize) -> bool,
    met: &'a dyn Fn(usize, usize) -> bool,
    byes: &'a [u32],
    free: Vec<bool>,
    pairs: usize,
    repeats: usize,
    left_out: Vec<u32>,
    best: Option<Best>,
}

impl Walk<'_> {
    /// Decides member `v` and everyone after her in every possible way.
    fn from(&mut self, v: usize) {
        if v == self.free.len() {
            let mut left_out = self.left_out.clone();
            left_out.sort_by_key(|&byes| Reverse(byes));
            let here = Best {
                pairs: Reverse(self.pairs),
                left_out,
                repeats: self.repeats,
            };
            if self.best.as_ref().is_none_or(|best| here < *best) {
                self.best = Some(here);
            }
            return;
        }
        if !self.free[v] {
            return self.from(v + 1);
        }
        self.left_out.push(self.byes[v]);
        self.from(v + 1);
        self.left_out.pop();
        self.free[v] = false;
        for w in v + 1..self.free.len() {
            if self.free[w] && (self.allowed)(v, w) {
                let repeat = usize::from((self.met)(v, w));
                self.free[w] = false;
                self.pairs += 1;
                self.repeats += repeat;
                self.from(v + 1);
                self.free[w] = true;
                self.pairs -= 1;
                self.repeats -= repeat;
            }
        }
        self.free[v] = true;
    }
}
