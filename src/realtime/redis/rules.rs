//! The pairing rules of docs/protocol.md section 3 as the Redis scripts run them, with no
//! sockets: members are their ids. [`super::RedisPresence`] adds the transport; the
//! differential test (tests/rules) checks these against [`crate::matchmaking::Hub`].

use super::replies::{self, Reaped, RecordedPlace};
use super::scripts::{self, invoke};
use crate::domain::{DisplayName, Group, MemberId, RoomId};
use crate::matchmaking::{Back, Choice, Departure, Joined, Occupancy, Parted, Parting};
use crate::store::{Keys, StoreError};
use redis::aio::ConnectionManager;
use redis::{Script, ScriptInvocation};
use std::time::Duration;
use time::OffsetDateTime;

/// Members whose records one run of the reaping script refreshes.
const REAP_SLICE: usize = 500;

/// A Redis failure, as the backends report it.
pub(super) fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// One node's view of the lobbies and rooms in Redis.
#[derive(Clone)]
pub struct RedisRules {
    redis: ConnectionManager,
    keys: Keys,
    node: String,
    member_ttl: Duration,
}

impl RedisRules {
    /// A fresh node on `redis`, under the layout `keys`; a member's record outlives her
    /// node by at most `member_ttl`.
    pub fn new(redis: ConnectionManager, keys: Keys, member_ttl: Duration) -> Self {
        Self {
            redis,
            keys,
            node: format!("{:016x}", rand::random::<u64>()),
            member_ttl,
        }
    }

    /// The key layout.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// A connection to the same Redis.
    pub fn connection(&self) -> ConnectionManager {
        self.redis.clone()
    }

    /// This node's name in member records.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// How long a member's record outlives her node, in ms.
    pub fn ttl_ms(&self) -> u64 {
        self.member_ttl.as_millis() as u64
    }

    /// Leaves whatever she was in, then waits in `group`'s lobby under `name`, paired at
    /// once with the eligible waiter `choice` picks if there is one.
    pub async fn join(
        &self,
        member: &MemberId,
        group: &Group,
        name: &DisplayName,
        choice: &Choice,
    ) -> Result<Joined<MemberId>, StoreError> {
        let call = self.join_call(&scripts::JOIN, member, group, name, choice);
        self.joined(call, member, name, choice).await
    }

    /// As [`RedisRules::join`], for a resumable member (docs/protocol.md section 6): in
    /// the same step her record is marked resumable and keeps her group's sealed code.
    pub async fn join_resumable(
        &self,
        member: &MemberId,
        group: &Group,
        name: &DisplayName,
        choice: &Choice,
    ) -> Result<Joined<MemberId>, StoreError> {
        let mut call = self.join_call(&scripts::JOIN_RESUMABLE, member, group, name, choice);
        call.arg(self.keys.cipher().seal(&group.access_code));
        self.joined(call, member, name, choice).await
    }

    fn join_call<'a>(
        &self,
        script: &'a Script,
        member: &MemberId,
        group: &Group,
        name: &DisplayName,
        choice: &Choice,
    ) -> ScriptInvocation<'a> {
        let mut call = invoke(script, &self.keys);
        call.arg(member.as_str())
            .arg(self.keys.fingerprint(&group.access_code))
            .arg(name.as_ref())
            .arg(&self.node)
            .arg(self.ttl_ms())
            .arg(choice.room.as_str())
            .arg(choice.draw);
        call
    }

    async fn joined(
        &self,
        call: ScriptInvocation<'_>,
        member: &MemberId,
        name: &DisplayName,
        choice: &Choice,
    ) -> Result<Joined<MemberId>, StoreError> {
        let reply: Vec<String> = call
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        replies::joined(&reply, member, name, &choice.room)
    }

    /// Leaves the room named `room`, or whatever she is in when `room` is `None`; the
    /// room she left, if she left one.
    pub async fn leave(
        &self,
        member: &MemberId,
        room: Option<&str>,
    ) -> Result<Option<Departure<MemberId>>, StoreError> {
        let reply: Vec<String> = invoke(&scripts::LEAVE, &self.keys)
            .arg(member.as_str())
            .arg(room.unwrap_or_default())
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        replies::left(&reply)
    }

    /// `block` or `report` (docs/protocol.md section 7; [`crate::matchmaking::Hub::part`]):
    /// she leaves `room` and is never paired again with the partner she had there; a
    /// report may remove that partner from the group. `None` when she is not in `room`.
    pub async fn part(
        &self,
        member: &MemberId,
        room: &str,
        parting: Parting,
    ) -> Result<Option<Parted<MemberId>>, StoreError> {
        let threshold = match parting {
            Parting::Block => String::new(),
            Parting::Report { threshold } => threshold.to_string(),
        };
        let reply: Vec<String> = invoke(&scripts::PART, &self.keys)
            .arg(member.as_str())
            .arg(room)
            .arg(threshold)
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        replies::parted(&reply)
    }

    /// Her connection dropped (docs/protocol.md section 6): she keeps her lobby place or
    /// room but is never paired until [`RedisRules::back`]. Returns her room and the
    /// partner still in it, to be told. A member with no record is nowhere and stays so.
    pub async fn away(&self, member: &MemberId) -> Result<Option<(RoomId, MemberId)>, StoreError> {
        let reply: Vec<String> = invoke(&scripts::AWAY, &self.keys)
            .arg(member.as_str())
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        replies::away(&reply)
    }

    /// She is present again: in a room, her partner still there is returned (to be told);
    /// in a lobby, she is paired at once with the eligible present waiter `choice` picks,
    /// if there is one, and otherwise keeps her place.
    pub async fn back(
        &self,
        member: &MemberId,
        choice: &Choice,
    ) -> Result<Back<MemberId>, StoreError> {
        let reply: Vec<String> = invoke(&scripts::BACK, &self.keys)
            .arg(member.as_str())
            .arg(choice.room.as_str())
            .arg(choice.draw)
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        replies::back(&reply, member, &choice.room)
    }

    /// Deletes her record: she is gone for good.
    pub async fn forget(&self, member: &MemberId) -> Result<(), StoreError> {
        redis::cmd("DEL")
            .arg(self.keys.member(member))
            .query_async::<usize>(&mut self.connection())
            .await
            .map(drop)
            .map_err(unavailable)
    }

    /// Closes `group`'s lobby now; returns who was waiting there.
    pub async fn close(&self, group: &Group) -> Result<Vec<MemberId>, StoreError> {
        let remaining = (group.expires_at - OffsetDateTime::now_utc())
            .whole_seconds()
            .max(1);
        let reply: Vec<String> = invoke(&scripts::CLOSE, &self.keys)
            .arg(self.keys.fingerprint(&group.access_code))
            .arg(remaining)
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        Ok(replies::waiters(reply))
    }

    /// Who waits in `group`'s lobby and who sits in its rooms, counting live records only.
    pub async fn occupancy(&self, group: &Group) -> Result<Occupancy, StoreError> {
        let (waiting, chatting): (usize, usize) = invoke(&scripts::OCCUPANCY, &self.keys)
            .arg(self.keys.fingerprint(&group.access_code))
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        Ok(Occupancy { waiting, chatting })
    }

    /// Keeps the records of `members` (this node's) alive and reports what changed
    /// under them. Runs in slices, so that no single script holds Redis for long.
    pub async fn reap(&self, members: &[MemberId]) -> Result<Vec<Reaped>, StoreError> {
        let mut found = Vec::new();
        for slice in members.chunks(REAP_SLICE) {
            let mut call = invoke(&scripts::REAP, &self.keys);
            call.arg(self.ttl_ms());
            for member in slice {
                call.arg(member.as_str());
            }
            let reply: Vec<String> = call
                .invoke_async(&mut self.connection())
                .await
                .map_err(unavailable)?;
            found.extend(replies::reaped(&reply)?);
        }
        Ok(found)
    }

    /// Where the records of `members` say they are, in the same order.
    pub async fn places(&self, members: &[MemberId]) -> Result<Vec<RecordedPlace>, StoreError> {
        let mut pipe = redis::pipe();
        for member in members {
            pipe.hget(self.keys.member(member), "place");
        }
        let places: Vec<Option<String>> = pipe
            .query_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        Ok(places
            .iter()
            .map(|place| RecordedPlace::parse(place.as_deref()))
            .collect())
    }
}
