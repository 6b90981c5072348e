//! Finding the chat text in a relayed payload without re-encoding anything else.
//!
//! The payload is parsed once, borrowing from the raw JSON: keys are compared without
//! allocating, and the values under `text` and `message` are borrowed as raw JSON, so their
//! position in the payload is known. Only when one of them needs masking is a copy made,
//! and then only those string literals are re-encoded; every other byte is copied as it is.

use super::pieces;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// `json` with the profane words of its top-level `text` and `message` strings masked, or
/// `None` when nothing needs masking, when `json` is not a JSON object, or when it is not
/// valid JSON at all.
pub(super) fn masked(json: &str) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let edits = deserializer.deserialize_map(ChatFields { json }).ok()?;
    deserializer.end().ok()?;
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(json.len() + 16);
    let mut copied = 0;
    for Edit { range, literal } in edits {
        out.push_str(&json[copied..range.start]);
        out.push_str(&literal);
        copied = range.end;
    }
    out.push_str(&json[copied..]);
    Some(out)
}

/// One string literal of the payload to replace.
struct Edit {
    /// Where the original literal (quotes included) sits in the payload.
    range: Range<usize>,
    /// The masked string, encoded as a JSON string literal.
    literal: String,
}

/// Visits the top-level object and collects the edits its chat fields need, in payload
/// order (the visitor sees the entries in order, so the ranges are sorted and disjoint).
struct ChatFields<'a> {
    json: &'a str,
}

impl<'de> Visitor<'de> for ChatFields<'de> {
    type Value = Vec<Edit>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Vec<Edit>, M::Error> {
        let mut edits = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            if key == Key::Other {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value: &'de RawValue = map.next_value()?;
            if let Some(edit) = edit_for(self.json, value).map_err(de::Error::custom)? {
                edits.push(edit);
            }
        }
        Ok(edits)
    }
}

/// The edit `value` needs: none unless it is a string with something to mask.
fn edit_for(json: &str, value: &RawValue) -> Result<Option<Edit>, serde_json::Error> {
    let raw = value.get();
    if !raw.starts_with('"') {
        return Ok(None);
    }
    let Text(text) = serde_json::from_str(raw)?;
    let Some(masked) = pieces::masked(&text) else {
        return Ok(None);
    };
    // `value` borrows from `json` (the deserializer reads from that very string), so
    // its offset is the distance between the two pointers.
    let start = raw.as_ptr() as usize - json.as_ptr() as usize;
    Ok(Some(Edit {
        range: start..start + raw.len(),
        literal: serde_json::to_string(&masked)?,
    }))
}

/// A decoded JSON string, borrowed from the payload unless it holds escape sequences.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// A top-level key, as far as masking cares; decoded escapes included (`"\u0074ext"` is
/// `text`), and never allocated.
#[derive(PartialEq, Eq)]
enum Key {
    /// `text` or `message`: its string value is masked.
    Chat,
    /// Anything else: passed on untouched.
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "text" | "message" => Key::Chat,
            _ => Key::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_is_passed_on_not_a_panic() {
        for broken in [
            "",
            "{",
            r#"{"text":"shit""#,
            r#"{"text":"shit",}"#,
            r#"{"text":"shit"} trailing"#,
            r#"{"text":"\ud800 shit"}"#,
            r#"{"text" "shit"}"#,
            "\u{0}",
        ] {
            assert_eq!(masked(broken), None, "{broken:?}");
        }
    }

    #[test]
    fn json_that_is_not_an_object_is_passed_on() {
        for other in [r#""shit""#, r#"["shit"]"#, "42", "null", "true"] {
            assert_eq!(masked(other), None, "{other}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(json in "\\PC{0,80}") {
            let _ = masked(&json);
        }

        #[test]
        fn a_masked_payload_is_valid_json_with_only_its_text_changed(
            text in "\\PC{0,30}(shit|f u c k)\\PC{0,30}"
        ) {
            let literal = serde_json::to_string(&text).unwrap();
            let json = format!(r#"{{"room":"r","text":{literal},"n":1.50}}"#);
            if let Some(copy) = masked(&json) {
                let value: serde_json::Value = serde_json::from_str(&copy).unwrap();
                let (head, tail) = (r#"{"room":"r","text":"#, r#","n":1.50}"#);
                proptest::prop_assert!(value["text"].is_string(), "{copy}");
                proptest::prop_assert!(copy.starts_with(head), "{copy}");
                proptest::prop_assert!(copy.ends_with(tail), "{copy}");
            }
        }
    }

    #[test]
    fn whitespace_around_keys_and_values_is_kept() {
        let json = "{ \"room\" : \"r\" ,\n  \"text\" :\t\"oh shit\"  }";
        assert_eq!(
            masked(json).as_deref(),
            Some("{ \"room\" : \"r\" ,\n  \"text\" :\t\"oh ****\"  }")
        );
    }

    #[test]
    fn both_chat_keys_and_repeated_keys_are_all_masked() {
        let json = r#"{"text":"shit","n":1,"message":"crap","text":"damn"}"#;
        assert_eq!(
            masked(json).as_deref(),
            Some(r#"{"text":"****","n":1,"message":"****","text":"****"}"#)
        );
    }
}
