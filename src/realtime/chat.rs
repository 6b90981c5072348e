//! `message`: the hot path. It runs inline in the socket's read loop (no task per
//! message, so a member's messages keep their order), touches no store, and passes the
//! payload on as the raw JSON it arrived as.

use super::Realtime;
use super::connect::SocketBackend;
use super::context::SocketContext;
use super::presence::{Relayed, Sent};
use super::refusal::*;
use super::request::{RawPayload, Request};
use serde::Deserialize;
use socketioxide::handler::{FromMessageParts, MessageHandler, Value};
use socketioxide::socket::Socket;
use std::borrow::Cow;
use std::sync::Arc;
use tracing::Instrument;

/// The `message` handler; see the module documentation.
pub struct Relay<P: super::Presence>(pub Arc<Realtime<P>>);

/// Marks [`Relay`]'s [`MessageHandler`] implementation.
pub struct Inline;

/// A message that passed every check but membership: the sender, the payload, the room.
type Checked<'r, P> = (Arc<SocketContext<P>>, RawPayload<'r>, Cow<'r, str>);

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

impl<P: SocketBackend> MessageHandler<P::Adapter, Inline> for Relay<P> {
    fn call(&self, socket: Arc<Socket<P::Adapter>>, mut value: Value, ack_id: Option<i64>) {
        let _span = tracing::trace_span!("relay", event = "message").entered();
        let Ok(request) = Request::from_message_parts(&socket, &mut value, &ack_id);
        match self.0.relay(&socket, &request) {
            Relayed::Now(result) => self.0.report_relay(request, result),
            Relayed::Later(pending) => {
                let rt = self.0.clone();
                let reported = async move {
                    let result = pending.await;
                    rt.report_relay(request, result);
                };
                tokio::spawn(reported.in_current_span());
            }
        }
    }
}

/// A relayed message's ack: `{ok: true}`, with `held: true` when the partner is away.
#[derive(serde::Serialize)]
struct Ack {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    held: bool,
}

impl<P: SocketBackend> Realtime<P> {
    fn report_relay(&self, request: Request<P::Adapter>, result: Result<Sent, Refusal>) {
        match result {
            Ok(sent) => {
                self.metrics.messages_relayed.inc();
                let held = sent == Sent::Held;
                if held {
                    self.metrics.messages_held.inc();
                }
                request.succeed(Ack { held }, &self.metrics);
            }
            Err(refusal) => request.refuse("message", refusal, &self.metrics),
        }
    }

    fn relay(&self, socket: &Arc<Socket<P::Adapter>>, request: &Request<P::Adapter>) -> Relayed {
        match self.check(socket, request) {
            Ok((context, payload, room)) => {
                self.presence
                    .relay(&context.member, &room, socket.id.as_str(), payload.into())
            }
            Err(refusal) => Relayed::Now(Err(refusal)),
        }
    }

    /// Everything about a message that can be checked without the backend.
    fn check<'r>(
        &self,
        socket: &Socket<P::Adapter>,
        request: &'r Request<P::Adapter>,
    ) -> Result<Checked<'r, P>, Refusal> {
        let context = SocketContext::<P>::of(socket).ok_or(NOT_IN_ROOM)?;
        if request.is_binary() {
            return Err(BINARY_NOT_ALLOWED);
        }
        if context.connection().message_limiter.check().is_err() {
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
        Ok((context, payload, room))
    }
}
