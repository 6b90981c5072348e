//! Relaying chat messages between the members of a room, on any node.

use super::courier::{Echo, Relay};
use super::member::RedisMember;
use super::{RedisAdapter, RedisPresence};
use crate::realtime::context::SocketContext;
use crate::realtime::delivery::Until;
use crate::realtime::masking::partner_copy;
use crate::realtime::presence::{ChatPayload, Relayed, Sent};
use crate::realtime::refusal::{NOT_IN_ROOM, PARTNER_UNREACHABLE, Refusal, UNAVAILABLE};
use crate::realtime::{Delivery as Fate, Relaying};
use serde_json::value::RawValue;
use socketioxide::SocketIo;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::oneshot;

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
        let (done, result) = oneshot::channel::<Answer>();
        // The room's members on this node, the sender among them.
        let here = match socket.rooms().iter().any(|r| *r == room) {
            true => members_here(&io, room),
            false => Vec::new(),
        };
        if here.len() >= 2 && here.iter().all(|m| !m.is_resumable()) {
            let sender = member.clone();
            member.in_order(async move {
                answer(done, delivery.send_here(&sender, &here));
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
                                Echo::Plain => {
                                    let _echo = sender.relay_here(&delivery.payload, false);
                                }
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
                answer(done, after_partners_here(&sender, &here, outcome));
            });
        }
        // Acknowledged once delivered (or kept), so that an ack means "sent".
        Relayed::Later(Box::pin(async move {
            match result.await {
                Ok(answer) => answer.await,
                Err(_) => Err(NOT_IN_ROOM),
            }
        }))
    }
}

/// A relay's answer to its sender, once her job ran: it may still wait for a partner's
/// full queue.
type Answer = Pin<Box<dyn Future<Output = Result<Sent, Refusal>> + Send>>;

/// Hands the job's `answer` to the sender's ack.
fn answer(done: oneshot::Sender<Answer>, answer: Answer) {
    if done.send(answer).is_err() {
        tracing::debug!("a relay's ack was no longer awaited");
    }
}

/// The members of `room` whose sockets are on this node.
fn members_here(io: &SocketIo<RedisAdapter>, room: &str) -> Vec<Arc<RedisMember>> {
    let sockets = io.local().within(room.to_owned()).sockets();
    let contexts = sockets
        .iter()
        .filter_map(|s| SocketContext::<RedisPresence>::of(s));
    contexts.map(|context| context.member.clone()).collect()
}

/// `outcome` once every partner of `sender` on this node (`here`) has room for what waits
/// for her, or has been given up on: as on one node, a sender whose partner reads slowly
/// waits, rather than filling that partner's journal faster than she reads. (Redis has the
/// message already; what her node then gives up on, it tells the sender itself.)
fn after_partners_here(
    sender: &RedisMember,
    here: &[Arc<RedisMember>],
    outcome: Result<Sent, Refusal>,
) -> Answer {
    let settling: Vec<_> = (here.iter())
        .filter(|m| m.id != sender.id)
        .filter_map(|partner| partner.settled(Until::Empty))
        .collect();
    // Not read from until they have room (or time out).
    let reading = sender.hold_reading_if(!settling.is_empty());
    Box::pin(async move {
        let _reading = reading;
        for settled in settling {
            // Its fate reaches the sender by itself (held, or a `request_error`).
            let _fate = settled.await;
        }
        outcome
    })
}

/// One chat message on its way to the members of a room.
struct Delivery {
    room: String,
    payload: Box<RawValue>,
    /// When the payload holds the sender's session id: the copy for everyone but her.
    masked: Option<Box<RawValue>>,
}

impl Delivery {
    /// Writes the message to the sockets of a room of plain members on this node (`here`):
    /// each partner's copy as her filter shows it, then the sender's own. The answer waits
    /// for a partner whose queue is full: sent once it has room, `partner_unreachable`
    /// when she is given up on, `overloaded` when too much waits for her already.
    fn send_here(self, sender: &RedisMember, here: &[Arc<RedisMember>]) -> Answer {
        let others = self.masked.as_deref().unwrap_or(&self.payload);
        let mut waiting = Vec::new();
        for reader in here.iter().filter(|m| m.id != sender.id) {
            match reader.relay_here(others, true) {
                Relaying::Done(fate) => {
                    if let Err(refusal) = fate.for_sender() {
                        return Box::pin(std::future::ready(Err(refusal)));
                    }
                }
                Relaying::Waiting(fate) => waiting.push(fate),
            }
        }
        // Her own echo: its fate is hers to see (she is the one reading, or not).
        let _echo = sender.relay_here(&self.payload, false);
        // Not read from until her message has room (or times out).
        let reading = sender.hold_reading_if(!waiting.is_empty());
        Box::pin(async move {
            let _reading = reading;
            for fate in waiting {
                fate.await.unwrap_or(Fate::Unreachable).for_sender()?;
            }
            Ok(Sent::Delivered)
        })
    }
}
