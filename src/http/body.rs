//! Request bodies: JSON objects, with a precise code for each way a body can be wrong.

use super::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde_json::{Map, Value};

/// The body's fields: 415 `unsupported_media_type` without JSON's content type, 413
/// `payload_too_large`, 400 `invalid_json` for anything but a JSON object.
pub(super) fn json_object(
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Map<String, Value>> {
    let Json(body) = body.map_err(|rejection| match rejection.status() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send JSON with Content-Type: application/json",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is over the size limit",
        ),
        _ => ApiError::bad_request("invalid_json", "the body is not valid JSON"),
    })?;
    match body {
        Value::Object(fields) => Ok(fields),
        _ => Err(ApiError::bad_request(
            "invalid_json",
            "the body must be a JSON object",
        )),
    }
}
