//! Several nodes: lobbies, rooms and member records in Redis, made atomic by Lua
//! scripts ([`RedisRules`]); events to members through the delivery scripts and each
//! node's own channel (`courier`, `inbox`), written to a member's socket by her node
//! through her outbox, with the send timeout (`outbound`); and socket room joins through
//! socketioxide's Redis adapter.
//!
//! Members are known by their public member id, never by a session id. The key layout is
//! [`crate::store::Keys`]: a member's record (name, node, place, last partner, and `away`
//! while her connection is gone; for a resumable member also her last `seq`, her
//! journal's size, the SHA-256 of her resume token and her group's sealed code), kept
//! alive by her node every third of the member TTL; a resumable member's journal; a
//! group's lobby (its waiting members in order of arrival); a room's members; a closed
//! group's tombstone; a group's series of timed rounds, its history and its driver's
//! lease (`rounds`). Her profanity filter: see [`super::reader_filter`] (the `filter` field
//! of a resumable member's record; each event's sender travels with it, so that the node
//! writing to her socket tells her own echo from a partner's message). Each socket sits in an adapter room named by its member id, so that
//! any node can reach it. Resumable members: see `resume` and `absence`.

mod absence;
mod courier;
mod driver;
mod inbox;
mod member;
mod outbound;
mod peer;
mod relay;
mod replies;
mod resume;
mod round_replies;
mod round_rules;
mod rounds;
mod rules;
mod scripts;
mod upkeep;

pub use driver::ResilientDriver;
pub use member::RedisMember;
pub use peer::RemotePeer;
pub use replies::{Reaped, RecordedPlace};
pub use round_rules::{Driven, RoundView};
pub use rules::RedisRules;

use super::notices::LeaveReason;
use super::presence::{ChatPayload, Presence, Relayed};
use super::{Bounds, Link};
use crate::domain::{AccessCode, DisplayName, Group, MemberId, RoomId};
use crate::matchmaking::{
    Back, Choice, Departure, Joined, Occupancy, Outcome, Parted, Parting, Removal, SeatView,
};
use crate::store::StoreError;
use async_trait::async_trait;
use courier::Courier;
use member::Job;
use socketioxide::SocketIo;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// The adapter that joins sockets to rooms across nodes (and closes a resumed member's
/// previous connection wherever it is).
pub type RedisAdapter =
    socketioxide_redis::CustomRedisAdapter<socketioxide::adapter::Emitter, ResilientDriver>;

/// Lobbies and rooms shared by every node on one Redis.
pub struct RedisPresence {
    rules: RedisRules,
    driver: ResilientDriver,
    member_ttl: Duration,
    io: OnceLock<SocketIo<RedisAdapter>>,
    /// Delivers events, and knows this node's members (whose records it keeps alive).
    courier: Arc<Courier>,
    /// Notices to members on other nodes, sent in order.
    notices: mpsc::UnboundedSender<Job>,
}

fn not_attached() -> StoreError {
    StoreError::Unavailable("the Socket.IO server is not attached yet".into())
}

impl RedisPresence {
    /// Lobbies and rooms run by `rules`, with events between nodes on `driver`;
    /// resumable members' journals keep what `bounds` allow.
    pub fn new(
        rules: RedisRules,
        driver: ResilientDriver,
        member_ttl: Duration,
        bounds: Bounds,
    ) -> Self {
        let (notices, mut jobs) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                job.await;
            }
        });
        Self {
            courier: Arc::new(Courier::new(rules.clone(), bounds)),
            rules,
            driver,
            member_ttl,
            io: OnceLock::new(),
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

    /// Subscribes this node to its delivery channel.
    pub async fn listen(&self) -> redis::RedisResult<()> {
        inbox::listen(
            &self.driver,
            self.courier.own_channel(),
            self.courier.members.clone(),
        )
        .await
    }

    /// This node's record of member `id` on `link`'s socket.
    fn member_on(&self, id: MemberId, link: Link<RedisAdapter>) -> Arc<RedisMember> {
        let journal = member::JournalSource {
            redis: self.rules.connection(),
            key: self.rules.keys().journal(&id),
        };
        RedisMember::new(id, link, journal, Arc::downgrade(&self.courier))
    }

    fn io(&self) -> Option<&SocketIo<RedisAdapter>> {
        let io = self.io.get();
        if io.is_none() {
            tracing::error!("a request came before the Socket.IO server was attached");
        }
        io
    }

    fn peer(&self, io: &SocketIo<RedisAdapter>, id: MemberId) -> RemotePeer {
        RemotePeer::new(id, io.clone(), self.notices.clone(), self.courier.clone())
    }

    /// Takes her socket out of the adapter room she left; the departure, reached.
    fn departed(
        &self,
        io: &SocketIo<RedisAdapter>,
        member: &RedisMember,
        departure: Option<Departure<MemberId>>,
    ) -> Option<Departure<RemotePeer>> {
        departure.map(|departure| self.left_room(io, member, departure))
    }

    /// Takes her socket out of the adapter room she left; the departure, reached.
    fn left_room(
        &self,
        io: &SocketIo<RedisAdapter>,
        member: &RedisMember,
        departure: Departure<MemberId>,
    ) -> Departure<RemotePeer> {
        if let Some(socket) = member.socket() {
            socket.leave(departure.room.as_str().to_owned());
        }
        departure.map(|id| self.peer(io, id))
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
        let member = self.member_on(id.clone(), link);
        self.courier.members.insert(id, member.clone());
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
        let joined = match member.is_resumable() {
            true => {
                (self.rules)
                    .join_resumable(&member.id, group, &name, &choice)
                    .await?
            }
            false => self.rules.join(&member.id, group, &name, &choice).await?,
        };
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

    /// A member whose connection is gone (`LeaveReason::Disconnected`) is forgotten,
    /// unless she has resumed on another socket meanwhile.
    async fn leave(
        &self,
        member: &Self::Member,
        reason: LeaveReason,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        let io = self.io().ok_or_else(not_attached)?;
        let departure = match reason {
            LeaveReason::Disconnected => self.ended(member).await?,
            LeaveReason::Left | LeaveReason::Next => self.rules.leave(&member.id, None).await?,
        };
        Ok(self.departed(io, member, departure))
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

    /// A removed member's socket leaves the adapter room she was taken out of, wherever
    /// it is, so that no pair on one node keeps chatting past Redis.
    async fn part(
        &self,
        member: &Self::Member,
        room: &str,
        parting: Parting,
    ) -> Result<Option<Parted<RemotePeer>>, StoreError> {
        if room.is_empty() {
            return Ok(None);
        }
        let io = self.io().ok_or_else(not_attached)?;
        let Some(parted) = self.rules.part(&member.id, room, parting).await? else {
            return Ok(None);
        };
        let departure = self.left_room(io, member, parted.departure);
        let removal = match parted.removal {
            Some(removal) => {
                let removed = self.peer(io, removal.member);
                if let Some(left) = &removal.departure {
                    removed.leave_room(left.room.as_str()).await;
                }
                Some(Removal {
                    departure: removal.departure.map(|d| d.map(|id| self.peer(io, id))),
                    member: removed,
                })
            }
            None => None,
        };
        Ok(Some(Parted { departure, removal }))
    }

    /// Two plain members of a room on this node chat with no Redis round trip; every
    /// other message takes one (the relay script: the sender's right to post, and the
    /// numbering of resumable members' events, which only Redis can order across
    /// nodes). One sender's relays run in order.
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
        member: &Self::Member,
    ) -> Result<Option<(RoomId, RemotePeer)>, StoreError> {
        self.away_here(member).await
    }

    async fn back(&self, member: &Self::Member) -> Result<Back<RemotePeer>, StoreError> {
        self.back_here(member).await
    }

    async fn seat(
        &self,
        member: &Self::Member,
    ) -> Result<Option<SeatView<RemotePeer>>, StoreError> {
        self.seat_of(&member.id).await
    }

    /// This node's record of her keeps it; a resumable member's Redis record too, for
    /// the node she resumes on (a plain member's setting ends with her connection).
    async fn set_filter(&self, member: &Self::Member, on: bool) -> Result<(), StoreError> {
        member.filter.set(on);
        if member.is_resumable() {
            scripts::invoke(&scripts::FILTER, self.rules.keys())
                .arg(member.id.as_str())
                .arg(if on { "1" } else { "" })
                .invoke_async::<String>(&mut self.rules.connection())
                .await
                .map_err(rules::unavailable)?;
        }
        Ok(())
    }

    async fn typing(&self, member: &Self::Member, room: &str) -> Result<(), StoreError> {
        self.courier.typing(&member.id, room).await
    }

    async fn close_group(&self, group: &Group) -> Result<Vec<RemotePeer>, StoreError> {
        let io = self.io().ok_or_else(not_attached)?;
        let waiters = self.rules.close(group).await?;
        Ok(waiters.into_iter().map(|id| self.peer(io, id)).collect())
    }

    /// Keeps this node's records alive, tells members whose partner's node died, and
    /// closes lobbies of groups that expired.
    async fn sweep(&self, _now: OffsetDateTime) -> Vec<(AccessCode, Vec<RemotePeer>)> {
        self.upkeep().await
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
        self.local_counts().await
    }

    /// Pairings are counted by the pairing scripts themselves (`seat_pair`), so
    /// [`Presence::take_pairings`] has none to hand over.
    async fn occupancy(&self, group: &Group) -> Result<Occupancy, StoreError> {
        self.rules.occupancy(group).await
    }
}
