//! Relaying chat messages between the members of a room, on any node.

use super::member::RedisMember;
use super::replies::RecordedPlace;
use super::{RedisAdapter, RedisPresence};
use crate::realtime::masking::partner_copy;
use crate::realtime::presence::{ChatPayload, Relayed, Sent};
use crate::realtime::refusal::{NOT_IN_ROOM, Refusal, UNAVAILABLE};
use crate::realtime::undelivered;
use serde_json::value::RawValue;
use socketioxide::SocketIo;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::Socket;

impl RedisPresence {
    /// A member of the room (her socket sits in its adapter room on this node) relays
    /// through the adapter with no Redis round trip but its publish; anyone else is
    /// checked against Redis first. One sender's relays run in order.
    pub(super) fn relay_message(
        &self,
        member: &RedisMember,
        room: &str,
        session_id: &str,
        payload: ChatPayload<'_>,
    ) -> Relayed {
        let masked = match partner_copy(payload.0, session_id, &member.id) {
            Ok(masked) => masked.map(|copy| (copy, member.id.as_str().to_owned())),
            Err(refusal) => return Relayed::Now(Err(refusal)),
        };
        let delivery = Delivery {
            room: room.to_owned(),
            payload: payload.0.to_owned(),
            masked,
        };
        let Some(io) = self.io().cloned() else {
            return Relayed::Now(Err(UNAVAILABLE));
        };
        let Some(socket) = member.socket() else {
            return Relayed::Now(Err(NOT_IN_ROOM));
        };
        let (done, result) = tokio::sync::oneshot::channel::<Result<Sent, Refusal>>();
        if socket.rooms().iter().any(|r| *r == room) {
            member.in_order(async move {
                delivery.send(&io, Some(&socket)).await;
                done.send(Ok(Sent::Delivered)).ok();
            });
        } else {
            let mut conn = self.rules.connection();
            let own_key = self.rules.keys().member(&member.id);
            let room_key = self.rules.keys().room(room);
            member.in_order(async move {
                let room = delivery.room.as_str();
                let check: redis::RedisResult<(Option<String>, bool)> = redis::pipe()
                    .hget(own_key, "place")
                    .exists(room_key)
                    .query_async(&mut conn)
                    .await;
                let allowed = match check
                    .map(|(place, open)| (RecordedPlace::parse(place.as_deref()), open))
                {
                    // Her record says she is in the room, though her socket missed the
                    // adapter's join (a node or Redis hiccup): mend it.
                    Ok((RecordedPlace::Room(hers), _)) if hers.as_str() == room => {
                        socket.join(room.to_owned());
                        Some(Some(&*socket))
                    }
                    // An outsider may post only from nowhere, into a room still open.
                    Ok((RecordedPlace::Nowhere, true)) => Some(None),
                    Ok(_) => None,
                    Err(cause) => {
                        tracing::warn!(%cause, "checking a relay against Redis failed");
                        None
                    }
                };
                let outcome = match allowed {
                    Some(echo) => {
                        delivery.send(&io, echo).await;
                        Ok(Sent::Delivered)
                    }
                    None => Err(NOT_IN_ROOM),
                };
                done.send(outcome).ok();
            });
        }
        // Acknowledged once handed to the adapter, so that an ack means "sent".
        Relayed::Later(Box::pin(
            async move { result.await.unwrap_or(Err(NOT_IN_ROOM)) },
        ))
    }
}

/// One chat message on its way to the members of a room.
struct Delivery {
    room: String,
    payload: Box<RawValue>,
    /// When the payload holds the sender's session id: the copy for everyone but her,
    /// and the adapter room that names her.
    masked: Option<(Box<RawValue>, String)>,
}

impl Delivery {
    /// Sends the payload to the room; when it had to be masked, `echo` (the sender's
    /// socket, if she is in the room) gets the original and everyone else the copy.
    async fn send(self, io: &SocketIo<RedisAdapter>, echo: Option<&Socket<RedisAdapter>>) {
        let Some((copy, sender)) = self.masked else {
            return broadcast(io, &self.room, None, &self.payload).await;
        };
        if let Some(socket) = echo
            && let Err(cause) = socket.emit("message", &self.payload)
        {
            undelivered::unsent("message", &cause);
        }
        broadcast(io, &self.room, Some(sender), &copy).await;
    }
}

/// Sends `payload` to everyone in `room` but the members of `except`. When the room's two
/// members sit on this node it stays here; otherwise it goes through the adapter (one
/// publish), and while Redis is away at least the members on this node still get it.
async fn broadcast(
    io: &SocketIo<RedisAdapter>,
    room: &str,
    except: Option<String>,
    payload: &RawValue,
) {
    let everyone_but = |operators: BroadcastOperators<RedisAdapter>| match &except {
        Some(sender) => operators.except(sender.clone()),
        None => operators,
    };
    let here = io.local().within(room.to_owned());
    let both_here = here.clone().sockets().len() >= 2;
    let here = everyone_but(here);
    if both_here {
        if let Err(cause) = here.emit("message", payload).await {
            undelivered::unsent("message", &cause);
        }
        return;
    }
    let everywhere = everyone_but(io.within(room.to_owned()));
    if let Err(cause) = everywhere.emit("message", payload).await {
        undelivered::unsent("message", &cause);
        // Redis away: at least the members on this node still get it.
        if let Err(cause) = here.emit("message", payload).await {
            undelivered::unsent("message", &cause);
        }
    }
}
