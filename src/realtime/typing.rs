//! `typing {room}` (docs/protocol.md section 7): passed to the partner, at most
//! `--typing-rate` a second per socket; the rest, and any that cannot be passed on, are
//! dropped without an error (typing is ephemeral).

use super::Realtime;
use super::connect::SocketBackend;
use super::context::SocketContext;
use super::request::Request;
use serde::Deserialize;
use socketioxide::extract::{SocketRef, State};
use std::sync::Arc;

#[derive(Deserialize)]
struct Typing<'a> {
    #[serde(borrow)]
    room: Option<&'a str>,
}

/// `typing {room}`.
#[tracing::instrument(skip_all, fields(event = "typing"))]
pub async fn on_typing<P: SocketBackend>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): State<Arc<Realtime<P>>>,
) {
    if let Some(context) = SocketContext::<P>::of(&socket)
        && context.connection().typing_limiter.check().is_ok()
        && let Ok(Some(Typing { room: Some(room) })) = request.argument::<Typing>()
        && let Err(cause) = rt.presence().typing(&context.member, room).await
    {
        tracing::debug!(%cause, "passing typing on failed");
    }
    request.acknowledge(&rt.metrics);
}
