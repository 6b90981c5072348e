//! Replies that cannot be queued for their client (its queue is full, or it is gone): each
//! is counted in the metrics by reason and logged (the log throttles a flood of them),
//! never dropped without a word.

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
