//! How this node writes to its members' sockets (docs/protocol.md section 6, "Nothing
//! lost"): every event goes through the member's [`Outbox`](crate::realtime::delivery::Outbox),
//! so that one that finds her send queue full waits, in order, for up to the send timeout;
//! then she is stuck, counted and disconnected, as on one node.
//!
//! Who learns a waiting message's fate: a sender on this node whose message to a plain
//! partner here took no Redis round trip waits for it in her ack (`super::relay`); a
//! message that came through Redis was acked when Redis took it, so when it is given up
//! on its sender is told by a `request_error` through the courier, wherever she is. A
//! resumable member's events are in her journal: nothing to tell, she resumes.

use super::courier::Courier;
use super::inbox::Incoming;
use super::member::RedisMember;
use crate::domain::MemberId;
use crate::read_gate::ReadHold;
use crate::realtime::delivery::{Delivery, Flushing, Frame, Relaying, Until, Wait, shown, stuck};
use crate::realtime::undelivered;
use serde::Serialize;
use serde_json::value::RawValue;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A late refusal of a chat message, to its sender.
#[derive(Serialize)]
struct LateRefusal<'a> {
    event: &'static str,
    code: &'a str,
    message: &'a str,
}

/// How many events may wait for her socket.
#[derive(Clone, Copy)]
pub enum Limit {
    /// The outlet's backlog limit.
    Backlog,
    /// All of them: a resume's replay, which her ack waits for.
    None,
}

impl RedisMember {
    /// Writes `incoming` to her socket, or leaves it waiting for room (within `limit`): a
    /// numbered event with her `seq`, a partner's message as her filter shows it;
    /// `typing` only when her queue has room now (it never waits).
    pub(super) fn emit(&self, incoming: Incoming, limit: Limit) {
        let mut outbox = self.outbox.lock();
        if incoming.event == "typing" {
            return outbox.volatile("typing", &*incoming.data);
        }
        let from_partner = incoming.is_from_partner_of(&self.id);
        let seq = (incoming.seq != 0).then_some(incoming.seq);
        // A partner's message to a plain member: its sender hears if it is given up on.
        let sender = incoming.sender.filter(|_| from_partner && seq.is_none());
        let frame = Frame::new(incoming.event, incoming.data, from_partner);
        // What nobody could be told of, nor keeps (a plain member's notice or echo),
        // always waits, as on one node (`Mailbox`'s `waiting_limit`).
        let limit = match limit {
            Limit::Backlog if sender.is_some() || seq.is_some() => self.outlet.backlog_limit,
            Limit::Backlog | Limit::None => usize::MAX,
        };
        let relaying = outbox.offer(
            frame,
            seq,
            &self.filter,
            self.waiting(sender.is_some(), limit),
        );
        drop(outbox);
        match sender {
            Some(sender) => self.tell_sender(sender, relaying),
            None => unsent_notice(relaying),
        }
    }

    /// Writes the notice `event` to her socket (she is a plain member of this node), or
    /// leaves it waiting for room.
    pub(super) fn notify<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        // Nobody could be told of a notice turned away: it always waits.
        let waiting = self.waiting(false, usize::MAX);
        let relaying = self.outbox.lock().write(
            event,
            |socket| socket.emit(event, data),
            || Frame::encode(event, data),
            waiting,
        );
        unsent_notice(relaying);
    }

    /// Writes a chat message of a room on this node to her socket, or leaves it waiting
    /// for room. A partner's message (`from_partner`, shown through her filter) has a
    /// fate its sender waits for; her own echo has none.
    pub(super) fn relay_here(&self, payload: &RawValue, from_partner: bool) -> Relaying {
        // Her own echo always waits, as on one node (`Mailbox`'s `waiting_limit`).
        let limit = match from_partner {
            true => self.outlet.backlog_limit,
            false => usize::MAX,
        };
        let waiting = self.waiting(from_partner, limit);
        self.outbox.lock().write(
            "message",
            |socket| socket.emit("message", &*shown(payload, from_partner, &self.filter)),
            || Some(Frame::new("message", payload.to_owned(), from_partner)),
            waiting,
        )
    }

    /// Her socket is gone: what waits for it is given up on (held for a resumable
    /// member, whose journal has it; unreachable otherwise).
    pub(super) fn detach(&self) {
        let fate = match self.is_resumable() {
            true => Delivery::Held,
            false => Delivery::Unreachable,
        };
        self.outbox.lock().rebind(None, fate);
    }

    /// When `waits` (a message of hers waits for a partner's room): keeps her connection
    /// from being read until the returned hold is dropped.
    pub(super) fn hold_reading_if(&self, waits: bool) -> Option<ReadHold> {
        waits.then(|| self.outbox.lock().hold_reading())?
    }

    /// Resolves once what waits for her now is sent or given up on (see
    /// [`crate::realtime::delivery::Outbox::settled`]); `None` when nothing waits.
    pub(super) fn settled(&self, until: Until) -> Option<oneshot::Receiver<Delivery>> {
        self.outbox.lock().settled(until)
    }

    fn waiting(&self, answer: bool, limit: usize) -> Wait<'_> {
        Wait {
            answer,
            limit,
            owner: self,
        }
    }

    /// She is stuck: a resumable member counts as away in Redis at once, so that what any
    /// node sends her from now on is held in her journal (refused when it is full) rather
    /// than pushing out older events she never read; her partner hears that she is away
    /// once her socket's end is handled, as for any connection that ends.
    async fn hold_from_now(&self) {
        if !self.is_resumable() {
            return;
        }
        let Some(courier) = self.courier.upgrade() else {
            return;
        };
        if let Err(cause) = courier.mark_away(&self.id).await {
            tracing::warn!(%cause, "marking a stuck member away failed");
        }
    }

    /// Tells `sender` (on any node) when her message, already acked, is given up on.
    fn tell_sender(&self, sender: MemberId, relaying: Relaying) {
        let Some(courier) = self.courier.upgrade() else {
            return;
        };
        match relaying {
            Relaying::Done(fate) => {
                if fate.for_sender().is_err() {
                    tokio::spawn(refuse_late(courier, sender, fate));
                }
            }
            Relaying::Waiting(fate) => {
                tokio::spawn(async move {
                    let fate = fate.await.unwrap_or(Delivery::Unreachable);
                    refuse_late(courier, sender, fate).await;
                });
            }
        }
    }
}

impl Flushing for RedisMember {
    /// Sends what waits as her queue makes room; after the send timeout she is stuck (see
    /// [`stuck::flush`]).
    fn start_flush(&self) {
        if let Some(me) = self.me.upgrade() {
            tokio::spawn(async move {
                let stuck = stuck::flush(|| {
                    let resumable = me.is_resumable();
                    (me.outbox.lock()).flush_once(&me.filter, resumable, me.outlet.send_timeout)
                });
                if let Some((socket, why)) = stuck.await {
                    me.hold_from_now().await;
                    stuck::give_up(socket, me.outlet.metrics.clone(), why).await;
                }
            });
        }
    }
}

/// Tells `sender` by a `request_error` that her chat message was not delivered, unless
/// `fate` says it was (or was kept).
async fn refuse_late(courier: Arc<Courier>, sender: MemberId, fate: Delivery) {
    let Err(refusal) = fate.for_sender() else {
        return;
    };
    let body = LateRefusal {
        event: "message",
        code: refusal.code,
        message: refusal.message,
    };
    let sent = match serde_json::value::to_raw_value(&body) {
        Ok(body) => courier.notify(&sender, "request_error", &body).await,
        Err(cause) => return undelivered::unsent("request_error", &cause),
    };
    if let Err(cause) = sent {
        undelivered::unsent("request_error", &cause);
    }
}

/// Logs a notice (or echo) that was not sent: her connection is stuck, or too much waits.
fn unsent_notice(relaying: Relaying) {
    if let Relaying::Done(Delivery::Unreachable | Delivery::Overloaded) = relaying {
        undelivered::unsent("notice", &"her connection is stuck");
    }
}
