//! Events that cannot be queued for their client (its queue is full, or it is gone): never
//! dropped without a word. Replies (acks, `request_error`) are counted in the metrics by
//! reason and logged; other events (relayed messages, notices) are logged. The log
//! throttles a flood of either.

use crate::metrics::Metrics;
use socketioxide::{SendError, SocketError};

/// The metrics label of a failed send.
fn reason(error: &SendError) -> &'static str {
    match error {
        SendError::Socket(SocketError::InternalChannelFull) => "queue_full",
        SendError::Socket(SocketError::Closed) => "closed",
        SendError::Serialize(_) => "encoding",
    }
}

/// Counts and logs `sent` if it failed; `what` names the reply (`ack`, `request_error`).
pub fn note(sent: Result<(), SendError>, what: &'static str, metrics: &Metrics) {
    let Err(error) = sent else { return };
    let reason = reason(&error);
    metrics.undelivered(reason);
    tracing::warn!(
        reply = what,
        reason,
        "a reply could not be queued for its client"
    );
}

/// Counts and logs a reply (`what`) that could not be encoded to wait for room.
pub fn not_encoded(what: &'static str, cause: &serde_json::Error, metrics: &Metrics) {
    metrics.undelivered("encoding");
    tracing::warn!(reply = what, %cause, "a reply could not be encoded");
}

/// Logs an `event` (relayed message or notice) that could not be queued for a member:
/// her queue is full, her socket is closed, or the adapter failed. `cause` never holds a
/// payload or an id (socketioxide's errors name only the kind of failure).
pub fn unsent(event: &str, cause: &dyn std::fmt::Display) {
    tracing::warn!(event, %cause, "an event could not be queued for a member");
}
