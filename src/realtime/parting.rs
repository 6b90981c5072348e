//! `block {room}` and `report {room, reason}` (docs/protocol.md section 7): the chat ends
//! as if she left (a block is never revealed), she waits again in her group as after
//! `next`, and the two are never paired again there. Reports are counted; a member
//! reported by `--report-threshold` distinct members is removed from the group.
//!
//! Nothing about the report is kept but who reported whom: the reason is checked and
//! dropped, never stored or logged.

use super::Realtime;
use super::context::{Entry, SocketContext};
use super::lobby::object_argument;
use super::notices::{self, LeaveReason};
use super::refusal::*;
use super::request::Request;
use super::resuming::Resuming;
use crate::matchmaking::{Parted, Parting};
use crate::store::Counted;
use serde::Deserialize;
use serde_json::Value as Json;
use socketioxide::extract::{SocketRef, State};
use std::sync::Arc;

/// The reasons a report may give.
const REASONS: [&str; 3] = ["spam", "abuse", "other"];

#[derive(Deserialize)]
struct Part {
    room: Option<Json>,
    reason: Option<Json>,
}

impl<P: Resuming> Realtime<P> {
    /// Ends her chat in `room` as `parting` says and tells whom it concerns; then she
    /// waits again in her group.
    async fn part(
        &self,
        socket: &SocketRef<P::Adapter>,
        request: Request<P::Adapter>,
        event: &'static str,
        parting: Parting,
        room: &str,
    ) {
        let Some(context) = SocketContext::<P>::of(socket) else {
            return;
        };
        let Some(Entry { code, name }) = context.last_entry.lock().clone() else {
            return request.refuse(event, NOT_IN_ROOM, &self.metrics);
        };
        let parted = match self.presence.part(&context.member, room, parting).await {
            Ok(Some(parted)) => parted,
            Ok(None) => return request.refuse(event, NOT_IN_ROOM, &self.metrics),
            Err(cause) => return request.refuse(event, unavailable(cause), &self.metrics),
        };
        self.metrics.blocks.inc();
        if matches!(parting, Parting::Report { .. }) {
            self.metrics.reports.inc();
            self.count(&code, Counted::Report);
        }
        let Parted { departure, removal } = parted;
        notices::partner_gone(Some(departure), LeaveReason::Left);
        if let Some(removal) = removal {
            self.metrics.members_removed.inc();
            self.count(&code, Counted::Removal);
            notices::partner_gone(removal.departure, LeaveReason::Left);
            notices::removed(&removal.member, code.expose());
        }
        let result = self
            .enter(
                &context,
                Some(code.expose()),
                name,
                LeaveReason::Left,
                false,
            )
            .await;
        self.answer_entered(request, event, result).await;
    }
}

/// The room a `block` or `report` names ("" when it names none: she is in no such room).
fn room_of(args: &Part) -> &str {
    args.room
        .as_ref()
        .and_then(Json::as_str)
        .unwrap_or_default()
}

/// `block {room}`.
#[tracing::instrument(skip_all, fields(event = "block"))]
pub async fn on_block<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): State<Arc<Realtime<P>>>,
) {
    let args: Part = match object_argument(&request) {
        Ok(args) => args,
        Err(refusal) => return request.refuse("block", refusal, &rt.metrics),
    };
    rt.part(&socket, request, "block", Parting::Block, room_of(&args))
        .await;
}

/// `report {room, reason}`.
#[tracing::instrument(skip_all, fields(event = "report"))]
pub async fn on_report<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): State<Arc<Realtime<P>>>,
) {
    let args: Part = match object_argument(&request) {
        Ok(args) => args,
        Err(refusal) => return request.refuse("report", refusal, &rt.metrics),
    };
    let reason = args.reason.as_ref().and_then(Json::as_str);
    if !reason.is_some_and(|reason| REASONS.contains(&reason)) {
        return request.refuse("report", INVALID_REASON, &rt.metrics);
    }
    let parting = Parting::Report {
        threshold: rt.limits.report_threshold,
    };
    rt.part(&socket, request, "report", parting, room_of(&args))
        .await;
}
