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
    ///
    /// An entry a node of the previous version wrote, "seq at size event data" (kept in a
    /// journal across a rolling upgrade), is read too, as a notice (so never masked: its
    /// sender is unknown); its JSON data cannot start with "-" or a member id and a space.
    pub fn parse_entry(entry: &str) -> Option<Self> {
        let mut fields = entry.splitn(5, ' ');
        let seq = fields.next()?.parse().ok()?;
        let (_at, _size) = (fields.next()?, fields.next()?);
        let event = fields.next()?.to_owned();
        let rest = fields.next()?;
        let (sender, data) = match rest.split_once(' ') {
            Some(("-", data)) => (None, data),
            Some((id, data)) if is_member_id(id) => (Some(MemberId::from_wire(id)), data),
            _ => (None, rest),
        };
        let data = RawValue::from_string(data.to_owned()).ok()?;
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

/// Whether `field` has the shape of a member id (32 hex digits).
fn is_member_id(field: &str) -> bool {
    field.len() == 32 && field.bytes().all(|b| b.is_ascii_hexdigit())
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

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_chat_entry_carries_its_sender_and_a_notice_none() {
        let chat =
            Incoming::parse_entry(&format!("7 100 20 message {ID} {{\"text\":\"a b\"}}")).unwrap();
        assert_eq!((chat.seq, chat.event.as_str()), (7, "message"));
        assert_eq!(chat.sender, Some(MemberId::from_wire(ID)));
        assert_eq!(chat.data.get(), r#"{"text":"a b"}"#);
        let notice = Incoming::parse_entry(r#"8 100 20 partner_away - {"room":"r"}"#).unwrap();
        assert_eq!(notice.sender, None);
        assert_eq!(notice.data.get(), r#"{"room":"r"}"#);
    }

    #[test]
    fn only_a_partner_s_message_is_from_a_partner() {
        let chat = Incoming::parse_entry(&format!("1 0 0 message {ID} {{}}")).unwrap();
        assert!(chat.is_from_partner_of(&MemberId::from_wire(&ID.replace('0', "1"))));
        assert!(
            !chat.is_from_partner_of(&MemberId::from_wire(ID)),
            "her own echo"
        );
    }

    #[test]
    fn an_entry_of_the_previous_version_is_read_as_a_notice() {
        let old = Incoming::parse_entry(r#"3 100 20 message {"room":"r","text":"a b"}"#).unwrap();
        assert_eq!(old.sender, None);
        assert_eq!(old.data.get(), r#"{"room":"r","text":"a b"}"#);
        let string = Incoming::parse_entry(r#"4 100 20 message "Bob connected.""#).unwrap();
        assert_eq!(string.data.get(), r#""Bob connected.""#);
    }
}
