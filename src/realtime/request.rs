use super::refusal::{INVALID_PAYLOAD, Refusal};
use super::undelivered;
use crate::metrics::Metrics;
use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use socketioxide::adapter::Adapter;
use socketioxide::extract::AckSender;
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::Socket;
use socketioxide_core::Str;
use std::convert::Infallible;
use std::sync::Arc;

/// One incoming event as it came off the wire: the raw JSON array (kept, not parsed, so
/// a relayed message is passed on unchanged), whether binary attachments came with it,
/// and the means to acknowledge it when the client asked.
pub struct Request<A: Adapter> {
    raw: Str,
    binary: bool,
    ack: Option<AckSender<A>>,
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
        let ack = match ack_id {
            Some(_) => AckSender::from_message_parts(s, v, ack_id).ok(),
            None => None,
        };
        Ok(Self { raw, binary, ack })
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

    /// Acknowledges success with `{"ok": true, ...body}` if the client asked; an ack that
    /// cannot be queued is counted and logged as undelivered.
    pub fn succeed<T: Serialize>(self, body: T, metrics: &Metrics) {
        #[derive(Serialize)]
        struct Success<T> {
            ok: bool,
            #[serde(flatten)]
            body: T,
        }
        if let Some(ack) = self.ack {
            let sent = ack.send(&Success { ok: true, body });
            undelivered::note(sent, "ack", metrics);
        }
    }

    /// Acknowledges success with `{"ok": true}` if the client asked.
    pub fn acknowledge(self, metrics: &Metrics) {
        #[derive(Serialize)]
        struct Empty {}
        self.succeed(Empty {}, metrics);
    }

    /// Reports a refusal of `event`: in the ack if the client asked for one, else as a
    /// `request_error` event. Counted in the metrics by its code; a reply that cannot be
    /// queued is counted and logged as undelivered.
    pub fn refuse(self, socket: &Socket<A>, event: &str, refusal: Refusal, metrics: &Metrics) {
        metrics.error(refusal.code);
        let error = ErrorBody {
            code: refusal.code,
            message: refusal.message,
        };
        let (what, sent) = match self.ack {
            Some(ack) => ("ack", ack.send(&Failure { ok: false, error })),
            None => {
                let body = RequestError {
                    event,
                    code: refusal.code,
                    message: refusal.message,
                };
                ("request_error", socket.emit("request_error", &body))
            }
        };
        undelivered::note(sent, what, metrics);
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
