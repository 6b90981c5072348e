//! Where every event for one member goes: her current socket and, when she is resumable,
//! her journal (docs/protocol.md section 6). Events that find her send queue full wait in
//! a backlog, in order, for up to the send timeout. A partner's chat message is masked
//! for a reader with the profanity filter on as it is written to her socket (see
//! [`ReaderFilter`]), so kept and waiting events are kept as they came.

// `pub(super)`: the backlog names frames by this path.
use super::Outlet;
pub(super) use super::frame::Frame;
use super::frame::shown;
use super::journal::{Bounds, Journal};
use super::outbox::{Flushing, Outbox, Until, Wait};
use super::stuck;
use crate::domain::MemberId;
use crate::read_gate::ReadHold;
use crate::realtime::presence::Sent;
use crate::realtime::reader_filter::ReaderFilter;
use crate::realtime::refusal::{OVERLOADED, PARTNER_UNREACHABLE, Refusal};
use crate::realtime::undelivered;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::value::RawValue;
use socketioxide::SendError;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use std::sync::{Arc, Weak};
use std::time::Instant;
use tokio::sync::oneshot;

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
            Data::Raw(raw, from_partner) => socket.emit(event, &*shown(raw, *from_partner, filter)),
            Data::Value(value) => socket.emit(event, value),
        }
    }

    /// How many events may wait before this one is turned away: a partner's message,
    /// whose sender can be told `overloaded`, finds the backlog limit; her own echo and a
    /// notice, which nobody could be told of, always wait (the send timeout bounds them,
    /// and while anything waits her connection is not read).
    fn waiting_limit(&self, outlet: &Outlet) -> usize {
        match self {
            Data::Raw(_, true) => outlet.backlog_limit,
            Data::Raw(_, false) | Data::Value(_) => usize::MAX,
        }
    }

    /// The frame to keep or to leave waiting; `None` (logged) if it cannot be encoded.
    fn frame(&self, event: &'static str) -> Option<Arc<Frame>> {
        match self {
            Data::Raw(raw, from_partner) => {
                Some(Frame::new(event, (*raw).to_owned(), *from_partner))
            }
            Data::Value(value) => Frame::encode(event, value),
        }
    }
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

impl Delivery {
    /// What the sender of a chat message is told of its fate for this member: sent, held
    /// for her resume, or refused with the reason.
    pub fn for_sender(self) -> Result<Sent, Refusal> {
        match self {
            Delivery::Sent => Ok(Sent::Delivered),
            Delivery::Held => Ok(Sent::Held),
            Delivery::Refused | Delivery::Unreachable => Err(PARTNER_UNREACHABLE),
            Delivery::Overloaded => Err(OVERLOADED),
        }
    }
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
    /// Her socket, and what waits for room in its queue.
    outbox: Outbox<A>,
    /// Her numbered events, once she is resumable.
    journal: Option<Journal<Frame>>,
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
                outbox: Outbox::new(link.socket),
                journal: None,
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
        let current = line.outbox.is_on(socket);
        if current {
            let fate = if line.journal.is_some() {
                Delivery::Held
            } else {
                Delivery::Unreachable
            };
            line.outbox.rebind(None, fate);
        }
        current
    }

    /// She is on `socket` now: every kept event after `last_seq` is sent to it again, in
    /// order, before any new one (what finds her queue full waits in her backlog).
    /// Returns her previous socket, if still open, whether some events after `last_seq`
    /// were no longer kept, and what resolves once the replay is all queued.
    pub fn attach(&self, socket: &Arc<Socket<A>>, last_seq: u64) -> Attached<A> {
        let mut line = self.line.lock();
        // Whatever waited is in the journal, replayed below.
        let previous = (line.outbox)
            .rebind(Some(Arc::downgrade(socket)), Delivery::Sent)
            .and_then(|old| old.upgrade())
            .filter(|old| !Arc::ptr_eq(old, socket));
        let Line { outbox, journal } = &mut *line;
        let Some(journal) = journal else {
            return Attached {
                previous,
                gap: false,
                replayed: None,
            };
        };
        let replay = journal.since(last_seq);
        for (seq, frame) in replay.events {
            // The whole replay waits if need be, whatever the backlog limit.
            let waiting = self.waiting(false, usize::MAX);
            outbox.offer(frame, Some(seq), &self.filter, waiting);
        }
        Attached {
            previous,
            gap: replay.gap,
            replayed: outbox.settled(Until::Newest),
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
        self.line.lock().outbox.hold_reading()
    }

    /// Sends an ephemeral event (`typing`): only to her open socket, and only when its
    /// queue has room now; never numbered, kept or left waiting.
    pub fn volatile<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        self.line.lock().outbox.volatile(event, data);
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
        if line.outbox.socket().is_none() {
            return Relaying::Done(self.keep_for_later(&mut line, event, &data, keeping));
        }
        let waiting = self.waiting(answer, data.waiting_limit(&self.outlet));
        let Line { outbox, journal } = &mut *line;
        let Some(journal) = journal else {
            // A plain member: written straight to her socket when it has room.
            return outbox.write(
                event,
                |socket| data.emit(socket, event, &self.filter),
                || data.frame(event),
                waiting,
            );
        };
        let Some(frame) = data.frame(event) else {
            return Relaying::Done(Delivery::Sent);
        };
        // Under the lock: her events reach the wire in the order of their `seq`.
        let seq = journal.keep(frame.clone(), Instant::now());
        outbox.offer(frame, Some(seq), &self.filter, waiting)
    }

    /// How an event that finds her queue full waits: at most `limit` wait, and with
    /// `answer` its sender learns its fate.
    fn waiting(&self, answer: bool, limit: usize) -> Wait<'_> {
        Wait {
            answer,
            limit,
            owner: self,
        }
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
        let stuck = line.outbox.is_stuck();
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
}

impl<A: Adapter> Flushing for Mailbox<A> {
    /// Sends what waits as her queue makes room; after the send timeout she is stuck (see
    /// [`stuck::flush`]): a plain member's waiting messages are refused to their senders,
    /// a resumable member's stay kept for her resume.
    fn start_flush(&self) {
        if let Some(me) = self.me.upgrade() {
            tokio::spawn(async move {
                let stuck = stuck::flush(|| {
                    let mut line = me.line.lock();
                    let resumable = line.journal.is_some();
                    (line.outbox).flush_once(&me.filter, resumable, me.outlet.send_timeout)
                });
                if let Some((socket, why)) = stuck.await {
                    stuck::give_up(socket, me.outlet.metrics.clone(), why).await;
                }
            });
        }
    }
}
