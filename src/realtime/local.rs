//! One node: lobbies and rooms in this process's memory, in a [`Hub`].

use super::masking::partner_copy;
use super::notices::LeaveReason;
use super::presence::{ChatPayload, Handle, Presence, Relayed};
use super::refusal::NOT_IN_ROOM;
use super::undelivered;
use crate::domain::{AccessCode, DisplayName, Group, MemberId};
use crate::matchmaking::{Choice, Departure, Hub, Joined, Member};
use crate::store::StoreError;
use async_trait::async_trait;
use serde::Serialize;
use socketioxide::adapter::LocalAdapter;
use socketioxide::socket::Socket;
use std::sync::{Arc, Weak};
use time::OffsetDateTime;

/// A member's socket on this node: her public id and a weak reference to the socket.
///
/// Weak, so that the hub's records never keep a closed socket alive and no reference
/// cycle forms between a socket and the record kept in its extensions.
#[derive(Clone)]
pub struct Peer {
    id: MemberId,
    socket: Weak<Socket<LocalAdapter>>,
}

impl Handle for Peer {
    fn id(&self) -> &MemberId {
        &self.id
    }

    fn emit<T: ?Sized + Serialize>(&self, event: &str, data: &T) {
        if let Some(socket) = self.socket.upgrade()
            && let Err(cause) = socket.emit(event, data)
        {
            undelivered::unsent(event, &cause);
        }
    }
}

/// Lobbies and rooms of a single node.
#[derive(Default)]
pub struct LocalPresence {
    hub: Hub<Peer>,
}

#[async_trait]
impl Presence for LocalPresence {
    type Connection = Weak<Socket<LocalAdapter>>;
    type Member = Arc<Member<Peer>>;
    type Handle = Peer;

    fn register(&self, socket: Self::Connection, id: MemberId) -> Self::Member {
        self.hub.register(Peer { id, socket })
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

    /// Emits straight to the one or two sockets of the room: no adapter, no lock beyond
    /// the sender's own record.
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
        let sender = member.handle().id();
        let masked = match partner_copy(payload.0, session_id, sender) {
            Ok(masked) => masked,
            Err(refusal) => return Relayed::Now(Err(refusal)),
        };
        for peer in recipients.iter() {
            match &masked {
                Some(copy) if peer.id() != sender => peer.emit("message", copy),
                _ => peer.emit("message", &payload),
            }
        }
        Relayed::Now(Ok(()))
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
}
