//! Several nodes: lobbies, rooms and member records in Redis, made atomic by Lua
//! scripts ([`RedisRules`]), and events carried between nodes by socketioxide's Redis
//! adapter.
//!
//! Members are known by their public member id, never by a session id. The key layout is
//! [`crate::store::Keys`]: a member's record (name, node, place, last partner, and `away`
//! while her connection is gone), kept alive by her node every third of the member TTL; a
//! group's lobby (its waiting members in order of arrival); a room's members; a closed
//! group's tombstone. Each socket sits in
//! an adapter room named by its member id, so that any node can reach it.

mod driver;
mod member;
mod peer;
mod relay;
mod replies;
mod rules;
mod scripts;

pub use driver::ResilientDriver;
pub use member::RedisMember;
pub use peer::RemotePeer;
pub use replies::{Reaped, RecordedPlace};
pub use rules::RedisRules;

use super::Link;
use super::context::SocketContext;
use super::notices::{self, LeaveReason};
use super::presence::{ChatPayload, Presence, Relayed};
use crate::domain::{AccessCode, DisplayName, Group, MemberId, RoomId};
use crate::matchmaking::{Back, Choice, Departure, Joined, Outcome, SeatView};
use crate::store::StoreError;
use async_trait::async_trait;
use dashmap::DashMap;
use member::Job;
use socketioxide::SocketIo;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// The adapter that carries events between nodes.
pub type RedisAdapter =
    socketioxide_redis::CustomRedisAdapter<socketioxide::adapter::Emitter, ResilientDriver>;

/// Lobbies and rooms shared by every node on one Redis.
pub struct RedisPresence {
    rules: RedisRules,
    driver: ResilientDriver,
    member_ttl: Duration,
    io: OnceLock<SocketIo<RedisAdapter>>,
    /// This node's members, whose records it keeps alive.
    members: DashMap<MemberId, Arc<RedisMember>>,
    /// Notices to members on other nodes, sent in order.
    notices: mpsc::UnboundedSender<Job>,
}

fn not_resumable() -> StoreError {
    StoreError::Unavailable("resuming is not built for several nodes yet".into())
}

fn not_attached() -> StoreError {
    StoreError::Unavailable("the Socket.IO server is not attached yet".into())
}

impl RedisPresence {
    /// Lobbies and rooms run by `rules`, with events between nodes on `driver`.
    pub fn new(rules: RedisRules, driver: ResilientDriver, member_ttl: Duration) -> Self {
        let (notices, mut jobs) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                job.await;
            }
        });
        Self {
            rules,
            driver,
            member_ttl,
            io: OnceLock::new(),
            members: DashMap::new(),
            notices,
        }
    }

    /// Hands over the Socket.IO server, once built; until then every request fails as
    /// unavailable (with the cause logged).
    pub fn attach_io(&self, io: SocketIo<RedisAdapter>) {
        if self.io.set(io).is_err() {
            tracing::warn!("the Socket.IO server was attached twice; the first one stays");
        }
    }

    fn io(&self) -> Option<&SocketIo<RedisAdapter>> {
        let io = self.io.get();
        if io.is_none() {
            tracing::error!("a request came before the Socket.IO server was attached");
        }
        io
    }

    fn peer(&self, io: &SocketIo<RedisAdapter>, id: MemberId) -> RemotePeer {
        RemotePeer::new(id, io.clone(), self.notices.clone())
    }

    /// The code of the group this node's member `id` entered last, from her socket's
    /// context (Redis knows only its fingerprint).
    fn entered_group(&self, id: &MemberId) -> Option<AccessCode> {
        let socket = self.members.get(id)?.socket()?;
        let context = SocketContext::<Self>::of(&socket)?;
        let entry = context.last_entry.lock();
        entry.as_ref().map(|entry| entry.code.clone())
    }

    /// Takes her socket out of the adapter room she left; the departure, reached.
    fn departed(
        &self,
        io: &SocketIo<RedisAdapter>,
        member: &RedisMember,
        departure: Option<Departure<MemberId>>,
    ) -> Option<Departure<RemotePeer>> {
        let departure = departure?;
        if let Some(socket) = member.socket() {
            socket.leave(departure.room.as_str().to_owned());
        }
        Some(departure.map(|id| self.peer(io, id)))
    }
}

#[async_trait]
impl Presence for RedisPresence {
    type Connection = Link<RedisAdapter>;
    type Member = Arc<RedisMember>;
    type Handle = RemotePeer;

    fn register(&self, link: Self::Connection, id: MemberId) -> Self::Member {
        // Every socket sits in a room named by its member id, so that any node can reach it.
        if let Some(socket) = link.socket.upgrade() {
            socket.join(id.as_str().to_owned());
        }
        let member = Arc::new(RedisMember::new(id.clone(), link));
        self.members.insert(id, member.clone());
        member
    }

    async fn join(
        &self,
        member: &Self::Member,
        group: &Group,
        name: DisplayName,
    ) -> Result<Joined<RemotePeer>, StoreError> {
        let io = self.io().ok_or_else(not_attached)?;
        let choice = Choice::random(&mut rand::rng());
        let joined = self.rules.join(&member.id, group, &name, &choice).await?;
        let departure = self.departed(io, member, joined.departure);
        let outcome = joined.outcome.map(|id| self.peer(io, id));
        if let Outcome::Paired(pairing) = &outcome {
            if let Some(socket) = member.socket() {
                socket.join(pairing.room.as_str().to_owned());
            }
            pairing.partner.join_room(pairing.room.as_str()).await;
        }
        Ok(Joined { departure, outcome })
    }

    async fn leave(
        &self,
        member: &Self::Member,
        reason: LeaveReason,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        let io = self.io().ok_or_else(not_attached)?;
        let gone = matches!(reason, LeaveReason::Disconnected);
        if gone {
            self.members.remove(&member.id);
        }
        let departure = self.rules.leave(&member.id, None).await;
        if gone && let Err(cause) = self.rules.forget(&member.id).await {
            tracing::warn!(%cause, "deleting a member's record failed; it expires by itself");
        }
        Ok(self.departed(io, member, departure?))
    }

    async fn leave_room(
        &self,
        member: &Self::Member,
        room: &str,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        if room.is_empty() {
            return Ok(None);
        }
        let io = self.io().ok_or_else(not_attached)?;
        let departure = self.rules.leave(&member.id, Some(room)).await?;
        Ok(self.departed(io, member, departure))
    }

    /// A member of the room (her socket sits in its adapter room on this node) relays
    /// through the adapter with no Redis round trip but its publish; anyone else is
    /// checked against Redis first. One sender's relays run in order.
    fn relay(
        &self,
        member: &Self::Member,
        room: &str,
        session_id: &str,
        payload: ChatPayload<'_>,
    ) -> Relayed {
        self.relay_message(member, room, session_id, payload)
    }

    async fn away(
        &self,
        _member: &Self::Member,
    ) -> Result<Option<(RoomId, RemotePeer)>, StoreError> {
        Err(not_resumable())
    }

    async fn back(&self, _member: &Self::Member) -> Result<Back<RemotePeer>, StoreError> {
        Err(not_resumable())
    }

    async fn seat(
        &self,
        _member: &Self::Member,
    ) -> Result<Option<SeatView<RemotePeer>>, StoreError> {
        Err(not_resumable())
    }

    async fn close_group(&self, group: &Group) -> Result<Vec<RemotePeer>, StoreError> {
        let io = self.io().ok_or_else(not_attached)?;
        let waiters = self.rules.close(group).await?;
        Ok(waiters.into_iter().map(|id| self.peer(io, id)).collect())
    }

    /// Keeps this node's records alive, tells members whose partner's node died, and
    /// closes lobbies of groups that expired.
    async fn sweep(&self, _now: OffsetDateTime) -> Vec<(AccessCode, Vec<RemotePeer>)> {
        let Some(io) = self.io() else {
            return Vec::new();
        };
        let ids: Vec<MemberId> = self.members.iter().map(|m| m.key().clone()).collect();
        let found = match self.rules.reap(&ids).await {
            Ok(found) => found,
            Err(cause) => {
                tracing::warn!(%cause, "refreshing member records failed");
                return Vec::new();
            }
        };
        let mut closed = Vec::new();
        for event in found {
            match event {
                Reaped::PartnerGone { member, room } => notices::partner_gone(
                    Some(Departure {
                        room,
                        partner: Some(self.peer(io, member)),
                    }),
                    LeaveReason::Disconnected,
                ),
                Reaped::GroupGone { member } => {
                    if let Some(code) = self.entered_group(&member) {
                        closed.push((code, vec![self.peer(io, member)]));
                    }
                }
            }
        }
        closed
    }

    /// Ready when the adapter's connection answers too, so that events between nodes
    /// flow again after an outage.
    async fn ready(&self) -> Result<(), StoreError> {
        self.driver
            .ping()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    fn maintenance_interval(&self) -> Option<Duration> {
        Some(self.member_ttl / 3)
    }

    /// This node's members who wait, and the rooms they sit in.
    async fn counts(&self) -> Result<(usize, usize), StoreError> {
        let ids: Vec<MemberId> = self.members.iter().map(|m| m.key().clone()).collect();
        let (mut waiting, mut rooms) = (0, std::collections::HashSet::new());
        for place in self.rules.places(&ids).await? {
            match place {
                RecordedPlace::Lobby(_) => waiting += 1,
                RecordedPlace::Room(room) => {
                    rooms.insert(room);
                }
                RecordedPlace::Nowhere => {}
            }
        }
        Ok((waiting, rooms.len()))
    }
}
