//! Resuming on any node (docs/protocol.md section 6). A resumable member's events are
//! numbered and kept in her journal in Redis as they are delivered ([`super::courier`]);
//! her token is in Redis as its SHA-256, naming her member id; a resume on any node makes
//! her a new [`RedisMember`] on the new socket, points her record at that node, and
//! replays her journal (see [`super::absence`] for what the node she left does).

use super::RedisPresence;
use super::inbox::Incoming;
use super::replies;
use super::rules::unavailable;
use super::scripts::{self, invoke};
use crate::domain::{DisplayName, MemberId, ResumeToken};
use crate::realtime::context::SocketContext;
use crate::realtime::context::{Entry, Identity, Lifecycle};
use crate::realtime::delivery::Until;
use crate::realtime::resuming::{Attached, Resuming};
use crate::realtime::{Bounds, Delivery, Link};
use crate::store::StoreError;
use async_trait::async_trait;
use parking_lot::Mutex;
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use socketioxide::socket::Socket;
use std::sync::Arc;

/// How a token is stored: its SHA-256, in hex (never the token).
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[async_trait]
impl Resuming for RedisPresence {
    /// Only this node's record of her changes: her Redis record is marked by her join,
    /// which follows, in the same step (`RedisRules::join_resumable`).
    async fn make_resumable(
        &self,
        identity: &Identity<Self>,
        _bounds: Bounds,
    ) -> Result<(), StoreError> {
        identity.member.make_resumable();
        Ok(())
    }

    fn is_resumable(&self, member: &Self::Member) -> bool {
        member.is_resumable()
    }

    /// What waits for her socket is given up on (her record here is per socket).
    fn detach(&self, member: &Self::Member, socket: &Arc<Socket<Self::Adapter>>) -> bool {
        if !member.is_on(socket) {
            return false;
        }
        member.detach();
        self.is_current(member)
    }

    /// Her token lives as long as her record: refreshed with it by this node, and
    /// deleted with it.
    async fn issue(&self, identity: &Arc<Identity<Self>>) -> Result<ResumeToken, StoreError> {
        let token = ResumeToken::generate(&mut rand::rng());
        let hash = token_hash(token.as_str());
        let keys = self.rules.keys();
        let member = &identity.member;
        let key = format!("{}{hash}", keys.token_prefix());
        let mut pipe = redis::pipe();
        pipe.atomic();
        if let Some(old) = member.swap_token_key(Some(key.clone())) {
            pipe.del(old);
        }
        pipe.pset_ex(key, member.id.as_str(), self.rules.ttl_ms())
            .hset(keys.member(&member.id), "token", &hash);
        pipe.query_async::<()>(&mut self.rules.connection())
            .await
            .map_err(unavailable)?;
        Ok(token)
    }

    async fn redeem(
        &self,
        token: &str,
        socket: &Arc<Socket<Self::Adapter>>,
    ) -> Result<Option<Arc<Identity<Self>>>, StoreError> {
        let keys = self.rules.keys();
        let hash = token_hash(token);
        let reply: Vec<Vec<u8>> = invoke(&scripts::REDEEM, keys)
            .arg(format!("{}{hash}", keys.token_prefix()))
            .arg(&hash)
            .invoke_async(&mut self.rules.connection())
            .await
            .map_err(unavailable)?;
        let [id, name, code, filter] = &reply[..] else {
            return Ok(None);
        };
        let id = MemberId::from_wire(&String::from_utf8_lossy(id));
        let name = DisplayName::parse(std::str::from_utf8(name).ok())
            .or_else(|_| DisplayName::parse(None))
            .map_err(|_| StoreError::Unavailable("a member record's name is invalid".into()))?;
        // The socket's record so far knows the send limits.
        let Some(outlet) = SocketContext::<Self>::of(socket).map(|c| c.member.outlet.clone())
        else {
            return Ok(None);
        };
        let link = Link {
            socket: Arc::downgrade(socket),
            outlet,
        };
        let member = self.member_on(id.clone(), link);
        member.make_resumable();
        member.filter.set(filter == b"1");
        Ok(Some(Arc::new(Identity {
            id,
            member,
            last_entry: Mutex::new(keys.cipher().open(code).map(|code| Entry { code, name })),
            token: Mutex::new(None),
            lifecycle: Mutex::new(Lifecycle::Here),
        })))
    }

    async fn attach(
        &self,
        identity: &Arc<Identity<Self>>,
        socket: &Arc<Socket<Self::Adapter>>,
        last_seq: u64,
    ) -> Result<Option<Attached>, StoreError> {
        let io = self.io().ok_or_else(super::not_attached)?;
        let member = &identity.member;
        // Deliveries for her come to this node from the script on: they wait for the
        // replay of what she missed.
        member.hold_live_events();
        self.courier
            .members
            .insert(member.id.clone(), member.clone());
        let reply: Result<Vec<String>, _> = self
            .courier
            .call(&scripts::ATTACH)
            .arg(member.id.as_str())
            .arg(self.rules.node())
            .arg(last_seq)
            .arg(self.rules.ttl_ms())
            .invoke_async(&mut self.rules.connection())
            .await;
        let reply = match reply {
            Ok(reply) => reply,
            Err(cause) => {
                member.replay(last_seq, Vec::new());
                return Err(unavailable(cause));
            }
        };
        let [away, gap, place, entries @ ..] = &reply[..] else {
            // {"gone"}: her window ended meanwhile.
            member.replay(last_seq, Vec::new());
            self.drop_member(member);
            return Ok(None);
        };
        member.replay(
            last_seq,
            entries
                .iter()
                .filter_map(|e| Incoming::parse_entry(e))
                .collect(),
        );
        // The ack comes after the replay; when part of it had to wait for room, after that.
        if let Some(replayed) = member.settled(Until::Newest)
            && replayed.await != Ok(Delivery::Sent)
        {
            // Her new connection read nothing for the send timeout: it is being closed,
            // and she is away again.
            tracing::debug!("a resume's replay did not fit in the new connection");
        }
        // Last wins: her other connections, on any node, are closed (her record names
        // this node now, so theirs do not make her away). This one is not among them,
        // even when she resumes on it again.
        let own_room = member.id.as_str().to_owned();
        socket.leave(own_room.clone());
        if let Err(cause) = io.to(own_room.clone()).disconnect().await {
            tracing::warn!(%cause, "closing a resumed member's previous connection failed");
        }
        socket.join(own_room);
        if let replies::RecordedPlace::Room(room) = replies::RecordedPlace::parse(Some(place)) {
            socket.join(room.as_str().to_owned());
        }
        Ok(Some(Attached {
            gap: gap == "1",
            away: away == "1",
        }))
    }

    async fn revoke(&self, identity: &Identity<Self>) {
        let Some(key) = identity.member.swap_token_key(None) else {
            return;
        };
        if let Err(cause) = self.rules.connection().del::<_, ()>(key).await {
            tracing::warn!(%cause, "deleting a resume token failed; it expires by itself");
        }
    }
}
