//! Stopping the node cleanly (docs/protocol.md section 4), in this order:
//! 1. `/readyz` answers 503;
//! 2. the listener is closed: no new connections;
//! 3. every Socket.IO client is disconnected by closing its Engine.IO transport
//!    (socketioxide's `close` sends an Engine.IO close packet and no Socket.IO
//!    DISCONNECT), which socket.io clients report as "transport close" and answer by
//!    reconnecting, elsewhere behind a load balancer or here once the node is back;
//! 4. requests in flight may finish, for up to `--shutdown-grace`, while connections
//!    that are already open stay served (a load balancer's probe sees the 503); then every
//!    connection is closed;
//! 5. the start and the end are logged.

use super::CloseSockets;
use super::accept::Acceptor;
use super::connection::Connections;
use crate::metrics::Metrics;
use crate::shutdown::Draining;
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// What the drain acts on.
pub(super) struct Drain {
    pub(super) draining: Draining,
    pub(super) close_sockets: CloseSockets,
    pub(super) grace: Duration,
}

impl Drain {
    /// Runs the drain; `open` connections were open when it was asked for.
    pub(super) async fn run(
        self,
        acceptor: Acceptor,
        open: usize,
        metrics: &Metrics,
        connections: Connections,
    ) {
        self.draining.start();
        drop(acceptor);
        let sockets = metrics.connections.get();
        tracing::info!(connections = open, sockets, "shutting down");
        let deadline = Instant::now() + self.grace;
        if timeout_at(deadline, (self.close_sockets)()).await.is_err() {
            tracing::warn!("the grace ended before every socket was closed");
        }
        connections.requests.close();
        if timeout_at(deadline, connections.requests.wait())
            .await
            .is_err()
        {
            let unfinished = connections.requests.len();
            tracing::warn!(
                unfinished,
                "the grace ended before every request was answered"
            );
        }
        if timeout_at(deadline, connections.graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("the grace ended before every connection was closed");
        }
        tracing::info!("stopped");
    }
}
