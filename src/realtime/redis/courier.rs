//! Events to members wherever they are connected, through the delivery scripts: each
//! numbers and keeps a resumable member's events in her journal in Redis and publishes
//! them on her node's channel ([`super::inbox`]), in one atomic step, so that her `seq`
//! follows the order in which any node sent them (docs/protocol.md section 6).

use super::inbox::Incoming;
use super::member::RedisMember;
use super::rules::{RedisRules, unavailable};
use super::scripts::{self, invoke};
use crate::domain::MemberId;
use crate::realtime::Bounds;
use crate::store::StoreError;
use dashmap::DashMap;
use redis::{Script, ScriptInvocation};
use serde_json::value::RawValue;
use std::sync::Arc;

/// What became of a chat message relayed through Redis.
pub enum Relay {
    /// The sender may not post into that room.
    NotInRoom,
    /// An away member's journal is full: nobody got it.
    Refused,
    /// Delivered, or held for an away member (`held`); `echo`: when the sender is a
    /// member of the room, her own copy, to be written to her socket (with her `seq`
    /// when she is resumable).
    Done { held: bool, echo: Option<Echo> },
}

/// The sender's own copy of her message.
pub enum Echo {
    /// She is plain: the payload as she sent it.
    Plain,
    /// She is resumable: numbered and kept.
    Numbered(Incoming),
}

/// Delivers events to members on any node.
pub struct Courier {
    rules: RedisRules,
    bounds: Bounds,
    /// This node's members, by id: the one each delivery on this node's channel is for.
    pub(super) members: Arc<DashMap<MemberId, Arc<RedisMember>>>,
}

impl Courier {
    /// Delivers through `rules`'s Redis, keeping resumable members' events within
    /// `bounds`.
    pub fn new(rules: RedisRules, bounds: Bounds) -> Self {
        Self {
            rules,
            bounds,
            members: Arc::default(),
        }
    }

    /// The member `id` if she is connected to this node.
    pub fn local(&self, id: &MemberId) -> Option<Arc<RedisMember>> {
        self.members.get(id).map(|m| m.value().clone())
    }

    /// The resume window, in ms.
    pub fn window_ms(&self) -> u64 {
        self.bounds.window.as_millis() as u64
    }

    /// The channel on which this node receives its members' events.
    pub fn own_channel(&self) -> String {
        format!(
            "{}{}",
            self.rules.keys().deliveries_prefix(),
            self.rules.node()
        )
    }

    /// A call of one of the delivery scripts, with the journal's arguments in front.
    pub(super) fn call<'a>(&self, script: &'a Script) -> ScriptInvocation<'a> {
        let keys = self.rules.keys();
        let mut call = invoke(script, keys);
        call.arg(keys.journal_prefix())
            .arg(keys.deliveries_prefix())
            .arg(self.window_ms())
            .arg(self.bounds.events)
            .arg(self.bounds.bytes);
        call
    }

    /// Sends the notice `event` with `data` to member `id`, wherever she is; kept for her
    /// resume when she is resumable.
    pub async fn notify(
        &self,
        id: &MemberId,
        event: &str,
        data: &RawValue,
    ) -> Result<(), StoreError> {
        self.call(&scripts::NOTIFY)
            .arg(id.as_str())
            .arg(event)
            .arg(data.get())
            .invoke_async::<String>(&mut self.rules.connection())
            .await
            .map(drop)
            .map_err(unavailable)
    }

    /// Marks member `id` of this node away in her record (`away.lua`), unless she moved
    /// to another node; the reply names her room and partner, if any.
    pub async fn mark_away(&self, id: &MemberId) -> Result<Vec<String>, StoreError> {
        invoke(&scripts::AWAY_HERE, self.rules.keys())
            .arg(id.as_str())
            .arg(self.rules.node())
            .invoke_async(&mut self.rules.connection())
            .await
            .map_err(unavailable)
    }

    /// Passes `typing {room}` from `sender` to the other member of `room`, if she sits in
    /// it and the other is there and not away.
    pub async fn typing(&self, sender: &MemberId, room: &str) -> Result<(), StoreError> {
        self.call(&scripts::TYPING)
            .arg(sender.as_str())
            .arg(room)
            .invoke_async::<String>(&mut self.rules.connection())
            .await
            .map(drop)
            .map_err(unavailable)
    }

    /// Relays `payload` from `sender` into `room`: the other members get `copy` (when
    /// the payload had to be masked) or `payload`, and the sender, when she is in the
    /// room, her own `payload` back.
    pub async fn relay(
        &self,
        sender: &MemberId,
        room: &str,
        payload: &RawValue,
        copy: Option<&RawValue>,
    ) -> Result<Relay, StoreError> {
        let reply: Vec<String> = self
            .call(&scripts::RELAY)
            .arg(sender.as_str())
            .arg(room)
            .arg(payload.get())
            .arg(copy.map_or("", RawValue::get))
            .invoke_async(&mut self.rules.connection())
            .await
            .map_err(unavailable)?;
        match reply.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["not_in_room"] => Ok(Relay::NotInRoom),
            ["refused"] => Ok(Relay::Refused),
            [outcome, side, echo] => Ok(Relay::Done {
                held: outcome == "held",
                echo: match (side, echo) {
                    ("inside", "") => Some(Echo::Plain),
                    ("inside", entry) => Incoming::parse_entry(entry).map(Echo::Numbered),
                    _ => None,
                },
            }),
            _ => Err(StoreError::Unavailable(
                "unexpected reply from the relay script".into(),
            )),
        }
    }
}
