//! Timed rounds, for the group's owner: `POST`, `GET` and `DELETE /groups/{code}/rounds`
//! (docs/protocol.md section 8).

use super::body::json_object;
use super::error::{ApiError, ApiResult};
use super::{AppState, owner};
use crate::series::RoundSettings;
use crate::wire::RoundsView;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value};

/// 409: a series runs already.
const ROUNDS_RUNNING: ApiError = ApiError::new(
    StatusCode::CONFLICT,
    "rounds_running",
    "a series of rounds is running in this group; stop it first",
);

/// 404: no series was started (or it was stopped).
const NO_ROUNDS: ApiError = ApiError::new(
    StatusCode::NOT_FOUND,
    "no_rounds",
    "no series of rounds runs in this group",
);

/// `/groups/{access_code}/rounds`.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/groups/{access_code}/rounds",
        get(show).post(start).delete(stop),
    )
}

/// The settings in `fields`: whole numbers in range, `break_seconds` defaulting.
fn settings(fields: &Map<String, Value>) -> ApiResult<RoundSettings> {
    let number = |key: &str, default: Option<u32>, error| match fields.get(key) {
        None | Some(Value::Null) => default.map(u64::from).ok_or(error),
        Some(value) => value.as_u64().ok_or(error),
    };
    Ok(RoundSettings::new(
        number("round_seconds", None, RoundSettings::BAD_ROUND_SECONDS)?,
        number(
            "break_seconds",
            Some(RoundSettings::DEFAULT_BREAK_SECONDS),
            RoundSettings::BAD_BREAK_SECONDS,
        )?,
        number("rounds", None, RoundSettings::BAD_ROUNDS)?,
    )?)
}

/// Starts a series now: 201 with its state.
async fn start(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<RoundsView>)> {
    let stored = owner::owned(&state, &code, &headers).await?;
    let settings = settings(&json_object(body)?)?;
    match state.rounds.start_rounds(&stored.group, settings).await? {
        Ok(series) => Ok((StatusCode::CREATED, Json(RoundsView::from(&series)))),
        Err(_running) => Err(ROUNDS_RUNNING),
    }
}

/// The series' state.
async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<RoundsView>> {
    let stored = owner::owned(&state, &code, &headers).await?;
    let series = state.rounds.rounds(&stored.group.access_code).await?;
    series
        .map(|series| Json(RoundsView::from(&series)))
        .ok_or(NO_ROUNDS)
}

/// Stops the series at once: 204.
async fn stop(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let stored = owner::owned(&state, &code, &headers).await?;
    match state.rounds.stop_rounds(&stored.group).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(NO_ROUNDS),
    }
}
