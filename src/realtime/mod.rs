//! The Socket.IO side (docs/protocol.md section 2): one place binds every event name.
//!
//! Handlers turn wire payloads into domain values, ask the [`Presence`] backend what
//! happens (lobbies and rooms in memory on one node, in Redis on several), and tell the
//! members concerned. Failures answer in the ack or as `request_error`; a bad event never
//! closes the connection.

mod attempts;
mod chat;
mod connect;
mod context;
mod counting;
mod delivery;
mod drain;
mod group_cache;
mod lobby;
mod local;
mod local_resume;
mod local_rounds;
mod masking;
mod notices;
mod parting;
mod presence;
mod reader_filter;
pub mod redis;
mod refusal;
mod replies;
mod request;
mod resume;
mod resuming;
pub mod rounds;
mod session_bindings;
mod set_filter;
mod socket_arc;
mod socket_gate;
mod tokens;
mod typing;
mod undelivered;

pub use attempts::FailedAttempts;
pub use connect::SocketBackend;
pub use counting::{OwnerCounts, SAVE_EVERY};
pub use delivery::{Bounds, Delivery, Link, Mailbox, Outlet, Relaying};
pub use local::{LocalPresence, Peer};
pub use presence::{ChatPayload, Handle, Presence};
pub use resuming::{Attached, Resuming};
pub use session_bindings::{SessionBinding, SessionBindings};
pub use socket_gate::asks_for_websocket;

use crate::config::Limits;
use crate::domain::Group;
use crate::metrics::Metrics;
use crate::store::GroupStore;
use async_trait::async_trait;
use group_cache::GroupCache;
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

/// How long a group read from the store serves joins before it is read again.
const GROUP_CACHE_FRESHNESS: std::time::Duration = std::time::Duration::from_secs(2);

/// Everything the event handlers share.
pub struct Realtime<P: Presence> {
    presence: P,
    store: Arc<dyn GroupStore>,
    groups: GroupCache,
    limits: Limits,
    failed_joins: FailedAttempts,
    absences: resume::Absences,
    /// Owner counts not saved yet (see [`Realtime::count`]).
    unsaved_counts: counting::UnsavedCounts,
    /// The send limits every member's mailbox shares.
    outlet: Arc<Outlet>,
    metrics: Arc<Metrics>,
}

impl<P: Presence> Realtime<P> {
    /// The shared state of the handlers.
    pub fn new(
        presence: P,
        store: Arc<dyn GroupStore>,
        limits: Limits,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            presence,
            store,
            groups: GroupCache::new(GROUP_CACHE_FRESHNESS),
            failed_joins: FailedAttempts::per_minute(limits.failed_joins_per_minute),
            absences: resume::Absences::default(),
            unsaved_counts: counting::UnsavedCounts::default(),
            outlet: Arc::new(Outlet {
                send_timeout: limits.send_timeout,
                backlog_limit: limits.max_queued_packets,
                metrics: metrics.clone(),
            }),
            limits,
            metrics,
        }
    }
}

impl<P: Presence> Realtime<P> {
    /// The live group with `code`, if there is a code and such a group.
    pub(super) async fn live_group(
        &self,
        code: Option<crate::domain::AccessCode>,
    ) -> Result<Option<crate::store::StoredGroup>, refusal::Refusal> {
        let Some(code) = code else {
            return Ok(None);
        };
        self.groups
            .find(&*self.store, &code, OffsetDateTime::now_utc())
            .await
            .map_err(refusal::unavailable)
    }

    /// The lobby and room backend.
    pub fn presence(&self) -> &P {
        &self.presence
    }
}

/// What the rest of the server asks of the Socket.IO side, whatever its backend.
#[async_trait]
pub trait Lobbies: Send + Sync {
    /// Closes `group`'s lobby after its owner deleted it; its waiters get `group_closed`.
    async fn close_group(&self, group: &Group);

    /// Closes the lobbies of groups expired at `now` and forgets drained rate-limit entries.
    async fn sweep(&self, now: OffsetDateTime);

    /// Members waiting and rooms open, for the metrics.
    async fn counts(&self) -> Result<(usize, usize), crate::store::StoreError>;

    /// `group`'s counts for its owner (docs/protocol.md section 7).
    async fn owner_counts(&self, group: &Group) -> Result<OwnerCounts, crate::store::StoreError>;

    /// Saves the owner counts waiting in memory (every [`SAVE_EVERY`], and at shutdown).
    async fn save_counts(&self);

    /// How often [`Lobbies::sweep`] must run at least.
    fn maintenance_interval(&self) -> Option<std::time::Duration>;

    /// Whether lobbies and rooms can be served (readiness).
    async fn ready(&self) -> Result<(), crate::store::StoreError>;
}

#[async_trait]
impl<P: rounds::Timed> Lobbies for Realtime<P> {
    async fn close_group(&self, group: &Group) {
        self.groups.forget(&group.access_code);
        match self.presence.close_group(group).await {
            Ok(waiters) => notices::group_closed(&waiters, group.access_code.expose()),
            Err(cause) => tracing::warn!(%cause, "closing a lobby failed"),
        }
        // Its series of timed rounds, if any, ends with it.
        if let Err(cause) = self.presence.forget_series(&group.access_code).await {
            tracing::warn!(%cause, "ending a closed group's rounds failed");
        }
    }

    async fn sweep(&self, now: OffsetDateTime) {
        for (code, waiters) in self.presence.sweep(now).await {
            notices::group_closed(&waiters, code.expose());
        }
        self.failed_joins.prune(Instant::now());
        self.groups.prune();
    }

    async fn counts(&self) -> Result<(usize, usize), crate::store::StoreError> {
        self.presence.counts().await
    }

    async fn owner_counts(&self, group: &Group) -> Result<OwnerCounts, crate::store::StoreError> {
        Realtime::owner_counts(self, group).await
    }

    async fn save_counts(&self) {
        Realtime::save_counts(self).await;
    }

    fn maintenance_interval(&self) -> Option<std::time::Duration> {
        self.presence.maintenance_interval()
    }

    async fn ready(&self) -> Result<(), crate::store::StoreError> {
        self.presence.ready().await
    }
}
