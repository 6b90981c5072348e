//! Giving up on a connection whose send queue stays full: what its backlogs share.

use crate::metrics::Metrics;
use crate::realtime::socket_gate::gate_of;
use socketioxide::SocketError;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::time::Duration;

/// How often a backlog tries its connection's queue again.
pub const FLUSH_PAUSE: Duration = Duration::from_millis(5);

/// Marks a socket given up on, in its extensions.
#[derive(Clone)]
struct GivenUp;

/// Gives up on `socket`, whose queue stayed full (`why`): counted and logged once however
/// many of its backlogs find it stuck, then disconnected.
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
