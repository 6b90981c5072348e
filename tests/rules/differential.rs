//! The differential test: random sequences of operations go through the model and
//! through Redis, and after every step the two must agree on what each member was told,
//! on where every member is, and Redis must hold the section 3 invariant. proptest
//! shrinks a disagreement to a minimal sequence.

use crate::executors::{CODES, Executor, Model, Node, RoundStep, choice, group, redis_nodes};
use circle::domain::{MemberId, RoomId};
use circle::matchmaking::rounds::{History, RoundPlan, pair_round};
use circle::matchmaking::{
    Back, Choice, Departure, Joined, Outcome, Pairing, Parted, Parting, RoundDraws, Whereabouts,
};
use circle::realtime::redis::Reaped;
use circle::series::Step;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::SeedableRng;
use std::collections::HashSet;

/// Members at once: the even ones on node A, the odd ones on node B.
const SLOTS: usize = 6;

/// Distinct reporters that remove a member: low, so that removals happen.
const REPORT_THRESHOLD: usize = 2;

#[derive(Debug, Clone)]
enum Op {
    Join {
        slot: usize,
        group: usize,
        draw: u32,
    },
    Next {
        slot: usize,
        draw: u32,
    },
    Leave(usize),
    /// Leaves her own room (`own`) or one she is not in.
    LeaveRoom {
        slot: usize,
        own: bool,
    },
    Disconnect(usize),
    /// She blocks (or reports) the partner of her own room, or of one she is not in.
    Part {
        slot: usize,
        own: bool,
        report: bool,
        draw: u32,
    },
    /// Her connection drops; she may come back.
    Away(usize),
    /// She comes back.
    Back {
        slot: usize,
        draw: u32,
    },
    Close(usize),
    /// Node B's members vanish (their records expire); node A sweeps.
    Vanish,
    /// The groups up to this one expire (they expire in order); a sweep runs.
    Expire(usize),
    /// Two members join the same group at the same time.
    Together {
        a: usize,
        b: usize,
        group: usize,
        draws: (u32, u32),
    },
    /// The group's ordinary pairing is paused (a break), or runs again.
    Pause {
        group: usize,
        paused: bool,
    },
    /// A round of a series starts in the group: its present members are paired by a plan
    /// drawn from `seed`.
    Round {
        group: usize,
        seed: u64,
    },
    /// The group's running series warns (0), breaks (1) or finishes (2).
    EndRound {
        group: usize,
        kind: u8,
    },
    /// The group's running series stops.
    StopRounds {
        group: usize,
        draw: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    let group = 0..CODES.len();
    prop_oneof![
        8 => (slot.clone(), group.clone(), any::<u32>())
            .prop_map(|(slot, group, draw)| Op::Join { slot, group, draw }),
        4 => (slot.clone(), any::<u32>()).prop_map(|(slot, draw)| Op::Next { slot, draw }),
        2 => slot.clone().prop_map(Op::Leave),
        2 => (slot.clone(), any::<bool>()).prop_map(|(slot, own)| Op::LeaveRoom { slot, own }),
        2 => slot.clone().prop_map(Op::Disconnect),
        3 => (slot.clone(), any::<bool>(), any::<bool>(), any::<u32>())
            .prop_map(|(slot, own, report, draw)| Op::Part { slot, own, report, draw }),
        2 => slot.clone().prop_map(Op::Away),
        2 => (slot.clone(), any::<u32>()).prop_map(|(slot, draw)| Op::Back { slot, draw }),
        1 => (0..CODES.len() * 3).prop_map(Op::Close),
        1 => Just(Op::Vanish),
        1 => (0..CODES.len() * 3).prop_map(Op::Expire),
        3 => (slot.clone(), slot, group.clone(), any::<(u32, u32)>())
            .prop_map(|(a, b, group, draws)| Op::Together { a, b, group, draws }),
        1 => (group.clone(), any::<bool>()).prop_map(|(group, paused)| Op::Pause { group, paused }),
        2 => (group.clone(), any::<u64>()).prop_map(|(group, seed)| Op::Round { group, seed }),
        2 => (group.clone(), 0..3u8).prop_map(|(group, kind)| Op::EndRound { group, kind }),
        1 => (group, any::<u32>()).prop_map(|(group, draw)| Op::StopRounds { group, draw }),
    ]
}

/// A call made on the model, kept so that the model can be rebuilt (to try the other
/// order of two simultaneous joins).
#[derive(Clone)]
enum Call {
    Join(MemberId, usize, Choice),
    Leave(MemberId, Option<RoomId>),
    Part(MemberId, RoomId, Parting),
    Disconnect(MemberId),
    Away(MemberId),
    Back(MemberId, Choice),
    Close(usize),
    Expire(usize),
    Pause(usize, bool),
    StartRound(usize, RoundPlan<MemberId>, RoundDraws),
    EndRound(usize, Step),
    StopRounds(usize, Vec<Choice>),
}

/// Whether `op` would join or close a group that has expired (the server refuses those
/// before the rules see them).
fn touches_expired(op: &Op, world: &World) -> bool {
    let expired = |g: usize| g < world.live_from;
    match *op {
        Op::Join { group, .. } | Op::Together { group, .. } => expired(group),
        Op::Next { slot, .. } => world.last_group[slot].is_some_and(expired),
        Op::Close(g) => g < CODES.len() && expired(g),
        Op::Pause { group, .. }
        | Op::Round { group, .. }
        | Op::EndRound { group, .. }
        | Op::StopRounds { group, .. } => expired(group),
        _ => false,
    }
}

async fn apply(rules: &impl Executor, call: &Call) -> String {
    match call {
        Call::Join(member, g, choice) => {
            describe_joined(&rules.join(member, &group(*g), choice).await)
        }
        Call::Leave(member, room) => {
            describe_departure(rules.leave(member, room.as_ref()).await.as_ref())
        }
        Call::Part(member, room, parting) => {
            describe_parted(&rules.part(member, room, *parting).await)
        }
        Call::Disconnect(member) => describe_departure(rules.disconnect(member).await.as_ref()),
        Call::Away(member) => format!("away, telling {}", describe_told(&rules.away(member).await)),
        Call::Back(member, choice) => describe_back(&rules.back(member, choice).await),
        Call::Close(g) => {
            let waiters = rules.close(&group(*g)).await;
            format!("closed, waiters {:?}", ids(&waiters))
        }
        Call::Expire(last) => format!("expired, swept {:?}", ids(&rules.expire(*last, &[]).await)),
        Call::Pause(g, paused) => {
            rules.pause(&group(*g), *paused).await;
            format!("paused: {paused}")
        }
        Call::StartRound(g, plan, draws) => {
            describe_round(&rules.start_round(&group(*g), plan, draws).await)
        }
        Call::EndRound(g, step) => describe_round(&rules.end_round(&group(*g), *step).await),
        Call::StopRounds(g, choices) => {
            let paired = rules.stop_rounds(&group(*g), choices).await;
            let paired: Vec<String> = paired.iter().map(describe_pairing).collect();
            format!("stopped; {}", paired.join(", "))
        }
    }
}

fn describe_round(step: &RoundStep) -> String {
    let ended: Vec<String> = step
        .ended
        .iter()
        .map(|(room, m)| format!("{} out of {}", m.as_str(), room.as_str()))
        .collect();
    let pairs: Vec<String> = step.pairs.iter().map(describe_pairing).collect();
    let ordinary: Vec<String> = step.ordinary.iter().map(describe_pairing).collect();
    format!(
        "ended [{}]; pairs [{}]; byes {:?}; ordinary [{}]; present {:?}",
        ended.join(", "),
        pairs.join(", "),
        ids(&step.byes),
        ordinary.join(", "),
        ids(&step.present)
    )
}

fn ids(members: &[MemberId]) -> Vec<&str> {
    members.iter().map(MemberId::as_str).collect()
}

/// Ids and rooms are redacted in `Debug`; these descriptions show them.
fn describe_departure(departure: Option<&Departure<MemberId>>) -> String {
    match departure {
        None => "no room left".into(),
        Some(d) => format!(
            "left {} telling {:?}",
            d.room.as_str(),
            d.partner.as_ref().map(MemberId::as_str)
        ),
    }
}

fn describe_parted(parted: &Option<Parted<MemberId>>) -> String {
    let Some(parted) = parted else {
        return "not in that room".into();
    };
    let removal = parted.removal.as_ref().map_or_else(
        || "nobody removed".to_owned(),
        |r| {
            format!(
                "removed {} who {}",
                r.member.as_str(),
                describe_departure(r.departure.as_ref())
            )
        },
    );
    format!(
        "parted: {}; {removal}",
        describe_departure(Some(&parted.departure))
    )
}

fn describe_pairing(p: &Pairing<MemberId>) -> String {
    format!(
        "paired {} ({}) with {} ({}) in {}",
        p.own.as_str(),
        p.own_name.as_ref(),
        p.partner.as_str(),
        p.partner_name.as_ref(),
        p.room.as_str()
    )
}

fn describe_joined(joined: &Joined<MemberId>) -> String {
    let outcome = match &joined.outcome {
        Outcome::Waiting => "waiting".to_owned(),
        Outcome::GroupClosed => "group closed".to_owned(),
        Outcome::Removed => "removed".to_owned(),
        Outcome::Paired(p) => describe_pairing(p),
    };
    format!(
        "{}; {outcome}",
        describe_departure(joined.departure.as_ref())
    )
}

/// The partner told that she is away or back, and in which room.
fn describe_told(told: &Option<(RoomId, MemberId)>) -> String {
    match told {
        None => "nobody".into(),
        Some((room, partner)) => format!("{} in {}", partner.as_str(), room.as_str()),
    }
}

fn describe_back(back: &Back<MemberId>) -> String {
    let pairing = back
        .pairing
        .as_ref()
        .map_or_else(|| "not paired".to_owned(), describe_pairing);
    format!("back, telling {}; {pairing}", describe_told(&back.partner))
}

fn describe_place(place: &Whereabouts) -> String {
    match place {
        Whereabouts::Nowhere => "nowhere".into(),
        Whereabouts::Lobby(code) => format!("lobby {}", code.expose()),
        Whereabouts::Room(room) => format!("room {}", room.as_str()),
    }
}

/// The members of the test: each slot's current member and the group she joined last.
struct World {
    generation: Vec<usize>,
    last_group: Vec<Option<usize>>,
    rooms_seen: Vec<RoomId>,
    step: usize,
    /// Groups below this one have expired: nobody joins or closes them any more.
    live_from: usize,
    /// Per group: whether a series runs in it (the Redis executor needs one for a step).
    series: Vec<bool>,
    /// Groups whose pairing has been paused: their waiters may be eligible for each
    /// other (a pause does not re-pair them when it ends; a series' next round does).
    paused: HashSet<usize>,
}

impl World {
    fn id(&self, slot: usize) -> MemberId {
        MemberId::from_wire(&format!("s{slot}g{}", self.generation[slot]))
    }

    fn live(&self) -> Vec<MemberId> {
        (0..SLOTS).map(|slot| self.id(slot)).collect()
    }

    fn replace(&mut self, slot: usize) {
        self.generation[slot] += 1;
        self.last_group[slot] = None;
    }

    fn choice(&mut self, draw: u32) -> Choice {
        self.step += 1;
        let choice = choice(&format!("r{}", self.step), draw);
        self.rooms_seen.push(choice.room.clone());
        choice
    }
}

/// Where each live member is, and whether she is away there, by both executors; they
/// must agree. (Away matters only where she has a place: nowhere, the model may
/// remember it for a member that Redis has no record of.)
async fn compare_places(model: &Model, node: &Node, world: &World) -> Result<(), TestCaseError> {
    for member in world.live() {
        prop_assert_eq!(
            describe_presence(node, &member).await,
            describe_presence(model, &member).await,
            "where {} is",
            member.as_str()
        );
    }
    Ok(())
}

async fn describe_presence(rules: &impl Executor, member: &MemberId) -> String {
    let place = rules.whereabouts(member).await;
    let away = !matches!(place, Whereabouts::Nowhere) && rules.is_away(member).await;
    format!(
        "{}{}",
        describe_place(&place),
        if away { ", away" } else { "" }
    )
}

/// The owner's counts of every live group, by both executors; they must agree.
async fn compare_counts(model: &Model, node: &Node, world: &World) -> Result<(), TestCaseError> {
    for g in world.live_from..CODES.len() {
        let (by_redis, by_model) = (node.counts(&group(g)).await, model.counts(&group(g)).await);
        prop_assert_eq!(by_redis, by_model, "counts of group {}", g);
    }
    Ok(())
}

/// docs/protocol.md section 3 on the Redis records: each member in at most one place, the
/// lobbies and rooms agree with the members' records, and no two present (not away)
/// waiters of a lobby are eligible for each other.
async fn check_invariants(node: &Node, world: &World) -> Result<(), TestCaseError> {
    let keys = node.rules.keys();
    let mut conn = node.rules.connection();
    let live: HashSet<String> = world.live().iter().map(|m| m.as_str().to_owned()).collect();
    let mut placed = HashSet::new();
    let last = |conn: &mut redis::aio::ConnectionManager, id: String| {
        let key = keys.member(&MemberId::from_wire(&id));
        let mut conn = conn.clone();
        async move {
            let last: Option<String> = redis::cmd("HGET")
                .arg(key)
                .arg("last")
                .query_async(&mut conn)
                .await
                .unwrap();
            last.unwrap_or_default()
        }
    };
    for (g, _) in CODES.iter().enumerate() {
        let code = group(g).access_code;
        let paused = world.paused.contains(&g);
        let lobby: Vec<String> = redis::cmd("LRANGE")
            .arg(keys.lobby(&keys.fingerprint(&code)))
            .arg(0)
            .arg(-1)
            .query_async(&mut conn)
            .await
            .unwrap();
        let waiting: Vec<String> = lobby.into_iter().filter(|m| live.contains(m)).collect();
        for (i, a) in waiting.iter().enumerate() {
            prop_assert!(placed.insert(a.clone()), "{} waits twice", a);
            let place = node.whereabouts(&MemberId::from_wire(a)).await;
            prop_assert_eq!(describe_place(&place), format!("lobby {}", code.expose()));
            if paused || node.is_away(&MemberId::from_wire(a)).await {
                continue;
            }
            for b in &waiting[i + 1..] {
                if node.is_away(&MemberId::from_wire(b)).await {
                    continue;
                }
                let (a_last, b_last) = (
                    last(&mut conn, a.clone()).await,
                    last(&mut conn, b.clone()).await,
                );
                let pair = if a < b {
                    format!("{a} {b}")
                } else {
                    format!("{b} {a}")
                };
                let blocked: bool = redis::cmd("SISMEMBER")
                    .arg(keys.blocked(&keys.fingerprint(&code)))
                    .arg(pair)
                    .query_async(&mut conn)
                    .await
                    .unwrap();
                prop_assert!(
                    a_last == *b || b_last == *a || blocked,
                    "{} and {} could be paired",
                    a,
                    b
                );
            }
        }
    }
    for room in &world.rooms_seen {
        let seated: Vec<String> = redis::cmd("SMEMBERS")
            .arg(keys.room(room.as_str()))
            .query_async(&mut conn)
            .await
            .unwrap();
        let seated: Vec<String> = seated.into_iter().filter(|m| live.contains(m)).collect();
        prop_assert!(seated.len() <= 2);
        for m in seated {
            prop_assert!(placed.insert(m.clone()), "{} sits twice", m);
            let place = node.whereabouts(&MemberId::from_wire(&m)).await;
            prop_assert_eq!(describe_place(&place), format!("room {}", room.as_str()));
        }
    }
    for member in world.live() {
        let place = node.whereabouts(&member).await;
        let somewhere = !matches!(place, Whereabouts::Nowhere);
        prop_assert_eq!(
            somewhere,
            placed.contains(member.as_str()),
            "{} is lost",
            member.as_str()
        );
    }
    Ok(())
}

async fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let (a, b, _prefix) = redis_nodes().await;
    let nodes = [&a, &b];
    let mut model = Model::default();
    let mut log: Vec<Call> = Vec::new();
    let mut world = World {
        generation: vec![0; SLOTS],
        last_group: vec![None; SLOTS],
        rooms_seen: Vec::new(),
        step: 0,
        live_from: 0,
        series: vec![false; CODES.len()],
        paused: HashSet::new(),
    };
    for (step, op) in ops.iter().enumerate() {
        let mut calls: Vec<(usize, Call)> = Vec::new();
        if touches_expired(op, &world) {
            continue;
        }
        match *op {
            Op::Join { slot, group, draw } => {
                world.last_group[slot] = Some(group);
                calls.push((slot, Call::Join(world.id(slot), group, world.choice(draw))));
            }
            Op::Next { slot, draw } => {
                if let Some(group) = world.last_group[slot] {
                    calls.push((slot, Call::Join(world.id(slot), group, world.choice(draw))));
                }
            }
            Op::Leave(slot) => calls.push((slot, Call::Leave(world.id(slot), None))),
            Op::LeaveRoom { slot, own } => {
                let room = match model.whereabouts(&world.id(slot)).await {
                    Whereabouts::Room(room) if own => room,
                    _ => RoomId::from_wire("r0"),
                };
                calls.push((slot, Call::Leave(world.id(slot), Some(room))));
            }
            Op::Part {
                slot,
                own,
                report,
                draw,
            } => {
                let (room, parts) = match model.whereabouts(&world.id(slot)).await {
                    Whereabouts::Room(room) if own => (room, true),
                    _ => (RoomId::from_wire("r0"), false),
                };
                let parting = match report {
                    true => Parting::Report {
                        threshold: REPORT_THRESHOLD,
                    },
                    false => Parting::Block,
                };
                calls.push((slot, Call::Part(world.id(slot), room, parting)));
                // As the server does after a block or report: she waits again in her
                // group, if it is still live.
                if let Some(group) =
                    world.last_group[slot].filter(|&g| parts && g >= world.live_from)
                {
                    calls.push((slot, Call::Join(world.id(slot), group, world.choice(draw))));
                }
            }
            Op::Disconnect(slot) => {
                calls.push((slot, Call::Disconnect(world.id(slot))));
                world.replace(slot);
            }
            Op::Away(slot) => calls.push((slot, Call::Away(world.id(slot)))),
            Op::Back { slot, draw } => {
                calls.push((slot, Call::Back(world.id(slot), world.choice(draw))));
            }
            Op::Close(g) if g < CODES.len() => calls.push((0, Call::Close(g))),
            Op::Close(_) => {}
            Op::Expire(last) if last < CODES.len() => {
                world.live_from = world.live_from.max(last + 1);
                let live = world.live();
                let mut by_model = ids(&model.expire(last, &live).await).join(" ");
                let mut by_redis = ids(&a.expire(last, &live).await).join(" ");
                let sorted = |text: &mut String| {
                    let mut words: Vec<&str> = text.split(' ').collect();
                    words.sort();
                    *text = words.join(" ");
                };
                sorted(&mut by_model);
                sorted(&mut by_redis);
                prop_assert_eq!(by_redis, by_model, "step {}: {:?}", step, op);
                log.push(Call::Expire(last));
            }
            Op::Expire(_) => {}
            Op::Vanish => {
                let vanishing: Vec<usize> = (1..SLOTS).step_by(2).collect();
                let mut told_by_model = Vec::new();
                for &slot in &vanishing {
                    let gone = world.id(slot);
                    let call = Call::Disconnect(gone.clone());
                    if let Some(Departure {
                        room,
                        partner: Some(partner),
                    }) = model.disconnect(&gone).await
                    {
                        told_by_model.push((partner, room));
                    }
                    log.push(call);
                    b.vanish(&gone).await;
                }
                for &slot in &vanishing {
                    world.replace(slot);
                }
                let survivors: Vec<MemberId> = (0..SLOTS).step_by(2).map(|s| world.id(s)).collect();
                let mut told_by_model: Vec<String> = told_by_model
                    .into_iter()
                    .filter(|(partner, _)| survivors.contains(partner))
                    .map(|(p, r)| format!("{} alone in {}", p.as_str(), r.as_str()))
                    .collect();
                let mut told_by_redis: Vec<String> = a
                    .reap(&survivors)
                    .await
                    .into_iter()
                    .map(|event| match event {
                        Reaped::PartnerGone { member, room } => {
                            format!("{} alone in {}", member.as_str(), room.as_str())
                        }
                        Reaped::GroupGone { member } => {
                            format!("{} lost her group", member.as_str())
                        }
                    })
                    .collect();
                told_by_model.sort();
                told_by_redis.sort();
                prop_assert_eq!(told_by_redis, told_by_model, "step {}: {:?}", step, op);
            }
            Op::Together {
                a: first,
                b: second,
                group,
                draws,
            } if first != second => {
                world.last_group[first] = Some(group);
                world.last_group[second] = Some(group);
                let one = Call::Join(world.id(first), group, world.choice(draws.0));
                let two = Call::Join(world.id(second), group, world.choice(draws.1));
                let (node_one, node_two) = (nodes[first % 2], nodes[second % 2]);
                let (r1, r2) = tokio::join!(apply(node_one, &one), apply(node_two, &two));
                // Redis ran them in some order: the model must agree with one of the two.
                let in_order = [apply(&model, &one).await, apply(&model, &two).await];
                if in_order != [r1.clone(), r2.clone()] {
                    model = Model::default();
                    for call in &log {
                        apply(&model, call).await;
                    }
                    let two_first = apply(&model, &two).await;
                    let reversed = [apply(&model, &one).await, two_first];
                    prop_assert_eq!([r1, r2], reversed, "step {}: {:?}", step, op);
                    log.extend([two, one]);
                } else {
                    log.extend([one, two]);
                }
            }
            Op::Pause { group, paused } => {
                if paused {
                    world.paused.insert(group);
                }
                calls.push((0, Call::Pause(group, paused)));
            }
            Op::Round { group: g, seed } => {
                let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
                let present = model.present(&group(g));
                let no_blocks: Vec<MemberId> = Vec::new();
                let plan = pair_round(&present, &History::new(), |_| &no_blocks, &mut rng);
                let draw = seed as u32;
                let rooms = plan.pairs.iter().map(|_| world.choice(draw).room).collect();
                let waits = plan.pairs.len() * 2 + plan.byes.len();
                let choices = (0..waits).map(|_| world.choice(draw)).collect();
                world.series[g] = true;
                let draws = RoundDraws { rooms, choices };
                calls.push((g, Call::StartRound(g, plan, draws)));
            }
            Op::EndRound { group: g, kind } if world.series[g] => {
                let step = match kind {
                    0 => Step::Warn { round: 1 },
                    1 => Step::Break { round: 1 },
                    _ => Step::Finish { round: 1 },
                };
                match step {
                    Step::Break { .. } => _ = world.paused.insert(g),
                    Step::Finish { .. } => world.series[g] = false,
                    _ => {}
                }
                calls.push((g, Call::EndRound(g, step)));
            }
            Op::EndRound { .. } => {}
            Op::StopRounds { group: g, draw } if world.series[g] => {
                world.series[g] = false;
                let choices = (0..SLOTS).map(|_| world.choice(draw)).collect();
                calls.push((g, Call::StopRounds(g, choices)));
            }
            Op::StopRounds { .. } => {}
            Op::Together {
                a: slot,
                group,
                draws,
                ..
            } => {
                world.last_group[slot] = Some(group);
                calls.push((
                    slot,
                    Call::Join(world.id(slot), group, world.choice(draws.0)),
                ));
            }
        }
        for (slot, call) in calls {
            let actual = apply(nodes[slot % 2], &call).await;
            let expected = apply(&model, &call).await;
            log.push(call);
            prop_assert_eq!(actual, expected, "step {}: {:?}", step, op);
        }
        compare_places(&model, &a, &world).await?;
        compare_counts(&model, &a, &world).await?;
        check_invariants(&a, &world).await?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// About 96 × 40 steps per run.
    #[test]
    fn redis_and_the_model_agree_after_every_step(ops in prop::collection::vec(op(), 1..80)) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(ops))?;
    }
}
