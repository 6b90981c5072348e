//! A maximum matching whose unpaired vertices have sat out as little as possible.
//!
//! Which sets of vertices some matching of a graph can cover form a matroid (the matching
//! matroid), so the greedy rule is optimal: take the vertices from the most byes to the
//! fewest and keep each one covered whenever that is still possible. [`complete`] does this
//! with augmenting paths: an unpaired vertex is paired along an augmenting path if there is
//! one; if there is none, the vertices it could replace are exactly the even vertices of
//! its failed search, and it replaces the one with the fewest byes if that one has fewer
//! than itself. See docs/rounds.md for the proof.

use super::blossom::{Mates, NONE, Search};
use super::graph::Graph;

/// Pairs vertices greedily in `order`, each with its first unpaired neighbour: a cheap
/// start that leaves few vertices for the searches of [`complete`] on a dense graph.
pub(super) fn greedy(graph: &Graph, order: &[usize]) -> Mates {
    let mut mates = vec![NONE; graph.len()];
    for &v in order {
        if mates[v] != NONE {
            continue;
        }
        if let Some(w) = graph.neighbours(v).find(|&w| mates[w] == NONE) {
            mates[v] = w;
            mates[w] = v;
        }
    }
    mates
}

/// Turns `mates` (a matching of `graph`) into a maximum matching of `graph` whose unpaired
/// vertices are the fairest possible: no other maximum matching leaves out fewer vertices
/// with `k` or more byes, for any `k`. `order` lists every vertex from the most `byes` to
/// the fewest (ties in random order). A vertex paired on entry stays paired.
pub(super) fn complete(
    graph: &Graph,
    mates: &mut Mates,
    order: &[usize],
    byes: &[u32],
    search: &mut Search,
) {
    for &v in order {
        if mates[v] != NONE {
            continue;
        }
        if let Some(end) = search.run(graph, mates, v) {
            search.augment(mates, end);
            continue;
        }
        // No augmenting path: `v` can only be paired in place of an even vertex of its
        // search. The one with the fewest byes comes last in `order`.
        let replaceable = order.iter().rev().find(|&&w| w != v && search.is_even(w));
        if let Some(&w) = replaceable.filter(|&&w| byes[w] < byes[v]) {
            search.swap(mates, w);
        }
    }
}
