//! Owner counts: `GET /groups/{access_code}/stats` (docs/protocol.md section 7).

use super::{ApiResult, AppState, owner};
use crate::realtime::OwnerCounts;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};

/// `/groups/{access_code}/stats`.
pub fn router() -> Router<AppState> {
    Router::new().route("/groups/{access_code}/stats", get(stats))
}

/// The group's counts, with `Authorization: Bearer <owner_token>`: counts only, never
/// names.
async fn stats(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<OwnerCounts>> {
    let stored = owner::owned(&state, &code, &headers).await?;
    Ok(Json(state.lobbies.owner_counts(&stored.group).await?))
}
