//! A node's own delivery channel on Redis: the delivery scripts (`journal.lua`) publish
//! every event for a member there, on the channel of the node she is connected to, and
//! this node writes each to its member's socket, in the order they came.

use super::ResilientDriver;
use super::member::RedisMember;
use crate::domain::MemberId;
use dashmap::DashMap;
use futures_util::StreamExt;
use serde_json::value::RawValue;
use socketioxide_redis::drivers::Driver;
use std::sync::Arc;

/// How many deliveries may wait for this node before Redis's push is dropped (and, for a
/// resumable member, sent again on her resume).
const CAPACITY: usize = 8192;

/// One event for one member, as the scripts publish and keep it.
pub struct Incoming {
    /// Her `seq` (0 for a plain member: no `seq` on the wire).
    pub seq: u64,
    /// The event's name.
    pub event: String,
    /// Who sent it: a chat message's sender, `None` for a notice.
    pub sender: Option<MemberId>,
    /// Its argument.
    pub data: Box<RawValue>,
}

impl Incoming {
    /// Parses a journal entry: "seq at size event from data" (`from`: "-" for a notice).
    pub fn parse_entry(entry: &str) -> Option<Self> {
        let mut fields = entry.splitn(6, ' ');
        let seq = fields.next()?.parse().ok()?;
        let (_at, _size) = (fields.next()?, fields.next()?);
        let event = fields.next()?.to_owned();
        let sender = match fields.next()? {
            "-" => None,
            id => Some(MemberId::from_wire(id)),
        };
        let data = RawValue::from_string(fields.next()?.to_owned()).ok()?;
        Some(Self {
            seq,
            event,
            sender,
            data,
        })
    }

    /// Whether it is a chat message from someone other than `reader` (her profanity
    /// filter applies to it; never to her own echo).
    pub fn is_from_partner_of(&self, reader: &MemberId) -> bool {
        self.sender.as_ref().is_some_and(|sender| sender != reader)
    }

    /// Parses a delivery: "member seq at size event from data".
    fn parse_delivery(delivery: &str) -> Option<(MemberId, Self)> {
        let (member, entry) = delivery.split_once(' ')?;
        Some((MemberId::from_wire(member), Self::parse_entry(entry)?))
    }
}

/// Subscribes this node to its delivery channel `channel` and hands each delivery to its
/// member among `members` (dropping those for members no longer here).
pub async fn listen(
    driver: &ResilientDriver,
    channel: String,
    members: Arc<DashMap<MemberId, Arc<RedisMember>>>,
) -> redis::RedisResult<()> {
    let mut deliveries = driver.subscribe(channel, CAPACITY).await?;
    tokio::spawn(async move {
        while let Some((_, payload)) = deliveries.next().await {
            let Some((id, incoming)) = std::str::from_utf8(&payload)
                .ok()
                .and_then(Incoming::parse_delivery)
            else {
                tracing::warn!("a malformed delivery was dropped");
                continue;
            };
            if let Some(member) = members.get(&id).map(|m| m.value().clone()) {
                member.receive(incoming);
            }
        }
    });
    Ok(())
}
