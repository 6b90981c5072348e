use super::lobby::{Lobby, Waiter};
use super::member::{Place, Seat};
use super::{Departure, Joined, Member, Outcome, Pairing, Recipients};
use crate::domain::{AccessCode, DisplayName, Group, RoomId};
use dashmap::DashMap;
use parking_lot::Mutex;
use rand::Rng;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;

/// The two seats of a room; a seat empties when its member leaves.
type Seats<M> = [Option<Arc<Member<M>>>; 2];

/// One node's lobbies and rooms (see the module documentation for the locking rules).
pub struct Hub<M> {
    lobbies: DashMap<AccessCode, Arc<Mutex<Lobby<M>>>>,
    rooms: DashMap<RoomId, Seats<M>>,
    /// Groups closed by their owner, until they would have expired: a join that looked
    /// the group up just before it closed must not wait there forever.
    closed: DashMap<AccessCode, OffsetDateTime>,
    next_id: AtomicU64,
}

impl<M> Default for Hub<M> {
    fn default() -> Self {
        Self {
            lobbies: DashMap::new(),
            rooms: DashMap::new(),
            closed: DashMap::new(),
            next_id: AtomicU64::new(1),
        }
    }
}

/// Where a member is, without the references (cheap to copy out of her lock).
enum Whereabouts {
    Nowhere,
    Lobby(AccessCode),
    Room(RoomId),
}

impl<M: Clone> Hub<M> {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new member reachable through `handle`, in no lobby and no room.
    pub fn register(&self, handle: M) -> Arc<Member<M>> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Arc::new(Member::new(id, handle))
    }

    /// Leaves whatever she was in, then waits in `group`'s lobby under `name`, paired at
    /// once with a random eligible waiter if there is one. The caller has checked that the
    /// group is live.
    pub fn join(
        &self,
        member: &Arc<Member<M>>,
        group: &Group,
        name: DisplayName,
        rng: &mut impl Rng,
    ) -> Joined<M> {
        let _request = member.request.lock();
        let departure = self.vacate(member);
        let outcome = self.enter(member, group, name, rng);
        Joined { departure, outcome }
    }

    /// Leaves her lobby or room, whichever she is in (`leave_room`, disconnect).
    pub fn leave(&self, member: &Arc<Member<M>>) -> Option<Departure<M>> {
        let _request = member.request.lock();
        self.vacate(member)
    }

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
    /// one who waits in a lobby or sits in another room may not.
    pub fn recipients(&self, member: &Member<M>, room: &str) -> Option<Recipients<M>> {
        match &member.state.lock().place {
            Place::Room(seat) if seat.room.as_str() == room => {
                let partner = seat.partner.as_ref().map(|p| p.handle().clone());
                return Some(Recipients([Some(member.handle().clone()), partner]));
            }
            Place::Nowhere => {}
            _ => return None,
        }
        let seats = self.rooms.get(room)?;
        Some(Recipients(
            seats
                .each_ref()
                .map(|s| s.as_ref().map(|m| m.handle().clone())),
        ))
    }

    /// Closes `group` now: its waiters are sent nowhere and returned to be told.
    pub fn close_group(&self, group: &Group) -> Vec<M> {
        self.closed
            .insert(group.access_code.clone(), group.expires_at);
        self.drain(&group.access_code)
    }

    /// Closes the lobbies of groups expired at `now`, returning each with its former
    /// waiters, and forgets closed groups that have expired.
    pub fn sweep(&self, now: OffsetDateTime) -> Vec<(AccessCode, Vec<M>)> {
        self.closed.retain(|_, expires_at| *expires_at > now);
        self.lobby_snapshot()
            .into_iter()
            .filter(|(_, lobby)| lobby.lock().expires_at <= now)
            .map(|(code, _)| {
                let waiters = self.drain(&code);
                (code, waiters)
            })
            .collect()
    }

    /// Members waiting in all lobbies.
    pub fn waiting_count(&self) -> usize {
        self.lobby_snapshot()
            .iter()
            .map(|(_, lobby)| lobby.lock().waiting.len())
            .sum()
    }

    /// The lobbies, copied out of the map so that no shard stays locked while a lobby's
    /// lock is taken (the order is lobby, then map).
    fn lobby_snapshot(&self) -> Vec<(AccessCode, Arc<Mutex<Lobby<M>>>)> {
        self.lobbies
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().clone()))
            .collect()
    }

    /// Open rooms (with one or two members left).
    pub fn room_count(&self) -> usize {
        self.rooms.len()
    }

    fn whereabouts(member: &Member<M>) -> Whereabouts {
        match &member.state.lock().place {
            Place::Nowhere => Whereabouts::Nowhere,
            Place::Lobby(code) => Whereabouts::Lobby(code.clone()),
            Place::Room(seat) => Whereabouts::Room(seat.room.clone()),
        }
    }

    /// Takes her out of her lobby or room. Runs under her request lock, so only a pairing
    /// (lobby → room) or a closing group (lobby → nowhere) can move her meanwhile.
    fn vacate(&self, member: &Arc<Member<M>>) -> Option<Departure<M>> {
        loop {
            match Self::whereabouts(member) {
                Whereabouts::Nowhere => return None,
                Whereabouts::Room(room) => return Some(self.leave_seat(member, room)),
                Whereabouts::Lobby(code) => {
                    if self.leave_lobby(member, &code) {
                        return None;
                    }
                }
            }
        }
    }

    /// Removes her from `code`'s lobby; false if she was moved out of it meanwhile.
    fn leave_lobby(&self, member: &Member<M>, code: &AccessCode) -> bool {
        let Some(lobby) = self.lobbies.get(code).map(|entry| entry.value().clone()) else {
            return false;
        };
        let mut waiting = lobby.lock();
        let mut state = member.state.lock();
        if !matches!(&state.place, Place::Lobby(c) if c == code) {
            return false;
        }
        waiting.remove(member.number());
        state.place = Place::Nowhere;
        drop(state);
        self.retire_if_empty(code, &lobby, &mut waiting);
        true
    }

    /// Empties her seat; the partner, if still there, stays alone in the room.
    fn leave_seat(&self, member: &Member<M>, room: RoomId) -> Departure<M> {
        let mut partner = None;
        if let Some(mut seats) = self.rooms.get_mut(&room) {
            for seat in seats.iter_mut() {
                match seat {
                    Some(m) if m.number() == member.number() => *seat = None,
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
            member.state.lock().place = Place::Nowhere;
        }
        self.rooms
            .remove_if(&room, |_, seats| seats.iter().all(Option::is_none));
        Departure {
            room,
            partner: partner.map(|p| p.handle().clone()),
        }
    }

    fn enter(
        &self,
        member: &Arc<Member<M>>,
        group: &Group,
        name: DisplayName,
        rng: &mut impl Rng,
    ) -> Outcome<M> {
        let code = &group.access_code;
        loop {
            let lobby = self
                .lobbies
                .entry(code.clone())
                .or_insert_with(|| Arc::new(Mutex::new(Lobby::new(group.expires_at))))
                .clone();
            let mut waiting = lobby.lock();
            if waiting.retired {
                continue;
            }
            if self.closed.contains_key(code) {
                self.retire_if_empty(code, &lobby, &mut waiting);
                return Outcome::GroupClosed;
            }
            let last_partner = {
                let mut state = member.state.lock();
                state.last_group = Some(code.clone());
                state.name = Some(name.clone());
                state.last_partner
            };
            let Some(partner) = waiting.take_partner(member.number(), last_partner, rng) else {
                waiting.waiting.push(Waiter {
                    member: member.clone(),
                    name,
                    last_partner,
                });
                member.state.lock().place = Place::Lobby(code.clone());
                return Outcome::Waiting;
            };
            let room = RoomId::generate(rng);
            self.seat_pair(member, &partner.member, &room);
            self.retire_if_empty(code, &lobby, &mut waiting);
            return Outcome::Paired(Pairing {
                room,
                own: member.handle().clone(),
                own_name: name,
                partner: partner.member.handle().clone(),
                partner_name: partner.name,
            });
        }
    }

    /// Opens `room` for the two; runs under their lobby's lock.
    fn seat_pair(&self, a: &Arc<Member<M>>, b: &Arc<Member<M>>, room: &RoomId) {
        self.rooms
            .insert(room.clone(), [Some(a.clone()), Some(b.clone())]);
        for (me, other) in [(a, b), (b, a)] {
            let mut state = me.state.lock();
            state.place = Place::Room(Seat {
                room: room.clone(),
                partner: Some(other.clone()),
            });
            state.last_partner = Some(other.number());
        }
    }

    fn retire_if_empty(
        &self,
        code: &AccessCode,
        lobby: &Arc<Mutex<Lobby<M>>>,
        waiting: &mut Lobby<M>,
    ) {
        if waiting.waiting.is_empty() {
            waiting.retired = true;
            self.lobbies
                .remove_if(code, |_, current| Arc::ptr_eq(current, lobby));
        }
    }

    fn drain(&self, code: &AccessCode) -> Vec<M> {
        let Some((_, lobby)) = self.lobbies.remove(code) else {
            return Vec::new();
        };
        let mut waiting = lobby.lock();
        waiting.retired = true;
        waiting
            .waiting
            .drain(..)
            .map(|w| {
                w.member.state.lock().place = Place::Nowhere;
                w.member.handle().clone()
            })
            .collect()
    }
}

#[cfg(test)]
impl<M: Clone> Hub<M> {
    /// Panics unless PROTOCOL.md section 3's invariant holds: every member is in at most one
    /// place, the hub's records agree with hers, and no two waiters of a lobby are
    /// eligible for each other. Only meaningful while no request is running.
    pub(super) fn check_invariants(&self, members: &[Arc<Member<M>>]) {
        use super::lobby::eligible;
        use std::collections::HashMap;
        let mut seen: HashMap<super::MemberNumber, &'static str> = HashMap::new();
        for (code, lobby) in self.lobby_snapshot() {
            let lobby = lobby.lock();
            assert!(!lobby.retired, "a retired lobby is still listed");
            assert!(!lobby.waiting.is_empty(), "an empty lobby is still listed");
            for (i, a) in lobby.waiting.iter().enumerate() {
                assert!(
                    seen.insert(a.member.number(), "lobby").is_none(),
                    "member in two places"
                );
                assert!(matches!(&a.member.state.lock().place, Place::Lobby(c) if *c == code));
                for b in &lobby.waiting[i + 1..] {
                    let pairable = eligible(
                        a.member.number(),
                        a.last_partner,
                        b.member.number(),
                        b.last_partner,
                    );
                    assert!(!pairable, "two eligible members wait in one lobby");
                }
            }
        }
        for entry in self.rooms.iter() {
            let present: Vec<_> = entry.value().iter().flatten().collect();
            assert!(!present.is_empty(), "an empty room is still open");
            for m in &present {
                assert!(
                    seen.insert(m.number(), "room").is_none(),
                    "member in two places"
                );
                let state = m.state.lock();
                let Place::Room(seat) = &state.place else {
                    panic!("a seated member does not know her room");
                };
                assert!(seat.room == *entry.key());
                let partner = seat.partner.as_ref().map(|p| p.number());
                let other = present
                    .iter()
                    .map(|o| o.number())
                    .find(|id| *id != m.number());
                assert_eq!(partner, other, "seat and room disagree about the partner");
            }
        }
        for m in members {
            let placed = !matches!(m.state.lock().place, Place::Nowhere);
            assert_eq!(
                placed,
                seen.contains_key(&m.number()),
                "member's place is unknown to the hub"
            );
        }
    }
}
