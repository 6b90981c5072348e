//! One contract for every executor of the rules: each function checks one behaviour on a
//! fresh executor, and `contract_tests!` runs it against the model and against Redis.

use crate::executors::{Executor, Model, choice, group, name_of, redis_nodes};
use crate::round_contract::*;
use circle::domain::MemberId;
use circle::matchmaking::{Departure, Joined, Outcome, Pairing, Parting, Whereabouts};

fn member(name: &str) -> MemberId {
    MemberId::from_wire(name)
}

fn paired(own: &MemberId, partner: &MemberId, room: &str) -> Outcome<MemberId> {
    Outcome::Paired(Pairing {
        room: choice(room, 0).room,
        own: own.clone(),
        own_name: name_of(own),
        partner: partner.clone(),
        partner_name: name_of(partner),
    })
}

fn left(room: &str, partner: Option<&MemberId>) -> Option<Departure<MemberId>> {
    Some(Departure {
        room: choice(room, 0).room,
        partner: partner.cloned(),
    })
}

pub async fn the_first_joiner_waits_and_the_second_is_paired_with_her(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    let first = rules.join(&a, &group(0), &choice("r1", 0)).await;
    assert_eq!(first.outcome, Outcome::Waiting);
    assert_eq!(
        rules.whereabouts(&a).await,
        Whereabouts::Lobby(group(0).access_code)
    );
    let second = rules.join(&b, &group(0), &choice("r2", 7)).await;
    assert_eq!(second.outcome, paired(&b, &a, "r2"));
    assert_eq!(second.departure, None);
    assert_eq!(
        rules.whereabouts(&a).await,
        Whereabouts::Room(choice("r2", 0).room)
    );
}

pub async fn members_of_different_groups_are_never_paired(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    let other = rules.join(&b, &group(1), &choice("r2", 0)).await;
    assert_eq!(other.outcome, Outcome::Waiting);
}

/// Two former partners wait side by side; a newcomer gets the one her draw picks, in
/// their order of arrival.
pub async fn former_partners_wait_apart_and_the_draw_picks_in_order_of_arrival(
    rules: &impl Executor,
) {
    let (a, b, c, d) = (member("a"), member("b"), member("c"), member("d"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    let again = rules.join(&a, &group(0), &choice("r3", 0)).await;
    assert_eq!(again.departure, left("r2", Some(&b)));
    assert_eq!(again.outcome, Outcome::Waiting);
    let back = rules.join(&b, &group(0), &choice("r4", 0)).await;
    assert_eq!(back.departure, left("r2", None));
    assert_eq!(back.outcome, Outcome::Waiting, "not paired twice in a row");
    let newcomer = rules.join(&c, &group(0), &choice("r5", 3)).await;
    assert_eq!(
        newcomer.outcome,
        paired(&c, &b, "r5"),
        "draw 3 of 2: the second"
    );
    let last = rules.join(&d, &group(0), &choice("r6", 4)).await;
    assert_eq!(last.outcome, paired(&d, &a, "r6"));
}

pub async fn leaving_a_room_tells_the_partner_who_stays_alone(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    let wrong = choice("elsewhere", 0).room;
    assert_eq!(rules.leave(&a, Some(&wrong)).await, None);
    let room = choice("r2", 0).room;
    assert_eq!(rules.leave(&a, Some(&room)).await, left("r2", Some(&b)));
    assert_eq!(rules.whereabouts(&a).await, Whereabouts::Nowhere);
    assert_eq!(rules.whereabouts(&b).await, Whereabouts::Room(room));
    assert_eq!(rules.leave(&b, None).await, left("r2", None));
    assert_eq!(rules.leave(&b, None).await, None);
}

pub async fn a_disconnect_tells_the_partner(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    assert_eq!(rules.disconnect(&b).await, left("r2", Some(&a)));
}

pub async fn closing_a_group_returns_its_waiters_and_refuses_later_joins(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    assert_eq!(rules.close(&group(0)).await, vec![a.clone()]);
    assert_eq!(rules.whereabouts(&a).await, Whereabouts::Nowhere);
    let refused: Joined<MemberId> = rules.join(&b, &group(0), &choice("r2", 0)).await;
    assert_eq!(refused.outcome, Outcome::GroupClosed);
    assert_eq!(rules.whereabouts(&b).await, Whereabouts::Nowhere);
}

pub async fn an_away_waiter_is_not_paired_until_she_is_back(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    assert_eq!(rules.away(&a).await, None, "nobody to tell in a lobby");
    let second = rules.join(&b, &group(0), &choice("r2", 0)).await;
    assert_eq!(
        second.outcome,
        Outcome::Waiting,
        "away members are not paired"
    );
    assert_eq!(
        rules.whereabouts(&a).await,
        Whereabouts::Lobby(group(0).access_code),
        "she keeps her place"
    );
    let back = rules.back(&a, &choice("r3", 0)).await;
    assert_eq!(back.partner, None);
    assert_eq!(
        back.pairing.map(Outcome::Paired),
        Some(paired(&a, &b, "r3"))
    );
    assert_eq!(
        rules.whereabouts(&b).await,
        Whereabouts::Room(choice("r3", 0).room)
    );
    assert!(!rules.is_away(&a).await);
}

/// Back in a lobby, she gets the present waiter her draw picks among the eligible ones,
/// in their order of arrival; an away waiter is not counted.
pub async fn back_in_a_lobby_the_draw_picks_among_present_waiters(rules: &impl Executor) {
    let (a, b, c, d) = (member("a"), member("b"), member("c"), member("d"));
    rules.join(&d, &group(0), &choice("r1", 0)).await;
    rules.away(&d).await;
    rules.join(&a, &group(0), &choice("r2", 0)).await;
    rules.away(&a).await;
    rules.join(&b, &group(0), &choice("r3", 0)).await;
    let first = rules.join(&c, &group(0), &choice("r4", 0)).await;
    assert_eq!(first.outcome, paired(&c, &b, "r4"));
    rules.join(&b, &group(0), &choice("r5", 0)).await;
    let again = rules.join(&c, &group(0), &choice("r6", 0)).await;
    assert_eq!(again.outcome, Outcome::Waiting, "not paired twice in a row");
    let back = rules.back(&a, &choice("r7", 3)).await;
    assert_eq!(
        back.pairing.map(Outcome::Paired),
        Some(paired(&a, &c, "r7")),
        "draw 3 of b and c: c (of d, b and c it would be d)"
    );
    assert_eq!(
        rules.whereabouts(&b).await,
        Whereabouts::Lobby(group(0).access_code)
    );
}

/// Her room stays hers while she is away; her partner is told she went and came back.
pub async fn an_away_member_keeps_her_room_and_her_partner_is_told(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    let room = choice("r2", 0).room;
    assert_eq!(rules.away(&b).await, Some((room.clone(), a.clone())));
    assert_eq!(rules.whereabouts(&b).await, Whereabouts::Room(room.clone()));
    assert!(rules.is_away(&b).await);
    let back = rules.back(&b, &choice("r3", 0)).await;
    assert_eq!(back.partner, Some((room.clone(), a.clone())));
    assert_eq!(back.pairing, None);
    assert!(!rules.is_away(&b).await);
    rules.leave(&a, None).await;
    assert_eq!(rules.away(&b).await, None, "nobody left to tell");
    assert_eq!(rules.back(&b, &choice("r4", 0)).await.partner, None);
}

/// Only a member who is here can join: joining makes her present again.
pub async fn joining_makes_an_away_member_present(rules: &impl Executor) {
    let (a, b) = (member("a"), member("b"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.away(&a).await;
    rules.join(&a, &group(1), &choice("r2", 0)).await;
    assert!(!rules.is_away(&a).await);
    let second = rules.join(&b, &group(1), &choice("r3", 0)).await;
    assert_eq!(second.outcome, paired(&b, &a, "r3"));
}

/// A blocked pair never meets again in that group, even once each has met someone else
/// (the "not twice in a row" rule alone would let them).
pub async fn a_blocked_pair_never_meets_again_in_that_group(rules: &impl Executor) {
    let (a, b, c, d) = (member("a"), member("b"), member("c"), member("d"));
    rules.join(&a, &group(0), &choice("r1", 0)).await;
    rules.join(&b, &group(0), &choice("r2", 0)).await;
    let parted = rules.part(&a, &choice("r2", 0).room, Parting::Block).await;
    let parted = parted.expect("she was in r2");
    assert_eq!(Some(parted.departure), left("r2", Some(&b)));
    assert_eq!(parted.removal, None);
    assert_eq!(
        rules.part(&a, &choice("r2", 0).room, Parting::Block).await,
        None,
        "not in r2 any more"
    );
    // Each meets someone else, then both wait again: never paired with each other.
    rules.join(&c, &group(0), &choice("r3", 0)).await;
    assert_eq!(
        rules.join(&a, &group(0), &choice("r4", 0)).await.outcome,
        paired(&a, &c, "r4")
    );
    rules.join(&d, &group(0), &choice("r5", 0)).await;
    assert_eq!(
        rules.join(&b, &group(0), &choice("r6", 0)).await.outcome,
        paired(&b, &d, "r6")
    );
    rules.join(&a, &group(0), &choice("r7", 0)).await;
    let again = rules.join(&b, &group(0), &choice("r8", 0)).await;
    assert_eq!(again.outcome, Outcome::Waiting, "blocked");
    // In another group they may meet.
    rules.join(&a, &group(1), &choice("r9", 0)).await;
    let elsewhere = rules.join(&b, &group(1), &choice("r10", 0)).await;
    assert_eq!(elsewhere.outcome, paired(&b, &a, "r10"));
}

/// Reports from two members (the test's threshold) remove a member: she leaves wherever
/// she is, and her joins of that group are refused.
pub async fn reports_from_the_threshold_remove_a_member(rules: &impl Executor) {
    let (bad, x, y, z) = (member("bad"), member("x"), member("y"), member("z"));
    let report = Parting::Report { threshold: 2 };
    rules.join(&bad, &group(0), &choice("r1", 0)).await;
    rules.join(&x, &group(0), &choice("r2", 0)).await;
    let first = rules.part(&x, &choice("r2", 0).room, report).await.unwrap();
    assert_eq!(first.removal, None, "one reporter is not enough");
    rules.join(&y, &group(0), &choice("r3", 0)).await;
    rules.join(&bad, &group(0), &choice("r4", 0)).await;
    // She is with z in group 1 when y's report about r4 removes her from group 0.
    rules.join(&z, &group(1), &choice("r5", 0)).await;
    rules.join(&bad, &group(1), &choice("r6", 0)).await;
    let second = rules.part(&y, &choice("r4", 0).room, report).await.unwrap();
    assert_eq!(Some(second.departure), left("r4", None), "she had left r4");
    let removal = second.removal.expect("removed");
    assert_eq!(removal.member, bad);
    assert_eq!(removal.departure, left("r6", Some(&z)));
    assert_eq!(rules.whereabouts(&bad).await, Whereabouts::Nowhere);
    let refused = rules.join(&bad, &group(0), &choice("r7", 0)).await;
    assert_eq!(refused.outcome, Outcome::Removed);
    let other = rules.join(&bad, &group(1), &choice("r8", 0)).await;
    assert_eq!(
        other.outcome,
        Outcome::Waiting,
        "group 1 is still open to her"
    );
}

macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod model {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&super::Model::default()).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test]
                async fn $name() {
                    let (node, _other, _prefix) = super::redis_nodes().await;
                    super::$name(&node).await;
                }
            )*
        }
        mod redis_resumable {
            $(
                #[tokio::test]
                async fn $name() {
                    let (mut node, _other, _prefix) = super::redis_nodes().await;
                    node.resumable = true;
                    super::$name(&node).await;
                }
            )*
        }
    };
}

contract_tests!(
    the_first_joiner_waits_and_the_second_is_paired_with_her,
    members_of_different_groups_are_never_paired,
    former_partners_wait_apart_and_the_draw_picks_in_order_of_arrival,
    leaving_a_room_tells_the_partner_who_stays_alone,
    a_disconnect_tells_the_partner,
    closing_a_group_returns_its_waiters_and_refuses_later_joins,
    an_away_waiter_is_not_paired_until_she_is_back,
    back_in_a_lobby_the_draw_picks_among_present_waiters,
    an_away_member_keeps_her_room_and_her_partner_is_told,
    joining_makes_an_away_member_present,
    a_blocked_pair_never_meets_again_in_that_group,
    reports_from_the_threshold_remove_a_member,
    a_paused_lobby_pairs_nobody_until_pairing_runs_again,
    a_round_start_ends_the_rooms_seats_the_plan_and_the_byes_wait_again,
    a_planned_member_who_is_away_stays_and_her_planned_partner_waits_again,
    a_partner_who_was_not_planned_waits_again_when_the_round_takes_hers,
    a_break_ends_the_rooms_and_everyone_waits_unpaired_until_the_next_round,
    the_finish_ends_the_rooms_and_their_members_are_nowhere,
    stopping_a_series_in_a_break_pairs_the_waiters_in_order_of_arrival,
);
