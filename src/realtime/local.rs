//! One node: lobbies and rooms in this process's memory, in a [`Hub`].

use super::delivery::{Delivery, Link, Mailbox, Relaying};
use super::masking::partner_copy;
use super::notices::LeaveReason;
use super::presence::{ChatPayload, Handle, Presence, Relayed, Sent};
use super::refusal::NOT_IN_ROOM;
use super::tokens::Tokens;
use crate::domain::{AccessCode, DisplayName, Group, MemberId, RoomId};
use crate::matchmaking::{
    Back, Choice, Departure, Hub, Joined, Member, Occupancy, Parted, Parting, SeatView,
};
use crate::store::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use socketioxide::adapter::LocalAdapter;
use std::sync::Arc;
use time::OffsetDateTime;

/// A member on this node, reached through her [`Mailbox`] (which a resume points at her
/// new socket).
#[derive(Clone)]
pub struct Peer(Arc<Mailbox<LocalAdapter>>);

impl Peer {
    /// Where her events go.
    pub fn mailbox(&self) -> &Mailbox<LocalAdapter> {
        &self.0
    }
}

impl Handle for Peer {
    fn id(&self) -> &MemberId {
        self.0.id()
    }

    fn emit<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        self.0.notify(event, data);
    }

    /// Emitting queues on her socket at once.
    fn sent(&self) -> impl Future<Output = ()> + Send {
        std::future::ready(())
    }
}

/// `typing`'s payload.
#[derive(Serialize)]
struct Typing<'a> {
    room: &'a str,
}

/// Lobbies and rooms of a single node.
#[derive(Default)]
pub struct LocalPresence {
    pub(super) hub: Hub<Peer>,
    /// Resumable members' tokens.
    pub(super) tokens: Tokens<LocalPresence>,
    /// Each group's series of timed rounds.
    pub(super) series: super::local_rounds::SeriesBook,
}

#[async_trait]
impl Presence for LocalPresence {
    type Connection = Link<LocalAdapter>;
    type Member = Arc<Member<Peer>>;
    type Handle = Peer;

    fn register(&self, socket: Self::Connection, id: MemberId) -> Self::Member {
        self.hub.register(Peer(Mailbox::new(id, socket)))
    }

    async fn join(
        &self,
        member: &Self::Member,
        group: &Group,
        name: DisplayName,
    ) -> Result<Joined<Peer>, StoreError> {
        Ok(self
            .hub
            .join(member, group, name, &Choice::random(&mut rand::rng())))
    }

    /// Every reason leaves the same way: the hub drops her record with her socket.
    async fn leave(
        &self,
        member: &Self::Member,
        _reason: LeaveReason,
    ) -> Result<Option<Departure<Peer>>, StoreError> {
        Ok(self.hub.leave(member))
    }

    async fn leave_room(
        &self,
        member: &Self::Member,
        room: &str,
    ) -> Result<Option<Departure<Peer>>, StoreError> {
        Ok(self.hub.leave_room(member, room))
    }

    async fn part(
        &self,
        member: &Self::Member,
        room: &str,
        parting: Parting,
    ) -> Result<Option<Parted<Peer>>, StoreError> {
        Ok(self.hub.part(member, room, parting))
    }

    /// Emits straight to the one or two sockets of the room, the partner first: a
    /// partner who is away and can hold no more refuses it for both.
    fn relay(
        &self,
        member: &Self::Member,
        room: &str,
        session_id: &str,
        payload: ChatPayload<'_>,
    ) -> Relayed {
        let Some(recipients) = self.hub.recipients(member, room) else {
            return Relayed::Now(Err(NOT_IN_ROOM));
        };
        if recipients.from_outside && recipients.iter().any(|p| p.mailbox().is_resumable()) {
            // A resumable member's client resumes instead (no "zombie" posts).
            return Relayed::Now(Err(NOT_IN_ROOM));
        }
        let sender = member.handle().id();
        let masked = match partner_copy(payload.0, session_id, sender) {
            Ok(masked) => masked,
            Err(refusal) => return Relayed::Now(Err(refusal)),
        };
        let mut held = false;
        let mut waiting = None;
        for peer in recipients.iter().filter(|p| p.id() != sender) {
            let relaying = match &masked {
                Some(copy) => peer.mailbox().relay("message", copy, true),
                None => peer.mailbox().relay("message", payload.0, true),
            };
            match relaying {
                Relaying::Done(delivery) => match delivery.for_sender() {
                    Ok(sent) => held |= sent == Sent::Held,
                    Err(refusal) => return Relayed::Now(Err(refusal)),
                },
                Relaying::Waiting(later) => waiting = Some(later),
            }
        }
        if !recipients.from_outside {
            // Her own echo: its fate is hers to see (she is the one reading, or not).
            let _echo = member.handle().mailbox().relay("message", payload.0, false);
        }
        match waiting {
            None if held => Relayed::Now(Ok(Sent::Held)),
            None => Relayed::Now(Ok(Sent::Delivered)),
            Some(later) => {
                // Not read from until her message has room (or times out).
                let reading = member.handle().mailbox().hold_reading();
                Relayed::Later(Box::pin(async move {
                    let fate = later.await.unwrap_or(Delivery::Unreachable).for_sender();
                    drop(reading);
                    fate
                }))
            }
        }
    }

    async fn away(&self, member: &Self::Member) -> Result<Option<(RoomId, Peer)>, StoreError> {
        Ok(self.hub.away(member))
    }

    async fn back(&self, member: &Self::Member) -> Result<Back<Peer>, StoreError> {
        Ok(self.hub.back(member, &Choice::random(&mut rand::rng())))
    }

    async fn seat(&self, member: &Self::Member) -> Result<Option<SeatView<Peer>>, StoreError> {
        Ok(self.hub.seat(member))
    }

    /// Her mailbox keeps it, and a resume keeps her mailbox.
    async fn set_filter(&self, member: &Self::Member, on: bool) -> Result<(), StoreError> {
        member.handle().mailbox().filter().set(on);
        Ok(())
    }

    async fn typing(&self, member: &Self::Member, room: &str) -> Result<(), StoreError> {
        if let Some(recipients) = self.hub.recipients(member, room)
            && !recipients.from_outside
        {
            let sender = member.handle().id();
            for peer in recipients.iter().filter(|p| p.id() != sender) {
                peer.mailbox().volatile("typing", &Typing { room });
            }
        }
        Ok(())
    }

    async fn close_group(&self, group: &Group) -> Result<Vec<Peer>, StoreError> {
        Ok(self.hub.close_group(group))
    }

    async fn sweep(&self, now: OffsetDateTime) -> Vec<(AccessCode, Vec<Peer>)> {
        self.hub.sweep(now)
    }

    async fn counts(&self) -> Result<(usize, usize), StoreError> {
        Ok((self.hub.waiting_count(), self.hub.room_count()))
    }

    async fn occupancy(&self, group: &Group) -> Result<Occupancy, StoreError> {
        Ok(self.hub.occupancy(&group.access_code))
    }

    /// The hub counts pairings in memory; they are saved in batches.
    fn take_pairings(&self) -> Vec<(AccessCode, u64)> {
        self.hub.take_pairings()
    }
}
