//! The contract of timed rounds (docs/protocol.md section 8) for both executors: pausing
//! a group's pairing, and each step of a series given the same plan and draws.

use crate::executors::{Executor, RoundStep, choice, group, name_of};
use circle::domain::{MemberId, RoomId};
use circle::matchmaking::rounds::RoundPlan;
use circle::matchmaking::{Outcome, Pairing, RoundDraws, Whereabouts};
use circle::series::Step;

fn member(name: &str) -> MemberId {
    MemberId::from_wire(name)
}

fn room(id: &str) -> RoomId {
    RoomId::from_wire(id)
}

fn pairing(own: &MemberId, partner: &MemberId, room_id: &str) -> Pairing<MemberId> {
    Pairing {
        room: room(room_id),
        own: own.clone(),
        own_name: name_of(own),
        partner: partner.clone(),
        partner_name: name_of(partner),
    }
}

fn plan(pairs: &[(&MemberId, &MemberId)], byes: &[&MemberId]) -> RoundPlan<MemberId> {
    RoundPlan {
        pairs: pairs
            .iter()
            .map(|(a, b)| ((*a).clone(), (*b).clone()))
            .collect(),
        byes: byes.iter().map(|m| (*m).clone()).collect(),
    }
}

/// Rooms `rooms` for the pairs, and choices `w1`, `w2`, … (draw 0) for members who wait
/// again.
fn draws(rooms: &[&str], waits: usize) -> RoundDraws {
    RoundDraws {
        rooms: rooms.iter().map(|r| room(r)).collect(),
        choices: (1..=waits).map(|i| choice(&format!("w{i}"), 0)).collect(),
    }
}

fn lobby() -> Whereabouts {
    Whereabouts::Lobby(group(0).access_code)
}

pub async fn a_paused_lobby_pairs_nobody_until_pairing_runs_again(rules: &impl Executor) {
    let (a, b, c) = (member("a"), member("b"), member("c"));
    rules.pause(&group(0), true).await;
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    let second = rules.join(&b, &group(0), &choice("r2", 0)).await;
    assert_eq!(second.outcome, Outcome::Waiting, "pairing is paused");
    rules.away(&a).await;
    let back = rules.back(&a, &choice("r3", 0)).await;
    assert_eq!(back.pairing, None, "paused on coming back too");
    let elsewhere = rules.join(&c, &group(1), &choice("r4", 0)).await;
    assert_eq!(elsewhere.outcome, Outcome::Waiting);
    rules.pause(&group(0), false).await;
    let third = rules.join(&c, &group(0), &choice("r5", 1)).await;
    assert_eq!(
        third.outcome,
        Outcome::Paired(pairing(&c, &b, "r5")),
        "draw 1 of 2: the second"
    );
}

pub async fn a_round_start_ends_the_rooms_seats_the_plan_and_the_byes_wait_again(
    rules: &impl Executor,
) {
    let [a, b, c, e, f, g] = ["a", "b", "c", "e", "f", "g"].map(member);
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    rules.join(&c, &group(0), &choice("r3", 0)).await;
    rules.join(&e, &group(0), &choice("r5", 0)).await;
    rules.join(&f, &group(0), &choice("r6", 0)).await;
    let started = rules
        .start_round(
            &group(0),
            &plan(&[(&a, &c), (&e, &f)], &[&b]),
            &draws(&["s1", "s2"], 5),
        )
        .await;
    assert_eq!(
        started,
        RoundStep {
            ended: vec![
                (room("r2"), a.clone()),
                (room("r2"), b.clone()),
                (room("r5"), c.clone()),
                (room("r5"), e.clone()),
            ],
            pairs: vec![pairing(&a, &c, "s1"), pairing(&e, &f, "s2")],
            byes: vec![b.clone()],
            ordinary: vec![],
            present: vec![],
        }
    );
    assert_eq!(rules.whereabouts(&a).await, Whereabouts::Room(room("s1")));
    assert_eq!(rules.whereabouts(&f).await, Whereabouts::Room(room("s2")));
    assert_eq!(rules.whereabouts(&b).await, lobby());
    let late = rules.join(&g, &group(0), &choice("r7", 0)).await;
    assert_eq!(late.outcome, Outcome::Paired(pairing(&g, &b, "r7")));
    assert_eq!(rules.counts(&group(0)).await.1, 5, "every pairing counts");
}

pub async fn a_planned_member_who_is_away_stays_and_her_planned_partner_waits_again(
    rules: &impl Executor,
) {
    let [a, b, c] = ["a", "b", "c"].map(member);
    rules.pause(&group(0), true).await;
    for m in [&a, &b, &c] {
        rules.join(m, &group(0), &choice("r0", 0)).await;
    }
    rules.away(&a).await;
    let started = rules
        .start_round(&group(0), &plan(&[(&a, &b)], &[&c]), &draws(&["s1"], 3))
        .await;
    assert_eq!(
        started,
        RoundStep {
            ended: vec![],
            pairs: vec![],
            byes: vec![c.clone()],
            ordinary: vec![pairing(&b, &c, "w2")],
            present: vec![],
        },
        "the bye waits first, then the planned partner, who meets her"
    );
    assert_eq!(rules.whereabouts(&a).await, lobby());
    assert!(rules.is_away(&a).await);
}

/// Someone who came in while the round was planned and met a planned member: the round
/// takes her partner, and she waits again (she is not left in no room and no lobby).
pub async fn a_partner_who_was_not_planned_waits_again_when_the_round_takes_hers(
    rules: &impl Executor,
) {
    let [a, b, late, d] = ["a", "b", "late", "d"].map(member);
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    rules.join(&d, &group(0), &choice("r3", 0)).await;
    // The plan was drawn over a, b and d; then a latecomer met d.
    rules.join(&late, &group(0), &choice("r4", 0)).await;
    let started = rules
        .start_round(&group(0), &plan(&[(&a, &d)], &[&b]), &draws(&["s1"], 6))
        .await;
    assert_eq!(
        started,
        RoundStep {
            ended: vec![
                (room("r2"), a.clone()),
                (room("r2"), b.clone()),
                (room("r4"), d.clone()),
                (room("r4"), late.clone()),
            ],
            pairs: vec![pairing(&a, &d, "s1")],
            byes: vec![b.clone()],
            ordinary: vec![pairing(&late, &b, "w2")],
            present: vec![],
        },
        "the bye waits first, then the latecomer, who meets her"
    );
    assert_eq!(
        rules.whereabouts(&late).await,
        Whereabouts::Room(room("w2"))
    );
}

pub async fn a_break_ends_the_rooms_and_everyone_waits_unpaired_until_the_next_round(
    rules: &impl Executor,
) {
    let [a, b, c, d] = ["a", "b", "c", "d"].map(member);
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    rules.join(&c, &group(0), &choice("r3", 0)).await;
    rules
        .start_round(&group(0), &plan(&[(&a, &c)], &[&b]), &draws(&["s1"], 3))
        .await;
    let warned = rules.end_round(&group(0), Step::Warn { round: 1 }).await;
    assert_eq!((warned.present.len(), warned.ended.len()), (3, 0));
    let broke = rules.end_round(&group(0), Step::Break { round: 1 }).await;
    assert_eq!(broke.present, vec![a.clone(), b.clone(), c.clone()]);
    assert_eq!(
        broke.ended,
        vec![(room("s1"), a.clone()), (room("s1"), c.clone())]
    );
    for m in [&a, &b, &c] {
        assert_eq!(rules.whereabouts(m).await, lobby());
    }
    let late = rules.join(&d, &group(0), &choice("r4", 0)).await;
    assert_eq!(
        late.outcome,
        Outcome::Waiting,
        "nobody is paired in a break"
    );
    let next = rules
        .start_round(
            &group(0),
            &plan(&[(&a, &b), (&c, &d)], &[]),
            &draws(&["t1", "t2"], 4),
        )
        .await;
    assert_eq!(
        next.pairs,
        vec![pairing(&a, &b, "t1"), pairing(&c, &d, "t2")]
    );
    assert_eq!(next.ended, vec![]);
}

pub async fn the_finish_ends_the_rooms_and_their_members_are_nowhere(rules: &impl Executor) {
    let [a, b, c] = ["a", "b", "c"].map(member);
    for m in [&a, &b, &c] {
        rules.join(m, &group(0), &choice("r0", 0)).await;
    }
    rules
        .start_round(&group(0), &plan(&[(&b, &c)], &[&a]), &draws(&["s1"], 3))
        .await;
    let finished = rules.end_round(&group(0), Step::Finish { round: 1 }).await;
    assert_eq!(
        finished.ended,
        vec![(room("s1"), b.clone()), (room("s1"), c.clone())]
    );
    assert_eq!(rules.whereabouts(&b).await, Whereabouts::Nowhere);
    assert_eq!(rules.whereabouts(&c).await, Whereabouts::Nowhere);
    assert_eq!(rules.whereabouts(&a).await, lobby(), "the bye still waits");
}

pub async fn stopping_a_series_in_a_break_pairs_the_waiters_in_order_of_arrival(
    rules: &impl Executor,
) {
    let [a, b, c, d] = ["a", "b", "c", "d"].map(member);
    rules.pause(&group(0), true).await;
    for m in [&a, &b, &c, &d] {
        rules.join(m, &group(0), &choice("r0", 0)).await;
    }
    rules
        .start_round(
            &group(0),
            &plan(&[(&a, &b), (&c, &d)], &[]),
            &draws(&["s1", "s2"], 4),
        )
        .await;
    rules.end_round(&group(0), Step::Break { round: 1 }).await;
    let choices: Vec<_> = (1..=4).map(|i| choice(&format!("w{i}"), 0)).collect();
    let paired = rules.stop_rounds(&group(0), &choices).await;
    assert_eq!(
        paired,
        vec![pairing(&a, &c, "w1"), pairing(&b, &d, "w2")],
        "a meets the first eligible waiter; b, still waiting, the next; nobody twice"
    );
}
