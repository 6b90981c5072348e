//! The HTTP side: JSON API, health, metrics and the web client (docs/protocol.md section 1).

mod body;
pub mod client_address;
mod error;
mod groups;
mod health;
mod owner;
mod rounds;
pub mod session_guard;
mod stats;
mod web;

pub use error::{ApiError, ApiResult};

use crate::metrics::Metrics;
use crate::realtime::Lobbies;
use crate::shutdown::Draining;
use crate::store::GroupStore;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::TraceLayer;

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct AppState {
    /// Where groups live.
    pub store: Arc<dyn GroupStore>,
    /// The Socket.IO side, told when a group closes.
    pub lobbies: Arc<dyn Lobbies>,
    /// Timed rounds (docs/protocol.md section 8).
    pub rounds: Arc<dyn crate::realtime::rounds::Rounds>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// How long a new group lives.
    pub group_ttl: Duration,
    /// Whether `GET /groups` lists every group.
    pub public_group_list: bool,
    /// Set once the node drains: `/readyz` fails from then on.
    pub draining: Draining,
}

/// Every HTTP route, with request tracing and the body size limit.
///
/// Spans carry the method and the route's pattern, never the path itself: paths hold
/// access codes.
pub fn router(state: AppState, max_body_bytes: usize) -> Router {
    Router::new()
        .merge(groups::router())
        .merge(stats::router())
        .merge(health::router())
        .merge(rounds::router())
        .merge(web::router())
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str);
                tracing::info_span!("http", method = %request.method(), route)
            }),
        )
        .with_state(state)
}
