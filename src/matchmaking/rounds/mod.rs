//! Pairing for timed rounds (docs/protocol.md section 8, docs/rounds.md): at each round's
//! start every present member is paired anew, avoiding the partners she already met in the
//! series, never forming a blocked pair, and giving byes to those who sat out least.
//!
//! Pure: no async, no I/O, no clock. Both backends call [`pair_round`] (the one-node hub
//! with member numbers, the Redis driver with member ids) and apply its [`RoundPlan`]
//! atomically, then [`History::record`] it.

mod blocks;
mod blossom;
mod fair;
mod graph;
mod history;
mod plan;
mod repeats;

pub use blocks::Blocks;
pub use history::History;
pub use plan::RoundPlan;

use blossom::{NONE, Search};
use graph::Graphs;
use rand::Rng;
use rand::seq::SliceRandom;
use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::HashSet;
use std::hash::Hash;

/// Pairs the `present` members for the next round of a series. In order of precedence:
///
/// 1. no pair is blocked, and as many pairs as possible are formed. `blocks(m)` lists whom
///    `m` blocked (asked once per present member; a block counts both ways, and members
///    not present are ignored);
/// 2. the byes go to those who sat out least: no other plan with as many pairs leaves out
///    fewer members with `k` or more byes, for any `k` (so nobody sits out twice before
///    everyone present has sat out once, unless blocks leave no choice);
/// 3. no pair has met before in this series, whenever a plan meeting 1 and 2 allows it;
///    otherwise repeats are kept few (not always the fewest possible, see docs/rounds.md);
/// 4. among the plans left, the choice is random.
///
/// A member listed twice in `present` is paired once. Costs O(n²) for a dense graph of
/// `n` members, plus O(n²) per member that cannot be paired.
pub fn pair_round<T, I, R>(
    present: &[T],
    history: &History<T>,
    blocks: impl Fn(&T) -> I,
    rng: &mut R,
) -> RoundPlan<T>
where
    T: Clone + Eq + Hash,
    I: IntoIterator,
    I::Item: Borrow<T>,
    R: Rng + ?Sized,
{
    let mut seen = HashSet::with_capacity(present.len());
    let mut members: Vec<&T> = present.iter().filter(|m| seen.insert(*m)).collect();
    members.shuffle(rng);
    let graphs = Graphs::build(&members, history, blocks);
    let byes: Vec<u32> = members.iter().map(|m| history.byes(m)).collect();
    // From the most byes to the fewest; the stable sort keeps the shuffled order in ties.
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by_key(|&v| Reverse(byes[v]));

    let mut search = Search::new(members.len());
    let mut mates = fair::greedy(&graphs.fresh, &order);
    fair::complete(&graphs.fresh, &mut mates, &order, &byes, &mut search);
    fair::complete(&graphs.allowed, &mut mates, &order, &byes, &mut search);
    repeats::trade(&graphs, &mut mates, &byes);

    let mut plan = RoundPlan {
        pairs: Vec::with_capacity(members.len() / 2),
        byes: Vec::new(),
    };
    for (v, &mate) in mates.iter().enumerate() {
        if mate == NONE {
            plan.byes.push(members[v].clone());
        } else if v < mate {
            plan.pairs.push((members[v].clone(), members[mate].clone()));
        }
    }
    plan
}

#[cfg(test)]
mod brute;
#[cfg(test)]
mod tests;
