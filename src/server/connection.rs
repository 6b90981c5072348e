//! Serving one connection: HTTP/1 with upgrades, each request detached from hyper's read
//! buffer and told its peer's address and the connection's [`ReadGate`], closed if it
//! sends no request head in time.

use super::request_clock::RequestClock;
use super::stream::ServedStream;
use crate::config::ConnectionLimits;
use crate::metrics::Metrics;
use crate::read_gate::ReadGate;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::task::TaskTracker;

/// The largest read buffer hyper keeps per connection: HTTP requests here are small (the
/// default lets it grow past 16 KiB per connection). Requests are detached from it (see
/// [`crate::detach`]), so that it is freed once a websocket is upgraded.
const HTTP_READ_BUFFER: usize = 8192;

/// Serves accepted connections, and keeps what the drain needs to stop them.
pub(super) struct Connections {
    builder: Builder<TokioExecutor>,
    router: Router,
    idle_timeout: Duration,
    header_timeout: Duration,
    metrics: Arc<Metrics>,
    /// Requests being answered.
    pub(super) requests: TaskTracker,
    /// Every connection not upgraded to a websocket.
    pub(super) graceful: GracefulShutdown,
}

impl Connections {
    pub(super) fn new(router: Router, limits: &ConnectionLimits, metrics: Arc<Metrics>) -> Self {
        let mut builder = Builder::new(TokioExecutor::new());
        builder.http1().max_buf_size(HTTP_READ_BUFFER);
        Self {
            builder,
            router,
            idle_timeout: limits.idle_timeout,
            header_timeout: limits.header_timeout,
            metrics,
            requests: TaskTracker::new(),
            graceful: GracefulShutdown::new(),
        }
    }

    /// Serves `stream` from `peer` in a task of its own; `permit` is its place under the
    /// connection cap, given back when the socket closes.
    pub(super) fn serve(&self, stream: TcpStream, peer: SocketAddr, permit: OwnedSemaphorePermit) {
        let clock = Arc::new(RequestClock::start(self.idle_timeout, self.header_timeout));
        let gate = ReadGate::default();
        let io = TokioIo::new(ServedStream::new(
            stream,
            clock.clone(),
            gate.clone(),
            permit,
        ));
        let router = self.router.clone();
        let requests = self.requests.clone();
        let request_clock = clock.clone();
        let service =
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                request_clock.request_started();
                let mut request = crate::detach::detach_from_read_buffer(request);
                let extensions = request.extensions_mut();
                extensions.insert(axum::extract::ConnectInfo(peer));
                extensions.insert(gate.clone());
                let response =
                    tower::ServiceExt::oneshot(router.clone(), request.map(axum::body::Body::new));
                let clock = request_clock.clone();
                requests.track_future(async move {
                    let response = response.await;
                    clock.request_answered();
                    response
                })
            });
        let connection = self.builder.serve_connection_with_upgrades(io, service);
        let connection = self.graceful.watch(connection.into_owned());
        let metrics = self.metrics.clone();
        tokio::spawn(async move {
            tokio::select! {
                served = connection => if let Err(cause) = served {
                    tracing::debug!(%cause, "connection ended with an error");
                },
                // Dropping the connection closes it.
                () = clock.expired() => {
                    metrics.connections_timed_out.inc();
                }
            }
        });
    }
}
