//! `match`: many members join one group at the same moment; measures how fast they are
//! paired and checks that the pairs are disjoint.

use super::{Context, Placement, close_all, connect_all, member_name};
use crate::member::{JoinRoom, Member, read_join_room};
use crate::report::{self, LatencySummary, latency_histogram, record_nanos, round};
use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// Options of `match`.
#[derive(Debug, Clone, clap::Args)]
pub struct MatchArgs {
    /// Members joining at once.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Most seconds to wait for all pairs.
    #[arg(long, default_value_t = 20.0)]
    pub timeout: f64,
    /// Seconds to keep listening after the last pair, to catch anyone paired twice.
    #[arg(long, default_value_t = 1.0)]
    pub grace: f64,
}

/// The phases the coordinator announces to the member tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Ready,
    Join,
    Stop,
}

/// What one member saw.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The member's index.
    pub index: usize,
    /// The id her partner is told: her member id once her join is acknowledged (her
    /// socket id on servers without member ids).
    pub sid: String,
    /// When it sent `join_group`.
    pub joined_at: Option<Instant>,
    /// Its first `join_room`, and when it came.
    pub room: Option<(JoinRoom, Instant)>,
    /// `join_room` events after the first one.
    pub extra_rooms: u64,
    /// Why its join failed or its connection broke, if it did.
    pub error: Option<String>,
}

/// What the outcomes say about the pairing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PairCheck {
    /// Rooms with exactly two distinct members who were told each other's socket ids.
    pub pairs: usize,
    /// Rooms that had one member, or more than two, or the same member twice.
    pub bad_rooms: usize,
    /// Members told a partner socket id that is not their room mate's.
    pub wrong_partner: usize,
    /// Members told `join_room` more than once.
    pub paired_twice: usize,
    /// Members never told `join_room`.
    pub unpaired: usize,
}

impl PairCheck {
    /// No room is malformed and nobody is in two rooms.
    pub fn disjoint(&self) -> bool {
        self.bad_rooms == 0 && self.wrong_partner == 0 && self.paired_twice == 0
    }
}

/// Checks that every room has exactly two distinct members and nobody is in two rooms.
pub fn check_pairs(outcomes: &[Outcome]) -> PairCheck {
    let mut rooms: HashMap<&str, Vec<&Outcome>> = HashMap::new();
    let mut check = PairCheck::default();
    for outcome in outcomes {
        match &outcome.room {
            Some((joined, _)) => rooms.entry(&joined.room).or_default().push(outcome),
            None => check.unpaired += 1,
        }
        if outcome.extra_rooms > 0 {
            check.paired_twice += 1;
        }
    }
    for members in rooms.values() {
        let [a, b] = members.as_slice() else {
            check.bad_rooms += 1;
            continue;
        };
        if a.index == b.index {
            check.bad_rooms += 1;
            continue;
        }
        let told = |o: &Outcome| o.room.as_ref().map(|(j, _)| j.partner.sid.clone());
        let mut right = true;
        for (me, mate) in [(a, b), (b, a)] {
            if told(me).as_deref() != Some(mate.sid.as_str()) {
                check.wrong_partner += 1;
                right = false;
            }
        }
        if right {
            check.pairs += 1;
        }
    }
    check
}

/// The report of a `match` run.
#[derive(Debug, Serialize)]
struct MatchReport {
    scenario: &'static str,
    eio: u8,
    n: usize,
    /// The nodes' base URLs, with more than one `--url` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<Vec<String>>,
    connected: usize,
    connect_secs: f64,
    connect_us: LatencySummary,
    expected_pairs: usize,
    #[serde(flatten)]
    check: PairCheck,
    disjoint: bool,
    join_errors: BTreeMap<String, u64>,
    join_to_room_us: LatencySummary,
    joins_sent_secs: f64,
    all_paired_secs: Option<f64>,
}

/// Runs `match`.
pub async fn run(ctx: &Context, args: &MatchArgs) -> Result<report::Finished> {
    if args.n < 2 {
        bail!("--n must be at least 2");
    }
    let code = crate::http::create_group(ctx.first_target(), "load", "load test").await?;
    let connected = connect_all(ctx, args.n, Placement::RoundRobin).await;
    let count = connected.members.len();
    let spread = if ctx.multi_node() {
        format!(" over {} nodes", ctx.targets.len())
    } else {
        String::new()
    };
    eprintln!(
        "match: {count} connected{spread} in {:.2} s; joining all at once",
        connected.secs
    );
    let expected_rooms = count / 2 * 2;
    let (phase, _) = watch::channel(Phase::Ready);
    let paired = Arc::new(AtomicUsize::new(0));
    let all_paired = Arc::new(Notify::new());
    let code: Arc<str> = code.into();
    let tasks: Vec<_> = connected
        .members
        .into_iter()
        .map(|member| {
            let signals = Signals {
                phase: phase.subscribe(),
                paired: paired.clone(),
                all_paired: all_paired.clone(),
                expected: expected_rooms,
            };
            tokio::spawn(join_and_listen(member, code.clone(), signals))
        })
        .collect();
    let started = Instant::now();
    phase.send_replace(Phase::Join);
    let timeout = Duration::from_secs_f64(args.timeout);
    if tokio::time::timeout(timeout, all_paired.notified())
        .await
        .is_err()
    {
        eprintln!(
            "match: timed out with {} of {expected_rooms} members paired",
            paired.load(Ordering::Relaxed)
        );
    }
    tokio::time::sleep(Duration::from_secs_f64(args.grace)).await;
    phase.send_replace(Phase::Stop);
    let mut outcomes = Vec::with_capacity(count);
    let mut members = Vec::with_capacity(count);
    for task in tasks {
        let (member, outcome) = task.await.context("member task panicked")?;
        members.extend(member);
        outcomes.push(outcome);
    }
    close_all(members).await;

    let connect = (connected.secs, connected.latency);
    let report = build_report(ctx, args, count, connect, started, &outcomes);
    let summary = format!(
        "match (EIO {}): {} joined at once{}, {} of {} pairs in {}; join->join_room {}\n  disjoint: {} (bad rooms {}, wrong partner {}, paired twice {}, unpaired {})",
        report.eio,
        report.connected,
        report.nodes.as_ref().map_or(String::new(), |nodes| format!(
            " over {} nodes",
            nodes.len()
        )),
        report.check.pairs,
        report.expected_pairs,
        report
            .all_paired_secs
            .map_or("(never)".to_owned(), |secs| format!("{secs:.3} s")),
        report.join_to_room_us.human(),
        report.disjoint,
        report.check.bad_rooms,
        report.check.wrong_partner,
        report.check.paired_twice,
        report.check.unpaired
    );
    Ok(report::Finished::new(&report, summary))
}

/// How the coordinator and the member tasks talk.
struct Signals {
    phase: watch::Receiver<Phase>,
    paired: Arc<AtomicUsize>,
    all_paired: Arc<Notify>,
    expected: usize,
}

/// Joins when told, then listens for `join_room` until told to stop.
async fn join_and_listen(
    mut member: Member,
    code: Arc<str>,
    mut signals: Signals,
) -> (Option<Member>, Outcome) {
    let mut outcome = Outcome {
        index: member.index,
        sid: member.sid.clone(),
        ..Outcome::default()
    };
    match listen(&mut member, &code, &mut signals, &mut outcome).await {
        Ok(()) => (Some(member), outcome),
        Err(error) => {
            outcome.error = Some(format!("{error:#}"));
            (None, outcome)
        }
    }
}

async fn listen(
    member: &mut Member,
    code: &str,
    signals: &mut Signals,
    outcome: &mut Outcome,
) -> Result<()> {
    signals
        .phase
        .wait_for(|phase| *phase >= Phase::Join)
        .await?;
    let ack_id = member.join_group(code, &member_name(member.index)).await?;
    outcome.joined_at = Some(Instant::now());
    loop {
        let text = tokio::select! {
            text = member.recv() => text?,
            stop = signals.phase.wait_for(|phase| *phase == Phase::Stop) => {
                stop?;
                return Ok(());
            }
        };
        if let Ok(crate::eio::Packet::Ack { id, args }) = crate::eio::parse(&text) {
            if id == ack_id
                && let Some(public_id) = crate::member::check_ok(args)?
            {
                outcome.sid = public_id;
            }
            continue;
        }
        let Some(joined) = read_join_room(&text)? else {
            continue;
        };
        if outcome.room.is_some() {
            outcome.extra_rooms += 1;
            continue;
        }
        outcome.room = Some((joined, Instant::now()));
        if signals.paired.fetch_add(1, Ordering::AcqRel) + 1 == signals.expected {
            signals.all_paired.notify_one();
        }
    }
}

fn build_report(
    ctx: &Context,
    args: &MatchArgs,
    connected: usize,
    (connect_secs, connect_us): (f64, LatencySummary),
    started: Instant,
    outcomes: &[Outcome],
) -> MatchReport {
    let mut latencies = latency_histogram();
    let mut join_errors = BTreeMap::new();
    let mut first_join: Option<Instant> = None;
    let mut last_join: Option<Instant> = None;
    let mut last_room: Option<Instant> = None;
    for outcome in outcomes {
        if let Some(error) = &outcome.error {
            *join_errors.entry(error.clone()).or_insert(0) += 1;
        }
        if let Some(joined_at) = outcome.joined_at {
            first_join = Some(first_join.map_or(joined_at, |t| t.min(joined_at)));
            last_join = Some(last_join.map_or(joined_at, |t| t.max(joined_at)));
            if let Some((_, room_at)) = &outcome.room {
                let nanos = room_at.saturating_duration_since(joined_at).as_nanos();
                record_nanos(&mut latencies, u64::try_from(nanos).unwrap_or(u64::MAX));
                last_room = Some(last_room.map_or(*room_at, |t| t.max(*room_at)));
            }
        }
    }
    let check = check_pairs(outcomes);
    let expected_pairs = connected / 2;
    let first = first_join.unwrap_or(started);
    MatchReport {
        scenario: "match",
        eio: ctx.first_target().version.query_value(),
        n: args.n,
        nodes: ctx.node_urls(),
        connected,
        connect_secs: round(connect_secs, 3),
        connect_us,
        expected_pairs,
        disjoint: check.disjoint(),
        all_paired_secs: (check.pairs == expected_pairs)
            .then_some(last_room)
            .flatten()
            .map(|last| round(last.saturating_duration_since(first).as_secs_f64(), 4)),
        check,
        join_errors,
        join_to_room_us: LatencySummary::of(&latencies),
        joins_sent_secs: round(
            last_join.map_or(0.0, |last| {
                last.saturating_duration_since(first).as_secs_f64()
            }),
            4,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::Partner;

    fn outcome(index: usize, room: Option<(&str, usize)>) -> Outcome {
        Outcome {
            index,
            sid: format!("s{index}"),
            joined_at: Some(Instant::now()),
            room: room.map(|(room, mate)| {
                let joined = JoinRoom {
                    room: room.to_owned(),
                    user: member_name(index),
                    partner: Partner {
                        name: member_name(mate),
                        sid: format!("s{mate}"),
                    },
                };
                (joined, Instant::now())
            }),
            extra_rooms: 0,
            error: None,
        }
    }

    #[test]
    fn clean_pairing_is_disjoint() {
        let outcomes = [
            outcome(0, Some(("r1", 1))),
            outcome(1, Some(("r1", 0))),
            outcome(2, Some(("r2", 3))),
            outcome(3, Some(("r2", 2))),
            outcome(4, None),
        ];
        let check = check_pairs(&outcomes);
        assert_eq!(
            check,
            PairCheck {
                pairs: 2,
                unpaired: 1,
                ..PairCheck::default()
            }
        );
        assert!(check.disjoint());
    }

    #[test]
    fn crowded_and_lonely_rooms_are_bad() {
        let outcomes = [
            outcome(0, Some(("r1", 1))),
            outcome(1, Some(("r1", 0))),
            outcome(2, Some(("r1", 0))),
            outcome(3, Some(("r2", 4))),
        ];
        let check = check_pairs(&outcomes);
        assert_eq!(check.bad_rooms, 2);
        assert_eq!(check.pairs, 0);
        assert!(!check.disjoint());
    }

    #[test]
    fn wrong_partner_and_double_pairing_are_caught() {
        let mut twice = outcome(1, Some(("r1", 2)));
        twice.extra_rooms = 1;
        let outcomes = [outcome(0, Some(("r1", 1))), twice];
        let check = check_pairs(&outcomes);
        assert_eq!(check.wrong_partner, 1);
        assert_eq!(check.paired_twice, 1);
        assert_eq!(check.pairs, 0);
        assert!(!check.disjoint());
    }
}
