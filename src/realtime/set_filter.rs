//! `set_filter {profanity: bool}` (docs/protocol.md section 7): turns the member's
//! profanity filter on or off at any time; `join_group {..., filter_profanity}` sets it
//! with her join. What it does to her messages: see `super::reader_filter`.

use super::Realtime;
use super::context::SocketContext;
use super::lobby::object_argument;
use super::refusal::{INVALID_PAYLOAD, Refusal, unavailable};
use super::request::Request;
use super::resuming::Resuming;
use serde::Deserialize;
use serde_json::Value as Json;
use socketioxide::extract::{SocketRef, State};
use std::sync::Arc;

#[derive(Deserialize)]
struct SetFilter {
    profanity: Option<Json>,
}

/// A filter setting as the wire gives it: `None` when absent (or `null`), a bool, and
/// anything else refused as `invalid_payload`.
pub(super) fn parse_setting(value: Option<Json>) -> Result<Option<bool>, Refusal> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(on)) => Ok(Some(on)),
        Some(_) => Err(INVALID_PAYLOAD),
    }
}

impl<P: Resuming> Realtime<P> {
    /// Turns the filter of the member on `context` on or off.
    pub(super) async fn set_filter(
        &self,
        context: &SocketContext<P>,
        on: bool,
    ) -> Result<(), Refusal> {
        self.presence
            .set_filter(&context.member, on)
            .await
            .map_err(unavailable)
    }
}

/// `set_filter {profanity: bool}`: acked `{ok: true}`.
#[tracing::instrument(skip_all, fields(event = "set_filter"))]
pub async fn on_set_filter<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): State<Arc<Realtime<P>>>,
) {
    let Some(context) = SocketContext::<P>::of(&socket) else {
        return;
    };
    let result = async {
        let args: SetFilter = object_argument(&request)?;
        let on = parse_setting(args.profanity)?.ok_or(INVALID_PAYLOAD)?;
        rt.set_filter(&context, on).await
    }
    .await;
    match result {
        Ok(()) => request.acknowledge(&rt.metrics),
        Err(refusal) => request.refuse("set_filter", refusal, &rt.metrics),
    }
}
