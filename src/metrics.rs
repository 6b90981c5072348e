//! Prometheus metrics (`GET /metrics`). Never labelled by group, code or name.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Label of the error counter: the stable error code only.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabel {
    /// The error code, e.g. `not_in_room`.
    pub code: &'static str,
}

/// Label of the undelivered-reply counter: why the reply could not be queued.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UndeliveredLabel {
    /// `queue_full`, `closed` or `encoding`.
    pub reason: &'static str,
}

/// The server's counters and gauges.
#[derive(Default)]
pub struct Metrics {
    /// Open Socket.IO connections.
    pub connections: Gauge,
    /// Members waiting in lobbies (set when scraped).
    pub waiting: Gauge,
    /// Open rooms (set when scraped).
    pub rooms: Gauge,
    /// Pairs made.
    pub matches: Counter,
    /// Chat messages relayed.
    pub messages_relayed: Counter,
    /// Chat messages held for a partner who is away (also counted as relayed).
    pub messages_held: Counter,
    /// Resumable members whose connection dropped, so that they became away.
    pub members_away: Counter,
    /// Away members who resumed.
    pub members_resumed: Counter,
    /// Away members whose resume window ended.
    pub members_expired: Counter,
    /// Members whose send queue stayed full for the send timeout.
    pub members_stuck: Counter,
    /// Chats ended by `block` or `report` (reports included).
    pub blocks: Counter,
    /// Reports of a partner.
    pub reports: Counter,
    /// Members removed from a group by reports.
    pub members_removed: Counter,
    /// Groups created.
    pub groups_created: Counter,
    /// Times the owner counts waiting in memory could not be saved (kept for the next
    /// try; docs/protocol.md section 7).
    pub counts_unsaved: Counter,
    /// Requests refused, by error code.
    pub errors: Family<ErrorLabel, Counter>,
    /// Replies (acks, `request_error`) that could not be queued for their client, by reason.
    pub replies_undelivered: Family<UndeliveredLabel, Counter>,
    /// TCP connections closed at once because `--max-connections` were open.
    pub connections_refused: Counter,
    /// TCP connections closed for sending no request head in time (idle or slow).
    pub connections_timed_out: Counter,
    /// Failed accepts (e.g. out of file descriptors).
    pub accept_errors: Counter,
}

impl Metrics {
    /// Counts one refusal with `code`.
    pub fn error(&self, code: &'static str) {
        self.errors.get_or_create(&ErrorLabel { code }).inc();
    }

    /// Counts one reply that could not be queued, for `reason`.
    pub fn undelivered(&self, reason: &'static str) {
        self.replies_undelivered
            .get_or_create(&UndeliveredLabel { reason })
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut registry = Registry::with_prefix("circle");
        registry.register(
            "connections",
            "Open Socket.IO connections",
            self.connections.clone(),
        );
        registry.register(
            "waiting",
            "Members waiting in lobbies",
            self.waiting.clone(),
        );
        registry.register("rooms", "Open rooms", self.rooms.clone());
        registry.register("matches", "Pairs made", self.matches.clone());
        registry.register(
            "messages_relayed",
            "Chat messages relayed",
            self.messages_relayed.clone(),
        );
        registry.register(
            "messages_held",
            "Chat messages held for a partner who is away",
            self.messages_held.clone(),
        );
        registry.register(
            "members_away",
            "Resumable members whose connection dropped",
            self.members_away.clone(),
        );
        registry.register(
            "members_resumed",
            "Away members who resumed",
            self.members_resumed.clone(),
        );
        registry.register(
            "members_expired",
            "Away members whose resume window ended",
            self.members_expired.clone(),
        );
        registry.register(
            "members_stuck",
            "Members whose send queue stayed full for the send timeout",
            self.members_stuck.clone(),
        );
        registry.register(
            "blocks",
            "Chats ended by block or report",
            self.blocks.clone(),
        );
        registry.register("reports", "Reports of a partner", self.reports.clone());
        registry.register(
            "members_removed",
            "Members removed from a group by reports",
            self.members_removed.clone(),
        );
        registry.register(
            "counts_unsaved",
            "Times owner counts could not be saved (kept for the next try)",
            self.counts_unsaved.clone(),
        );
        registry.register(
            "groups_created",
            "Groups created",
            self.groups_created.clone(),
        );
        registry.register(
            "errors",
            "Requests refused, by error code",
            self.errors.clone(),
        );
        registry.register(
            "replies_undelivered",
            "Replies that could not be queued for their client, by reason",
            self.replies_undelivered.clone(),
        );
        registry.register(
            "connections_refused",
            "TCP connections closed at once because the connection cap was reached",
            self.connections_refused.clone(),
        );
        registry.register(
            "connections_timed_out",
            "TCP connections closed for sending no request head in time",
            self.connections_timed_out.clone(),
        );
        registry.register(
            "accept_errors",
            "Failed accepts, e.g. out of file descriptors",
            self.accept_errors.clone(),
        );
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .expect("writing to a String cannot fail");
        text
    }
}
