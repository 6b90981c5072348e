//! The scenarios, and the steps they share: connecting many members and pairing them.

pub mod conns;
pub mod matching;
pub mod relay;

use crate::member::{JoinRoom, Member};
use crate::report::{LatencySummary, latency_histogram, record_nanos};
use crate::target::Target;
use anyhow::{Context as _, Result, bail};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// What every scenario needs.
pub struct Context {
    /// The server nodes, in `--url` order (never empty).
    pub targets: Vec<Target>,
    /// The server processes (one per node), for CPU and memory readings.
    pub server_pids: Vec<u32>,
    /// How many connections are opened at once.
    pub concurrency: usize,
    /// How long one connection or one join may take.
    pub step_timeout: Duration,
}

/// The members that connected, and why the others did not.
pub struct Connected {
    /// Connected members, in index order.
    pub members: Vec<Member>,
    /// Failure reasons with their counts.
    pub failures: BTreeMap<String, u64>,
    /// Wall seconds from the first attempt to the last answer.
    pub secs: f64,
    /// How long each successful connect took (TCP, websocket, namespace).
    pub latency: LatencySummary,
}

impl Context {
    /// The node that groups are created on (the first `--url`).
    pub fn first_target(&self) -> &Target {
        &self.targets[0]
    }

    /// Whether the clients spread over more than one node.
    pub fn multi_node(&self) -> bool {
        self.targets.len() > 1
    }

    /// The base URLs of the nodes, for reports; `None` with one node, so that
    /// single-node reports keep their shape.
    pub fn node_urls(&self) -> Option<Vec<String>> {
        self.multi_node().then(|| {
            self.targets
                .iter()
                .map(|target| format!("http://{}", target.authority))
                .collect()
        })
    }

    /// The node member `index` connects to.
    pub fn target_for(&self, index: usize, placement: Placement) -> &Target {
        &self.targets[placement.node_of(index, self.targets.len())]
    }
}

/// How members are spread over the nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Member i on node i mod n: the two members of a consecutive pair (2i, 2i+1) sit on
    /// different nodes whenever there are two or more.
    RoundRobin,
    /// Both members of pair i (members 2i and 2i+1) on node i mod n.
    PairTogether,
}

impl Placement {
    /// The node (index into the `--url` list) of member `index` among `nodes` nodes.
    pub fn node_of(self, index: usize, nodes: usize) -> usize {
        let nodes = nodes.max(1);
        match self {
            Placement::RoundRobin => index % nodes,
            Placement::PairTogether => (index / 2) % nodes,
        }
    }
}

impl Connected {
    /// How many attempts failed.
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }
}

/// Connects members `0..n`, each to its node under `placement`, at most
/// `ctx.concurrency` at a time.
pub async fn connect_all(ctx: &Context, n: usize, placement: Placement) -> Connected {
    let started = Instant::now();
    let timeout = ctx.step_timeout;
    let results: Vec<_> = futures_util::stream::iter(0..n)
        .map(|index| async move {
            let target = ctx.target_for(index, placement);
            let began = Instant::now();
            match tokio::time::timeout(timeout, Member::connect(target, index)).await {
                Ok(Ok(member)) => Ok((member, began.elapsed())),
                Ok(Err(error)) => Err(format!("{error:#}")),
                Err(_) => Err("connect timed out".to_owned()),
            }
        })
        .buffer_unordered(ctx.concurrency.max(1))
        .collect()
        .await;
    let secs = started.elapsed().as_secs_f64();
    let mut members = Vec::with_capacity(n);
    let mut failures = BTreeMap::new();
    let mut latencies = latency_histogram();
    for result in results {
        match result {
            Ok((member, took)) => {
                record_nanos(
                    &mut latencies,
                    u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
                );
                members.push(member);
            }
            Err(reason) => *failures.entry(reason).or_insert(0) += 1,
        }
    }
    members.sort_by_key(|member| member.index);
    Connected {
        members,
        failures,
        secs,
        latency: LatencySummary::of(&latencies),
    }
}

/// The display name of member `index`.
pub fn member_name(index: usize) -> String {
    format!("m{index}")
}

/// Pairs `a` and `b` in group `code`: `a` joins and is acknowledged, then `b` joins, and
/// both must be told `join_room` for the same room with each other as partner. The
/// group's lobby must be empty before. Answers the room id.
pub async fn pair(a: &mut Member, b: &mut Member, code: &str, timeout: Duration) -> Result<String> {
    let deadline = Instant::now() + timeout;
    let id = a.join_group(code, &member_name(a.index)).await?;
    a.expect_ok_ack(id, deadline)
        .await
        .with_context(|| format!("join_group of m{}", a.index))?;
    let id = b.join_group(code, &member_name(b.index)).await?;
    let b_joined = b
        .expect_ok_ack_and_join_room(id, deadline)
        .await
        .with_context(|| format!("join_group of m{}", b.index))?;
    let a_joined = a
        .expect_join_room(deadline)
        .await
        .with_context(|| format!("join_room for m{}", a.index))?;
    check_pairing(a, &a_joined, b, &b_joined)?;
    Ok(a_joined.room)
}

fn check_pairing(a: &Member, a_joined: &JoinRoom, b: &Member, b_joined: &JoinRoom) -> Result<()> {
    if a_joined.room != b_joined.room {
        bail!("m{} and m{} were told different rooms", a.index, b.index);
    }
    if a_joined.partner.sid != b.public_id || b_joined.partner.sid != a.public_id {
        bail!(
            "m{} and m{} were not told each other's ids ({} / {} vs {} / {})",
            a.index,
            b.index,
            a_joined.partner.sid,
            b_joined.partner.sid,
            b.public_id,
            a.public_id
        );
    }
    if a_joined.partner.name != member_name(b.index) || b_joined.user != member_name(b.index) {
        bail!("m{} and m{} were told wrong names", a.index, b.index);
    }
    Ok(())
}

/// Pairs consecutive members (0 with 1, 2 with 3, ...) in group `code`, one pair after
/// the other so that each pair finds the lobby empty. Answers each pair's room id.
pub async fn pair_in_order(
    members: &mut [Member],
    code: &str,
    timeout: Duration,
) -> Result<Vec<String>> {
    let mut rooms = Vec::with_capacity(members.len() / 2);
    for couple in members.chunks_exact_mut(2) {
        let [a, b] = couple else {
            unreachable!("chunks of two")
        };
        rooms.push(pair(a, b, code, timeout).await?);
    }
    Ok(rooms)
}

/// Closes every member, a bounded number at a time.
pub async fn close_all(members: Vec<Member>) {
    futures_util::stream::iter(members)
        .for_each_concurrent(256, |member| member.close(Duration::from_secs(1)))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_node_takes_everyone() {
        for placement in [Placement::RoundRobin, Placement::PairTogether] {
            assert!((0..10).all(|index| placement.node_of(index, 1) == 0));
            assert_eq!(placement.node_of(7, 0), 0);
        }
    }

    #[test]
    fn round_robin_splits_every_pair_over_two_nodes() {
        let nodes: Vec<usize> = (0..6)
            .map(|index| Placement::RoundRobin.node_of(index, 2))
            .collect();
        assert_eq!(nodes, [0, 1, 0, 1, 0, 1]);
        // With three nodes the pairs still span two different nodes.
        for pair in 0..30 {
            let a = Placement::RoundRobin.node_of(2 * pair, 3);
            let b = Placement::RoundRobin.node_of(2 * pair + 1, 3);
            assert_ne!(a, b);
        }
    }

    #[test]
    fn pair_together_keeps_pairs_on_one_node_and_spreads_pairs() {
        let nodes: Vec<usize> = (0..8)
            .map(|index| Placement::PairTogether.node_of(index, 2))
            .collect();
        assert_eq!(nodes, [0, 0, 1, 1, 0, 0, 1, 1]);
        let nodes: Vec<usize> = (0..6)
            .map(|index| Placement::PairTogether.node_of(index, 3))
            .collect();
        assert_eq!(nodes, [0, 0, 1, 1, 2, 2]);
    }
}
