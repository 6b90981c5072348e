//! The steps of timed rounds on the hub (docs/protocol.md section 8), each given its plan
//! and its random draws, so that the Redis scripts can be checked against them step by
//! step (tests/rules): a round's start, a round's end, and stopping a series.

use super::rounds::RoundPlan;
use super::{Choice, Hub, Member, MemberNumber, Outcome, Pairing, Whereabouts};
use crate::domain::{Group, RoomId};
use crate::series::Step;
use std::collections::HashSet;
use std::sync::Arc;

/// The random draws of a round's start: a fresh room for each planned pair, in order,
/// and a choice for each member who waits again (byes first, then members whose planned
/// partner is gone, then partners left behind who were not planned), in order.
#[derive(Debug, Clone)]
pub struct RoundDraws {
    /// One room per planned pair.
    pub rooms: Vec<RoomId>,
    /// One choice per member who may wait again: enough for every planned member and a
    /// partner of each.
    pub choices: Vec<Choice>,
}

impl RoundDraws {
    /// Fresh draws for `plan`.
    pub fn random<T>(plan: &RoundPlan<T>, rng: &mut impl rand::Rng) -> Self {
        let rooms = plan.pairs.iter().map(|_| RoomId::generate(rng)).collect();
        // Each planned member may wait again, and so may a partner she leaves behind.
        let waits = (plan.pairs.len() * 2 + plan.byes.len()) * 2;
        let choices = (0..waits).map(|_| Choice::random(rng)).collect();
        Self { rooms, choices }
    }
}

/// What a round's start did.
pub struct RoundStarted<M> {
    /// Every member whose room ended, with the room.
    pub ended: Vec<(RoomId, M)>,
    /// The round's pairs, seen from the plan's first member of each.
    pub pairs: Vec<Pairing<M>>,
    /// The byes who were present.
    pub byes: Vec<M>,
    /// Pairs formed the ordinary way as members waited again.
    pub ordinary: Vec<Pairing<M>>,
    /// The round as applied, for the series' history: the pairs seated, and the byes.
    pub applied: RoundPlan<MemberNumber>,
}

/// What a round's end did.
pub struct RoundEnded<M> {
    /// The group's present members (before the step).
    pub present: Vec<M>,
    /// Every member whose room ended, with the room.
    pub ended: Vec<(RoomId, M)>,
}

/// The choice of a member who waits while pairing is paused: no pair forms, so no room
/// is drawn.
fn paused_choice() -> Choice {
    Choice {
        room: RoomId::from_wire(""),
        draw: 0,
    }
}

impl<M: Clone> Hub<M> {
    /// Starts a round of `group` by `plan` (over member numbers): every planned member who
    /// is present leaves her room or lobby; each pair whose members are both present is
    /// seated in its room of `draws`; the present byes, then members whose partner is
    /// not present (or moved meanwhile), then the partners left behind in ended rooms who
    /// were not planned (they came in while the round was planned), wait again with the
    /// choices of `draws`, in order, as pairing runs again.
    pub fn start_round(
        &self,
        group: &Group,
        plan: &RoundPlan<MemberNumber>,
        draws: &RoundDraws,
    ) -> RoundStarted<M> {
        let code = &group.access_code;
        let planned: HashSet<MemberNumber> = plan
            .pairs
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .chain(plan.byes.iter().copied())
            .collect();
        let mut moving = self.present(code);
        moving.retain(|m| planned.contains(&m.number()));
        let ended = self.end_rooms(&moving);
        for member in &moving {
            self.leave(member); // the waiters; room members are out already
        }
        let find = |n: &MemberNumber| moving.iter().find(|m| m.number() == *n).cloned();
        let (mut pairs, mut rooms, mut lone) = (Vec::new(), Vec::new(), Vec::new());
        for ((a, b), room) in plan.pairs.iter().zip(&draws.rooms) {
            match (find(a), find(b)) {
                (Some(a), Some(b)) => {
                    pairs.push((a, b));
                    rooms.push(room.clone());
                }
                (Some(one), None) | (None, Some(one)) => lone.push(one),
                (None, None) => {}
            }
        }
        let seated = self.seat_round(group, &pairs, &rooms);
        self.pause(code, false);
        let byes: Vec<Arc<Member<M>>> = plan.byes.iter().filter_map(find).collect();
        let waiting = (byes.iter().chain(&lone))
            .chain(&seated.unseated)
            .chain(&ended.stranded);
        let ordinary = self.wait_again_all(group, waiting, &draws.choices);
        RoundStarted {
            ended: ended.ended,
            pairs: seated.pairs,
            byes: byes.iter().map(|m| m.handle().clone()).collect(),
            ordinary,
            applied: RoundPlan {
                pairs: seated.met,
                byes: plan.byes.clone(),
            },
        }
    }

    /// A step at a round's end (`Warn`, `Break`, `Finish`) in `group`: rooms end on a
    /// break or at the finish; on a break pairing is paused and their members wait, in
    /// the order of their public ids (`id_of`), which every backend can follow.
    pub fn end_round(
        &self,
        group: &Group,
        step: Step,
        id_of: impl Fn(&M) -> &str,
    ) -> RoundEnded<M> {
        let code = &group.access_code;
        let present = self.present(code);
        let ended = match step {
            Step::Break { .. } => {
                self.pause(code, true);
                let mut ended = self.end_rooms(&present);
                ended
                    .vacated
                    .sort_by(|a, b| id_of(a.handle()).cmp(id_of(b.handle())));
                let choices = vec![paused_choice(); ended.vacated.len()];
                self.wait_again_all(group, ended.vacated.iter(), &choices);
                ended.ended
            }
            Step::Finish { .. } => self.end_rooms(&present).ended,
            Step::Warn { .. } | Step::Start { .. } => Vec::new(),
        };
        RoundEnded {
            present: present.iter().map(|m| m.handle().clone()).collect(),
            ended,
        }
    }

    /// Stops a series in `group`: pairing runs again, and the present waiters join again
    /// in their order of arrival, as if they had just come, each with the next of
    /// `choices` (those beyond the choices keep their place) unless an earlier one was
    /// paired with her; an away waiter keeps her place until she is back. The pairs that
    /// formed.
    pub fn stop_rounds(&self, group: &Group, choices: &[Choice]) -> Vec<Pairing<M>> {
        let code = &group.access_code;
        self.pause(code, false);
        let waiters = self.waiters(code);
        // Checked as each one's turn comes: an earlier one may have been paired with her.
        let still_waiting = |m: &&Arc<Member<M>>| {
            !m.is_away() && m.whereabouts() == Whereabouts::Lobby(code.clone())
        };
        self.wait_again_all(group, waiters.iter().filter(still_waiting), choices)
    }

    /// Puts `members` back in `group`'s lobby, in order, each with the next of `choices`
    /// (those beyond the choices stay where they are); the pairs that formed.
    fn wait_again_all<'a>(
        &self,
        group: &Group,
        members: impl Iterator<Item = &'a Arc<Member<M>>>,
        choices: &[Choice],
    ) -> Vec<Pairing<M>>
    where
        M: 'a,
    {
        members
            .zip(choices)
            .filter_map(|(m, choice)| match self.wait_again(m, group, choice) {
                Some(Outcome::Paired(pairing)) => Some(pairing),
                _ => None,
            })
            .collect()
    }
}
