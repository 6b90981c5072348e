use super::lobby::{Lobby, Waiter};
use super::member::{Place, RoomGroup};
use super::occupancy::GroupTally;
use super::safety::Safety;
use super::{Choice, Departure, Joined, Member, Outcome, Pairing, Whereabouts};
use crate::domain::{AccessCode, DisplayName, Group, RoomId};
use dashmap::{DashMap, DashSet};
use parking_lot::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;

/// The two seats of a room; a seat empties when its member leaves.
pub(super) type Seats<M> = [Option<Arc<Member<M>>>; 2];

/// One node's lobbies and rooms (see the module documentation for the locking rules).
pub struct Hub<M> {
    pub(super) lobbies: DashMap<AccessCode, Arc<Mutex<Lobby<M>>>>,
    pub(super) rooms: DashMap<RoomId, Seats<M>>,
    /// Groups closed by their owner, until they would have expired: a join that looked
    /// the group up just before it closed must not wait there forever.
    closed: DashMap<AccessCode, OffsetDateTime>,
    /// Blocks, reports and removals, per group (docs/protocol.md section 7).
    pub(super) safety: DashMap<AccessCode, Arc<Mutex<Safety>>>,
    /// Per group: members seated in its rooms and pairings not yet saved (see
    /// [`Hub::occupancy`]).
    pub(super) tallies: DashMap<AccessCode, GroupTally>,
    /// Groups whose ordinary pairing is paused (a break between timed rounds).
    pub(super) paused: DashSet<AccessCode>,
    next_id: AtomicU64,
}

impl<M> Default for Hub<M> {
    fn default() -> Self {
        Self {
            lobbies: DashMap::new(),
            rooms: DashMap::new(),
            closed: DashMap::new(),
            safety: DashMap::new(),
            tallies: DashMap::new(),
            paused: DashSet::new(),
            next_id: AtomicU64::new(1),
        }
    }
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
    /// once with the eligible waiter `choice` picks if there is one. The caller has
    /// checked that the group is live.
    pub fn join(
        &self,
        member: &Arc<Member<M>>,
        group: &Group,
        name: DisplayName,
        choice: &Choice,
    ) -> Joined<M> {
        let _request = member.request.lock();
        let departure = self.vacate(member);
        // Only a member who is here can ask to join: she is present.
        member.state.lock().away = false;
        let outcome = self.enter(member, group, name, choice);
        Joined { departure, outcome }
    }

    /// Leaves her lobby or room, whichever she is in (`leave_room`, disconnect).
    pub fn leave(&self, member: &Arc<Member<M>>) -> Option<Departure<M>> {
        let _request = member.request.lock();
        self.vacate(member)
    }

    /// Closes `group` now: its waiters are sent nowhere and returned to be told.
    pub fn close_group(&self, group: &Group) -> Vec<M> {
        self.closed
            .insert(group.access_code.clone(), group.expires_at);
        self.forget_safety(OffsetDateTime::UNIX_EPOCH, Some(&group.access_code));
        self.paused.remove(&group.access_code);
        self.drain(&group.access_code)
    }

    /// Closes the lobbies of groups expired at `now`, returning each with its former
    /// waiters, and forgets closed groups that have expired.
    pub fn sweep(&self, now: OffsetDateTime) -> Vec<(AccessCode, Vec<M>)> {
        self.closed.retain(|_, expires_at| *expires_at > now);
        self.forget_safety(now, None);
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
    pub(super) fn lobby_snapshot(&self) -> Vec<(AccessCode, Arc<Mutex<Lobby<M>>>)> {
        self.lobbies
            .iter()
            .map(|entry| (entry.key().clone(), entry.value().clone()))
            .collect()
    }

    /// Open rooms (with one or two members left).
    pub fn room_count(&self) -> usize {
        self.rooms.len()
    }

    /// Takes her out of her lobby or room. Runs under her request lock, so only a pairing
    /// (lobby → room) or a closing group (lobby → nowhere) can move her meanwhile.
    fn vacate(&self, member: &Arc<Member<M>>) -> Option<Departure<M>> {
        loop {
            match member.whereabouts() {
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

    fn enter(
        &self,
        member: &Arc<Member<M>>,
        group: &Group,
        name: DisplayName,
        choice: &Choice,
    ) -> Outcome<M> {
        let code = &group.access_code;
        member.state.lock().name = Some(name.clone());
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
            let safety = self.safety_of(code);
            let safety = safety.as_ref().map(|s| s.lock());
            if safety
                .as_ref()
                .is_some_and(|s| s.is_removed(member.number()))
            {
                self.retire_if_empty(code, &lobby, &mut waiting);
                return Outcome::Removed;
            }
            let last_partner = member.state.lock().last_partner;
            let blocked = |a, b| safety.as_ref().is_some_and(|s| s.is_blocked(a, b));
            let partner = match self.paused.contains(code) {
                true => None,
                false => waiting.take_partner(member.number(), last_partner, blocked, choice),
            };
            let Some(partner) = partner else {
                waiting.waiting.push(Waiter {
                    member: member.clone(),
                    name,
                    last_partner,
                });
                member.state.lock().place = Place::Lobby(code.clone());
                return Outcome::Waiting;
            };
            let room = choice.room.clone();
            let group = RoomGroup {
                code: code.clone(),
                expires_at: waiting.expires_at,
            };
            self.seat_pair(
                &group,
                (member, &name),
                (&partner.member, &partner.name),
                &room,
            );
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

    pub(super) fn retire_if_empty(
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
