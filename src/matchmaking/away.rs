//! Away and back (docs/protocol.md section 6): a member whose connection dropped keeps her
//! place but is never paired until she is back.

use super::member::{Place, RoomGroup};
use super::{Choice, Hub, Member, Pairing, Whereabouts};
use crate::domain::RoomId;
use std::sync::Arc;

/// What a member's return changed.
#[derive(Debug, PartialEq)]
pub struct Back<M> {
    /// Her room and the partner still in it, who was told that she was away.
    pub partner: Option<(RoomId, M)>,
    /// The pair formed at once when she came back to a lobby with an eligible waiter.
    pub pairing: Option<Pairing<M>>,
}

impl<M: Clone> Hub<M> {
    /// Her connection dropped: she keeps her lobby place or room but is never paired until
    /// [`Hub::back`]. Returns her room and the partner still in it, to be told.
    pub fn away(&self, member: &Arc<Member<M>>) -> Option<(RoomId, M)> {
        let _request = member.request.lock();
        let mut state = member.state.lock();
        state.away = true;
        match &state.place {
            Place::Room(seat) => seat
                .partner
                .as_ref()
                .map(|p| (seat.room.clone(), p.handle().clone())),
            _ => None,
        }
    }

    /// She is back: present again, and paired at once, with the waiter `choice` picks,
    /// when she waits in a lobby where someone eligible waits too.
    pub fn back(&self, member: &Arc<Member<M>>, choice: &Choice) -> Back<M> {
        let _request = member.request.lock();
        loop {
            let code = match member.whereabouts() {
                Whereabouts::Lobby(code) => code,
                Whereabouts::Room(room) => {
                    let mut state = member.state.lock();
                    state.away = false;
                    let partner = match &state.place {
                        Place::Room(seat) => seat.partner.as_ref().map(|p| p.handle().clone()),
                        _ => None,
                    };
                    return Back {
                        partner: partner.map(|p| (room, p)),
                        pairing: None,
                    };
                }
                Whereabouts::Nowhere => {
                    member.state.lock().away = false;
                    return Back {
                        partner: None,
                        pairing: None,
                    };
                }
            };
            let Some(lobby) = self.lobbies.get(&code).map(|entry| entry.value().clone()) else {
                continue;
            };
            let mut waiting = lobby.lock();
            let last_partner = {
                let mut state = member.state.lock();
                if !matches!(&state.place, Place::Lobby(c) if *c == code) {
                    continue;
                }
                state.away = false;
                state.last_partner
            };
            let safety = self.safety_of(&code);
            let safety = safety.as_ref().map(|s| s.lock());
            let blocked = |a, b| safety.as_ref().is_some_and(|s| s.is_blocked(a, b));
            let partner = match self.paused.contains(&code) {
                true => None,
                false => waiting.take_partner(member.number(), last_partner, blocked, choice),
            };
            let Some(partner) = partner else {
                return Back {
                    partner: None,
                    pairing: None,
                };
            };
            let own = waiting
                .remove(member.number())
                .expect("a member whose place is this lobby waits in it");
            let room = choice.room.clone();
            let group = RoomGroup {
                code: code.clone(),
                expires_at: waiting.expires_at,
            };
            self.seat_pair(
                &group,
                (member, &own.name),
                (&partner.member, &partner.name),
                &room,
            );
            self.retire_if_empty(&code, &lobby, &mut waiting);
            return Back {
                partner: None,
                pairing: Some(Pairing {
                    room,
                    own: member.handle().clone(),
                    own_name: own.name,
                    partner: partner.member.handle().clone(),
                    partner_name: partner.name,
                }),
            };
        }
    }
}
