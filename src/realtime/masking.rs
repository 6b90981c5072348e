//! Session ids never reach another client inside a relayed payload (docs/protocol.md section 4).
//!
//! The original front end writes its own socket id into every chat message as `sid`, and
//! in Socket.IO v2 (and in socketioxide, for both protocols) that is its Engine.IO session
//! id: a credential. Every recipient but the sending socket gets the payload with the
//! sender's session id replaced by her public member id, so that the front end's own-side
//! check (`message.sid === socket.id`) still works on the sender's echo and fails, as it
//! should, on the partner's copy. A payload without the session id is passed on as it is:
//! the check is one substring search of the raw JSON, no parse.

use super::refusal::{INVALID_PAYLOAD, Refusal};
use crate::domain::MemberId;
use serde_json::value::RawValue;

/// `payload` as the sender's partner must see it: `None` when it does not contain
/// `session_id` (send the original), else a copy with every occurrence replaced by `id`.
///
/// Both ids are plain ASCII letters, digits, `-` and `_`, so the copy is valid JSON
/// unless the session id was written right after a backslash, inside an escape sequence;
/// only a sender who crafts that gets `invalid_payload`.
pub fn partner_copy(
    payload: &RawValue,
    session_id: &str,
    id: &MemberId,
) -> Result<Option<Box<RawValue>>, Refusal> {
    let raw = payload.get();
    if session_id.is_empty() || !raw.contains(session_id) {
        return Ok(None);
    }
    let masked = raw.replace(session_id, id.as_str());
    match RawValue::from_string(masked) {
        Ok(copy) => Ok(Some(copy)),
        Err(_) => Err(INVALID_PAYLOAD),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn a_payload_without_the_session_id_is_not_copied() {
        let id = MemberId::generate(&mut rand::rng());
        let payload = raw(r#"{"room":"r","text":"hi"}"#);
        assert!(matches!(
            partner_copy(&payload, "AbCdEfGhIjKlMnOp", &id),
            Ok(None)
        ));
    }

    #[test]
    fn every_occurrence_of_the_session_id_becomes_the_member_id() {
        let id = MemberId::generate(&mut rand::rng());
        let sid = "AbCd-fGh_jKlMnOp";
        let payload = raw(&format!(
            r#"{{"room":"r","sid":"{sid}","text":"I am {sid}"}}"#
        ));
        let copy = partner_copy(&payload, sid, &id).unwrap().unwrap();
        assert!(!copy.get().contains(sid));
        let value: serde_json::Value = serde_json::from_str(copy.get()).unwrap();
        assert_eq!(value["sid"], id.as_str());
        assert_eq!(value["text"], format!("I am {}", id.as_str()));
    }

    #[test]
    fn a_session_id_inside_an_escape_sequence_is_refused_not_a_panic() {
        let id = MemberId::from_wire("0123456789abcdef0123456789abcdef");
        let sid = "u00ABcdefghijklm";
        let payload = raw(&format!(r#"{{"room":"r","text":"\{sid}"}}"#));
        let refused = partner_copy(&payload, sid, &id);
        assert!(matches!(refused, Err(refusal) if refusal == INVALID_PAYLOAD));
    }
}
