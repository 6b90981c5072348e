//! The built-in web client, embedded in the binary from `web/`.

use super::AppState;
use super::error::ApiError;
use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// `/` and `/join/{code}` serve the client's page; any other path an asset, or a 404.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/join/{code}", get(index))
        .fallback(asset)
}

async fn index() -> Response {
    serve("index.html")
}

async fn asset(uri: Uri) -> Response {
    serve(uri.path().trim_start_matches('/'))
}

fn serve(path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
            ],
            file.data,
        )
            .into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such page").into_response(),
    }
}
