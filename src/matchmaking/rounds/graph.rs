//! The present members as numbered vertices, and the two graphs pairing works on.

use super::History;
use std::collections::HashMap;
use std::hash::Hash;

/// An undirected graph on vertices `0..n`, as a bit matrix: dense graphs are the common
/// case (everyone has met only a few), and 1,000 vertices take 125 KiB.
pub(super) struct Graph {
    /// The number of vertices.
    n: usize,
    /// `u64` words per row.
    stride: usize,
    /// Row `v` holds bit `w` when `v` and `w` are joined.
    bits: Vec<u64>,
}

impl Graph {
    /// A graph on `n` vertices, without edges.
    fn new(n: usize) -> Self {
        let stride = n.div_ceil(64);
        Self {
            n,
            stride,
            bits: vec![0; stride * n],
        }
    }

    /// The number of vertices.
    pub(super) fn len(&self) -> usize {
        self.n
    }

    /// Joins `v` and `w`.
    fn join(&mut self, v: usize, w: usize) {
        self.bits[v * self.stride + w / 64] |= 1 << (w % 64);
        self.bits[w * self.stride + v / 64] |= 1 << (v % 64);
    }

    /// The neighbours of `v`, in increasing order.
    pub(super) fn neighbours(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        let row = &self.bits[v * self.stride..(v + 1) * self.stride];
        row.iter().enumerate().flat_map(|(i, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros() as usize;
                    word &= word - 1;
                    i * 64 + bit
                })
            })
        })
    }
}

/// The pairs a round may form, as two graphs on the same vertices (the index of each member
/// in the slice they were built from).
pub(super) struct Graphs {
    /// Pairs that are not blocked and have not met in this series.
    pub(super) fresh: Graph,
    /// Pairs that are not blocked (met or not).
    pub(super) allowed: Graph,
}

impl Graphs {
    /// Builds both graphs for `members` (distinct). `blocked` is asked once per unordered
    /// pair, and must be symmetric.
    pub(super) fn build<T: Clone + Eq + Hash>(
        members: &[&T],
        history: &History<T>,
        blocked: impl Fn(&T, &T) -> bool,
    ) -> Self {
        let n = members.len();
        let index: HashMap<&T, usize> = members.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        let mut fresh = Graph::new(n);
        let mut allowed = Graph::new(n);
        // The current member's past partners among those present, marked by index.
        let mut met = vec![false; n];
        for (i, member) in members.iter().enumerate() {
            let partners: Vec<usize> = history
                .partners(member)
                .filter_map(|partner| index.get(partner).copied())
                .collect();
            partners.iter().for_each(|&j| met[j] = true);
            for j in i + 1..n {
                if blocked(member, members[j]) {
                    continue;
                }
                allowed.join(i, j);
                if !met[j] {
                    fresh.join(i, j);
                }
            }
            partners.iter().for_each(|&j| met[j] = false);
        }
        Self { fresh, allowed }
    }
}
