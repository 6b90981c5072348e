//! Liveness, readiness and metrics.

use super::AppState;
use super::error::{ApiError, ApiResult};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::{Value, json};

/// `/healthz`, `/readyz` and `/metrics`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the node is not draining, the store answers, and so does the lobby backend.
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    if state.draining.is_draining() {
        return Err(DRAINING);
    }
    state.store.ping().await?;
    state.lobbies.ready().await?;
    Ok(Json(json!({ "status": "ready" })))
}

/// 503 while the node drains (docs/protocol.md section 4).
const DRAINING: ApiError = ApiError::new(
    StatusCode::SERVICE_UNAVAILABLE,
    "draining",
    "this node is shutting down",
);

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let metrics = &state.metrics;
    match state.lobbies.counts().await {
        Ok((waiting, rooms)) => {
            metrics.waiting.set(waiting as i64);
            metrics.rooms.set(rooms as i64);
        }
        // The gauges keep their last values rather than drop to zero.
        Err(cause) => tracing::warn!(%cause, "counting lobbies and rooms failed"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
}
