//! Timed rounds on the hub (docs/protocol.md section 8): who is present, ending the rooms
//! of a round, seating the next round's pairs, and pausing ordinary pairing for a break.
//!
//! The pairing itself ([`super::rounds::pair_round`]) is the caller's: it runs over the
//! members [`Hub::present`] returns. Each step below takes the same locks as a member's own
//! request, one member (or one pair, in number order) at a time, so a member who acts
//! meanwhile (`next`, `leave`) is never in two places: her planned pair is skipped.

use super::member::{Place, RoomGroup};
use super::rounds::Blocks;
use super::{Choice, Hub, Member, MemberNumber, Outcome, Pairing};
use crate::domain::{AccessCode, DisplayName, Group, RoomId};
use std::collections::HashSet;
use std::sync::Arc;

/// Two members a round's plan puts together.
pub type PlannedPair<M> = (Arc<Member<M>>, Arc<Member<M>>);

/// What ending a round's rooms did.
pub struct RoomsEnded<M> {
    /// Every member whose room ended, with that room (each member once): she is told
    /// `round_ended`.
    pub ended: Vec<(RoomId, M)>,
    /// The members who left a room and are present: the ones to pair or seat anew.
    pub vacated: Vec<Arc<Member<M>>>,
    /// Partners left in an ended room who are neither among the members nor away (one who
    /// came in while the round was planned): they wait again.
    pub stranded: Vec<Arc<Member<M>>>,
}

/// What seating a round did.
pub struct Seated<M> {
    /// The pairs seated, seen from the first member of each.
    pub pairs: Vec<Pairing<M>>,
    /// The same pairs, by member number (for the series' history).
    pub met: Vec<(MemberNumber, MemberNumber)>,
    /// Members of planned pairs whose partner had moved meanwhile: they wait instead.
    pub unseated: Vec<Arc<Member<M>>>,
}

impl<M: Clone> Hub<M> {
    /// The members of `code` present for a round: waiting in its lobby or seated in one of
    /// its rooms, and not away; in order of number.
    pub fn present(&self, code: &AccessCode) -> Vec<Arc<Member<M>>> {
        let mut present: Vec<Arc<Member<M>>> = Vec::new();
        if let Some(lobby) = self.lobbies.get(code).map(|entry| entry.value().clone()) {
            present.extend(lobby.lock().waiting.iter().map(|w| w.member.clone()));
        }
        for seats in self.rooms.iter() {
            for member in seats.value().iter().flatten() {
                let of_group = matches!(
                    &member.state.lock().place,
                    Place::Room(seat) if seat.group.code == *code
                );
                if of_group {
                    present.push(member.clone());
                }
            }
        }
        present.retain(|m| !m.is_away());
        present.sort_by_key(|m| m.number());
        present.dedup_by_key(|m| m.number());
        present
    }

    /// The members each member of `code` may never be paired with (blocks and reports),
    /// both ways.
    pub fn blocks(&self, code: &AccessCode) -> Blocks<MemberNumber> {
        match self.safety_of(code) {
            Some(safety) => Blocks::from_pairs(safety.lock().blocked_pairs()),
            None => Blocks::default(),
        }
    }

    /// The members waiting in `code`'s lobby, in their order of arrival.
    pub fn waiters(&self, code: &AccessCode) -> Vec<Arc<Member<M>>> {
        let lobby = self.lobbies.get(code).map(|entry| entry.value().clone());
        lobby.map_or_else(Vec::new, |lobby| {
            lobby
                .lock()
                .waiting
                .iter()
                .map(|w| w.member.clone())
                .collect()
        })
    }

    /// Pauses ordinary pairing in `code`'s lobby (a break), or lets it run again.
    pub fn pause(&self, code: &AccessCode, paused: bool) {
        match paused {
            true => self.paused.insert(code.clone()),
            false => self.paused.remove(code).is_some(),
        };
    }

    /// Ends the rooms that `members` sit in: each of them, and a partner still there,
    /// leaves. Waiters are left where they are.
    pub fn end_rooms(&self, members: &[Arc<Member<M>>]) -> RoomsEnded<M> {
        let present: HashSet<MemberNumber> = members.iter().map(|m| m.number()).collect();
        let mut ended = RoomsEnded {
            ended: Vec::new(),
            vacated: Vec::new(),
            stranded: Vec::new(),
        };
        let mut told = HashSet::new();
        for member in members {
            let Some(room) = member.room() else {
                continue;
            };
            let partner = match &member.state.lock().place {
                Place::Room(seat) => seat.partner.clone(),
                _ => None,
            };
            if self.leave_room(member, room.as_str()).is_none() {
                continue; // she moved meanwhile
            }
            ended.vacated.push(member.clone());
            for gone in std::iter::once(member).chain(partner.iter()) {
                if told.insert(gone.number()) {
                    ended.ended.push((room.clone(), gone.handle().clone()));
                }
            }
            // A partner who is not among them leaves the ended room too; unless she is
            // away, she waits again.
            if let Some(partner) = partner.filter(|p| !present.contains(&p.number()))
                && self.leave_room(&partner, room.as_str()).is_some()
                && !partner.is_away()
            {
                ended.stranded.push(partner);
            }
        }
        ended
    }

    /// Seats each of `pairs` (members who are nowhere now) in a fresh room of `group`,
    /// the pair's own of `rooms`; a pair one of whom moved meanwhile is not seated.
    pub fn seat_round(
        &self,
        group: &Group,
        pairs: &[PlannedPair<M>],
        rooms: &[RoomId],
    ) -> Seated<M> {
        let room_group = RoomGroup {
            code: group.access_code.clone(),
            expires_at: group.expires_at,
        };
        let mut seated = Seated {
            pairs: Vec::new(),
            met: Vec::new(),
            unseated: Vec::new(),
        };
        for ((a, b), room) in pairs.iter().zip(rooms) {
            let (first, second) = match a.number() < b.number() {
                true => (a, b),
                false => (b, a),
            };
            let _first = first.request.lock();
            let _second = second.request.lock();
            let names = (name_if_nowhere(a), name_if_nowhere(b));
            let (Some(a_name), Some(b_name)) = names else {
                seated.unseated.extend([a.clone(), b.clone()]);
                continue;
            };
            self.seat_pair(&room_group, (a, &a_name), (b, &b_name), room);
            seated.met.push((a.number(), b.number()));
            seated.pairs.push(Pairing {
                room: room.clone(),
                own: a.handle().clone(),
                own_name: a_name,
                partner: b.handle().clone(),
                partner_name: b_name,
            });
        }
        seated
    }

    /// Puts `member` back in `group`'s lobby under the name she last joined with (paired at
    /// once, by `choice`, unless pairing is paused); `None` when she has no name yet.
    pub fn wait_again(
        &self,
        member: &Arc<Member<M>>,
        group: &Group,
        choice: &Choice,
    ) -> Option<Outcome<M>> {
        let name = member.state.lock().name.clone()?;
        Some(self.join(member, group, name, choice).outcome)
    }
}

/// Her name, when she is nowhere (free to be seated) and has joined under one.
fn name_if_nowhere<M>(member: &Member<M>) -> Option<DisplayName> {
    let state = member.state.lock();
    match state.place {
        Place::Nowhere => state.name.clone(),
        _ => None,
    }
}
