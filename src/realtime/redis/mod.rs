//! Several nodes: lobbies, rooms and member records in Redis, made atomic by Lua
//! scripts, and events carried between nodes by socketioxide's Redis adapter.
//!
//! Members are known by their public member id, never by a session id. Keys under the
//! prefix: `m:{member}` a member's record (name, node, place, last partner), kept alive
//! by her node every third of the member TTL; `lobby:{group}` the set of waiting members;
//! `room:{id}` the set of a room's members; `closed:{group}` a closed group's tombstone.
//! Groups are keyed by their code's keyed hash, as in the group store. Each socket sits
//! in an adapter room named by its member id, so that any node can reach it.

mod driver;
mod member;
mod peer;
mod scripts;

pub use driver::ResilientDriver;
pub use member::RedisMember;
pub use peer::RemotePeer;

use super::masking::partner_copy;
use super::notices::{self, LeaveReason};
use super::presence::{Handle, Presence, Relayed};
use super::refusal::{NOT_IN_ROOM, Refusal};
use crate::domain::{AccessCode, DisplayName, Group, MemberId, RoomId};
use crate::matchmaking::{Departure, Joined, Outcome, Pairing};
use crate::store::{RedisStore, StoreError};
use async_trait::async_trait;
use dashmap::DashMap;
use member::Job;
use serde_json::value::RawValue;
use socketioxide::SocketIo;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::Socket;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// Members whose records one run of the reaping script refreshes.
const REAP_SLICE: usize = 500;

/// The adapter that carries events between nodes.
pub type RedisAdapter =
    socketioxide_redis::CustomRedisAdapter<socketioxide::adapter::Emitter, ResilientDriver>;

/// Lobbies and rooms shared by every node on one Redis.
pub struct RedisPresence {
    store: RedisStore,
    driver: ResilientDriver,
    node: String,
    member_ttl: Duration,
    io: OnceLock<SocketIo<RedisAdapter>>,
    /// This node's members, whose records it keeps alive.
    members: DashMap<MemberId, Arc<RedisMember>>,
    /// Notices to members on other nodes, sent in order.
    notices: mpsc::UnboundedSender<Job>,
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl RedisPresence {
    /// Lobbies and rooms in the Redis behind `store`; a member's record outlives her
    /// node by at most `member_ttl`.
    pub fn new(store: RedisStore, driver: ResilientDriver, member_ttl: Duration) -> Self {
        let (notices, mut jobs) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                job.await;
            }
        });
        Self {
            store,
            driver,
            node: format!("{:016x}", rand::random::<u64>()),
            member_ttl,
            io: OnceLock::new(),
            members: DashMap::new(),
            notices,
        }
    }

    /// Hands over the Socket.IO server, once built; needed before the first connection.
    pub fn attach_io(&self, io: SocketIo<RedisAdapter>) {
        self.io.set(io).ok();
    }

    fn io(&self) -> &SocketIo<RedisAdapter> {
        self.io.get().expect("attach_io runs before serving")
    }

    fn peer(&self, id: MemberId) -> RemotePeer {
        RemotePeer::new(id, self.io().clone(), self.notices.clone())
    }

    /// The member a script named, if it named one.
    fn peer_named(&self, id: &str) -> Option<RemotePeer> {
        (!id.is_empty()).then(|| self.peer(MemberId::from_wire(id)))
    }

    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.store.prefix())
    }

    /// Takes her socket out of the adapter room she left and describes the departure.
    fn departed(
        &self,
        member: &RedisMember,
        room: &str,
        partner: &str,
    ) -> Option<Departure<RemotePeer>> {
        if room.is_empty() {
            return None;
        }
        if let Some(socket) = self.io().get_socket(member.sid) {
            socket.leave(room.to_owned());
        }
        Some(Departure {
            room: RoomId::from_wire(room),
            partner: self.peer_named(partner),
        })
    }

    /// Runs the leave script: out of `room`, or out of whatever she is in when `room` is
    /// empty; `None` when she was in no room (or not in that one).
    async fn leave_script(
        &self,
        member: &RedisMember,
        room: &str,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        let reply: Vec<String> = scripts::LEAVE
            .arg(self.store.prefix())
            .arg(member.id.as_str())
            .arg(room)
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(unavailable)?;
        Ok(match &reply[..] {
            [left, partner] => self.departed(member, left, partner),
            _ => None,
        })
    }

    fn ttl_ms(&self) -> u64 {
        self.member_ttl.as_millis() as u64
    }
}

#[async_trait]
impl Presence for RedisPresence {
    type Adapter = RedisAdapter;
    type Member = Arc<RedisMember>;
    type Handle = RemotePeer;

    fn register(&self, socket: &Arc<Socket<RedisAdapter>>, id: MemberId) -> Self::Member {
        // Every socket sits in a room named by its member id, so that any node can reach it.
        socket.join(id.as_str().to_owned());
        let member = Arc::new(RedisMember::new(id.clone(), socket.id));
        self.members.insert(id, member.clone());
        member
    }

    async fn join(
        &self,
        member: &Self::Member,
        group: &Group,
        name: DisplayName,
    ) -> Result<Joined<RemotePeer>, StoreError> {
        let room = RoomId::generate(&mut rand::rng());
        let reply: Vec<String> = scripts::JOIN
            .arg(self.store.prefix())
            .arg(member.id.as_str())
            .arg(self.store.fingerprint(&group.access_code))
            .arg(name.as_ref())
            .arg(&self.node)
            .arg(self.ttl_ms())
            .arg(room.as_str())
            .arg(rand::random::<u32>())
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(unavailable)?;
        let [outcome, left_room, left_partner, partner, partner_name] = &reply[..] else {
            return Err(StoreError::Unavailable("unexpected join reply".into()));
        };
        {
            let mut own = member.own.lock();
            own.last_group = Some(group.access_code.clone());
            own.name = Some(name.clone());
        }
        let departure = self.departed(member, left_room, left_partner);
        let outcome = match outcome.as_str() {
            "waiting" => Outcome::Waiting,
            "paired" => {
                let partner = self
                    .peer_named(partner)
                    .ok_or_else(|| StoreError::Unavailable("no partner in a pairing".into()))?;
                if let Some(socket) = self.io().get_socket(member.sid) {
                    socket.join(room.as_str().to_owned());
                }
                partner.join_room(room.as_str()).await;
                Outcome::Paired(Pairing {
                    room,
                    own: self.peer(member.id.clone()),
                    own_name: name,
                    partner,
                    partner_name: DisplayName::parse(Some(partner_name))
                        .unwrap_or_else(|_| DisplayName::parse(None).expect("default")),
                })
            }
            _ => Outcome::GroupClosed,
        };
        Ok(Joined { departure, outcome })
    }

    async fn leave(
        &self,
        member: &Self::Member,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        self.leave_script(member, "").await
    }

    async fn leave_room(
        &self,
        member: &Self::Member,
        room: &str,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        if room.is_empty() {
            return Ok(None);
        }
        self.leave_script(member, room).await
    }

    async fn disconnect(
        &self,
        member: &Self::Member,
    ) -> Result<Option<Departure<RemotePeer>>, StoreError> {
        self.members.remove(&member.id);
        let departure = self.leave(member).await;
        let mut conn = self.store.connection();
        let _: redis::RedisResult<usize> = redis::cmd("DEL")
            .arg(self.key(&format!("m:{}", member.id.as_str())))
            .query_async(&mut conn)
            .await;
        departure
    }

    fn last_group(&self, member: &Self::Member) -> Option<AccessCode> {
        member.own.lock().last_group.clone()
    }

    fn name(&self, member: &Self::Member) -> Option<DisplayName> {
        member.own.lock().name.clone()
    }

    /// A member of the room (her socket sits in its adapter room on this node) relays
    /// through the adapter with no Redis round trip but its publish; anyone else is
    /// checked against Redis first. One sender's relays run in order.
    fn relay(
        &self,
        socket: &Arc<Socket<RedisAdapter>>,
        member: &Self::Member,
        room: &str,
        payload: &RawValue,
    ) -> Relayed {
        let masked = match partner_copy(payload, socket.id.as_str(), &member.id) {
            Ok(masked) => masked.map(|copy| (copy, member.id.as_str().to_owned())),
            Err(refusal) => return Relayed::Now(Err(refusal)),
        };
        let delivery = Delivery {
            room: room.to_owned(),
            payload: payload.to_owned(),
            masked,
        };
        let io = self.io().clone();
        let socket = socket.clone();
        let (done, result) = tokio::sync::oneshot::channel::<Result<(), Refusal>>();
        if socket.rooms().iter().any(|r| *r == room) {
            member.in_order(async move {
                delivery.send(&io, Some(&socket)).await;
                done.send(Ok(())).ok();
            });
        } else {
            let mut conn = self.store.connection();
            let own_key = self.key(&format!("m:{}", member.id.as_str()));
            let room_key = self.key(&format!("room:{room}"));
            member.in_order(async move {
                let room = delivery.room.as_str();
                let check: redis::RedisResult<(Option<String>, bool)> = redis::pipe()
                    .hget(own_key, "place")
                    .exists(room_key)
                    .query_async(&mut conn)
                    .await;
                let allowed = match check {
                    // Her record says she is in the room, though her socket missed the
                    // adapter's join (a node or Redis hiccup): mend it.
                    Ok((Some(place), _)) if place.strip_prefix("room:") == Some(room) => {
                        socket.join(room.to_owned());
                        Some(Some(&*socket))
                    }
                    // An outsider may post only from nowhere, into a room still open.
                    Ok((place, true)) if place.as_deref().unwrap_or_default().is_empty() => {
                        Some(None)
                    }
                    _ => None,
                };
                let outcome = match allowed {
                    Some(echo) => {
                        delivery.send(&io, echo).await;
                        Ok(())
                    }
                    None => Err(NOT_IN_ROOM),
                };
                done.send(outcome).ok();
            });
        }
        // Acknowledged once handed to the adapter, so that an ack means "sent".
        Relayed::Later(Box::pin(
            async move { result.await.unwrap_or(Err(NOT_IN_ROOM)) },
        ))
    }

    async fn close_group(&self, group: &Group) -> Result<Vec<RemotePeer>, StoreError> {
        let remaining = (group.expires_at - OffsetDateTime::now_utc())
            .whole_seconds()
            .max(1);
        let sids: Vec<String> = scripts::CLOSE
            .arg(self.store.prefix())
            .arg(self.store.fingerprint(&group.access_code))
            .arg(remaining)
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(unavailable)?;
        Ok(sids.iter().filter_map(|sid| self.peer_named(sid)).collect())
    }

    /// Keeps this node's records alive, tells members whose partner's node died, and
    /// closes lobbies of groups that expired.
    async fn sweep(&self, _now: OffsetDateTime) -> Vec<(AccessCode, Vec<RemotePeer>)> {
        let ids: Vec<String> = self
            .members
            .iter()
            .map(|m| m.key().as_str().to_owned())
            .collect();
        let mut reply = Vec::new();
        // In slices, so that no single script holds Redis for long.
        for slice in ids.chunks(REAP_SLICE) {
            let events: redis::RedisResult<Vec<String>> = scripts::REAP
                .arg(self.store.prefix())
                .arg(self.ttl_ms())
                .arg(slice)
                .invoke_async(&mut self.store.connection())
                .await;
            match events {
                Ok(events) => reply.extend(events),
                Err(cause) => {
                    tracing::warn!(%cause, "refreshing member records failed");
                    return Vec::new();
                }
            }
        }
        let mut closed = Vec::new();
        for event in reply.chunks_exact(3) {
            let Some(peer) = self.peer_named(&event[1]) else {
                continue;
            };
            match event[0].as_str() {
                "partner_gone" => notices::partner_gone(
                    Some(Departure {
                        room: RoomId::from_wire(&event[2]),
                        partner: Some(peer),
                    }),
                    LeaveReason::Disconnected,
                ),
                _ => {
                    let code = self
                        .members
                        .get(peer.id())
                        .and_then(|m| m.own.lock().last_group.clone());
                    if let Some(code) = code {
                        closed.push((code, vec![peer]));
                    }
                }
            }
        }
        closed
    }

    /// Ready when the adapter's connection answers too, so that events between nodes
    /// flow again after an outage.
    async fn ready(&self) -> Result<(), StoreError> {
        self.driver.ping().await.map_err(unavailable)
    }

    fn maintenance_interval(&self) -> Option<Duration> {
        Some(self.member_ttl / 3)
    }

    /// This node's members who wait, and the rooms they sit in.
    async fn counts(&self) -> (usize, usize) {
        let keys: Vec<String> = self
            .members
            .iter()
            .map(|m| self.key(&format!("m:{}", m.key().as_str())))
            .collect();
        let mut pipe = redis::pipe();
        for key in &keys {
            pipe.hget(key, "place");
        }
        let places: Vec<Option<String>> = match pipe.query_async(&mut self.store.connection()).await
        {
            Ok(places) => places,
            Err(_) => return (0, 0),
        };
        let places = places.into_iter().flatten();
        let (mut waiting, mut rooms) = (0, std::collections::HashSet::new());
        for place in places {
            if place.starts_with("lobby:") {
                waiting += 1;
            } else if let Some(room) = place.strip_prefix("room:") {
                rooms.insert(room.to_owned());
            }
        }
        (waiting, rooms.len())
    }
}

/// One chat message on its way to the members of a room.
struct Delivery {
    room: String,
    payload: Box<RawValue>,
    /// When the payload holds the sender's session id: the copy for everyone but her,
    /// and the adapter room that names her.
    masked: Option<(Box<RawValue>, String)>,
}

impl Delivery {
    /// Sends the payload to the room; when it had to be masked, `echo` (the sender's
    /// socket, if she is in the room) gets the original and everyone else the copy.
    async fn send(self, io: &SocketIo<RedisAdapter>, echo: Option<&Socket<RedisAdapter>>) {
        let Some((copy, sender)) = self.masked else {
            return broadcast(io, &self.room, None, &self.payload).await;
        };
        if let Some(socket) = echo {
            socket.emit("message", &self.payload).ok();
        }
        broadcast(io, &self.room, Some(sender), &copy).await;
    }
}

/// Sends `payload` to everyone in `room` but the members of `except`. When the room's two
/// members sit on this node it stays here; otherwise it goes through the adapter (one
/// publish), and while Redis is away at least the members on this node still get it.
async fn broadcast(
    io: &SocketIo<RedisAdapter>,
    room: &str,
    except: Option<String>,
    payload: &RawValue,
) {
    let everyone_but = |operators: BroadcastOperators<RedisAdapter>| match &except {
        Some(sender) => operators.except(sender.clone()),
        None => operators,
    };
    let here = io.local().within(room.to_owned());
    let both_here = here.clone().sockets().len() >= 2;
    let here = everyone_but(here);
    if both_here {
        here.emit("message", payload).await.ok();
        return;
    }
    let everywhere = everyone_but(io.within(room.to_owned()));
    if everywhere.emit("message", payload).await.is_err() {
        here.emit("message", payload).await.ok();
    }
}
