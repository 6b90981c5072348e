//! What pairing one timed round costs (BENCHMARKS.md, "Timed rounds: pairing cost").
//!
//! Run with `cargo run --release --example round_pairing_cost [-- RUNS]` (default 21 runs
//! per case). Each case builds a series' history by pairing its earlier rounds with
//! `pair_round` itself, then times `pair_round` for the next round: the median and the
//! slowest run in wall time, the mean CPU time of this thread, and how many pairs met
//! before (the fewer the better; zero whenever possible).

#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use circle::matchmaking::rounds::{History, RoundPlan, pair_round};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::time::Instant;
use thread_cpu::thread_cpu_ns;

/// One measured situation: who is present, how many rounds came before, how many pairs are
/// blocked (chosen at random among the present members).
struct Case {
    name: &'static str,
    members: u64,
    earlier_rounds: usize,
    blocked_pairs: usize,
    /// How many members blocked everyone else (and so sit out every round).
    blocking_everyone: u64,
    /// Member ids as 32 hexadecimal characters (as on Redis) instead of numbers.
    string_ids: bool,
}

const CASES: [Case; 8] = [
    Case {
        name: "1,000 members, round 4",
        members: 1000,
        earlier_rounds: 3,
        blocked_pairs: 2000,
        blocking_everyone: 0,
        string_ids: false,
    },
    Case {
        name: "1,000, round 4, no blocks",
        members: 1000,
        earlier_rounds: 3,
        blocked_pairs: 0,
        blocking_everyone: 0,
        string_ids: false,
    },
    Case {
        name: "999 members, round 4",
        members: 999,
        earlier_rounds: 3,
        blocked_pairs: 2000,
        blocking_everyone: 0,
        string_ids: false,
    },
    Case {
        name: "1,000 string ids, round 4",
        members: 1000,
        earlier_rounds: 3,
        blocked_pairs: 2000,
        blocking_everyone: 0,
        string_ids: true,
    },
    Case {
        name: "1,000 members, round 50",
        members: 1000,
        earlier_rounds: 49,
        blocked_pairs: 2000,
        blocking_everyone: 0,
        string_ids: false,
    },
    Case {
        name: "999 members, round 50",
        members: 999,
        earlier_rounds: 49,
        blocked_pairs: 2000,
        blocking_everyone: 0,
        string_ids: false,
    },
    Case {
        name: "1,000, 100 blocking all",
        members: 1000,
        earlier_rounds: 3,
        blocked_pairs: 2000,
        blocking_everyone: 100,
        string_ids: false,
    },
    Case {
        name: "51 members, round 50",
        members: 51,
        earlier_rounds: 49,
        blocked_pairs: 20,
        blocking_everyone: 0,
        string_ids: false,
    },
];

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|runs| runs.parse().expect("RUNS must be a number"))
        .unwrap_or(21);
    println!("{runs} runs per case");
    for case in &CASES {
        if case.string_ids {
            measure(case, runs, |m| {
                format!("{:032x}", m.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            });
        } else {
            measure(case, runs, |m| m);
        }
    }
}

/// Builds the case's history with members named by `id`, then times the next round.
fn measure<T: Clone + Eq + Hash>(case: &Case, runs: usize, id: impl Fn(u64) -> T) {
    let mut rng = StdRng::seed_from_u64(case.members);
    let present: Vec<T> = (0..case.members).map(&id).collect();
    // Each member's blocks, both ways, as a backend would keep them.
    let mut blocks: HashMap<T, HashSet<T>> = HashMap::new();
    for _ in 0..case.blocked_pairs {
        let (a, b) = (
            rng.random_range(0..case.members),
            rng.random_range(0..case.members),
        );
        blocks.entry(id(a)).or_default().insert(id(b));
        blocks.entry(id(b)).or_default().insert(id(a));
    }
    for a in 0..case.blocking_everyone {
        blocks.insert(id(a), present.iter().cloned().collect());
    }
    let blocks_of = |m: &T| blocks.get(m).into_iter().flatten();
    let mut history = History::new();
    for _ in 0..case.earlier_rounds {
        history.record(&pair_round(&present, &history, blocks_of, &mut rng));
    }
    let mut wall = Vec::with_capacity(runs);
    let mut plan = RoundPlan {
        pairs: Vec::new(),
        byes: Vec::new(),
    };
    let cpu_start = thread_cpu_ns();
    for _ in 0..runs {
        let start = Instant::now();
        plan = pair_round(&present, &history, blocks_of, &mut rng);
        wall.push(start.elapsed().as_secs_f64() * 1e3);
    }
    // The kernel counts CPU time in ticks of a few milliseconds: only the mean is precise.
    let cpu = (thread_cpu_ns() - cpu_start) as f64 / 1e6 / runs as f64;
    wall.sort_by(f64::total_cmp);
    let repeats = plan
        .pairs
        .iter()
        .filter(|(a, b)| history.has_met(a, b))
        .count();
    println!(
        "{:<26} {:>3} pairs, {} byes, {repeats:>2} repeats   CPU mean {cpu:5.1} ms   \
         wall median {:5.1} ms, slowest {:5.1} ms",
        case.name,
        plan.pairs.len(),
        plan.byes.len(),
        wall[runs / 2],
        wall[runs - 1],
    );
}
