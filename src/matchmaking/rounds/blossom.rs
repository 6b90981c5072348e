//! Edmonds' blossom search: from one unpaired vertex, find an augmenting path (a path that
//! alternates between unpaired and paired edges and ends at another unpaired vertex), or
//! prove there is none and say which vertices could be left unpaired in its place.
//!
//! This is the classic compact form of the algorithm (odd cycles, "blossoms", are not
//! shrunk into new vertices; each vertex records the base of its blossom instead). One
//! search costs O(n²) for its blossoms plus O(m) for the edges it scans.

use super::graph::Graph;
use std::collections::VecDeque;

/// No vertex: the partner of an unpaired vertex, the parent of a vertex off the tree.
pub(super) const NONE: usize = usize::MAX;

/// A matching: `mates[v]` is `v`'s partner, or [`NONE`].
pub(super) type Mates = Vec<usize>;

/// The alternating tree of the last search, kept so that its path can be flipped. Its
/// buffers are reused from one search to the next.
pub(super) struct Search {
    /// For an odd vertex, the even vertex it was reached from (and, inside a blossom, for
    /// even vertices too): following `parent` and `mates` in turn leads back to the root.
    parent: Vec<usize>,
    /// The base of the blossom each vertex belongs to (itself when in none).
    base: Vec<usize>,
    /// The even ("outer") vertices: reachable from the root by an alternating path of even
    /// length ending with a paired edge (or the root itself).
    even: Vec<bool>,
    /// The bases of the blossom being shrunk.
    in_blossom: Vec<bool>,
    /// Marks for finding the lowest common ancestor: `marks[v] == stamp` is "seen".
    marks: Vec<u32>,
    stamp: u32,
    queue: VecDeque<usize>,
}

impl Search {
    /// Buffers for graphs of `n` vertices.
    pub(super) fn new(n: usize) -> Self {
        Self {
            parent: vec![NONE; n],
            base: (0..n).collect(),
            even: vec![false; n],
            in_blossom: vec![false; n],
            marks: vec![0; n],
            stamp: 0,
            queue: VecDeque::with_capacity(n),
        }
    }

    /// Searches from the unpaired vertex `root` and returns the unpaired vertex at the
    /// other end of an augmenting path, if there is one. Either way the tree stays until
    /// the next search, for [`Search::augment`], [`Search::is_even`] and [`Search::swap`].
    pub(super) fn run(&mut self, graph: &Graph, mates: &Mates, root: usize) -> Option<usize> {
        self.parent.fill(NONE);
        self.even.fill(false);
        self.marks.fill(0);
        self.stamp = 0;
        self.base
            .iter_mut()
            .enumerate()
            .for_each(|(v, base)| *base = v);
        self.queue.clear();
        self.even[root] = true;
        self.queue.push_back(root);
        while let Some(v) = self.queue.pop_front() {
            for to in graph.neighbours(v) {
                if self.base[v] == self.base[to] || mates[v] == to {
                    continue;
                }
                if to == root || (mates[to] != NONE && self.parent[mates[to]] != NONE) {
                    // `to` is even too: the edge closes an odd cycle, a blossom.
                    self.shrink(mates, v, to);
                } else if self.parent[to] == NONE {
                    self.parent[to] = v;
                    if mates[to] == NONE {
                        return Some(to);
                    }
                    self.even[mates[to]] = true;
                    self.queue.push_back(mates[to]);
                }
            }
        }
        None
    }

    /// Whether `v` was even in the last search: if that search found no augmenting path,
    /// [`Search::swap`] can leave `v` unpaired and pair the root instead.
    pub(super) fn is_even(&self, v: usize) -> bool {
        self.even[v]
    }

    /// Flips the augmenting path the last search found, ending at the unpaired `end`: the
    /// root and `end` are paired, and everyone paired before stays paired.
    pub(super) fn augment(&self, mates: &mut Mates, end: usize) {
        self.flip_from(mates, end);
    }

    /// Flips the even path from the root to the even, paired vertex `v` (not the root): the
    /// root is paired, `v` is left unpaired, and everyone else keeps a partner.
    pub(super) fn swap(&self, mates: &mut Mates, v: usize) {
        let partner = mates[v];
        mates[v] = NONE;
        self.flip_from(mates, partner);
    }

    /// Pairs `v` with its parent, that one's old partner with its own parent, and so on up
    /// to the root.
    fn flip_from(&self, mates: &mut Mates, mut v: usize) {
        while v != NONE {
            let parent = self.parent[v];
            let next = mates[parent];
            mates[v] = parent;
            mates[parent] = v;
            v = next;
        }
    }

    /// Shrinks the blossom closed by the edge between the even vertices `a` and `b`: every
    /// vertex on it becomes even, with the blossom's base as its base.
    fn shrink(&mut self, mates: &Mates, a: usize, b: usize) {
        let base = self.common_base(mates, a, b);
        self.in_blossom.fill(false);
        self.mark_path(mates, a, base, b);
        self.mark_path(mates, b, base, a);
        for v in 0..self.base.len() {
            if self.in_blossom[self.base[v]] {
                self.base[v] = base;
                if !self.even[v] {
                    self.even[v] = true;
                    self.queue.push_back(v);
                }
            }
        }
    }

    /// The base of the lowest blossom on both `a`'s and `b`'s way to the root.
    fn common_base(&mut self, mates: &Mates, mut a: usize, mut b: usize) -> usize {
        self.stamp += 1;
        loop {
            a = self.base[a];
            self.marks[a] = self.stamp;
            if mates[a] == NONE {
                break;
            }
            a = self.parent[mates[a]];
        }
        loop {
            b = self.base[b];
            if self.marks[b] == self.stamp {
                return b;
            }
            b = self.parent[mates[b]];
        }
    }

    /// Marks the blossoms on the way from `v` down to `base`, and points their odd
    /// vertices' parents across the cycle (`child` is the vertex on the other side).
    fn mark_path(&mut self, mates: &Mates, mut v: usize, base: usize, mut child: usize) {
        while self.base[v] != base {
            self.in_blossom[self.base[v]] = true;
            self.in_blossom[self.base[mates[v]]] = true;
            self.parent[v] = child;
            child = mates[v];
            v = self.parent[mates[v]];
        }
    }
}
