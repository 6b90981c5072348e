//! Replies (acks, `request_error`) that find their client's send queue full are never
//! thrown away (docs/protocol.md section 6, "Nothing lost"): they wait, in order, for room
//! for up to the send timeout, and the connection is not read from meanwhile (its
//! [`ReadGate`] is held shut), so a client that sends faster than it reads is slowed down
//! by TCP instead. A client whose queue stays full for the send timeout, or a
//! long-polling client (whose requests cannot be held back) that makes more replies wait
//! than the backlog limit allows, is disconnected as stuck.

use super::delivery::{Flushed, Outlet, no_room, stuck};
use super::socket_gate::gate_of;
use super::undelivered;
use crate::read_gate::ReadHold;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::value::RawValue;
use socketioxide::adapter::Adapter;
use socketioxide::extract::AckSender;
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::Socket;
use socketioxide::{SendError, SocketError};
use socketioxide_core::Str;
use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// One reply, encoded, waiting for room.
pub enum Reply {
    /// The answer to the request with ack id `id`.
    Ack { id: i64, data: Box<RawValue> },
    /// An event such as `request_error`.
    Event {
        event: &'static str,
        data: Box<RawValue>,
    },
}

impl Reply {
    /// The reply to a request: its ack when the client asked for one, else `event`.
    pub fn encode<T: ?Sized + Serialize>(
        ack: Option<i64>,
        event: &'static str,
        data: &T,
    ) -> serde_json::Result<Self> {
        let data = serde_json::value::to_raw_value(data)?;
        Ok(match ack {
            Some(id) => Self::Ack { id, data },
            None => Self::Event { event, data },
        })
    }

    /// Queues it on `socket`.
    pub fn send<A: Adapter>(&self, socket: &Arc<Socket<A>>) -> Result<(), SendError> {
        match self {
            Self::Ack { id, data } => ack_sender(socket, *id).send(data),
            Self::Event { event, data } => socket.emit(*event, data),
        }
    }
}

/// The ack sender of request `id` on `socket`.
pub fn ack_sender<A: Adapter>(socket: &Arc<Socket<A>>, id: i64) -> AckSender<A> {
    let mut unused = Value::Str(Str::from(""), None);
    let Ok(sender) = AckSender::from_message_parts(socket, &mut unused, &Some(id));
    sender
}

/// One connection's replies waiting for room, kept in the socket's extensions.
pub struct Replies<A: Adapter> {
    socket: Weak<Socket<A>>,
    outlet: Arc<Outlet>,
    /// Itself, for the task that flushes it.
    me: Weak<Replies<A>>,
    line: Mutex<Line>,
}

#[derive(Default)]
struct Line {
    waiting: VecDeque<Reply>,
    /// Since when the first waiting reply has waited.
    since: Option<Instant>,
    /// Keeps the connection from being read while replies wait.
    reading: Option<ReadHold>,
    /// The socket is gone, or was given up on.
    closed: bool,
}

impl<A: Adapter> Replies<A> {
    /// Attaches an empty queue to `socket`.
    pub fn attach(socket: &Arc<Socket<A>>, outlet: Arc<Outlet>) {
        socket.extensions.insert(Arc::new_cyclic(|me| Self {
            socket: Arc::downgrade(socket),
            outlet,
            me: me.clone(),
            line: Mutex::new(Line::default()),
        }));
    }

    /// `socket`'s queue, while it is connected.
    pub fn of(socket: &Socket<A>) -> Option<Arc<Self>> {
        socket.extensions.get::<Arc<Self>>()
    }

    /// The socket is gone: whatever waits cannot be sent any more.
    pub fn detach(socket: &Socket<A>) {
        if let Some(replies) = socket.extensions.remove::<Arc<Self>>() {
            let mut line = replies.line.lock();
            line.closed = true;
            line.waiting.clear();
            line.reading = None;
        }
    }

    /// Whether replies wait: a new one goes behind them, so that they keep their order.
    pub fn any_waiting(&self) -> bool {
        !self.line.lock().waiting.is_empty()
    }

    /// Keeps `reply`, which found the queue full (or replies waiting), until there is room.
    pub fn wait(&self, reply: Reply) {
        let mut line = self.line.lock();
        if line.closed {
            let gone = Err(SendError::Socket(SocketError::Closed));
            return undelivered::note(gone, "reply", &self.outlet.metrics);
        }
        // A websocket is not read while replies wait, which bounds them (by what was read
        // before, and what is on its way through Redis); long-polling requests are not.
        let held_back = line.reading.is_some();
        if !held_back && line.waiting.len() >= self.outlet.backlog_limit {
            drop(line);
            return self.give_up("a client made more replies wait than the backlog limit");
        }
        line.waiting.push_back(reply);
        if line.waiting.len() > 1 {
            return;
        }
        line.since = Some(Instant::now());
        let socket = self.socket.upgrade();
        line.reading = socket.as_deref().and_then(gate_of).map(|gate| gate.hold());
        if let Some(me) = self.me.upgrade() {
            tokio::spawn(async move { me.flush().await });
        }
    }

    /// Sends what waits as the queue makes room; gives up after the send timeout.
    async fn flush(&self) {
        if let Some((socket, why)) = stuck::flush(|| self.flush_once()).await {
            stuck::give_up(socket, self.outlet.metrics.clone(), why).await;
        }
    }

    /// Sends what waits while there is room; once the first has waited for the send
    /// timeout, the client is stuck.
    fn flush_once(&self) -> Flushed<A> {
        let mut line = self.line.lock();
        let Some(socket) = self.socket.upgrade().filter(|_| !line.closed) else {
            return Flushed::Done;
        };
        while let Some(reply) = line.waiting.front() {
            match reply.send(&socket) {
                Err(error) if no_room(&error) => break,
                sent => undelivered::note(sent, "reply", &self.outlet.metrics),
            }
            line.waiting.pop_front();
        }
        if line.waiting.is_empty() {
            line.since = None;
            line.reading = None;
            return Flushed::Done;
        }
        let waited = line.since.map_or(Duration::ZERO, |since| since.elapsed());
        if waited < self.outlet.send_timeout {
            return Flushed::Waiting;
        }
        Self::close(&mut line, &self.outlet);
        let why = "a client read none of its replies for the send timeout";
        Flushed::Stuck(socket, why)
    }

    /// The client is stuck (`why`): every waiting reply is counted as undelivered, the
    /// connection is not read any more, and it is closed.
    fn give_up(&self, why: &'static str) {
        let mut line = self.line.lock();
        if line.closed {
            return;
        }
        Self::close(&mut line, &self.outlet);
        drop(line);
        if let Some(socket) = self.socket.upgrade() {
            tokio::spawn(stuck::give_up(socket, self.outlet.metrics.clone(), why));
        }
    }

    /// Nothing more is sent: what waits is counted as undelivered (its hold on the
    /// connection stays until the socket is gone).
    fn close(line: &mut Line, outlet: &Outlet) {
        line.closed = true;
        for _ in line.waiting.drain(..) {
            outlet.metrics.undelivered("stuck");
        }
    }
}
