//! `message`: the hot path. It runs inline in the socket's read loop (no task per
//! message, so a member's messages keep their order), touches no store and no global
//! lock, and passes the payload on as the raw JSON it arrived as.

use super::Realtime;
use super::context::SocketContext;
use super::refusal::*;
use super::request::{RawPayload, Request};
use serde::Deserialize;
use socketioxide::adapter::LocalAdapter;
use socketioxide::extract::SocketRef;
use socketioxide::handler::{FromMessageParts, MessageHandler, Value};
use socketioxide::socket::Socket;
use std::borrow::Cow;
use std::sync::Arc;

/// The `message` handler; see the module documentation.
pub struct Relay(pub Arc<Realtime>);

/// Marks [`Relay`]'s [`MessageHandler`] implementation.
pub struct Inline;

/// The only field the server reads of a chat message.
#[derive(Deserialize)]
struct Target<'a> {
    #[serde(borrow)]
    room: Option<RoomField<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RoomField<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

impl MessageHandler<LocalAdapter, Inline> for Relay {
    fn call(&self, socket: Arc<Socket<LocalAdapter>>, mut value: Value, ack_id: Option<i64>) {
        let Ok(request) = Request::from_message_parts(&socket, &mut value, &ack_id);
        let socket = SocketRef::from(socket);
        match self.0.relay(&socket, &request) {
            Ok(()) => request.succeed(Ack {}),
            Err(refusal) => request.refuse(&socket, "message", refusal, &self.0.metrics),
        }
    }
}

#[derive(serde::Serialize)]
struct Ack {}

impl Realtime {
    fn relay(&self, socket: &SocketRef, request: &Request) -> Result<(), Refusal> {
        let context = SocketContext::of(socket).ok_or(NOT_IN_ROOM)?;
        if request.is_binary() {
            return Err(BINARY_NOT_ALLOWED);
        }
        if context.message_limiter.check().is_err() {
            return Err(RATE_LIMITED);
        }
        let payload: RawPayload = request.argument()?.ok_or(INVALID_PAYLOAD)?;
        if payload.get().len() > self.limits.max_message_bytes {
            return Err(MESSAGE_TOO_LARGE);
        }
        let target: Target = serde_json::from_str(payload.get()).map_err(|_| INVALID_ROOM)?;
        let Some(RoomField::Text(room)) = target.room else {
            return Err(INVALID_ROOM);
        };
        let recipients = self
            .hub
            .recipients(&context.member, &room)
            .ok_or(NOT_IN_ROOM)?;
        for member in recipients.iter() {
            member.emit("message", payload);
        }
        self.metrics.messages_relayed.inc();
        Ok(())
    }
}
