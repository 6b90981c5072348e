//! Giving up on a member whose send queue stays full (docs/protocol.md section 6, "Nothing
//! lost"): the flush that retries her backlog, and what happens once the send timeout
//! passes, the same on every backend.

use super::Outlet;
use super::outbox::Flushed;
use socketioxide::SocketError;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::time::Duration;

/// How often a backlog tries her queue again.
const FLUSH_PAUSE: Duration = Duration::from_millis(5);

/// Retries a member's backlog with `flush_once` every [`FLUSH_PAUSE`] until nothing
/// waits. When she turns out stuck she is counted and logged (never an id or a text), and
/// her socket is returned: it is to be [`disconnect`]ed, and its end is then handled as
/// any other (a plain member leaves, a resumable one becomes away).
pub async fn flush<A: Adapter>(
    outlet: &Outlet,
    mut flush_once: impl FnMut() -> Flushed<A>,
) -> Option<Arc<Socket<A>>> {
    loop {
        tokio::time::sleep(FLUSH_PAUSE).await;
        match flush_once() {
            Flushed::Waiting => {}
            Flushed::Done => return None,
            Flushed::Stuck(socket) => {
                outlet.metrics.members_stuck.inc();
                tracing::warn!("a member's connection read nothing for the send timeout");
                return Some(socket);
            }
        }
    }
}

/// Disconnects a stuck `socket`: the disconnect packet itself needs room in its queue, so
/// it is tried until it fits or the connection is gone (its heartbeat, which needs room
/// too, ends it within the ping interval otherwise).
pub async fn disconnect<A: Adapter>(socket: Arc<Socket<A>>) {
    loop {
        match socket.clone().disconnect() {
            Err(SocketError::InternalChannelFull) => tokio::time::sleep(FLUSH_PAUSE).await,
            Ok(()) | Err(SocketError::Closed) => return,
        }
    }
}
