//! Joining and leaving: `join_group`, `leave`, `next`, `leave_room` and disconnect.

use super::context::SocketContext;
use super::notices::{self, LeaveReason};
use super::refusal::*;
use super::request::Request;
use super::{Peer, Realtime};
use crate::domain::{AccessCode, DisplayName, Group};
use crate::matchmaking::{Outcome, Pairing};
use crate::wire::GroupView;
use serde::Deserialize;
use serde_json::Value as Json;
use socketioxide::extract::{SocketRef, State};
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

/// A group entered: the caller acknowledges, then announces the pair if one formed.
struct Entered {
    group: Group,
    pairing: Option<Pairing<Peer>>,
}

impl Realtime {
    /// Looks `code` up (counting failures against the client's address) and moves the
    /// member into its lobby; a partner left behind is told `reason`.
    async fn enter(
        &self,
        context: &SocketContext,
        code: Option<&str>,
        name: DisplayName,
        reason: LeaveReason,
    ) -> Result<Entered, Refusal> {
        let ip = context.client_ip;
        if self.failed_joins.is_blocked(ip, Instant::now()) {
            return Err(RATE_LIMITED);
        }
        let found = match code.and_then(AccessCode::parse) {
            Some(code) => self
                .store
                .find(&code, OffsetDateTime::now_utc())
                .await
                .map_err(|_| UNAVAILABLE)?,
            None => None,
        };
        let Some(stored) = found else {
            self.failed_joins.record(ip, Instant::now());
            return Err(GROUP_NOT_FOUND);
        };
        let joined = self
            .hub
            .join(&context.member, &stored.group, name, &mut rand::rng());
        notices::partner_gone(joined.departure, reason);
        let pairing = match joined.outcome {
            Outcome::Waiting => None,
            Outcome::Paired(pairing) => Some(pairing),
            Outcome::GroupClosed => return Err(GROUP_NOT_FOUND),
        };
        Ok(Entered {
            group: stored.group,
            pairing,
        })
    }

    /// Acknowledges an entered group, then tells the new pair, if any.
    fn report_entered(&self, context: &SocketContext, request: Request, entered: Entered) {
        request.succeed(GroupAck {
            group: GroupView::from(&entered.group),
        });
        if let Some(pairing) = entered.pairing {
            self.metrics.matches.inc();
            notices::pair_formed(context.member.handle(), &pairing);
        }
    }

    fn report(
        &self,
        socket: &SocketRef,
        context: &SocketContext,
        request: Request,
        event: &str,
        result: Result<Entered, Refusal>,
    ) {
        match result {
            Ok(entered) => self.report_entered(context, request, entered),
            Err(refusal) => request.refuse(socket, event, refusal, &self.metrics),
        }
    }
}

#[derive(serde::Serialize)]
struct GroupAck<'a> {
    group: GroupView<'a>,
}

#[derive(serde::Serialize)]
struct Empty {}

#[derive(Deserialize)]
struct JoinGroup {
    access_code: Option<Json>,
    name: Option<Json>,
}

#[derive(Deserialize)]
struct Leave {
    room: Option<Json>,
    return_to: Option<Json>,
}

/// Reads the request's object argument, refusing binary events and other shapes.
fn object_argument<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, Refusal> {
    if request.is_binary() {
        return Err(BINARY_NOT_ALLOWED);
    }
    request.owned_argument::<T>()?.ok_or(INVALID_PAYLOAD)
}

fn parse_name(name: Option<Json>) -> Result<DisplayName, Refusal> {
    match name {
        None | Some(Json::Null) => DisplayName::parse(None),
        Some(Json::String(name)) => DisplayName::parse(Some(&name)),
        Some(_) => DisplayName::parse(Some("")),
    }
}

/// `join_group {access_code, name?}`.
pub async fn on_join_group(socket: SocketRef, request: Request, State(rt): State<Arc<Realtime>>) {
    let Some(context) = SocketContext::of(&socket) else {
        return;
    };
    let result = async {
        let args: JoinGroup = object_argument(&request)?;
        let name = parse_name(args.name)?;
        let code = args.access_code.as_ref().and_then(Json::as_str);
        rt.enter(&context, code, name, LeaveReason::Left).await
    }
    .await;
    rt.report(&socket, &context, request, "join_group", result);
}

/// `leave {room, return_to?}`.
pub async fn on_leave(socket: SocketRef, request: Request, State(rt): State<Arc<Realtime>>) {
    let Some(context) = SocketContext::of(&socket) else {
        return;
    };
    let args: Leave = match object_argument(&request) {
        Ok(args) => args,
        Err(refusal) => return request.refuse(&socket, "leave", refusal, &rt.metrics),
    };
    let room = args
        .room
        .as_ref()
        .and_then(Json::as_str)
        .unwrap_or_default();
    let Some(departure) = rt.hub.leave_room(&context.member, room) else {
        return request.refuse(&socket, "leave", NOT_IN_ROOM, &rt.metrics);
    };
    notices::partner_gone(Some(departure), LeaveReason::Left);
    let Some(return_to) = args.return_to.filter(|r| !r.is_null()) else {
        return request.succeed(Empty {});
    };
    let name = context.member.name().unwrap_or_else(anonymous);
    let result = rt
        .enter(&context, return_to.as_str(), name, LeaveReason::Left)
        .await;
    rt.report(&socket, &context, request, "leave", result);
}

/// `next {}`: leaves the room, if any, and waits again in the last group.
pub async fn on_next(socket: SocketRef, request: Request, State(rt): State<Arc<Realtime>>) {
    let Some(context) = SocketContext::of(&socket) else {
        return;
    };
    let Some(code) = context.member.last_group() else {
        return request.refuse(&socket, "next", NOT_IN_GROUP, &rt.metrics);
    };
    let name = context.member.name().unwrap_or_else(anonymous);
    let result = rt
        .enter(&context, Some(code.expose()), name, LeaveReason::Next)
        .await;
    if result.is_err() {
        notices::partner_gone(rt.hub.leave(&context.member), LeaveReason::Next);
    }
    rt.report(&socket, &context, request, "next", result);
}

/// `leave_room` (compat): leaves room and lobby; succeeds also when in neither.
pub async fn on_leave_room(socket: SocketRef, request: Request, State(rt): State<Arc<Realtime>>) {
    if let Some(context) = SocketContext::of(&socket) {
        notices::partner_gone(rt.hub.leave(&context.member), LeaveReason::Left);
    }
    request.succeed(Empty {});
}

/// A closed connection leaves room and lobby at once; the partner is told.
pub async fn on_disconnect(socket: SocketRef, State(rt): State<Arc<Realtime>>) {
    rt.metrics.connections.dec();
    if let Some(context) = SocketContext::detach(&socket) {
        notices::partner_gone(rt.hub.leave(&context.member), LeaveReason::Disconnected);
    }
}

fn anonymous() -> DisplayName {
    DisplayName::parse(None).expect("the default name is valid")
}
