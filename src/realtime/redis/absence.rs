//! A Redis member's absence (docs/protocol.md section 6): away, back, gone for good, and
//! her seat for a resume's answer. The node she was on before a resume elsewhere learns
//! it from her record: its `away` and `ended` scripts do nothing once her record names
//! another node.
//!
//! While she is away, the node she was on ends her window (its timer); her record,
//! journal and token outlive the window by a member TTL, so that if that node dies (or
//! drains) first she can still resume elsewhere within the window, and otherwise her
//! record lapses and her partner's node tells the partner, as for any member of a dead
//! node (the reap script).

use super::member::RedisMember;
use super::replies;
use super::rules::unavailable;
use super::scripts::{self, invoke};
use super::{RedisPresence, RemotePeer};
use crate::domain::{DisplayName, MemberId, RoomId};
use crate::matchmaking::{Back, Choice, Departure, Pairing, SeatView};
use crate::store::StoreError;
use redis::AsyncCommands;
use std::sync::Arc;

impl RedisPresence {
    /// Whether `member` is the one this node reaches her id through (not a socket she
    /// has since resumed from).
    pub(super) fn is_current(&self, member: &Arc<RedisMember>) -> bool {
        self.courier
            .local(&member.id)
            .is_some_and(|current| Arc::ptr_eq(&current, member))
    }

    /// Forgets `member` here, if she is still the current one.
    pub(super) fn drop_member(&self, member: &Arc<RedisMember>) {
        self.courier
            .members
            .remove_if(&member.id, |_, current| Arc::ptr_eq(current, member));
    }

    /// Her connection dropped: she is away, unless she resumed elsewhere meanwhile. Her
    /// record, journal and token then outlive her window by a member TTL by themselves
    /// (this node no longer refreshes them), so that if this node dies first she can
    /// still resume and her partner is told once they lapse.
    pub(super) async fn away_here(
        &self,
        member: &Arc<RedisMember>,
    ) -> Result<Option<(RoomId, RemotePeer)>, StoreError> {
        let io = self.io().ok_or_else(super::not_attached)?;
        if !self.is_current(member) {
            return Ok(None);
        }
        let reply = self.courier.mark_away(&member.id).await?;
        if reply.first().is_some_and(|r| r == "moved") {
            self.drop_member(member);
            return Ok(None);
        }
        let keys = self.rules.keys();
        let lasting = self.courier.window_ms() + self.rules.ttl_ms();
        let mut pipe = redis::pipe();
        pipe.pexpire(keys.member(&member.id), lasting as i64)
            .pexpire(keys.journal(&member.id), lasting as i64);
        if let Some(token) = member.token_key() {
            pipe.pexpire(token, lasting as i64);
        }
        pipe.query_async::<()>(&mut self.rules.connection())
            .await
            .map_err(unavailable)?;
        let away = replies::away(&reply)?;
        Ok(away.map(|(room, partner)| (room, self.peer(io, partner))))
    }

    /// She is gone for good: out of her lobby or room, her record deleted; nothing
    /// happens when she has resumed on another socket meanwhile.
    pub(super) async fn ended(
        &self,
        member: &Arc<RedisMember>,
    ) -> Result<Option<Departure<MemberId>>, StoreError> {
        if !self.is_current(member) {
            return Ok(None);
        }
        self.drop_member(member);
        let keys = self.rules.keys();
        let reply: Vec<String> = invoke(&scripts::ENDED, keys)
            .arg(member.id.as_str())
            .arg(keys.journal(&member.id))
            .arg(keys.token_prefix())
            .arg(self.rules.node())
            .invoke_async(&mut self.rules.connection())
            .await
            .map_err(unavailable)?;
        if reply.first().is_some_and(|r| r == "moved") {
            return Ok(None);
        }
        replies::left(&reply)
    }

    /// She is present again; a pair formed at once has its sockets join its room.
    pub(super) async fn back_here(
        &self,
        member: &Arc<RedisMember>,
    ) -> Result<Back<RemotePeer>, StoreError> {
        let io = self.io().ok_or_else(super::not_attached)?;
        let choice = Choice::random(&mut rand::rng());
        let back = self.rules.back(&member.id, &choice).await?;
        let pairing = back.pairing.map(|p| Pairing {
            room: p.room,
            own: self.peer(io, p.own),
            own_name: p.own_name,
            partner: self.peer(io, p.partner),
            partner_name: p.partner_name,
        });
        if let Some(pairing) = &pairing {
            if let Some(socket) = member.socket() {
                socket.join(pairing.room.as_str().to_owned());
            }
            pairing.partner.join_room(pairing.room.as_str()).await;
        }
        Ok(Back {
            partner: back
                .partner
                .map(|(room, partner)| (room, self.peer(io, partner))),
            pairing,
        })
    }

    /// Her room and the partner still in it, with the partner's name.
    pub(super) async fn seat_of(
        &self,
        id: &MemberId,
    ) -> Result<Option<SeatView<RemotePeer>>, StoreError> {
        let io = self.io().ok_or_else(super::not_attached)?;
        let keys = self.rules.keys();
        let mut conn = self.rules.connection();
        let place: Option<String> = conn
            .hget(keys.member(id), "place")
            .await
            .map_err(unavailable)?;
        let replies::RecordedPlace::Room(room) = replies::RecordedPlace::parse(place.as_deref())
        else {
            return Ok(None);
        };
        let members: Vec<String> = conn
            .smembers(keys.room(room.as_str()))
            .await
            .map_err(unavailable)?;
        let partner = match members.into_iter().find(|m| m != id.as_str()) {
            Some(partner) => {
                let partner = MemberId::from_wire(&partner);
                let name: Option<String> = conn
                    .hget(keys.member(&partner), "name")
                    .await
                    .map_err(unavailable)?;
                let name =
                    DisplayName::parse(name.as_deref()).or_else(|_| DisplayName::parse(None));
                name.ok().map(|name| (self.peer(io, partner), name))
            }
            None => None,
        };
        Ok(Some(SeatView { room, partner }))
    }
}
