//! One reader's profanity filter (docs/protocol.md section 7): whether she turned it on,
//! and what a partner's chat message looks like to her.
//!
//! The setting belongs to the member, not to her socket: on one node it lives in her
//! [`super::Mailbox`], which a resume points at her new socket; on several nodes in the
//! node-local record of her ([`super::redis::RedisMember`]), and for a resumable member
//! also in her Redis record, from which the node she resumes on reads it. Masking happens
//! when an event is written to her socket, so what is replayed on a resume is masked by
//! the setting she has then. Her own echo is never masked: only a partner's message is
//! handed to [`ReaderFilter::shown`].

use crate::filter::mask_profanity;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether one reader wants profanity masked; off until she turns it on.
#[derive(Debug, Default)]
pub struct ReaderFilter(AtomicBool);

impl ReaderFilter {
    /// Turns her filter on or off, for every later write to her socket.
    pub fn set(&self, on: bool) {
        self.0.store(on, Ordering::Relaxed);
    }

    /// Whether her filter is on.
    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A partner's chat `payload` as she sees it: the payload itself while her filter is
    /// off (a bool check, nothing parsed or copied) or when nothing needs masking, else
    /// the masked copy.
    pub fn shown<'a>(&self, payload: &'a RawValue) -> Cow<'a, RawValue> {
        if !self.is_on() {
            return Cow::Borrowed(payload);
        }
        match mask_profanity(payload) {
            Some(masked) => Cow::Owned(masked),
            None => Cow::Borrowed(payload),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    #[test]
    fn a_reader_without_the_filter_sees_the_payload_itself() {
        let filter = ReaderFilter::default();
        let payload = raw(r#"{"text":"oh shit"}"#);
        assert!(matches!(filter.shown(&payload), Cow::Borrowed(_)));
    }

    #[test]
    fn a_reader_with_the_filter_sees_it_masked_until_she_turns_it_off() {
        let filter = ReaderFilter::default();
        let payload = raw(r#"{"text":"oh shit"}"#);
        filter.set(true);
        assert_eq!(filter.shown(&payload).get(), r#"{"text":"oh ****"}"#);
        filter.set(false);
        assert_eq!(filter.shown(&payload).get(), r#"{"text":"oh shit"}"#);
    }
}
