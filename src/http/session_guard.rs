//! Keeps every Engine.IO session to the client that opened it (docs/protocol.md section 4): a
//! polling request or websocket upgrade that names a session bound to another client
//! address is answered 403 `forbidden_session` and never reaches the session.
//!
//! Sessions are bound when they connect to namespace `/` (see
//! [`SessionBindings`]); requests naming a session not (yet) bound pass, and engineioxide
//! answers unknown ones itself. A bound session's websocket upgrade tells the bindings
//! its connection's [`ReadGate`].

use super::ApiError;
use crate::domain::ClientAddress;
use crate::metrics::Metrics;
use crate::read_gate::ReadGate;
use crate::realtime::{SessionBindings, asks_for_websocket};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::future::{Either, Ready, ready};
use socketioxide::socket::Sid;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// Where Engine.IO is served (socketioxide's default path, and its sub-paths).
const ENGINE_IO_PATH: &str = "/socket.io";

/// The error code of a refused request, also counted in the metrics.
const FORBIDDEN_SESSION_CODE: &str = "forbidden_session";

/// The answer to a request naming another client's session.
const FORBIDDEN_SESSION: ApiError = ApiError::new(
    StatusCode::FORBIDDEN,
    FORBIDDEN_SESSION_CODE,
    "this session belongs to another client",
);

/// Wraps the Socket.IO service in a [`SessionGuard`]. It must sit inside the layer that
/// resolves the [`ClientAddress`].
#[derive(Clone)]
pub struct SessionGuardLayer {
    bindings: SessionBindings,
    metrics: Arc<Metrics>,
}

impl SessionGuardLayer {
    /// Guards the sessions in `bindings`, counting refusals in `metrics`.
    pub fn new(bindings: SessionBindings, metrics: Arc<Metrics>) -> Self {
        Self { bindings, metrics }
    }
}

impl<S> Layer<S> for SessionGuardLayer {
    type Service = SessionGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionGuard {
            inner,
            layer: self.clone(),
        }
    }
}

/// Refuses requests naming another client's session; hands handshakes the
/// [`SessionBindings`] (in their extensions), so that the socket they open binds itself.
#[derive(Clone)]
pub struct SessionGuard<S> {
    inner: S,
    layer: SessionGuardLayer,
}

/// What the guard does with one request.
enum Verdict {
    /// Not for Engine.IO, or for a session this client may use.
    Pass,
    /// Upgrades this client's bound session to a websocket.
    Upgrade(Sid),
    /// Opens a new session.
    Handshake,
    /// Names a session bound to another client.
    Refuse,
}

impl<S> SessionGuard<S> {
    fn verdict(&self, request: &Request) -> Verdict {
        let uri = request.uri();
        if !uri.path().starts_with(ENGINE_IO_PATH) {
            return Verdict::Pass;
        }
        let Some(sid) = sid_parameter(uri.query()) else {
            return Verdict::Handshake;
        };
        let Ok(sid) = sid.parse::<Sid>() else {
            return Verdict::Pass;
        };
        match self.layer.bindings.owner(&sid) {
            Some(owner) if request.extensions().get::<ClientAddress>() != Some(&owner) => {
                Verdict::Refuse
            }
            Some(_) if asks_for_websocket(uri.query()) => Verdict::Upgrade(sid),
            _ => Verdict::Pass,
        }
    }
}

/// The `sid` query parameter, read exactly as engineioxide reads it (the first `sid=`,
/// not percent-decoded), so that both agree on which session a request names.
fn sid_parameter(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|pair| pair.strip_prefix("sid="))
}

impl<S> Service<Request> for SessionGuard<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match self.verdict(&request) {
            Verdict::Pass => {}
            Verdict::Upgrade(sid) => {
                if let Some(gate) = request.extensions().get::<ReadGate>() {
                    self.layer.bindings.upgraded(&sid, gate.clone());
                }
            }
            Verdict::Handshake => {
                request.extensions_mut().insert(self.layer.bindings.clone());
            }
            Verdict::Refuse => {
                self.layer.metrics.error(FORBIDDEN_SESSION_CODE);
                return Either::Left(ready(Ok(FORBIDDEN_SESSION.into_response())));
            }
        }
        Either::Right(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sid_is_the_first_sid_parameter_as_written() {
        assert_eq!(sid_parameter(None), None);
        assert_eq!(sid_parameter(Some("EIO=4&transport=polling")), None);
        assert_eq!(
            sid_parameter(Some("EIO=4&sid=AAAAAAAAAAAAAAHs&sid=BBBBBBBBBBBBBBBB")),
            Some("AAAAAAAAAAAAAAHs")
        );
        assert_eq!(sid_parameter(Some("xsid=a&sid=b")), Some("b"));
    }
}
