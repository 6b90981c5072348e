use super::RedisAdapter;
use super::inbox::Incoming;
use crate::domain::MemberId;
use crate::realtime::undelivered;
use parking_lot::Mutex;
use serde::Serialize;
use socketioxide::socket::Socket;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use tokio::sync::mpsc;

/// Work for one member that must happen in order (her relayed messages).
pub type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What this node keeps of one of its members on one socket; the shared truth is her
/// Redis record (and, when she is resumable, her journal there). A resume on any node
/// makes a new one for her new socket.
pub struct RedisMember {
    /// Her public id: the key of her Redis record and the name of her adapter room.
    pub(super) id: MemberId,
    /// Her socket on this node (never written to Redis: a session id is a credential).
    /// Weak, so that this record, kept in the socket's extensions, never keeps it alive.
    socket: Weak<Socket<RedisAdapter>>,
    /// Runs her relays one after the other, so that they keep their order.
    pub(super) queue: mpsc::UnboundedSender<Job>,
    /// Whether she asked to be able to come back (docs/protocol.md section 6).
    resumable: AtomicBool,
    /// The numbered events on their way to her socket.
    line: Mutex<Line>,
    /// The Redis key of her live resume token (named by its hash), kept alive with her
    /// record.
    token_key: Mutex<Option<String>>,
}

/// The order of a resumable member's events on her socket.
#[derive(Default)]
struct Line {
    /// The highest `seq` written to her socket: anything not above it is a duplicate.
    sent: u64,
    /// While a resume reads her journal: the live events that came meanwhile.
    replaying: Option<Vec<Incoming>>,
}

/// The trailing argument of every event to a resumable member.
#[derive(Serialize)]
struct Seq {
    seq: u64,
}

impl RedisMember {
    pub(super) fn new(id: MemberId, socket: Weak<Socket<RedisAdapter>>) -> Self {
        let (queue, mut jobs) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                job.await;
            }
        });
        Self {
            id,
            socket,
            queue,
            resumable: AtomicBool::new(false),
            line: Mutex::new(Line::default()),
            token_key: Mutex::new(None),
        }
    }

    /// Her socket, while it is open.
    pub(super) fn socket(&self) -> Option<Arc<Socket<RedisAdapter>>> {
        self.socket.upgrade()
    }

    /// Whether `socket` is hers.
    pub(super) fn is_on(&self, socket: &Arc<Socket<RedisAdapter>>) -> bool {
        Weak::ptr_eq(&self.socket, &Arc::downgrade(socket))
    }

    /// Queues `job` behind her earlier ones.
    pub(super) fn in_order(&self, job: impl Future<Output = ()> + Send + 'static) {
        if self.queue.send(Box::pin(job)).is_err() {
            tracing::error!("a member's relay queue is closed");
        }
    }

    /// From now on her events are numbered and kept.
    pub(super) fn make_resumable(&self) {
        self.resumable.store(true, Ordering::SeqCst);
    }

    /// Whether she asked to be able to come back.
    pub(super) fn is_resumable(&self) -> bool {
        self.resumable.load(Ordering::SeqCst)
    }

    /// Her live token's key from now on (`None`: she has none); the previous one.
    pub(super) fn swap_token_key(&self, key: Option<String>) -> Option<String> {
        std::mem::replace(&mut *self.token_key.lock(), key)
    }

    /// Her live token's key, if she has one.
    pub(super) fn token_key(&self) -> Option<String> {
        self.token_key.lock().clone()
    }

    /// An event for her came from Redis: written to her socket unless it is one she has
    /// (or a resume is replaying her journal: then it waits for the replay).
    pub(super) fn receive(&self, incoming: Incoming) {
        let mut line = self.line.lock();
        if let Some(waiting) = &mut line.replaying {
            return waiting.push(incoming);
        }
        self.write(&mut line, incoming);
    }

    /// A resume is about to read her journal: live events wait until
    /// [`RedisMember::replay`].
    pub(super) fn hold_live_events(&self) {
        self.line.lock().replaying = Some(Vec::new());
    }

    /// Writes her kept events `kept` and then the live ones that came meanwhile, in the
    /// order of their `seq`, each once; live events flow again.
    pub(super) fn replay(&self, kept: Vec<Incoming>) {
        let mut line = self.line.lock();
        let live = line.replaying.take().unwrap_or_default();
        for incoming in kept.into_iter().chain(live) {
            self.write(&mut line, incoming);
        }
    }

    /// Writes `incoming` to her socket (under her line's lock, so that events reach the
    /// wire in the order of their `seq`). A failure needs no word here: a numbered event
    /// is kept, and a resume sends it again.
    fn write(&self, line: &mut Line, incoming: Incoming) {
        let Some(socket) = self.socket() else {
            return;
        };
        let event = incoming.event.as_str();
        let sent = match incoming.seq {
            0 => socket.emit(event, &*incoming.data),
            seq if seq > line.sent => {
                line.sent = seq;
                socket.emit(event, &(&*incoming.data, Seq { seq }))
            }
            _ => return,
        };
        if let Err(cause) = sent {
            undelivered::unsent(event, &cause);
        }
    }
}
