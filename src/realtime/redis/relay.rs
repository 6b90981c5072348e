//! Relaying chat messages between the members of a room, on any node.

use super::courier::{Echo, Relay};
use super::member::RedisMember;
use super::{RedisAdapter, RedisPresence};
use crate::realtime::context::SocketContext;
use crate::realtime::masking::partner_copy;
use crate::realtime::presence::{ChatPayload, Relayed, Sent};
use crate::realtime::refusal::{NOT_IN_ROOM, PARTNER_UNREACHABLE, Refusal, UNAVAILABLE};
use crate::realtime::undelivered;
use serde_json::value::RawValue;
use socketioxide::SocketIo;
use socketioxide::socket::Socket;
use std::sync::Arc;

impl RedisPresence {
    /// Two plain members of a room on this node chat here, with no Redis round trip (and
    /// through a Redis outage). Everything else goes through the relay script, which
    /// checks that the sender may post, and numbers and keeps the events of resumable
    /// members (docs/protocol.md section 6). One sender's relays run in order.
    pub(super) fn relay_message(
        &self,
        member: &Arc<RedisMember>,
        room: &str,
        session_id: &str,
        payload: ChatPayload<'_>,
    ) -> Relayed {
        let masked = match partner_copy(payload.0, session_id, &member.id) {
            Ok(masked) => masked,
            Err(refusal) => return Relayed::Now(Err(refusal)),
        };
        let Some(io) = self.io().cloned() else {
            return Relayed::Now(Err(UNAVAILABLE));
        };
        let Some(socket) = member.socket() else {
            return Relayed::Now(Err(NOT_IN_ROOM));
        };
        let delivery = Delivery {
            room: room.to_owned(),
            payload: payload.0.to_owned(),
            masked,
        };
        let (done, result) = tokio::sync::oneshot::channel::<Result<Sent, Refusal>>();
        let here = match socket.rooms().iter().any(|r| *r == room) {
            true => plain_pair_here(&io, room),
            false => None,
        };
        if let Some(Here { filtering }) = here {
            member.in_order(async move {
                match filtering {
                    false => delivery.send_here(&io, &socket).await,
                    true => delivery.send_here_filtered(&io, &socket),
                }
                done.send(Ok(Sent::Delivered)).ok();
            });
        } else {
            let (courier, sender) = (self.courier.clone(), member.clone());
            member.in_order(async move {
                let copy = delivery.masked.as_deref();
                let relayed = courier
                    .relay(&sender.id, &delivery.room, &delivery.payload, copy)
                    .await;
                let outcome = match relayed {
                    Ok(Relay::Done { held, echo }) => {
                        if let Some(echo) = echo {
                            // Mends a join her socket missed (a node or Redis hiccup).
                            socket.join(delivery.room.clone());
                            match echo {
                                Echo::Plain => emit(&socket, &delivery.payload),
                                Echo::Numbered(incoming) => sender.receive(incoming),
                            }
                        }
                        Ok(if held { Sent::Held } else { Sent::Delivered })
                    }
                    Ok(Relay::Refused) => Err(PARTNER_UNREACHABLE),
                    Ok(Relay::NotInRoom) => Err(NOT_IN_ROOM),
                    Err(cause) => {
                        tracing::warn!(%cause, "relaying through Redis failed");
                        Err(UNAVAILABLE)
                    }
                };
                done.send(outcome).ok();
            });
        }
        // Acknowledged once delivered (or kept), so that an ack means "sent".
        Relayed::Later(Box::pin(
            async move { result.await.unwrap_or(Err(NOT_IN_ROOM)) },
        ))
    }
}

/// A room whose members are all on this node and plain.
struct Here {
    /// One of them has her profanity filter on.
    filtering: bool,
}

/// Whether `room` has two sockets on this node, neither of a resumable member (whose
/// events Redis numbers), and whether one of them filters profanity.
fn plain_pair_here(io: &SocketIo<RedisAdapter>, room: &str) -> Option<Here> {
    let here = io.local().within(room.to_owned()).sockets();
    if here.len() < 2 {
        return None;
    }
    let mut filtering = false;
    for socket in &here {
        let context = SocketContext::<RedisPresence>::of(socket)?;
        if context.member.is_resumable() {
            return None;
        }
        filtering |= context.member.filter.is_on();
    }
    Some(Here { filtering })
}

/// One chat message on its way to the members of a room.
struct Delivery {
    room: String,
    payload: Box<RawValue>,
    /// When the payload holds the sender's session id: the copy for everyone but her.
    masked: Option<Box<RawValue>>,
}

impl Delivery {
    /// Sends the payload to the room's sockets on this node, in one broadcast; when it
    /// had to be masked, the sender's `socket` gets the original and everyone else the
    /// copy.
    async fn send_here(self, io: &SocketIo<RedisAdapter>, socket: &Arc<Socket<RedisAdapter>>) {
        let here = io.local().within(self.room.clone());
        let sent = match &self.masked {
            None => here.emit("message", &self.payload).await,
            Some(copy) => {
                emit(socket, &self.payload);
                here.except(socket.id).emit("message", copy).await
            }
        };
        if let Err(cause) = sent {
            undelivered::unsent("message", &cause);
        }
    }
}

impl Delivery {
    /// As [`Delivery::send_here`] when a member of the room filters profanity: one
    /// socket at a time, each partner's copy as her filter shows it.
    fn send_here_filtered(self, io: &SocketIo<RedisAdapter>, socket: &Arc<Socket<RedisAdapter>>) {
        emit(socket, &self.payload);
        let others = self.masked.as_deref().unwrap_or(&self.payload);
        for reader in io.local().within(self.room).sockets() {
            if reader.id == socket.id {
                continue;
            }
            match SocketContext::<RedisPresence>::of(&reader) {
                Some(context) => emit(&reader, &context.member.filter.shown(others)),
                None => emit(&reader, others),
            }
        }
    }
}

/// Writes a chat message to one socket.
fn emit(socket: &Socket<RedisAdapter>, payload: &RawValue) {
    if let Err(cause) = socket.emit("message", payload) {
        undelivered::unsent("message", &cause);
    }
}
