//! The profanity filter (docs/protocol.md section 7; docs/profanity.md for the choice of
//! `rustrict` and its cost): a reader who turned it on gets chat messages with the
//! profane words of their text masked by `*`. Pure: no I/O, no state.
//!
//! Only the top-level `text` and `message` keys count: that is where a chat message's
//! text sits (`{room, text, ...}` from our web client, `web/outbox.js`). Nested objects are
//! other data (replies, metadata) that a client may or may not show; walking them would
//! make every filtered delivery pay for whatever a sender chose to nest, and masking a
//! nested `text` a client never displays would buy nothing.

mod payload;
mod pieces;
mod words;

use serde_json::value::RawValue;

/// The copy of a relayed chat `payload` for a reader with the profanity filter on: `None`
/// when nothing needs masking (send the original bytes; the common case, which makes no
/// copy of the payload), else the payload with every top-level string value under `text`
/// and `message` masked: each character of a profane word becomes `*`.
///
/// Everything else stays byte for byte: key order, other fields, numbers, nested objects
/// (even under `text`), and the `text` or `message` strings that need no masking. A masked
/// string is re-encoded by serde_json, so escape sequences in it may be written
/// differently (`\u00e9` as `é`) while meaning the same. A payload that is not a JSON
/// object is passed on as it is (`None`).
pub fn mask_profanity(payload: &RawValue) -> Option<Box<RawValue>> {
    let masked = payload::masked(payload.get())?;
    // `masked` is valid JSON by construction: the original with whole string literals
    // swapped for serde_json's encoding of a string. Should that ever fail, passing the
    // original on would leak what the reader asked not to see, so the copy becomes `null`.
    Some(RawValue::from_string(masked).unwrap_or_else(|_| RawValue::NULL.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    fn masked(json: &str) -> Option<String> {
        mask_profanity(&raw(json)).map(|copy| copy.get().to_owned())
    }

    #[test]
    fn a_clean_message_is_not_copied() {
        assert_eq!(
            masked(r#"{"room":"r1","text":"see you at the lake?"}"#),
            None
        );
    }

    #[test]
    fn a_profane_word_in_text_is_masked_and_everything_else_kept_byte_for_byte() {
        let json = r#"{"room":"r1","sid":"abc","text":"what the fuck, Bob","n":1.50,"ok":true}"#;
        assert_eq!(
            masked(json).as_deref(),
            Some(r#"{"room":"r1","sid":"abc","text":"what the ****, Bob","n":1.50,"ok":true}"#)
        );
    }

    #[test]
    fn message_is_masked_like_text() {
        assert_eq!(
            masked(r#"{"message":"you b1tch","room":"r"}"#).as_deref(),
            Some(r#"{"message":"you *****","room":"r"}"#)
        );
    }

    #[test]
    fn profanity_under_other_keys_is_untouched() {
        let json = r#"{"room":"shit","name":"fuck","text":"hello"}"#;
        assert_eq!(masked(json), None);
    }

    #[test]
    fn nested_text_keys_are_not_filtered() {
        let json = r#"{"room":"r","reply_to":{"text":"shit"},"text":{"text":"shit"}}"#;
        assert_eq!(masked(json), None);
    }

    #[test]
    fn a_text_that_is_not_a_string_is_untouched() {
        assert_eq!(masked(r#"{"text":["shit"],"message":42}"#), None);
    }

    #[test]
    fn an_escaped_key_and_escaped_text_are_decoded_before_filtering() {
        let json = r#"{"\u0074ext":"line one\nsh\u0069t \"quoted\""}"#;
        let copy: Value = serde_json::from_str(&masked(json).unwrap()).unwrap();
        assert_eq!(copy["text"], "line one\n**** \"quoted\"");
    }

    #[test]
    fn unicode_text_keeps_its_accents_and_scripts_around_the_mask() {
        assert_eq!(
            masked(r#"{"text":"Désolé 😊 — shit, 日本語"}"#).as_deref(),
            Some(r#"{"text":"Désolé 😊 — ****, 日本語"}"#)
        );
    }

    #[test]
    fn a_2000_character_message_is_masked_wherever_needed() {
        let clean = "the quick brown fox jumps over a lazy dog ".repeat(47);
        let text = format!("{clean}shit{clean}");
        let text: String = text.chars().take(2000).collect();
        assert_eq!(text.chars().count(), 2000);
        let json = serde_json::json!({"room": "r", "text": text}).to_string();
        let copy: Value = serde_json::from_str(&masked(&json).unwrap()).unwrap();
        assert_eq!(copy["text"], text.replace("shit", "****"));
        let clean_json = serde_json::json!({"room": "r", "text": clean}).to_string();
        assert_eq!(masked(&clean_json), None);
    }
}
