use super::*;
use crate::domain::{AccessCode, Description, DisplayName, Group, GroupName, Rules};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

fn group(code: &str) -> Group {
    let now = OffsetDateTime::now_utc();
    Group {
        access_code: AccessCode::parse(code).unwrap(),
        name: GroupName::parse("g").unwrap(),
        description: Description::parse("d").unwrap(),
        rules: Rules::default(),
        prompts: Default::default(),
        created_at: now,
        expires_at: now + Duration::hours(1),
    }
}

fn name() -> DisplayName {
    DisplayName::parse(None).unwrap()
}

fn members(hub: &Hub<u32>, n: u32) -> Vec<Arc<Member<u32>>> {
    (0..n).map(|i| hub.register(i)).collect()
}

#[test]
fn the_first_joiner_waits_and_the_second_is_paired_with_her() {
    let hub = Hub::new();
    let [a, b] = members(&hub, 2).try_into().ok().unwrap();
    let g = group("aaaaaaaaaa");
    let mut rng = StdRng::seed_from_u64(1);
    assert!(matches!(
        hub.join(&a, &g, name(), &Choice::random(&mut rng)).outcome,
        Outcome::Waiting
    ));
    let Outcome::Paired(pair) = hub.join(&b, &g, name(), &Choice::random(&mut rng)).outcome else {
        panic!("not paired");
    };
    assert_eq!(pair.partner, 0);
    assert_eq!(a.room(), Some(pair.room.clone()));
    assert_eq!(b.room(), Some(pair.room));
    hub.check_invariants(&[a, b]);
}

#[test]
fn members_of_different_groups_are_never_paired() {
    let hub = Hub::new();
    let [a, b] = members(&hub, 2).try_into().ok().unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    hub.join(&a, &group("aaaaaaaaaa"), name(), &Choice::random(&mut rng));
    let joined = hub.join(&b, &group("bbbbbbbbbb"), name(), &Choice::random(&mut rng));
    assert!(matches!(joined.outcome, Outcome::Waiting));
    assert_eq!(hub.waiting_count(), 2);
}

#[test]
fn each_group_counts_its_waiters_its_seated_members_and_its_pairings() {
    let hub = Hub::new();
    let [a, b, c] = members(&hub, 3).try_into().ok().unwrap();
    let (g, other) = (group("aaaaaaaaaa"), group("bbbbbbbbbb"));
    let mut rng = StdRng::seed_from_u64(4);
    let mut join = |m: &Arc<Member<u32>>, g: &Group| {
        hub.join(m, g, name(), &Choice::random(&mut rng));
    };
    join(&a, &g);
    join(&c, &other);
    let seen = |waiting, chatting| Occupancy { waiting, chatting };
    assert_eq!(hub.occupancy(&g.access_code), seen(1, 0));
    join(&b, &g);
    assert_eq!(hub.occupancy(&g.access_code), seen(0, 2));
    assert_eq!(hub.occupancy(&other.access_code), seen(1, 0));
    hub.leave(&a);
    assert_eq!(hub.occupancy(&g.access_code), seen(0, 1), "b sits alone");
    hub.check_invariants(&[a.clone(), b.clone(), c.clone()]);
    assert_eq!(hub.take_pairings(), vec![(g.access_code.clone(), 1)]);
    assert_eq!(hub.take_pairings(), vec![], "taken once");
    hub.leave(&b);
    assert_eq!(hub.occupancy(&g.access_code), seen(0, 0));
    assert!(hub.tallies.is_empty(), "nothing kept for an empty group");
}

#[test]
fn partners_who_part_are_not_paired_again_at_once_in_either_direction() {
    let hub = Hub::new();
    let [a, b, c] = members(&hub, 3).try_into().ok().unwrap();
    let g = group("aaaaaaaaaa");
    let mut rng = StdRng::seed_from_u64(3);
    hub.join(&a, &g, name(), &Choice::random(&mut rng));
    hub.join(&b, &g, name(), &Choice::random(&mut rng));
    let departure = hub
        .join(&a, &g, name(), &Choice::random(&mut rng))
        .departure
        .unwrap();
    assert_eq!(departure.partner, Some(1));
    assert!(matches!(
        hub.join(&b, &g, name(), &Choice::random(&mut rng)).outcome,
        Outcome::Waiting
    ));
    let Outcome::Paired(pair) = hub.join(&c, &g, name(), &Choice::random(&mut rng)).outcome else {
        panic!("c not paired");
    };
    assert!(pair.partner == 0 || pair.partner == 1);
    hub.check_invariants(&[a, b, c]);
}

#[test]
fn the_partner_is_chosen_uniformly_among_the_eligible() {
    // Two former partners wait side by side (they may not meet again); a newcomer is
    // eligible for both and must meet each about half of the time.
    let mut met_first = 0;
    let mut rng = StdRng::seed_from_u64(4);
    let g = group("aaaaaaaaaa");
    for _ in 0..2000 {
        let hub = Hub::new();
        let [a, b, c] = members(&hub, 3).try_into().ok().unwrap();
        hub.join(&a, &g, name(), &Choice::random(&mut rng));
        hub.join(&b, &g, name(), &Choice::random(&mut rng));
        hub.join(&a, &g, name(), &Choice::random(&mut rng));
        hub.join(&b, &g, name(), &Choice::random(&mut rng));
        assert_eq!(hub.waiting_count(), 2);
        let Outcome::Paired(pair) = hub.join(&c, &g, name(), &Choice::random(&mut rng)).outcome
        else {
            panic!("newcomer not paired");
        };
        if pair.partner == 0 {
            met_first += 1;
        }
    }
    assert!(
        (900..=1100).contains(&met_first),
        "met the first {met_first} times of 2000"
    );
}

#[test]
fn leaving_the_room_tells_the_partner_who_stays_alone() {
    let hub = Hub::new();
    let [a, b] = members(&hub, 2).try_into().ok().unwrap();
    let g = group("aaaaaaaaaa");
    let mut rng = StdRng::seed_from_u64(5);
    hub.join(&a, &g, name(), &Choice::random(&mut rng));
    let Outcome::Paired(pair) = hub.join(&b, &g, name(), &Choice::random(&mut rng)).outcome else {
        panic!("not paired");
    };
    let departure = hub.leave_room(&a, pair.room.as_str()).unwrap();
    assert_eq!(departure.partner, Some(1));
    assert_eq!(b.room(), Some(pair.room.clone()));
    let alone = hub.recipients(&b, pair.room.as_str()).unwrap();
    assert_eq!(alone.iter().copied().collect::<Vec<_>>(), vec![1]);
    assert!(hub.leave_room(&a, pair.room.as_str()).is_none());
    let last = hub.leave(&b).unwrap();
    assert_eq!(last.partner, None);
    assert_eq!(hub.room_count(), 0);
    hub.check_invariants(&[a, b]);
}

#[test]
fn only_members_and_outsiders_may_send_into_a_room() {
    let hub = Hub::new();
    let [a, b, waiting, outsider] = members(&hub, 4).try_into().ok().unwrap();
    let mut rng = StdRng::seed_from_u64(6);
    let g = group("aaaaaaaaaa");
    hub.join(&a, &g, name(), &Choice::random(&mut rng));
    let Outcome::Paired(pair) = hub.join(&b, &g, name(), &Choice::random(&mut rng)).outcome else {
        panic!("not paired");
    };
    hub.join(
        &waiting,
        &group("bbbbbbbbbb"),
        name(),
        &Choice::random(&mut rng),
    );
    let room = pair.room.as_str();
    let mut to_room: Vec<u32> = hub
        .recipients(&outsider, room)
        .unwrap()
        .iter()
        .copied()
        .collect();
    to_room.sort();
    assert_eq!(to_room, vec![0, 1]);
    assert!(hub.recipients(&waiting, room).is_none());
    assert!(hub.recipients(&a, "0123").is_none());
    hub.leave(&a);
    hub.leave(&b);
    assert!(
        hub.recipients(&outsider, room).is_none(),
        "a closed room is dead"
    );
}

#[test]
fn closing_a_group_empties_its_lobby_and_refuses_later_joins() {
    let hub = Hub::new();
    let [a, b] = members(&hub, 2).try_into().ok().unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let g = group("aaaaaaaaaa");
    hub.join(&a, &g, name(), &Choice::random(&mut rng));
    assert_eq!(hub.close_group(&g), vec![0]);
    assert_eq!(hub.waiting_count(), 0);
    assert!(matches!(
        hub.join(&b, &g, name(), &Choice::random(&mut rng)).outcome,
        Outcome::GroupClosed
    ));
    hub.check_invariants(&[a, b]);
}

#[test]
fn the_sweep_closes_lobbies_of_expired_groups() {
    let hub = Hub::new();
    let [a] = members(&hub, 1).try_into().ok().unwrap();
    let mut rng = StdRng::seed_from_u64(8);
    let g = group("aaaaaaaaaa");
    hub.join(&a, &g, name(), &Choice::random(&mut rng));
    assert!(hub.sweep(g.expires_at - Duration::seconds(1)).is_empty());
    let swept = hub.sweep(g.expires_at);
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].1, vec![0]);
    assert_eq!(hub.waiting_count(), 0);
}

#[test]
fn an_away_member_keeps_her_place_but_is_not_paired_until_she_is_back() {
    let hub = Hub::new();
    let [a, b, c] = members(&hub, 3).try_into().ok().unwrap();
    let g = group("aaaaaaaaaa");
    let mut rng = StdRng::seed_from_u64(7);
    hub.join(&a, &g, name(), &Choice::random(&mut rng));
    assert_eq!(hub.away(&a), None, "nobody to tell in a lobby");
    let joined = hub.join(&b, &g, name(), &Choice::random(&mut rng));
    assert!(
        matches!(joined.outcome, Outcome::Waiting),
        "away members are not paired"
    );
    assert_eq!(hub.waiting_count(), 2);
    hub.check_invariants(&[a.clone(), b.clone()]);
    let back = hub.back(&a, &Choice::random(&mut rng));
    let pair = back.pairing.expect("paired on her return");
    assert_eq!((pair.own, pair.partner), (0, 1));
    assert_eq!(a.room(), Some(pair.room.clone()));
    hub.check_invariants(&[a.clone(), b.clone()]);

    assert_eq!(
        hub.away(&b),
        Some((pair.room.clone(), 0)),
        "her partner is told"
    );
    assert_eq!(b.room(), Some(pair.room.clone()), "she keeps her room");
    let back = hub.back(&b, &Choice::random(&mut rng));
    assert_eq!(back.partner, Some((pair.room, 0)));
    assert!(back.pairing.is_none());
    hub.check_invariants(&[a, b, c]);
}

#[derive(Debug, Clone)]
enum Op {
    Join(usize, usize),
    Leave(usize),
    Next(usize),
    Disconnect(usize),
    Away(usize),
    Back(usize),
    Block(usize),
    Report(usize),
}

fn op(members: usize, groups: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..members, 0..groups).prop_map(|(m, g)| Op::Join(m, g)),
        1 => (0..members).prop_map(Op::Leave),
        2 => (0..members).prop_map(Op::Next),
        1 => (0..members).prop_map(Op::Disconnect),
        1 => (0..members).prop_map(Op::Away),
        1 => (0..members).prop_map(Op::Back),
        1 => (0..members).prop_map(Op::Block),
        1 => (0..members).prop_map(Op::Report),
    ]
}

const CODES: [&str; 3] = ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"];

proptest! {
    #[test]
    fn the_invariant_holds_after_every_request(
        ops in prop::collection::vec(op(8, CODES.len()), 1..200),
        seed in any::<u64>(),
    ) {
        let hub = Hub::new();
        let mut live = members(&hub, 8);
        let groups: Vec<Group> = CODES.iter().map(|c| group(c)).collect();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut rooms_seen = HashSet::new();
        let mut last_group: Vec<Option<usize>> = vec![None; live.len()];
        for op in ops {
            let paired = match op {
                Op::Join(m, g) => {
                    last_group[m] = Some(g);
                    Some(hub.join(&live[m], &groups[g], name(), &Choice::random(&mut rng)))
                }
                Op::Next(m) => last_group[m].map(|g| {
                    hub.join(&live[m], &groups[g], name(), &Choice::random(&mut rng))
                }),
                Op::Leave(m) => { hub.leave(&live[m]); None }
                Op::Disconnect(m) => {
                    hub.leave(&live[m]);
                    live[m] = hub.register(live[m].handle() + 100);
                    last_group[m] = None;
                    None
                }
                Op::Away(m) => { hub.away(&live[m]); None }
                Op::Back(m) => hub.back(&live[m], &Choice::random(&mut rng)).pairing.map(|pair| {
                    Joined { departure: None, outcome: Outcome::Paired(pair) }
                }),
                Op::Block(m) | Op::Report(m) => {
                    let parting = match op {
                        Op::Block(_) => Parting::Block,
                        _ => Parting::Report { threshold: 2 },
                    };
                    if let Some(room) = live[m].room() {
                        prop_assert!(hub.part(&live[m], room.as_str(), parting).is_some());
                    }
                    None
                }
            };
            if let Some(Joined { outcome: Outcome::Paired(pair), .. }) = paired {
                prop_assert!(rooms_seen.insert(pair.room.clone()), "a room id was reused");
            }
            hub.check_invariants(&live);
        }
    }
}

#[test]
fn simultaneous_joins_from_many_threads_make_exactly_half_as_many_pairs() {
    const N: u32 = 1001;
    let hub = Arc::new(Hub::new());
    let ms = members(&hub, N);
    let g = group("aaaaaaaaaa");
    let pairs = std::sync::atomic::AtomicU32::new(0);
    std::thread::scope(|scope| {
        for chunk in ms.chunks(N as usize / 4 + 1) {
            let (hub, g, pairs) = (&hub, &g, &pairs);
            scope.spawn(move || {
                let mut rng = rand::rng();
                for m in chunk {
                    if let Outcome::Paired(_) =
                        hub.join(m, g, name(), &Choice::random(&mut rng)).outcome
                    {
                        pairs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(pairs.into_inner(), N / 2);
    assert_eq!(hub.waiting_count(), 1);
    hub.check_invariants(&ms);
}

#[test]
fn random_requests_from_many_threads_leave_a_consistent_hub() {
    let hub = Arc::new(Hub::new());
    let ms = members(&hub, 64);
    let groups: Vec<Group> = CODES.iter().map(|c| group(c)).collect();
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            let (hub, ms, groups) = (&hub, &ms, &groups);
            scope.spawn(move || {
                let mut rng = StdRng::seed_from_u64(t);
                for _ in 0..20_000 {
                    let m = &ms[rng.random_range(0..ms.len())];
                    match rng.random_range(0..4) {
                        0 | 1 => {
                            let g = &groups[rng.random_range(0..groups.len())];
                            hub.join(m, g, name(), &Choice::random(&mut rng));
                        }
                        2 => {
                            hub.leave(m);
                        }
                        _ => {
                            let room = m.room();
                            hub.recipients(m, room.as_ref().map_or("", |r| r.as_str()));
                        }
                    }
                }
            });
        }
    });
    hub.check_invariants(&ms);
}

/// Pairs `a` and `b` in `g` (both join; `a` must be waiting alone) and returns the room.
fn pair(hub: &Hub<u32>, a: &Arc<Member<u32>>, b: &Arc<Member<u32>>, g: &Group) -> String {
    let mut rng = StdRng::seed_from_u64(7);
    hub.join(a, g, name(), &Choice::random(&mut rng));
    let Outcome::Paired(pair) = hub.join(b, g, name(), &Choice::random(&mut rng)).outcome else {
        panic!("not paired");
    };
    pair.room.as_str().to_owned()
}

#[test]
fn a_blocked_pair_is_never_paired_again_in_that_group_only() {
    let hub = Hub::new();
    let [a, b, c] = members(&hub, 3).try_into().ok().unwrap();
    let (g, other) = (group("aaaaaaaaaa"), group("bbbbbbbbbb"));
    let room = pair(&hub, &a, &b, &g);
    let parted = hub.part(&a, &room, Parting::Block).unwrap();
    assert_eq!(parted.departure.partner, Some(1));
    assert_eq!(parted.removal, None);
    assert_eq!(
        hub.part(&a, &room, Parting::Block),
        None,
        "no longer in the room"
    );
    // After each has met someone else, they still never meet again in g.
    let mut rng = StdRng::seed_from_u64(8);
    for _ in 0..20 {
        for m in [&a, &b, &c] {
            hub.join(m, &g, name(), &Choice::random(&mut rng));
        }
        assert!(
            a.room().is_none() || a.room() != b.room(),
            "a and b met again"
        );
        hub.check_invariants(&[a.clone(), b.clone(), c.clone()]);
    }
    hub.leave(&c);
    hub.leave(&a);
    hub.leave(&b);
    pair(&hub, &a, &b, &other);
}

#[test]
fn reports_from_the_threshold_of_distinct_members_remove_a_member() {
    let hub = Hub::new();
    let [bad, x, y, z] = members(&hub, 4).try_into().ok().unwrap();
    let g = group("aaaaaaaaaa");
    let report = Parting::Report { threshold: 3 };
    let mut rng = StdRng::seed_from_u64(9);
    for (i, reporter) in [&x, &y].into_iter().enumerate() {
        hub.leave(&bad);
        let room = pair(&hub, &bad, reporter, &g);
        let parted = hub.part(reporter, &room, report).unwrap();
        assert_eq!(parted.removal, None, "report {i} removed her");
        hub.leave(reporter);
    }
    // Two reporters so far: a third removes her, wherever she is.
    hub.leave(&bad);
    let room = pair(&hub, &bad, &z, &g);
    hub.join(
        &bad,
        &group("bbbbbbbbbb"),
        name(),
        &Choice::random(&mut rng),
    );
    let parted = hub.part(&z, &room, report).unwrap();
    assert_eq!(parted.departure.partner, None, "she had left already");
    let removal = parted.removal.expect("removed");
    assert_eq!(removal.member, 0);
    assert_eq!(removal.departure, None);
    assert_eq!(bad.whereabouts(), Whereabouts::Nowhere, "out of her lobby");
    let joined = hub.join(&bad, &g, name(), &Choice::random(&mut rng));
    assert_eq!(joined.outcome, Outcome::Removed);
    assert!(matches!(
        hub.join(
            &bad,
            &group("bbbbbbbbbb"),
            name(),
            &Choice::random(&mut rng)
        )
        .outcome,
        Outcome::Waiting
    ));
    hub.check_invariants(&[bad, x, y, z]);
}
