//! Websocket handshakes for a version other than 13 (RFC 6455 section 4.2.2): answered
//! 426 Upgrade Required with `Sec-WebSocket-Version: 13`, instead of an upgrade.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The only websocket version there is (RFC 6455).
const SUPPORTED: HeaderValue = HeaderValue::from_static("13");

/// `router`, with websocket handshakes of other versions refused.
pub(super) fn refuse_other_versions(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(refuse_other_version))
}

async fn refuse_other_version(request: Request, next: Next) -> Response {
    if asks_for_websocket(request.headers())
        && request.headers().get(header::SEC_WEBSOCKET_VERSION) != Some(&SUPPORTED)
    {
        return (
            StatusCode::UPGRADE_REQUIRED,
            [(header::SEC_WEBSOCKET_VERSION, SUPPORTED)],
            "websocket version 13 only",
        )
            .into_response();
    }
    next.run(request).await
}

fn asks_for_websocket(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::UPGRADE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|protocol| protocol.trim().eq_ignore_ascii_case("websocket"))
}
