//! The Socket.IO side (PROTOCOL.md section 2): one place binds every event name.
//!
//! Handlers turn wire payloads into domain values, ask the [`Hub`] what happens, and tell
//! the members concerned. Failures answer in the ack or as `request_error`; a bad event
//! never closes the connection.

mod attempts;
mod chat;
mod connect;
mod context;
mod lobby;
mod notices;
mod peer;
mod refusal;
mod request;

pub use attempts::FailedAttempts;
pub use peer::Peer;

use crate::config::Limits;
use crate::domain::Group;
use crate::matchmaking::Hub;
use crate::metrics::Metrics;
use crate::store::GroupStore;
use socketioxide::SocketIo;
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

/// Everything the event handlers share.
pub struct Realtime {
    /// This node's lobbies and rooms.
    pub hub: Hub<Peer>,
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
pub fn register(io: &SocketIo, rt: Arc<Realtime>) {
    io.ns("/", connect::OnConnect(rt));
}
