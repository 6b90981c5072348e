//! Fewer repeats, once some are unavoidable: a local step after the fair completion.
//!
//! Two pairs trade partners, or a member of a pair trades places with someone sitting out
//! who has as many byes, whenever that lowers the number of pairs who met before. Who sits
//! out changes only for someone with as many byes, and the number of pairs stays, so the
//! plan stays maximum and fairest; a plan without repeats is never touched.

use super::blossom::{Mates, NONE};
use super::graph::Graphs;

/// Trades partners in `mates` until no single trade lowers the number of repeats.
pub(super) fn trade(graphs: &Graphs, mates: &mut Mates, byes: &[u32]) {
    let repeats = |v: usize, w: usize| usize::from(!graphs.fresh.has(v, w));
    let mut traded = true;
    while traded {
        traded = false;
        for a in 0..mates.len() {
            let b = mates[a];
            if b == NONE || repeats(a, b) == 0 {
                continue;
            }
            // `a` and `b` met before: look for a `c` to pair `a` with instead.
            for c in (0..mates.len()).filter(|&c| c != a && c != b) {
                let d = mates[c];
                let better = if d == NONE {
                    byes[c] == byes[b] && graphs.fresh.has(a, c)
                } else {
                    graphs.allowed.has(a, c)
                        && graphs.allowed.has(b, d)
                        && repeats(a, c) + repeats(b, d) < 1 + repeats(c, d)
                };
                if better {
                    mates[a] = c;
                    mates[c] = a;
                    mates[b] = d;
                    if d != NONE {
                        mates[d] = b;
                    }
                    traded = true;
                    break;
                }
            }
        }
    }
}
