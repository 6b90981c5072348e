//! Events that found a member's send queue full, waiting in order for room
//! (docs/protocol.md section 6, "Nothing lost"), and what their senders are told.

use super::Delivery;
use super::mailbox::Frame;
use crate::metrics::Metrics;
use crate::read_gate::ReadHold;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How long and how much a member's backlog may wait, and where it is counted.
pub struct Outlet {
    /// How long events wait for room in a member's queue before she counts as stuck.
    pub send_timeout: Duration,
    /// At most this many events wait; the sender of a message beyond is told `overloaded`.
    pub backlog_limit: usize,
    /// Counts members found stuck.
    pub metrics: Arc<Metrics>,
}

/// One event waiting for room: the frame, its `seq` for a resumable member, and the
/// sender of a chat message waiting to learn its fate.
pub struct Waiting {
    pub frame: Arc<Frame>,
    pub seq: Option<u64>,
    pub reply: Option<oneshot::Sender<Delivery>>,
}

/// A member's waiting events, oldest first.
#[derive(Default)]
pub struct Backlog {
    waiting: VecDeque<Waiting>,
    /// Since when her queue has been full.
    since: Option<Instant>,
    /// Keeps her connection from being read while her queue is full.
    reading: Option<ReadHold>,
}

impl Backlog {
    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Adds `event` at the end; true if it is the first (a flush must start).
    pub fn push(&mut self, event: Waiting) -> bool {
        let first = self.waiting.is_empty();
        if first {
            self.since = Some(Instant::now());
        }
        self.waiting.push_back(event);
        first
    }

    /// Keeps `hold` (her connection's read gate shut) until nothing waits.
    pub fn hold_reading(&mut self, hold: Option<ReadHold>) {
        self.reading = hold;
    }

    /// Tells `reply` when the newest waiting event is sent (or given up on).
    pub fn notify_when_sent(&mut self, reply: oneshot::Sender<Delivery>) {
        if let Some(newest) = self.waiting.back_mut() {
            newest.reply = Some(reply);
        }
    }

    /// The oldest waiting event.
    pub fn front(&self) -> Option<&Waiting> {
        self.waiting.front()
    }

    /// Takes the oldest waiting event out: it was sent.
    pub fn sent(&mut self) {
        if let Some(event) = self.waiting.pop_front() {
            answer(event, Delivery::Sent);
        }
        if self.waiting.is_empty() {
            self.since = None;
            self.reading = None;
        }
    }

    /// Whether her queue has been full for `timeout` or longer.
    pub fn timed_out(&self, timeout: Duration) -> bool {
        self.since.is_some_and(|since| since.elapsed() >= timeout)
    }

    /// Gives up on everything waiting: each sender waiting learns `fate`.
    pub fn give_up(&mut self, fate: Delivery) {
        for event in self.waiting.drain(..) {
            answer(event, fate);
        }
        self.since = None;
        self.reading = None;
    }
}

fn answer(event: Waiting, fate: Delivery) {
    if let Some(reply) = event.reply {
        // The sender's relay may be gone (her connection closed): nobody to tell then.
        let _ = reply.send(fate);
    }
}
