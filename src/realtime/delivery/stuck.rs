//! Giving up on a member whose send queue stays full (docs/protocol.md section 6, "Nothing
//! lost"): the flush that retries her backlog, and what happens once the send timeout
//! passes, the same on every backend.

use super::outbox::Flushed;
use crate::metrics::Metrics;
use crate::realtime::socket_gate::gate_of;
use socketioxide::SocketError;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::time::Duration;

/// How often a backlog tries its connection's queue again.
pub const FLUSH_PAUSE: Duration = Duration::from_millis(5);

/// Retries a member's backlog with `flush_once` every [`FLUSH_PAUSE`] until nothing
/// waits. When she turns out stuck her socket is returned with the reason: it is to be
/// [`give_up`] on, and its end is then handled as any other (a plain member leaves, a
/// resumable one becomes away).
pub async fn flush<A: Adapter>(
    mut flush_once: impl FnMut() -> Flushed<A>,
) -> Option<(Arc<Socket<A>>, &'static str)> {
    loop {
        tokio::time::sleep(FLUSH_PAUSE).await;
        match flush_once() {
            Flushed::Waiting => {}
            Flushed::Done => return None,
            Flushed::Stuck(socket, why) => return Some((socket, why)),
        }
    }
}

/// Why a member whose events waited for the send timeout is given up on.
pub const READ_NOTHING: &str = "a member's connection read nothing for the send timeout";

/// Why a resumable member with more numbered events waiting than the backlog limit is
/// given up on: the rest are in her journal, and her resume replays them in order.
pub const FELL_BEHIND: &str = "a resumable member fell further behind than the backlog limit";

/// Marks a socket given up on, in its extensions.
#[derive(Clone)]
struct GivenUp;

/// Gives up on `socket`, whose queue stayed full (`why`): counted and logged once
/// (never an id or a text) however many of its backlogs find it stuck, then
/// disconnected.
pub async fn give_up<A: Adapter>(socket: Arc<Socket<A>>, metrics: Arc<Metrics>, why: &'static str) {
    if socket.extensions.insert(GivenUp).is_some() {
        return;
    }
    metrics.members_stuck.inc();
    tracing::warn!(why, "a client is given up on as stuck");
    disconnect(socket).await;
}

/// Disconnects a stuck `socket`. A websocket's connection is cut at once (its end is
/// handled as any other transport's end: a resumable member becomes away). A
/// long-polling client's disconnect packet needs room in its queue, so it is tried until
/// it fits or the session is gone (its heartbeat, which needs room too, ends it within
/// the ping interval otherwise).
async fn disconnect<A: Adapter>(socket: Arc<Socket<A>>) {
    if let Some(gate) = gate_of(&socket) {
        return gate.cut();
    }
    loop {
        match socket.clone().disconnect() {
            Err(SocketError::InternalChannelFull) => tokio::time::sleep(FLUSH_PAUSE).await,
            Ok(()) | Err(SocketError::Closed) => return,
        }
    }
}
