//! Resolves every request's [`ClientAddress`] once, before any route or Socket.IO sees it.

use crate::domain::{ClientAddress, TrustedProxies};
use axum::extract::{ConnectInfo, Request};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::util::MapRequestLayer;

/// The header a proxy lists the addresses it forwarded for in.
const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// A layer that puts the request's [`ClientAddress`] in its extensions, resolved from the
/// peer (`ConnectInfo<SocketAddr>`, put there when the connection was accepted) and, from
/// a trusted proxy only, `X-Forwarded-For`. A request without a peer gets none.
pub fn layer(
    trusted: TrustedProxies,
) -> MapRequestLayer<impl Fn(Request) -> Request + Clone + Send + Sync + 'static> {
    let trusted = Arc::new(trusted);
    MapRequestLayer::new(move |mut request: Request| {
        if let Some(address) = resolve(&request, &trusted) {
            request.extensions_mut().insert(address);
        }
        request
    })
}

fn resolve(request: &Request, trusted: &TrustedProxies) -> Option<ClientAddress> {
    let ConnectInfo(peer) = request.extensions().get::<ConnectInfo<SocketAddr>>()?;
    // Read lazily: only when the peer is a trusted proxy.
    let forwarded_for = request
        .headers()
        .get_all(X_FORWARDED_FOR)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or_default().split(','));
    Some(ClientAddress::resolve(peer.ip(), forwarded_for, trusted))
}
