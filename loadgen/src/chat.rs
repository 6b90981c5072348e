//! The chat messages the benchmark sends: a room id, the send time, a sequence number,
//! the sender's index, and a `text` of ordinary chat words (now and then a mild
//! profanity, as in real chat) that pads the payload up to a fixed size. The text is what
//! a reader's profanity filter reads, so it is made of words, not filler.

use serde::Deserialize;
use std::fmt::Write as _;

/// The fields the receiver reads back from a relayed chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Stamp {
    /// Send time: nanoseconds since the run's shared start instant.
    pub t: u64,
    /// The sender's sequence number, from 0.
    pub id: u64,
    /// The sender's member index.
    pub from: u32,
}

/// Builds `42["message",{...}]` frames for one sender in one room.
#[derive(Debug, Clone)]
pub struct Composer {
    prefix: String,
    size: usize,
    /// At least `size` bytes of chat words (ASCII), cut to the room left.
    words: String,
}

/// The chat the `text` repeats: typical words, with one mild profanity.
const CHAT: &str = "hey, are we still meeting at the lake after work? \
bring the map, the damn bus was late again. see you soon! ";

/// What stands before the payload in an event frame.
const EVENT_HEAD: &str = r#"42["message","#;

impl Composer {
    /// A composer for `room`, sending as member `from`, padding payloads to `size` bytes
    /// (a payload is never cut: when the fields alone are longer, there is no padding).
    pub fn new(room: &str, from: u32, size: usize) -> Self {
        let room = serde_json::to_string(room).expect("a string always serializes");
        Self {
            prefix: format!(r#"{EVENT_HEAD}{{"room":{room},"from":{from},"#),
            size,
            words: CHAT.repeat(size / CHAT.len() + 1),
        }
    }

    /// The frame for message `id` sent at `t` (nanoseconds since the shared start).
    pub fn frame(&self, id: u64, t: u64) -> String {
        let mut out = String::with_capacity(EVENT_HEAD.len() + self.size + 8);
        out.push_str(&self.prefix);
        let _ = write!(out, r#""id":{id},"t":{t},"text":""#);
        let payload_so_far = out.len() - EVENT_HEAD.len();
        let closing = r#""}"#.len();
        let padding = self.size.saturating_sub(payload_so_far + closing);
        out.push_str(&self.words[..padding.min(self.words.len())]);
        out.push_str(r#""}]"#);
        out
    }
}

/// Reads the stamp of a relayed chat payload; `None` for anything else (compat notices
/// are plain strings, and other clients' objects may lack the fields).
pub fn read_stamp(payload: &str) -> Option<Stamp> {
    if !payload.starts_with('{') {
        return None;
    }
    serde_json::from_str(payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eio::{Packet, parse};

    fn payload_of(frame: &str) -> String {
        let Packet::Event(event) = parse(frame).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.name, "message");
        event.first().unwrap().get().to_owned()
    }

    #[test]
    fn frames_carry_room_and_stamp() {
        let composer = Composer::new("r-1", 7, 100);
        let payload = payload_of(&composer.frame(42, 123_456_789));
        let value: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(value["room"], "r-1");
        assert_eq!(
            read_stamp(&payload),
            Some(Stamp {
                t: 123_456_789,
                id: 42,
                from: 7
            })
        );
    }

    #[test]
    fn payloads_are_padded_to_the_size() {
        let composer = Composer::new("0123456789abcdef0123456789abcdef", 1999, 100);
        for (id, t) in [(0, 0), (9_999_999, 19_999_999_999), (1, 5)] {
            assert_eq!(payload_of(&composer.frame(id, t)).len(), 100);
        }
    }

    #[test]
    fn the_text_is_chat_words() {
        let composer = Composer::new("0123456789abcdef0123456789abcdef", 1, 200);
        let payload = payload_of(&composer.frame(1, 2));
        let value: serde_json::Value = serde_json::from_str(&payload).unwrap();
        let text = value["text"].as_str().unwrap();
        assert!(text.starts_with("hey, are we still meeting"), "{text}");
        assert!(text.contains("damn"), "{text}");
    }

    #[test]
    fn long_fields_are_never_cut() {
        let composer = Composer::new("a-very-long-room-name", 1, 10);
        let payload = payload_of(&composer.frame(1, 2));
        assert!(payload.len() > 10);
        assert_eq!(read_stamp(&payload).unwrap().id, 1);
    }

    #[test]
    fn room_ids_are_json_escaped() {
        let composer = Composer::new("a\"b", 1, 100);
        let payload = payload_of(&composer.frame(1, 2));
        let value: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(value["room"], "a\"b");
    }

    #[test]
    fn notices_and_foreign_objects_have_no_stamp() {
        assert_eq!(read_stamp(r#""Ann connected.""#), None);
        assert_eq!(read_stamp(r#"{"room":"r","text":"hi"}"#), None);
    }
}
