//! Where every event for one member goes: her current socket and, when she is resumable,
//! her journal (docs/protocol.md section 6).

use super::journal::{Bounds, Journal, Weighed};
use crate::domain::MemberId;
use crate::realtime::undelivered;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::value::RawValue;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use std::sync::{Arc, Weak};
use std::time::Instant;

/// One event as sent to a resumable member: encoded once, kept and resent as is.
pub struct Frame {
    event: &'static str,
    data: Box<RawValue>,
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

/// What became of one chat message for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Queued on her connection (or skipped: a plain member whose socket closed).
    Sent,
    /// She is away: kept for her resume.
    Held,
    /// She is away and her journal is full: not kept.
    Refused,
}

/// How the server reaches one member, whichever socket she is on now.
pub struct Mailbox<A: Adapter> {
    id: MemberId,
    line: Mutex<Line<A>>,
}

struct Line<A: Adapter> {
    /// Her socket; `None` while a resumable member is away.
    socket: Option<Weak<Socket<A>>>,
    /// Her numbered events, once she is resumable.
    journal: Option<Journal<Frame>>,
}

impl<A: Adapter> Mailbox<A> {
    /// A plain member's mailbox on `socket`.
    pub fn new(id: MemberId, socket: Weak<Socket<A>>) -> Self {
        Self {
            id,
            line: Mutex::new(Line {
                socket: Some(socket),
                journal: None,
            }),
        }
    }

    /// Her public member id.
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    /// From now on her events are numbered and kept within `bounds`.
    pub fn make_resumable(&self, bounds: Bounds) {
        let mut line = self.line.lock();
        if line.journal.is_none() {
            line.journal = Some(Journal::new(bounds));
        }
    }

    /// Whether she asked to be able to come back.
    pub fn is_resumable(&self) -> bool {
        self.line.lock().journal.is_some()
    }

    /// Whether she is resumable and has no socket now.
    pub fn is_away(&self) -> bool {
        let line = self.line.lock();
        line.journal.is_some() && line.socket.is_none()
    }

    /// Whether `socket` is the one she is on now.
    pub fn is_on(&self, socket: &Arc<Socket<A>>) -> bool {
        let line = self.line.lock();
        line.socket
            .as_ref()
            .is_some_and(|current| Weak::ptr_eq(current, &Arc::downgrade(socket)))
    }

    /// Her socket `socket` is gone: a resumable member is away from now on. False (and no
    /// effect) when she has moved to another socket meanwhile.
    pub fn detach(&self, socket: &Arc<Socket<A>>) -> bool {
        let mut line = self.line.lock();
        let current = line
            .socket
            .as_ref()
            .is_some_and(|current| Weak::ptr_eq(current, &Arc::downgrade(socket)));
        if current {
            line.socket = None;
        }
        current
    }

    /// She is on `socket` now: every kept event after `last_seq` is sent to it again, in
    /// order, before any new one. Returns her previous socket, if still open, and whether
    /// some events after `last_seq` were no longer kept.
    pub fn attach(&self, socket: &Arc<Socket<A>>, last_seq: u64) -> (Option<Arc<Socket<A>>>, bool) {
        let mut line = self.line.lock();
        let previous = line
            .socket
            .replace(Arc::downgrade(socket))
            .and_then(|old| old.upgrade())
            .filter(|old| !Arc::ptr_eq(old, socket));
        let Some(journal) = &line.journal else {
            return (previous, false);
        };
        let replay = journal.since(last_seq);
        for (seq, frame) in &replay.events {
            send_numbered(socket, frame, *seq);
        }
        (previous, replay.gap)
    }

    /// Sends a notice (`join_room`, `partner_left`, …): to a resumable member it is always
    /// kept, the oldest kept events making room if need be.
    pub fn notify<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        self.deliver(event, data, Keeping::Always);
    }

    /// Sends a chat message: to an away member it is held while her journal has room, and
    /// refused when it is full.
    pub fn relay<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) -> Delivery {
        self.deliver(event, data, Keeping::WhileRoom)
    }

    fn deliver<T: ?Sized + Serialize>(
        &self,
        event: &'static str,
        data: &T,
        keeping: Keeping,
    ) -> Delivery {
        let mut line = self.line.lock();
        let socket = line.socket.as_ref().map(Weak::upgrade);
        let Some(journal) = &mut line.journal else {
            drop(line);
            if let Some(Some(socket)) = socket
                && let Err(cause) = socket.emit(event, data)
            {
                undelivered::unsent(event, &cause);
            }
            return Delivery::Sent;
        };
        let frame = match serde_json::value::to_raw_value(data) {
            Ok(data) => Arc::new(Frame { event, data }),
            Err(cause) => {
                undelivered::unsent(event, &cause);
                return Delivery::Sent;
            }
        };
        let now = Instant::now();
        match (socket, keeping) {
            (Some(Some(socket)), _) => {
                let seq = journal.keep(frame.clone(), now);
                // Under the lock: her events reach the wire in the order of their `seq`.
                send_numbered(&socket, &frame, seq);
                Delivery::Sent
            }
            (_, Keeping::Always) => {
                journal.keep(frame, now);
                Delivery::Held
            }
            (_, Keeping::WhileRoom) => match journal.hold(frame, now) {
                Some(_) => Delivery::Held,
                None => Delivery::Refused,
            },
        }
    }
}

/// Whether an event for an away member may push older kept events out.
#[derive(Clone, Copy)]
enum Keeping {
    Always,
    WhileRoom,
}

/// Sends `frame` with its `seq` as the trailing argument. A failure needs no word here:
/// the frame is kept, and a resume sends it again.
fn send_numbered<A: Adapter>(socket: &Socket<A>, frame: &Frame, seq: u64) {
    if let Err(cause) = socket.emit(frame.event, &(&*frame.data, Seq { seq })) {
        undelivered::unsent(frame.event, &cause);
    }
}
