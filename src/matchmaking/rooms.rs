//! The room side of the hub: opening a room for a pair, leaving a seat, and who may send
//! into a room.

use super::member::{Member, Met, Place, RoomGroup, Seat};
use super::{Departure, Hub, Recipients, SeatView};
use crate::domain::{DisplayName, RoomId};
use std::sync::Arc;

impl<M: Clone> Hub<M> {
    /// Leaves the room named `room`; `None` (and no effect) when she is not in it.
    pub fn leave_room(&self, member: &Arc<Member<M>>, room: &str) -> Option<Departure<M>> {
        let _request = member.request.lock();
        let current = member.room().filter(|r| r.as_str() == room)?;
        Some(self.leave_seat(member, current))
    }

    /// Who receives a message that `member` sends into `room`, or `None` when she may not.
    ///
    /// A member of the room reaches herself and her partner. A member who is nowhere may
    /// name any open room (compat: the original front end sends over fresh connections);
    /// one who waits in a lobby or sits in another room may not, nor one removed from a
    /// group by reports.
    pub fn recipients(&self, member: &Member<M>, room: &str) -> Option<Recipients<M>> {
        let state = member.state.lock();
        match &state.place {
            Place::Room(seat) if seat.room.as_str() == room => {
                let partner = seat.partner.as_ref().map(|p| p.handle().clone());
                return Some(Recipients {
                    members: [Some(member.handle().clone()), partner],
                    from_outside: false,
                });
            }
            Place::Nowhere if !state.removed => drop(state),
            _ => return None,
        }
        let seats = self.rooms.get(room)?;
        Some(Recipients {
            members: seats
                .each_ref()
                .map(|s| s.as_ref().map(|m| m.handle().clone())),
            from_outside: true,
        })
    }

    /// Empties her seat; the partner, if still there, stays alone in the room.
    pub(super) fn leave_seat(&self, member: &Member<M>, room: RoomId) -> Departure<M> {
        let mut partner = None;
        let mut unseated = None;
        if let Some(mut seats) = self.rooms.get_mut(&room) {
            let mut found = false;
            for seat in seats.iter_mut() {
                match seat {
                    Some(m) if m.number() == member.number() => {
                        *seat = None;
                        found = true;
                    }
                    Some(m) => partner = Some(m.clone()),
                    None => {}
                }
            }
            if let Some(partner) = &partner
                && let Place::Room(seat) = &mut partner.state.lock().place
                && seat.room == room
            {
                seat.partner = None;
            }
            let mut state = member.state.lock();
            if let Place::Room(seat) = &state.place
                && found
            {
                unseated = Some(seat.group.code.clone());
            }
            state.place = Place::Nowhere;
        }
        self.rooms
            .remove_if(&room, |_, seats| seats.iter().all(Option::is_none));
        if let Some(group) = unseated {
            self.count_unseated(&group);
        }
        Departure {
            room,
            partner: partner.map(|p| p.handle().clone()),
        }
    }

    /// Opens `room` of `group` for the two, each seated with the other's name, and counts
    /// the pairing; runs under their lobby's lock.
    pub(super) fn seat_pair(
        &self,
        group: &RoomGroup,
        (a, a_name): (&Arc<Member<M>>, &DisplayName),
        (b, b_name): (&Arc<Member<M>>, &DisplayName),
        room: &RoomId,
    ) {
        self.rooms
            .insert(room.clone(), [Some(a.clone()), Some(b.clone())]);
        for (me, other, other_name) in [(a, b, b_name), (b, a, a_name)] {
            let mut state = me.state.lock();
            state.place = Place::Room(Seat {
                room: room.clone(),
                partner: Some(other.clone()),
                partner_name: other_name.clone(),
                met: Met {
                    number: other.number(),
                    member: Arc::downgrade(other),
                },
                group: group.clone(),
            });
            state.last_partner = Some(other.number());
        }
        self.count_pairing(&group.code);
    }

    /// Her room and the partner still in it, with the partner's name; `None` when she is
    /// in no room.
    pub fn seat(&self, member: &Member<M>) -> Option<SeatView<M>> {
        match &member.state.lock().place {
            Place::Room(seat) => Some(SeatView {
                room: seat.room.clone(),
                partner: seat
                    .partner
                    .as_ref()
                    .map(|p| (p.handle().clone(), seat.partner_name.clone())),
            }),
            _ => None,
        }
    }
}
