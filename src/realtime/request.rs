use super::delivery::no_room;
use super::refusal::{INVALID_PAYLOAD, Refusal};
use super::replies::{Replies, Reply, ack_sender};
use super::undelivered;
use crate::metrics::Metrics;
use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use socketioxide::adapter::Adapter;
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::Socket;
use socketioxide_core::Str;
use std::convert::Infallible;
use std::sync::Arc;

/// One incoming event as it came off the wire: the raw JSON array (kept, not parsed, so
/// a relayed message is passed on unchanged), whether binary attachments came with it,
/// and the socket to answer it on (with an ack when the client asked).
pub struct Request<A: Adapter> {
    raw: Str,
    binary: bool,
    ack: Option<i64>,
    socket: Arc<Socket<A>>,
}

impl<A: Adapter> FromMessageParts<A> for Request<A> {
    type Error = Infallible;

    fn from_message_parts(
        s: &Arc<Socket<A>>,
        v: &mut Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Infallible> {
        let (raw, binary) = match v {
            Value::Str(raw, attachments) => (raw.clone(), attachments.is_some()),
            Value::Bytes(_) => (Str::from(""), true),
        };
        Ok(Self {
            raw,
            binary,
            ack: *ack_id,
            socket: s.clone(),
        })
    }
}

#[derive(Serialize)]
struct Failure<'a> {
    ok: bool,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct RequestError<'a> {
    event: &'a str,
    code: &'a str,
    message: &'a str,
}

impl<A: Adapter> Request<A> {
    /// Whether binary attachments came with the event.
    pub fn is_binary(&self) -> bool {
        self.binary
    }

    /// The event's first argument, borrowed from the raw packet; `None` if there is none.
    pub fn argument<'a, T: Deserialize<'a>>(&'a self) -> Result<Option<T>, Refusal> {
        let mut reader = serde_json::Deserializer::from_str(self.raw.as_str());
        serde::Deserializer::deserialize_seq(&mut reader, FirstArgument(std::marker::PhantomData))
            .map_err(|_| INVALID_PAYLOAD)
    }

    /// The first argument as an owned value (for handlers that await).
    pub fn owned_argument<T: DeserializeOwned>(&self) -> Result<Option<T>, Refusal> {
        self.argument()
    }

    /// Acknowledges success with `{"ok": true, ...body}` if the client asked.
    pub fn succeed<T: Serialize>(self, body: T, metrics: &Metrics) {
        #[derive(Serialize)]
        struct Success<T> {
            ok: bool,
            #[serde(flatten)]
            body: T,
        }
        if self.ack.is_some() {
            self.reply("ack", &Success { ok: true, body }, metrics);
        }
    }

    /// Acknowledges success with `{"ok": true}` if the client asked.
    pub fn acknowledge(self, metrics: &Metrics) {
        #[derive(Serialize)]
        struct Empty {}
        self.succeed(Empty {}, metrics);
    }

    /// Reports a refusal of `event`: in the ack if the client asked for one, else as a
    /// `request_error` event. Counted in the metrics by its code.
    pub fn refuse(self, event: &str, refusal: Refusal, metrics: &Metrics) {
        metrics.error(refusal.code);
        if self.ack.is_some() {
            let error = ErrorBody {
                code: refusal.code,
                message: refusal.message,
            };
            return self.reply("ack", &Failure { ok: false, error }, metrics);
        }
        let body = RequestError {
            event,
            code: refusal.code,
            message: refusal.message,
        };
        self.reply("request_error", &body, metrics);
    }

    /// Sends `data` as the ack if the client asked for one, else as event `event`. A reply
    /// that finds the client's queue full, or replies waiting already, waits behind them
    /// for room (see [`Replies`]); one that cannot be sent at all is counted and logged as
    /// undelivered.
    fn reply<T: ?Sized + Serialize>(&self, event: &'static str, data: &T, metrics: &Metrics) {
        let replies = match Replies::of(&self.socket) {
            Some(replies) if replies.any_waiting() => replies,
            replies => {
                let sent = match self.ack {
                    Some(id) => ack_sender(&self.socket, id).send(data),
                    None => self.socket.emit(event, data),
                };
                match (&sent, replies) {
                    (Err(error), Some(replies)) if no_room(error) => replies,
                    _ => return undelivered::note(sent, event, metrics),
                }
            }
        };
        match Reply::encode(self.ack, event, data) {
            Ok(reply) => replies.wait(reply),
            Err(cause) => undelivered::not_encoded(event, &cause, metrics),
        }
    }
}

/// Reads `["event", first, ...]` and keeps `first`.
struct FirstArgument<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for FirstArgument<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an event array")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Option<T>, S::Error> {
        seq.next_element::<IgnoredAny>()?;
        let first = seq.next_element::<T>()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }
}

/// A message payload passed through untouched.
pub type RawPayload<'a> = &'a RawValue;
