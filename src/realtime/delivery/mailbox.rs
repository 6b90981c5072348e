//! Where every event for one member goes: her current socket and, when she is resumable,
//! her journal (docs/protocol.md section 6). Events that find her send queue full wait in
//! a backlog, in order, for up to the send timeout. A partner's chat message is masked
//! for a reader with the profanity filter on as it is written to her socket (see
//! [`ReaderFilter`]), so kept and waiting events are kept as they came.

use super::backlog::{Backlog, Outlet, Waiting};
use super::journal::{Bounds, Journal, Weighed};
use super::stuck::{FLUSH_PAUSE, give_up};
use crate::domain::MemberId;
use crate::read_gate::ReadHold;
use crate::realtime::reader_filter::ReaderFilter;
use crate::realtime::socket_gate::gate_of;
use crate::realtime::undelivered;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::value::RawValue;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use socketioxide::{SendError, SocketError};
use std::sync::{Arc, Weak};
use std::time::Instant;
use tokio::sync::oneshot;

/// One event, encoded once: kept, resent or left waiting as is.
pub struct Frame {
    event: &'static str,
    data: Box<RawValue>,
    /// A partner's chat message: masked for a reader with the filter on.
    from_partner: bool,
}

/// An event's data as the mailbox is handed it.
enum Data<'a, T: ?Sized> {
    /// JSON as it came (a chat message): kept by copying, never parsed again; `true` when
    /// it is a partner's message, not her own echo.
    Raw(&'a RawValue, bool),
    /// A value to encode (a notice).
    Value(&'a T),
}

impl<T: ?Sized + Serialize> Data<'_, T> {
    fn emit<A: Adapter>(
        &self,
        socket: &Socket<A>,
        event: &'static str,
        filter: &ReaderFilter,
    ) -> Result<(), SendError> {
        match self {
            Data::Raw(raw, true) => socket.emit(event, &*filter.shown(raw)),
            Data::Raw(raw, false) => socket.emit(event, raw),
            Data::Value(value) => socket.emit(event, value),
        }
    }

    /// The frame to keep or to leave waiting; `None` (logged) if it cannot be encoded.
    fn frame(&self, event: &'static str) -> Option<Arc<Frame>> {
        let (data, from_partner) = match self {
            Data::Raw(raw, from_partner) => (Ok((*raw).to_owned()), *from_partner),
            Data::Value(value) => (serde_json::value::to_raw_value(value), false),
        };
        match data {
            Ok(data) => Some(Arc::new(Frame {
                event,
                data,
                from_partner,
            })),
            Err(cause) => {
                undelivered::unsent(event, &cause);
                None
            }
        }
    }
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
    /// She is away, or her connection is stuck: kept for her resume.
    Held,
    /// She is away and her journal is full: not kept.
    Refused,
    /// Her queue stayed full for the send timeout: not sent.
    Unreachable,
    /// Too many events wait for her already: not sent.
    Overloaded,
}

/// A chat message's fate: known now, or once her full queue has room or times out.
pub enum Relaying {
    /// Decided.
    Done(Delivery),
    /// Waiting in her backlog.
    Waiting(oneshot::Receiver<Delivery>),
}

/// What a resume's `attach` did.
pub struct Attached<A: Adapter> {
    /// Her previous socket, still open: it must go (last wins).
    pub previous: Option<Arc<Socket<A>>>,
    /// Some events after the client's `last_seq` were no longer kept.
    pub gap: bool,
    /// Resolves once the replay is all queued, when part of it had to wait for room.
    pub replayed: Option<oneshot::Receiver<Delivery>>,
}

/// How a member is reached, as the backend builds it when she connects.
pub struct Link<A: Adapter> {
    /// Her socket.
    pub socket: Weak<Socket<A>>,
    /// The send limits shared by every member.
    pub outlet: Arc<Outlet>,
}

/// How the server reaches one member, whichever socket she is on now.
pub struct Mailbox<A: Adapter> {
    id: MemberId,
    outlet: Arc<Outlet>,
    /// Her profanity filter, applied to her partners' messages as they are written.
    filter: ReaderFilter,
    /// Itself, for the task that flushes its backlog.
    me: Weak<Mailbox<A>>,
    line: Mutex<Line<A>>,
}

struct Line<A: Adapter> {
    /// Her socket; `None` while a resumable member is away.
    socket: Option<Weak<Socket<A>>>,
    /// Her numbered events, once she is resumable.
    journal: Option<Journal<Frame>>,
    /// Events waiting for room in her queue.
    backlog: Backlog,
    /// Her queue stayed full for the send timeout: nothing more is tried on this socket.
    stuck: bool,
}

impl<A: Adapter> Line<A> {
    /// Puts `event` at the end of her backlog; true if it is the first (a flush must
    /// start). While anything waits, her connection is not read from.
    fn push(&mut self, event: Waiting) -> bool {
        let first = self.backlog.push(event);
        if first {
            let socket = self.socket.as_ref().and_then(Weak::upgrade);
            let gate = socket.as_deref().and_then(gate_of);
            self.backlog.hold_reading(gate.map(|gate| gate.hold()));
        }
        first
    }
}

/// Whether an event for an away member may push older kept events out.
#[derive(Clone, Copy)]
enum Keeping {
    Always,
    WhileRoom,
}

impl<A: Adapter> Mailbox<A> {
    /// A plain member's mailbox on `link`'s socket.
    pub fn new(id: MemberId, link: Link<A>) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            id,
            outlet: link.outlet,
            filter: ReaderFilter::default(),
            me: me.clone(),
            line: Mutex::new(Line {
                socket: Some(link.socket),
                journal: None,
                backlog: Backlog::default(),
                stuck: false,
            }),
        })
    }

    /// Her public member id.
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    /// Her profanity filter.
    pub fn filter(&self) -> &ReaderFilter {
        &self.filter
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
            line.stuck = false;
            let fate = if line.journal.is_some() {
                Delivery::Held
            } else {
                Delivery::Unreachable
            };
            line.backlog.give_up(fate);
        }
        current
    }

    /// She is on `socket` now: every kept event after `last_seq` is sent to it again, in
    /// order, before any new one (what finds her queue full waits in her backlog).
    /// Returns her previous socket, if still open, whether some events after `last_seq`
    /// were no longer kept, and what resolves once the replay is all queued.
    pub fn attach(&self, socket: &Arc<Socket<A>>, last_seq: u64) -> Attached<A> {
        let mut line = self.line.lock();
        let previous = line
            .socket
            .replace(Arc::downgrade(socket))
            .and_then(|old| old.upgrade())
            .filter(|old| !Arc::ptr_eq(old, socket));
        line.stuck = false;
        // Whatever waited is in the journal, replayed below.
        line.backlog.give_up(Delivery::Sent);
        let Some(journal) = &line.journal else {
            return Attached {
                previous,
                gap: false,
                replayed: None,
            };
        };
        let replay = journal.since(last_seq);
        let mut events = replay.events.into_iter().peekable();
        while let Some((seq, frame)) = events.next_if(|_| line.backlog.is_empty()) {
            match send(socket, &frame, Some(seq), &self.filter) {
                Err(SendError::Socket(SocketError::InternalChannelFull | SocketError::Closed)) => {
                    line.push(Waiting {
                        frame,
                        seq: Some(seq),
                        reply: None,
                    });
                }
                Err(cause) => undelivered::unsent(frame.event, &cause),
                Ok(()) => {}
            }
        }
        for (seq, frame) in events {
            line.push(Waiting {
                frame,
                seq: Some(seq),
                reply: None,
            });
        }
        let replayed = (!line.backlog.is_empty()).then(|| {
            let (reply, done) = oneshot::channel();
            line.backlog.notify_when_sent(reply);
            if let Some(me) = self.me.upgrade() {
                tokio::spawn(async move { me.flush().await });
            }
            done
        });
        Attached {
            previous,
            gap: replay.gap,
            replayed,
        }
    }

    /// Sends a notice (`join_room`, `partner_left`, …): to a resumable member it is always
    /// kept, the oldest kept events making room if need be.
    pub fn notify<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        if let Relaying::Done(Delivery::Unreachable | Delivery::Overloaded) =
            self.deliver(event, Data::Value(data), Keeping::Always, false)
        {
            undelivered::unsent(event, &"her connection is stuck");
        }
    }

    /// Keeps her connection from being read until the returned hold is dropped (her
    /// message waits for room in her partner's queue: TCP pushes back on her).
    pub fn hold_reading(&self) -> Option<ReadHold> {
        let line = self.line.lock();
        let socket = line.socket.as_ref().and_then(Weak::upgrade)?;
        Some(gate_of(&socket)?.hold())
    }

    /// Sends an ephemeral event (`typing`): only to her open socket, and only when its
    /// queue has room now; never numbered, kept or left waiting.
    pub fn volatile<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        let line = self.line.lock();
        if line.stuck || !line.backlog.is_empty() {
            return;
        }
        if let Some(socket) = line.socket.as_ref().and_then(Weak::upgrade)
            && let Err(cause) = socket.emit(event, data)
        {
            tracing::debug!(event, %cause, "an ephemeral event was not sent");
        }
    }

    /// Sends a chat message: to an away member it is held while her journal has room, and
    /// refused when it is full. `from_partner`: it is not her own echo, so her profanity
    /// filter applies.
    pub fn relay(&self, event: &'static str, data: &RawValue, from_partner: bool) -> Relaying {
        let data = Data::Raw(data, from_partner);
        self.deliver::<RawValue>(event, data, Keeping::WhileRoom, true)
    }

    fn deliver<T: ?Sized + Serialize>(
        &self,
        event: &'static str,
        data: Data<'_, T>,
        keeping: Keeping,
        answer: bool,
    ) -> Relaying {
        let mut line = self.line.lock();
        let socket = line.socket.as_ref().map(|s| s.upgrade());
        let resumable = line.journal.is_some();
        let Some(Some(socket)) = socket.filter(|_| !line.stuck) else {
            return Relaying::Done(self.keep_for_later(&mut line, event, &data, keeping));
        };
        if line.backlog.is_empty() && !resumable {
            // The hot path: a plain member, nothing waiting.
            return match data.emit(&socket, event, &self.filter) {
                Err(SendError::Socket(SocketError::InternalChannelFull | SocketError::Closed)) => {
                    drop(socket);
                    match data.frame(event) {
                        Some(frame) => self.wait(&mut line, frame, None, answer),
                        None => Relaying::Done(Delivery::Sent),
                    }
                }
                Err(cause) => {
                    undelivered::unsent(event, &cause);
                    Relaying::Done(Delivery::Sent)
                }
                Ok(()) => Relaying::Done(Delivery::Sent),
            };
        }
        let Some(frame) = data.frame(event) else {
            return Relaying::Done(Delivery::Sent);
        };
        let seq = line
            .journal
            .as_mut()
            .map(|journal| journal.keep(frame.clone(), Instant::now()));
        if line.backlog.is_empty() {
            // Under the lock: her events reach the wire in the order of their `seq`.
            match send(&socket, &frame, seq, &self.filter) {
                Err(SendError::Socket(SocketError::InternalChannelFull | SocketError::Closed)) => {}
                Err(cause) => {
                    undelivered::unsent(event, &cause);
                    return Relaying::Done(Delivery::Sent);
                }
                Ok(()) => return Relaying::Done(Delivery::Sent),
            }
        }
        self.wait(&mut line, frame, seq, answer)
    }

    /// An event for a member without a usable socket: kept for a resumable one (held, or
    /// refused when her journal is full); a plain one's socket is closed or stuck.
    fn keep_for_later<T: ?Sized + Serialize>(
        &self,
        line: &mut Line<A>,
        event: &'static str,
        data: &Data<'_, T>,
        keeping: Keeping,
    ) -> Delivery {
        let stuck = line.stuck;
        let Some(journal) = &mut line.journal else {
            return if stuck {
                Delivery::Unreachable
            } else {
                Delivery::Sent
            };
        };
        let Some(frame) = data.frame(event) else {
            return Delivery::Sent;
        };
        let now = Instant::now();
        match keeping {
            Keeping::Always => {
                journal.keep(frame, now);
                Delivery::Held
            }
            Keeping::WhileRoom => match journal.hold(frame, now) {
                Some(_) => Delivery::Held,
                None => Delivery::Refused,
            },
        }
    }

    /// Puts `frame` in her backlog, starting a flush if it is the first there.
    fn wait(
        &self,
        line: &mut Line<A>,
        frame: Arc<Frame>,
        seq: Option<u64>,
        answer: bool,
    ) -> Relaying {
        if line.backlog.len() >= self.outlet.backlog_limit {
            // A resumable member's journal has it already.
            let fate = if seq.is_some() {
                Delivery::Held
            } else {
                Delivery::Overloaded
            };
            return Relaying::Done(fate);
        }
        let (reply, fate) = if answer {
            let (reply, fate) = oneshot::channel();
            (Some(reply), Some(fate))
        } else {
            (None, None)
        };
        if line.push(Waiting { frame, seq, reply })
            && let Some(me) = self.me.upgrade()
        {
            tokio::spawn(async move { me.flush().await });
        }
        match fate {
            Some(fate) => Relaying::Waiting(fate),
            None => Relaying::Done(Delivery::Sent),
        }
    }

    /// Sends what waits as her queue makes room; after the send timeout she is stuck: a
    /// plain member's waiting messages are refused to their senders, a resumable member's
    /// stay kept for her resume. Her connection closes soon after (its heartbeat cannot
    /// be queued either), and its end is handled as any other.
    async fn flush(&self) {
        loop {
            tokio::time::sleep(FLUSH_PAUSE).await;
            match self.flush_once() {
                Flushed::Waiting => {}
                Flushed::Done => return,
                Flushed::Stuck(socket) => {
                    let why = "a member's connection read nothing for the send timeout";
                    return give_up(socket, self.outlet.metrics.clone(), why).await;
                }
            }
        }
    }

    /// Sends what waits while her queue has room.
    fn flush_once(&self) -> Flushed<A> {
        let mut line = self.line.lock();
        let Some(socket) = line.socket.as_ref().and_then(Weak::upgrade) else {
            return Flushed::Done; // detached: the backlog was answered then
        };
        while let Some(waiting) = line.backlog.front() {
            match send(&socket, &waiting.frame, waiting.seq, &self.filter) {
                Err(SendError::Socket(SocketError::InternalChannelFull | SocketError::Closed)) => {
                    break;
                }
                Err(cause) => {
                    undelivered::unsent(waiting.frame.event, &cause);
                    line.backlog.sent();
                }
                Ok(()) => line.backlog.sent(),
            }
        }
        if line.backlog.is_empty() {
            return Flushed::Done;
        }
        if !line.backlog.timed_out(self.outlet.send_timeout) {
            return Flushed::Waiting;
        }
        line.stuck = true;
        let fate = if line.journal.is_some() {
            Delivery::Held
        } else {
            Delivery::Unreachable
        };
        line.backlog.give_up(fate);
        Flushed::Stuck(socket)
    }
}

/// Where a flush got.
enum Flushed<A: Adapter> {
    /// Events still wait for room.
    Waiting,
    /// Nothing waits any more.
    Done,
    /// Her queue stayed full for the send timeout: this socket must go.
    Stuck(Arc<Socket<A>>),
}

// Why `Closed` waits too: socketioxide sends the Socket.IO connect packet before it marks
// the socket connected, so a client's first event can be handled (and answered) while
// every emit still fails as `Closed`. A socket that is really closed is detached soon
// (its disconnect handler runs), and detaching answers everything that waits.

/// Sends `frame`, with its `seq` as the trailing argument for a resumable member; a
/// partner's message as the reader's `filter` shows it.
fn send<A: Adapter>(
    socket: &Socket<A>,
    frame: &Frame,
    seq: Option<u64>,
    filter: &ReaderFilter,
) -> Result<(), SendError> {
    let data = match frame.from_partner {
        true => filter.shown(&frame.data),
        false => std::borrow::Cow::Borrowed(&*frame.data),
    };
    match seq {
        Some(seq) => socket.emit(frame.event, &(&*data, Seq { seq })),
        None => socket.emit(frame.event, &*data),
    }
}
