//! Finding a group by the code in a path, and checking its owner's token: every owner
//! route (`DELETE /groups/{code}`, `GET /groups/{code}/stats`) checks it the same way,
//! `Authorization: Bearer <owner_token>` (docs/protocol.md section 1).

use super::AppState;
use super::error::{ApiError, ApiResult, GROUP_NOT_FOUND};
use crate::domain::AccessCode;
use crate::store::StoredGroup;
use axum::http::{HeaderMap, StatusCode, header};
use time::OffsetDateTime;

/// 401: no bearer token was sent.
const UNAUTHORIZED: ApiError = ApiError::new(
    StatusCode::UNAUTHORIZED,
    "unauthorized",
    "send the owner token as Authorization: Bearer <token>",
);

/// 403: the token does not own the group.
const FORBIDDEN: ApiError = ApiError::new(
    StatusCode::FORBIDDEN,
    "forbidden",
    "this token does not own the group",
);

/// The live group with `code`, or 404 when unknown, expired or malformed.
pub(super) async fn find(state: &AppState, code: &str) -> ApiResult<StoredGroup> {
    let code = AccessCode::parse(code).ok_or(GROUP_NOT_FOUND)?;
    state
        .store
        .find(&code, OffsetDateTime::now_utc())
        .await?
        .ok_or(GROUP_NOT_FOUND)
}

/// The live group with `code` if `headers` carry its owner's token: 401 without a bearer
/// token, 404 for an unknown group, 403 for another token.
pub(super) async fn owned(
    state: &AppState,
    code: &str,
    headers: &HeaderMap,
) -> ApiResult<StoredGroup> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(UNAUTHORIZED)?;
    let stored = find(state, code).await?;
    if !stored.owner.matches(token.trim()) {
        return Err(FORBIDDEN);
    }
    Ok(stored)
}
