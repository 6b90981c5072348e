//! Joining and leaving: `join_group`, `leave`, `next`, `leave_room` and disconnect.

use super::Realtime;
use super::context::{Entry, Identity, SocketContext};
use super::notices::{self, LeaveReason};
use super::refusal::*;
use super::request::Request;
use super::resuming::Resuming;
use super::socket_arc::SocketArc;
use crate::domain::{AccessCode, DisplayName, Group, MemberId, ResumeToken};
use crate::matchmaking::{Departure, Outcome, Pairing};
use crate::wire::GroupView;
use serde::Deserialize;
use serde_json::Value as Json;
use socketioxide::extract::{SocketRef, State};
use socketioxide::socket::DisconnectReason;
use std::sync::Arc;
use std::time::Instant;

/// A group entered: the caller acknowledges, then announces the pair if one formed.
pub(super) struct Entered<H> {
    group: Group,
    member: MemberId,
    /// Her resume token, when she asked to be resumable.
    token: Option<ResumeToken>,
    pairing: Option<Pairing<H>>,
}

type Handler<P> = State<Arc<Realtime<P>>>;

impl<P: Resuming> Realtime<P> {
    /// Looks `code` up (counting failures against the client's address) and moves the
    /// member into its lobby; a partner left behind is told `reason`. A member who asks
    /// to be `resumable` is so from her join on, and gets a token.
    pub(super) async fn enter(
        &self,
        context: &SocketContext<P>,
        code: Option<&str>,
        name: DisplayName,
        reason: LeaveReason,
        resumable: bool,
    ) -> Result<Entered<P::Handle>, Refusal> {
        let ip = context.connection().client_ip;
        if self.failed_joins.is_blocked(ip, Instant::now()) {
            return Err(RATE_LIMITED);
        }
        let found = self.live_group(code.and_then(AccessCode::parse)).await?;
        let Some(stored) = found else {
            self.failed_joins.record(ip, Instant::now());
            return Err(GROUP_NOT_FOUND);
        };
        if resumable {
            self.make_resumable(context.identity()).await?;
        }
        let joined = self
            .presence
            .join(&context.member, &stored.group, name.clone())
            .await
            .map_err(unavailable)?;
        notices::partner_gone(joined.departure, reason);
        if !matches!(joined.outcome, Outcome::GroupClosed) {
            *context.last_entry.lock() = Some(Entry {
                code: stored.group.access_code.clone(),
                name,
            });
        }
        let pairing = match joined.outcome {
            Outcome::Waiting => None,
            Outcome::Paired(pairing) => Some(pairing),
            Outcome::GroupClosed => return Err(GROUP_NOT_FOUND),
            Outcome::Removed => return Err(REMOVED),
        };
        let token = match resumable {
            true => Some(self.issue_token(context.identity()).await?),
            false => None,
        };
        Ok(Entered {
            group: stored.group,
            member: context.id.clone(),
            token,
            pairing,
        })
    }

    /// Acknowledges an entered group and tells the new pair, if any; or reports the
    /// refusal.
    pub(super) async fn answer_entered(
        &self,
        request: Request<P::Adapter>,
        event: &str,
        result: Result<Entered<P::Handle>, Refusal>,
    ) {
        let entered = match result {
            Ok(entered) => entered,
            Err(refusal) => return request.refuse(event, refusal, &self.metrics),
        };
        let rounds = self.running_rounds(&entered.group.access_code).await;
        let ack = GroupAck {
            rounds,
            group: GroupView::from(&entered.group),
            member: MemberView {
                id: entered.member.as_str(),
                token: entered.token.as_ref().map(ResumeToken::as_str),
            },
        };
        request.succeed(ack, &self.metrics);
        if let Some(pairing) = entered.pairing {
            self.metrics.matches.inc();
            let prompt = entered
                .group
                .prompts
                .pick(&mut rand::rng())
                .map(str::to_owned);
            notices::pair_formed(&pairing.own, &pairing, prompt).await;
        }
    }

    /// Leaves her lobby or room, telling a partner left behind; a store failure is
    /// logged (the member's records expire on their own).
    pub(super) async fn leave_all(&self, identity: &Identity<P>, reason: LeaveReason) {
        self.tell_partner(self.presence.leave(&identity.member, reason).await, reason);
    }

    fn tell_partner<E: std::fmt::Display>(
        &self,
        departure: Result<Option<Departure<P::Handle>>, E>,
        reason: LeaveReason,
    ) {
        match departure {
            Ok(departure) => notices::partner_gone(departure, reason),
            Err(cause) => tracing::warn!(%cause, "leaving failed"),
        }
    }
}

#[derive(serde::Serialize)]
struct GroupAck<'a> {
    group: GroupView<'a>,
    member: MemberView<'a>,
    /// The group's series of timed rounds, while one runs (docs/protocol.md section 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    rounds: Option<crate::wire::RoundsView>,
}

/// The member's own identity, as her join's ack tells her (docs/protocol.md section 6):
/// her public id, and her resume token when she asked to be resumable.
#[derive(serde::Serialize)]
struct MemberView<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
}

#[derive(Deserialize)]
struct JoinGroup {
    access_code: Option<Json>,
    name: Option<Json>,
    resumable: Option<Json>,
    filter_profanity: Option<Json>,
}

#[derive(Deserialize)]
struct Leave {
    room: Option<Json>,
    return_to: Option<Json>,
}

/// Reads the request's object argument, refusing binary events and other shapes (an
/// array too, which serde would otherwise read into a struct field by field).
pub(super) fn object_argument<T: serde::de::DeserializeOwned, A: socketioxide::adapter::Adapter>(
    request: &Request<A>,
) -> Result<T, Refusal> {
    if request.is_binary() {
        return Err(BINARY_NOT_ALLOWED);
    }
    let object = request
        .owned_argument::<serde_json::Map<String, Json>>()?
        .ok_or(INVALID_PAYLOAD)?;
    serde_json::from_value(Json::Object(object)).map_err(|_| INVALID_PAYLOAD)
}

fn parse_name(name: Option<Json>) -> Result<DisplayName, Refusal> {
    match name {
        None | Some(Json::Null) => DisplayName::parse(None),
        Some(Json::String(name)) => DisplayName::parse(Some(&name)),
        Some(_) => DisplayName::parse(Some("")),
    }
}

fn anonymous() -> DisplayName {
    DisplayName::parse(None).expect("the default name is valid")
}

/// `join_group {access_code, name?, resumable?, filter_profanity?}`; the filter is set
/// once she is in (for a resumable member her record exists then), before anyone is told
/// of a new pair: no partner's message can reach her unfiltered. Should Redis fail to
/// keep it for a resume, the join still stands (a refusal now would strand a new pair):
/// the failure is logged and her filter is on for this connection.
#[tracing::instrument(skip_all, fields(event = "join_group"))]
pub async fn on_join_group<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): Handler<P>,
) {
    let Some(context) = SocketContext::<P>::of(&socket) else {
        return;
    };
    let result = async {
        let args: JoinGroup = object_argument(&request)?;
        let name = parse_name(args.name)?;
        let resumable = match args.resumable {
            None | Some(Json::Null) | Some(Json::Bool(false)) => false,
            Some(Json::Bool(true)) => true,
            Some(_) => return Err(INVALID_PAYLOAD),
        };
        let filter = super::set_filter::parse_setting(args.filter_profanity)?;
        let code = args.access_code.as_ref().and_then(Json::as_str);
        let entered = rt
            .enter(&context, code, name, LeaveReason::Left, resumable)
            .await?;
        if let Some(on) = filter
            && let Err(refusal) = rt.set_filter(&context, on).await
        {
            tracing::debug!(code = refusal.code, "the filter is not kept for a resume");
        }
        Ok(entered)
    }
    .await;
    rt.answer_entered(request, "join_group", result).await;
}

/// `leave {room, return_to?}`.
#[tracing::instrument(skip_all, fields(event = "leave"))]
pub async fn on_leave<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): Handler<P>,
) {
    let Some(context) = SocketContext::<P>::of(&socket) else {
        return;
    };
    let args: Leave = match object_argument(&request) {
        Ok(args) => args,
        Err(refusal) => return request.refuse("leave", refusal, &rt.metrics),
    };
    let room = args
        .room
        .as_ref()
        .and_then(Json::as_str)
        .unwrap_or_default();
    let departure = match rt.presence.leave_room(&context.member, room).await {
        Ok(Some(departure)) => departure,
        Ok(None) => return request.refuse("leave", NOT_IN_ROOM, &rt.metrics),
        Err(cause) => return request.refuse("leave", unavailable(cause), &rt.metrics),
    };
    notices::partner_gone(Some(departure), LeaveReason::Left);
    let Some(return_to) = args.return_to.filter(|r| !r.is_null()) else {
        return request.acknowledge(&rt.metrics);
    };
    let name = context
        .last_entry
        .lock()
        .as_ref()
        .map_or_else(anonymous, |e| e.name.clone());
    let result = rt
        .enter(&context, return_to.as_str(), name, LeaveReason::Left, false)
        .await;
    rt.answer_entered(request, "leave", result).await;
}

/// `next {}`: leaves the room, if any, and waits again in the last group.
#[tracing::instrument(skip_all, fields(event = "next"))]
pub async fn on_next<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): Handler<P>,
) {
    let Some(context) = SocketContext::<P>::of(&socket) else {
        return;
    };
    let Some(Entry { code, name }) = context.last_entry.lock().clone() else {
        return request.refuse("next", NOT_IN_GROUP, &rt.metrics);
    };
    let result = rt
        .enter(
            &context,
            Some(code.expose()),
            name,
            LeaveReason::Next,
            false,
        )
        .await;
    if result.is_err() {
        rt.leave_all(&context, LeaveReason::Next).await;
    }
    rt.answer_entered(request, "next", result).await;
}

/// `leave_room` (compat): leaves room and lobby; succeeds also when in neither.
#[tracing::instrument(skip_all, fields(event = "leave_room"))]
pub async fn on_leave_room<P: Resuming>(
    socket: SocketRef<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): Handler<P>,
) {
    if let Some(context) = SocketContext::<P>::of(&socket) {
        rt.leave_all(&context, LeaveReason::Left).await;
    }
    request.acknowledge(&rt.metrics);
}

/// A closed connection leaves room and lobby at once (the partner is told), unless the
/// member is resumable and did not disconnect on purpose: then she is away
/// (docs/protocol.md section 6).
#[tracing::instrument(skip_all, fields(event = "disconnect"))]
pub async fn on_disconnect<P: Resuming>(
    SocketArc(socket): SocketArc<P::Adapter>,
    reason: DisconnectReason,
    State(rt): Handler<P>,
) {
    rt.metrics.connections.dec();
    if let Some(context) = SocketContext::<P>::detach(&socket) {
        let on_purpose = matches!(reason, DisconnectReason::ClientNSDisconnect);
        rt.connection_ended(&socket, context.identity().clone(), on_purpose)
            .await;
    }
}
