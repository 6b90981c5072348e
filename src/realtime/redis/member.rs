use super::RedisAdapter;
use super::courier::Courier;
use super::inbox::Incoming;
use super::outbound::Limit;
use crate::domain::MemberId;
use crate::realtime::delivery::{Link, Outbox, Outlet};
use crate::realtime::reader_filter::ReaderFilter;
use parking_lot::Mutex;
use socketioxide::socket::Socket;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
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
    /// Her profanity filter, applied as this node writes her partners' messages to her
    /// socket (a resumable member's setting is in her Redis record too, for a resume).
    pub(super) filter: ReaderFilter,
    /// The numbered events on their way to her socket.
    line: Mutex<Line>,
    /// Her socket and the events waiting for room in its queue (see `super::outbound`);
    /// locked inside `line`, never the other way round.
    pub(super) outbox: Mutex<Outbox<RedisAdapter>>,
    /// The send limits shared by every member.
    pub(super) outlet: Arc<Outlet>,
    /// Where senders on any node are told of a message she was given up on.
    pub(super) courier: Weak<Courier>,
    /// The Redis key of her live resume token (named by its hash), kept alive with her
    /// record.
    token_key: Mutex<Option<String>>,
    /// Itself, for the timer of events that wait for a missing `seq` and the flush of her
    /// backlog.
    pub(super) me: Weak<RedisMember>,
    /// Where her journal is, to fill a gap from.
    journal: JournalSource,
}

/// A member's journal in Redis, read to fill a gap in what reached her node.
pub struct JournalSource {
    /// A connection to Redis.
    pub redis: redis::aio::ConnectionManager,
    /// Her journal's key.
    pub key: String,
}

impl JournalSource {
    /// Every entry kept, in order.
    async fn read(&self) -> redis::RedisResult<Vec<Incoming>> {
        let entries: Vec<String> = redis::cmd("LRANGE")
            .arg(&self.key)
            .arg(0)
            .arg(-1)
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(entries
            .iter()
            .filter_map(|entry| Incoming::parse_entry(entry))
            .collect())
    }
}

/// The order of a resumable member's events on her socket.
#[derive(Default)]
struct Line {
    /// The highest `seq` written to her socket: anything not above it is a duplicate.
    sent: u64,
    /// Events that came before one with a lower `seq` (her own echo is written by her
    /// node at once, her partner's messages come through Redis): they wait for it, by
    /// `seq`, at most [`GAP_WAIT`].
    ahead: BTreeMap<u64, Incoming>,
    /// While a resume reads her journal: the live events that came meanwhile.
    replaying: Option<Vec<Incoming>>,
}

/// How long events wait for a missing lower `seq` before they are written without it
/// (it is in her journal; a resume sends it).
const GAP_WAIT: Duration = Duration::from_millis(500);

impl RedisMember {
    /// Her record on `link`'s socket; `courier` tells the senders of messages she is
    /// given up on.
    pub(super) fn new(
        id: MemberId,
        link: Link<RedisAdapter>,
        journal: JournalSource,
        courier: Weak<Courier>,
    ) -> Arc<Self> {
        let (queue, mut jobs) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                job.await;
            }
        });
        Arc::new_cyclic(|me| Self {
            id,
            outbox: Mutex::new(Outbox::new(link.socket.clone())),
            socket: link.socket,
            outlet: link.outlet,
            courier,
            queue,
            resumable: AtomicBool::new(false),
            filter: ReaderFilter::default(),
            line: Mutex::new(Line::default()),
            token_key: Mutex::new(None),
            me: me.clone(),
            journal,
        })
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
        self.write(&mut line, incoming, Limit::Backlog);
    }

    /// A resume is about to read her journal: live events wait until
    /// [`RedisMember::replay`].
    pub(super) fn hold_live_events(&self) {
        self.line.lock().replaying = Some(Vec::new());
    }

    /// Writes her kept events `kept` (those after the client's `last_seq`) and then the
    /// live ones that came meanwhile, in the order of their `seq`, each once; live events
    /// flow again.
    pub(super) fn replay(&self, last_seq: u64, kept: Vec<Incoming>) {
        let mut line = self.line.lock();
        line.sent = line.sent.max(last_seq);
        // The journal's gaps are final (those events are no longer kept): what it has
        // is written as it is.
        for incoming in kept {
            if incoming.seq > line.sent {
                line.sent = incoming.seq;
                self.emit(incoming, Limit::None);
            }
        }
        let mut live = line.replaying.take().unwrap_or_default();
        live.sort_by_key(|incoming| incoming.seq);
        for incoming in live {
            self.write(&mut line, incoming, Limit::None);
        }
    }

    /// Writes `incoming` to her socket (under her line's lock) in the order of `seq`: an
    /// event that came ahead of a lower one waits for it, at most [`GAP_WAIT`].
    fn write(&self, line: &mut Line, incoming: Incoming, limit: Limit) {
        match incoming.seq {
            0 => self.emit(incoming, limit),
            seq if seq <= line.sent => {} // she has it
            seq if line.sent == 0 || seq == line.sent + 1 => {
                line.sent = seq;
                self.emit(incoming, limit);
                self.write_ahead(line, limit);
            }
            seq => {
                let first_waiting = line.ahead.is_empty();
                line.ahead.insert(seq, incoming);
                if first_waiting && let Some(me) = self.me.upgrade() {
                    tokio::spawn(async move {
                        tokio::time::sleep(GAP_WAIT).await;
                        me.fill_gap().await;
                    });
                }
            }
        }
    }

    /// Writes the events that waited and now follow on.
    fn write_ahead(&self, line: &mut Line, limit: Limit) {
        while let Some(next) = line.ahead.remove(&(line.sent + 1)) {
            line.sent = next.seq;
            self.emit(next, limit);
        }
    }

    /// Events waited [`GAP_WAIT`] for a lower `seq` that never came through (a delivery
    /// lost between nodes, e.g. while a node drains): the missing ones are read from her
    /// journal in Redis and written in order; what the journal no longer has is skipped.
    async fn fill_gap(&self) {
        let Some((from, to)) = self.gap() else {
            return;
        };
        let missing = match self.journal.read().await {
            Ok(entries) => entries,
            Err(cause) => {
                tracing::warn!(%cause, "reading a member's journal to fill a gap failed");
                Vec::new()
            }
        };
        let mut line = self.line.lock();
        for incoming in missing {
            if (from..to).contains(&incoming.seq) {
                self.write(&mut line, incoming, Limit::Backlog);
            }
        }
        if !line.ahead.is_empty() {
            tracing::warn!("events for a member are no longer kept; later ones go without them");
        }
        while let Some((seq, next)) = line.ahead.pop_first() {
            line.sent = seq;
            self.emit(next, Limit::Backlog);
        }
    }

    /// The `seq`s missing before the events that wait, if any wait.
    fn gap(&self) -> Option<(u64, u64)> {
        let line = self.line.lock();
        let (first_waiting, _) = line.ahead.first_key_value()?;
        Some((line.sent + 1, *first_waiting))
    }
}
