//! One event as a member's outbox and journal keep it, encoded once, and how it is written
//! to her socket: with her `seq` when she is resumable, a partner's chat message as her
//! profanity filter shows it.

use super::journal::Weighed;
use crate::realtime::reader_filter::ReaderFilter;
use crate::realtime::undelivered;
use serde::Serialize;
use serde_json::value::RawValue;
use socketioxide::SendError;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use std::borrow::Cow;
use std::sync::Arc;

/// One event, encoded once: kept, resent or left waiting as is.
pub struct Frame {
    /// The event's name.
    pub(super) event: Cow<'static, str>,
    /// Its argument.
    pub(super) data: Box<RawValue>,
    /// A partner's chat message: masked for a reader with the filter on.
    pub(super) from_partner: bool,
}

impl Frame {
    /// The event `event` with `data` as it came; `from_partner`: a partner's chat message.
    pub fn new(
        event: impl Into<Cow<'static, str>>,
        data: Box<RawValue>,
        from_partner: bool,
    ) -> Arc<Self> {
        Arc::new(Self {
            event: event.into(),
            data,
            from_partner,
        })
    }

    /// The notice `event` with `data` encoded; `None` (logged) if it cannot be encoded.
    pub fn encode<T: ?Sized + Serialize>(event: &'static str, data: &T) -> Option<Arc<Self>> {
        match serde_json::value::to_raw_value(data) {
            Ok(data) => Some(Self::new(event, data, false)),
            Err(cause) => {
                undelivered::unsent(event, &cause);
                None
            }
        }
    }
}

impl Weighed for Frame {
    fn size(&self) -> usize {
        self.event.len() + self.data.get().len()
    }
}

/// The trailing argument of every event to a resumable member.
#[derive(Serialize)]
struct Seq {
    seq: u64,
}

/// A chat `payload` as its reader sees it: a partner's message through her `filter`, her
/// own echo as it is.
pub fn shown<'a>(
    payload: &'a RawValue,
    from_partner: bool,
    filter: &ReaderFilter,
) -> Cow<'a, RawValue> {
    match from_partner {
        true => filter.shown(payload),
        false => Cow::Borrowed(payload),
    }
}

/// Sends `frame`, with its `seq` as the trailing argument for a resumable member; a
/// partner's message as the reader's `filter` shows it.
pub fn send<A: Adapter>(
    socket: &Socket<A>,
    frame: &Frame,
    seq: Option<u64>,
    filter: &ReaderFilter,
) -> Result<(), SendError> {
    let data = shown(&frame.data, frame.from_partner, filter);
    match seq {
        Some(seq) => socket.emit(&frame.event, &(&*data, Seq { seq })),
        None => socket.emit(&frame.event, &*data),
    }
}
