//! The Socket.IO side (PROTOCOL.md section 2): one place binds every event name.
//!
//! Handlers turn wire payloads into domain values, ask the [`Hub`] what happens, and tell
//! the members concerned. Failures answer in the ack or as `request_error`; a bad event
//! never closes the connection.

mod attempts;
mod chat;
mod context;
mod lobby;
mod notices;
mod refusal;
mod request;

pub use attempts::FailedAttempts;

use crate::config::Limits;
use crate::domain::Group;
use crate::matchmaking::Hub;
use crate::metrics::Metrics;
use crate::store::GroupStore;
use context::SocketContext;
use request::Request;
use socketioxide::SocketIo;
use socketioxide::extract::{SocketRef, State};
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

/// Everything the event handlers share.
pub struct Realtime {
    /// This node's lobbies and rooms.
    pub hub: Hub<SocketRef>,
    store: Arc<dyn GroupStore>,
    limits: Limits,
    failed_joins: FailedAttempts,
    metrics: Arc<Metrics>,
}

impl Realtime {
    /// The shared state of the handlers.
    pub fn new(store: Arc<dyn GroupStore>, limits: Limits, metrics: Arc<Metrics>) -> Self {
        Self {
            hub: Hub::new(),
            store,
            failed_joins: FailedAttempts::per_minute(limits.failed_joins_per_minute),
            limits,
            metrics,
        }
    }

    /// Closes `group`'s lobby after its owner deleted it; its waiters get `group_closed`.
    pub fn close_group(&self, group: &Group) {
        let waiters = self.hub.close_group(group);
        notices::group_closed(&waiters, group.access_code.expose());
    }

    /// Closes the lobbies of groups expired at `now` and forgets drained rate-limit entries.
    pub fn sweep(&self, now: OffsetDateTime) {
        for (code, waiters) in self.hub.sweep(now) {
            notices::group_closed(&waiters, code.expose());
        }
        self.failed_joins.prune(Instant::now());
    }
}

/// Binds every event of namespace `/`.
pub fn register(io: &SocketIo) {
    io.ns("/", on_connect);
}

async fn on_connect(socket: SocketRef, State(rt): State<Arc<Realtime>>) {
    SocketContext::attach(&socket, &rt);
    rt.metrics.connections.inc();
    socket.on_disconnect(lobby::on_disconnect);
    socket.on("join_group", lobby::on_join_group);
    socket.on("leave", lobby::on_leave);
    socket.on("next", lobby::on_next);
    socket.on("leave_room", lobby::on_leave_room);
    socket.on("message", chat::Relay(rt.clone()));
    for event in ["join_room", "gmessage"] {
        socket.on(
            event,
            async move |socket: SocketRef, request: Request, State(rt): State<Arc<Realtime>>| {
                request.refuse(&socket, event, refusal::FORBIDDEN, &rt.metrics);
            },
        );
    }
    // `received` and unknown events are ignored (compat).
    socket.on_fallback(async || {});
}
