//! One member's line to her current socket, on every backend: an event that finds her send
//! queue full waits in her [`Backlog`], in order, for up to the send timeout; after that
//! she is stuck and nothing more is tried on that socket (docs/protocol.md section 6,
//! "Nothing lost"). The caller holds it under its own lock, so that what it numbers there
//! reaches the wire in that order.

use super::Delivery;
use super::backlog::{Backlog, Waiting};
use super::frame::{Frame, send};
use super::mailbox::Relaying;
use super::stuck;
use crate::read_gate::ReadHold;
use crate::realtime::reader_filter::ReaderFilter;
use crate::realtime::socket_gate::gate_of;
use crate::realtime::undelivered;
use serde::Serialize;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use socketioxide::{SendError, SocketError};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::oneshot;

/// A member's socket and the events waiting for room in its queue.
pub struct Outbox<A: Adapter> {
    /// Her socket; `None` while a resumable member is away.
    socket: Option<Weak<Socket<A>>>,
    /// Events waiting for room in her queue.
    backlog: Backlog,
    /// Her queue stayed full for the send timeout, or she fell further behind than the
    /// backlog limit: nothing more is tried on this socket.
    stuck: bool,
    /// Senders waiting for everything in her backlog to be sent or given up on.
    settling: Vec<oneshot::Sender<Delivery>>,
}

/// Where a flush got.
pub enum Flushed<A: Adapter> {
    /// Events still wait for room.
    Waiting,
    /// Nothing waits any more.
    Done,
    /// Her queue stayed full for the send timeout, or she fell too far behind (the
    /// reason, for the log): this socket must go.
    Stuck(Arc<Socket<A>>, &'static str),
}

// Why `Closed` waits too: socketioxide sends the Socket.IO connect packet before it marks
// the socket connected, so a client's first event can be handled (and answered) while
// every emit still fails as `Closed`. A socket that is really closed is detached soon
// (its disconnect handler runs), and detaching answers everything that waits.

/// Whether a send failed for want of room (or before the socket counts as connected): the
/// event is to wait.
pub fn no_room(error: &SendError) -> bool {
    matches!(
        error,
        SendError::Socket(SocketError::InternalChannelFull | SocketError::Closed)
    )
}

impl<A: Adapter> Outbox<A> {
    /// A line to `socket`, with nothing waiting.
    pub fn new(socket: Weak<Socket<A>>) -> Self {
        Self {
            socket: Some(socket),
            backlog: Backlog::default(),
            stuck: false,
            settling: Vec::new(),
        }
    }

    /// Her socket while it can be written to: open, and not given up on.
    pub fn socket(&self) -> Option<Arc<Socket<A>>> {
        match self.stuck {
            true => None,
            false => self.socket.as_ref().and_then(Weak::upgrade),
        }
    }

    /// Keeps her connection from being read until the returned hold is dropped (her
    /// message waits for room in a partner's queue: TCP pushes back on her).
    pub fn hold_reading(&self) -> Option<ReadHold> {
        Some(gate_of(&*self.socket()?)?.hold())
    }

    /// Whether her queue stayed full for the send timeout on this socket.
    pub fn is_stuck(&self) -> bool {
        self.stuck
    }

    /// Whether `socket` is hers.
    pub fn is_on(&self, socket: &Arc<Socket<A>>) -> bool {
        (self.socket.as_ref()).is_some_and(|current| Weak::ptr_eq(current, &Arc::downgrade(socket)))
    }

    /// From now on she is on `socket` (`None`: away); whatever waited for the previous one
    /// is given up on, each waiting sender learning `fate`. Returns the previous socket.
    pub fn rebind(
        &mut self,
        socket: Option<Weak<Socket<A>>>,
        fate: Delivery,
    ) -> Option<Weak<Socket<A>>> {
        self.stuck = false;
        self.give_up(fate);
        std::mem::replace(&mut self.socket, socket)
    }

    /// Writes an ephemeral event (`typing`) only when nothing waits and her queue has room
    /// now; it never waits.
    pub fn volatile<T: ?Sized + Serialize>(&self, event: &str, data: &T) {
        if !self.backlog.is_empty() {
            return;
        }
        if let Some(socket) = self.socket()
            && let Err(cause) = socket.emit(event, data)
        {
            tracing::debug!(event, %cause, "an ephemeral event was not sent");
        }
    }

    /// The hot path: when nothing waits, `emit` writes the event straight to her socket
    /// (no frame is built); when her queue is full, or events wait already, `frame` builds
    /// it to wait behind them (see [`Outbox::wait`]). A plain member's closed socket skips
    /// it ([`Delivery::Sent`]).
    pub fn write(
        &mut self,
        event: &str,
        emit: impl FnOnce(&Socket<A>) -> Result<(), SendError>,
        frame: impl FnOnce() -> Option<Arc<Frame>>,
        waiting: Wait<'_>,
    ) -> Relaying {
        if self.stuck {
            return Relaying::Done(Delivery::Unreachable);
        }
        let Some(socket) = self.socket() else {
            return Relaying::Done(Delivery::Sent);
        };
        if self.backlog.is_empty() {
            match emit(&socket) {
                Err(cause) if no_room(&cause) => {}
                Err(cause) => {
                    undelivered::unsent(event, &cause);
                    return Relaying::Done(Delivery::Sent);
                }
                Ok(()) => return Relaying::Done(Delivery::Sent),
            }
        }
        match frame() {
            Some(frame) => self.wait(frame, None, waiting),
            None => Relaying::Done(Delivery::Sent),
        }
    }

    /// Writes `frame` (with her `seq` when she is resumable) now if nothing waits and her
    /// queue has room, else leaves it waiting (see [`Outbox::wait`]). On a stuck socket a
    /// numbered event is held (her journal has it), any other unreachable.
    pub fn offer(
        &mut self,
        frame: Arc<Frame>,
        seq: Option<u64>,
        filter: &ReaderFilter,
        waiting: Wait<'_>,
    ) -> Relaying {
        if self.stuck {
            let fate = match seq {
                Some(_) => Delivery::Held,
                None => Delivery::Unreachable,
            };
            return Relaying::Done(fate);
        }
        let Some(socket) = self.socket() else {
            return Relaying::Done(Delivery::Sent);
        };
        if self.backlog.is_empty() {
            match send(&socket, &frame, seq, filter) {
                Err(cause) if no_room(&cause) => {}
                Err(cause) => {
                    undelivered::unsent(&frame.event, &cause);
                    return Relaying::Done(Delivery::Sent);
                }
                Ok(()) => return Relaying::Done(Delivery::Sent),
            }
        }
        self.wait(frame, seq, waiting)
    }

    /// Puts `frame` at the end of her backlog, starting a flush when it is the first
    /// there. Beyond the backlog limit it is not kept: any other event is overloaded; a
    /// numbered one is held (her journal has it) and she has fallen too far behind, so
    /// that the running flush gives up on this socket, and her resume replays it. (Her
    /// live stream never skips a `seq`.)
    fn wait(&mut self, frame: Arc<Frame>, seq: Option<u64>, waiting: Wait<'_>) -> Relaying {
        if self.backlog.len() >= waiting.limit {
            let fate = match seq {
                Some(_) => {
                    self.stuck = true;
                    Delivery::Held
                }
                None => Delivery::Overloaded,
            };
            return Relaying::Done(fate);
        }
        let (reply, fate) = match waiting.answer {
            true => {
                let (reply, fate) = oneshot::channel();
                (Some(reply), Some(fate))
            }
            false => (None, None),
        };
        if self.backlog.push(Waiting { frame, seq, reply }) {
            // While anything waits, her connection is not read from.
            let gate = self.socket().as_deref().and_then(gate_of);
            self.backlog.hold_reading(gate.map(|gate| gate.hold()));
            waiting.owner.start_flush();
        }
        match fate {
            Some(fate) => Relaying::Waiting(fate),
            None => Relaying::Done(Delivery::Sent),
        }
    }

    /// Resolves once what waits now is sent or given up on, with its fate: `until` the
    /// newest waiting event is (the last of a replay, which no sender waits for), or until
    /// nothing waits any more. `None` when nothing waits.
    pub fn settled(&mut self, until: Until) -> Option<oneshot::Receiver<Delivery>> {
        if self.backlog.is_empty() {
            return None;
        }
        let (settled, fate) = oneshot::channel();
        match until {
            Until::Newest => self.backlog.notify_when_sent(settled),
            Until::Empty => self.settling.push(settled),
        }
        Some(fate)
    }

    /// Sends what waits while her queue has room. After `timeout` with her queue full, or
    /// once she fell further behind than the backlog limit, she is stuck: what waits is
    /// given up on, a `resumable` member's as held (her journal keeps it for her resume),
    /// a plain member's as unreachable.
    pub fn flush_once(
        &mut self,
        filter: &ReaderFilter,
        resumable: bool,
        timeout: Duration,
    ) -> Flushed<A> {
        let Some(socket) = self.socket.as_ref().and_then(Weak::upgrade) else {
            return Flushed::Done; // detached: the backlog was answered then
        };
        if self.stuck {
            self.give_up(Delivery::Held); // only a numbered event sets it (see `wait`)
            return Flushed::Stuck(socket, stuck::FELL_BEHIND);
        }
        while let Some(waiting) = self.backlog.front() {
            match send(&socket, &waiting.frame, waiting.seq, filter) {
                Err(cause) if no_room(&cause) => break,
                Err(cause) => {
                    undelivered::unsent(&waiting.frame.event, &cause);
                    self.backlog.sent();
                }
                Ok(()) => self.backlog.sent(),
            }
        }
        if self.backlog.is_empty() {
            self.give_up(Delivery::Sent);
            return Flushed::Done;
        }
        if !self.backlog.timed_out(timeout) {
            return Flushed::Waiting;
        }
        self.stuck = true;
        self.give_up(match resumable {
            true => Delivery::Held,
            false => Delivery::Unreachable,
        });
        Flushed::Stuck(socket, stuck::READ_NOTHING)
    }

    /// Answers everything waiting, and everyone waiting for it, with `fate`.
    fn give_up(&mut self, fate: Delivery) {
        self.backlog.give_up(fate);
        for settled in self.settling.drain(..) {
            // The sender's relay may be gone (her connection closed): nobody to tell then.
            let _ = settled.send(fate);
        }
    }
}

/// What [`Outbox::settled`] waits for.
#[derive(Clone, Copy)]
pub enum Until {
    /// The newest waiting event is sent or given up on.
    Newest,
    /// Nothing waits any more.
    Empty,
}

/// How an event that finds her queue full waits.
pub struct Wait<'a> {
    /// Whether its sender waits to learn its fate ([`Relaying::Waiting`]).
    pub answer: bool,
    /// At most this many events wait (the outlet's backlog limit).
    pub limit: usize,
    /// Whose backlog it is: starts its flush.
    pub owner: &'a dyn Flushing,
}

/// The owner of an [`Outbox`], which it keeps under its own lock.
pub trait Flushing {
    /// Starts a task that calls [`Outbox::flush_once`] until nothing waits (see
    /// [`super::stuck::flush`]).
    fn start_flush(&self);
}
