//! The present members as numbered vertices, and the two graphs pairing works on.

use super::History;
use std::borrow::Borrow;
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

    /// Every pair of distinct vertices joined.
    fn complete(n: usize) -> Self {
        let mut graph = Self::new(n);
        for v in 0..n {
            let row = &mut graph.bits[v * graph.stride..(v + 1) * graph.stride];
            row.fill(u64::MAX);
            if !n.is_multiple_of(64) {
                row[graph.stride - 1] = (1 << (n % 64)) - 1;
            }
            row[v / 64] &= !(1 << (v % 64));
        }
        graph
    }

    /// Joins `v` and `w`.
    fn join(&mut self, v: usize, w: usize) {
        self.bits[v * self.stride + w / 64] |= 1 << (w % 64);
        self.bits[w * self.stride + v / 64] |= 1 << (v % 64);
    }

    /// Removes every edge of `other`, a graph on as many vertices.
    fn remove(&mut self, other: &Graph) {
        self.bits
            .iter_mut()
            .zip(&other.bits)
            .for_each(|(word, other)| *word &= !other);
    }

    /// Whether `v` and `w` are joined.
    pub(super) fn has(&self, v: usize, w: usize) -> bool {
        self.bits[v * self.stride + w / 64] & (1 << (w % 64)) != 0
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
    /// Builds both graphs for `members` (distinct). A pair is blocked when either member
    /// lists the other in `blocks`; listed members who are not present are ignored.
    pub(super) fn build<T, I>(
        members: &[&T],
        history: &History<T>,
        blocks: impl Fn(&T) -> I,
    ) -> Self
    where
        T: Clone + Eq + Hash,
        I: IntoIterator,
        I::Item: Borrow<T>,
    {
        let n = members.len();
        let index: HashMap<&T, usize> = members.iter().enumerate().map(|(i, m)| (*m, i)).collect();
        let mut blocked = Graph::new(n);
        let mut met = Graph::new(n);
        for (i, member) in members.iter().enumerate() {
            for other in blocks(member) {
                if let Some(&j) = index.get(other.borrow()) {
                    blocked.join(i, j);
                }
            }
            for partner in history.partners(member) {
                if let Some(&j) = index.get(partner) {
                    met.join(i, j);
                }
            }
        }
        let mut allowed = Graph::complete(n);
        allowed.remove(&blocked);
        let mut fresh = Graph::complete(n);
        fresh.remove(&blocked);
        fresh.remove(&met);
        Self { fresh, allowed }
    }
}
