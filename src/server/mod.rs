//! Serving connections: HTTP/1 with upgrades (websockets) on one listener.
//!
//! One file per job: [`accept`] takes connections, backing off when that fails;
//! [`capacity`] sets how many may be open at once; [`connection`] serves one, with the
//! [`request_clock`] closing it if it sends no request head in time; [`websocket_version`]
//! refuses handshakes of other websocket versions; [`drain`] stops the node cleanly.

mod accept;
mod capacity;
mod connection;
mod drain;
mod request_clock;
mod stream;
mod websocket_version;

use crate::config::ConnectionLimits;
use crate::metrics::Metrics;
use crate::shutdown::Draining;
use axum::Router;
use std::pin::Pin;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Disconnects every socket, so that each partner is told and each record released.
pub type CloseSockets = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// What serving needs besides the listener and the router.
pub struct Serving {
    /// The connection cap, timeouts and shutdown grace.
    pub limits: ConnectionLimits,
    /// Where refusals, timeouts and accept errors are counted.
    pub metrics: Arc<Metrics>,
    /// Set when the drain starts (read by `/readyz`).
    pub draining: Draining,
    /// Disconnects every Socket.IO client during the drain.
    pub close_sockets: CloseSockets,
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains (see [`drain`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    serving: Serving,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let cap = capacity::connection_cap(serving.limits.max_connections);
    tracing::info!(max_connections = cap, "serving");
    let permits = Arc::new(Semaphore::new(cap));
    let connections = connection::Connections::new(
        websocket_version::refuse_other_versions(router),
        &serving.limits,
        serving.metrics.clone(),
    );
    let mut acceptor = accept::Acceptor::new(listener, serving.metrics.clone());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = acceptor.accept() => accepted,
            () = &mut shutdown => break,
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => connections.serve(stream, peer, permit),
            // Closed at once, before reading anything: the client sees the connection end.
            Err(_) => {
                serving.metrics.connections_refused.inc();
            }
        }
    }
    let open = cap - permits.available_permits();
    drain::Drain {
        draining: serving.draining,
        close_sockets: serving.close_sockets,
        grace: serving.limits.shutdown_grace,
    }
    .run(acceptor, open, &serving.metrics, connections)
    .await;
}
