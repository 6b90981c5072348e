//! Resumable members (docs/protocol.md section 6): going away when a connection drops,
//! the resume window, and `resume`, the same on every backend; where tokens and kept
//! events live is the backend's ([`super::resuming::Resuming`]).

use super::Realtime;
use super::context::{Identity, Lifecycle, SocketContext};
use super::notices::{self, LeaveReason};
use super::refusal::*;
use super::request::Request;
use super::resuming::Resuming;
use super::socket_arc::SocketArc;
use crate::domain::ResumeToken;
use crate::wire::GroupView;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use socketioxide::extract::State;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Numbers absences, so that a window only ends the absence it began with.
#[derive(Default)]
pub struct Absences(AtomicU64);

/// `resume {token, last_seq}`.
#[derive(Deserialize)]
struct ResumeArgs {
    token: Option<Json>,
    last_seq: Option<Json>,
}

/// The member as a resume's ack tells her.
#[derive(Serialize)]
struct MemberView<'a> {
    id: &'a str,
    token: &'a str,
}

/// The partner as a resume's ack tells her.
#[derive(Serialize)]
struct MatchView<'a> {
    name: &'a str,
    id: &'a str,
}

impl<P: Resuming> Realtime<P> {
    /// `join_group {resumable: true}` found its group: from now on her events are
    /// numbered and kept (those of the join itself included).
    pub(super) async fn make_resumable(&self, identity: &Identity<P>) -> Result<(), Refusal> {
        self.presence
            .make_resumable(identity, self.limits.resume_bounds())
            .await
            .map_err(unavailable)?;
        *identity.lifecycle.lock() = Lifecycle::Here;
        Ok(())
    }

    /// A fresh token for her to come back with; the previous one is dead.
    pub(super) async fn issue_token(
        &self,
        identity: &Arc<Identity<P>>,
    ) -> Result<ResumeToken, Refusal> {
        self.presence.issue(identity).await.map_err(unavailable)
    }

    /// Her connection `socket` ended. A resumable member who did not leave on purpose is
    /// away for the resume window, keeping her place; anyone else leaves at once. Nothing
    /// happens when she has resumed on another socket meanwhile.
    pub(super) async fn connection_ended(
        self: &Arc<Self>,
        socket: &Arc<Socket<P::Adapter>>,
        identity: Arc<Identity<P>>,
        on_purpose: bool,
    ) {
        let resumable = self.presence.is_resumable(&identity.member);
        if !self.presence.detach(&identity.member, socket) && resumable {
            return;
        }
        self.member_ended(identity, on_purpose).await;
    }

    /// The connection of `identity` ended (and was her current one): a resumable member
    /// who did not leave on purpose is away for the resume window, anyone else leaves
    /// at once. A member who is away or gone already stays so.
    pub(super) async fn member_ended(
        self: &Arc<Self>,
        identity: Arc<Identity<P>>,
        on_purpose: bool,
    ) {
        if !self.presence.is_resumable(&identity.member) || on_purpose {
            self.presence.revoke(&identity).await;
            *identity.lifecycle.lock() = Lifecycle::Gone;
            return self.leave_all(&identity, LeaveReason::Disconnected).await;
        }
        let absence = self.absences.0.fetch_add(1, Ordering::Relaxed);
        {
            let mut lifecycle = identity.lifecycle.lock();
            if *lifecycle != Lifecycle::Here {
                return;
            }
            *lifecycle = Lifecycle::Away(absence);
        }
        self.metrics.members_away.inc();
        match self.presence.away(&identity.member).await {
            Ok(Some((room, partner))) => notices::partner_away(&partner, &room),
            Ok(None) => {}
            Err(cause) => tracing::warn!(%cause, "marking a member away failed"),
        }
        let rt = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(rt.limits.resume_window).await;
            rt.window_ended(&identity, absence).await;
        });
    }

    /// The resume window of her absence number `absence` is over: unless she came back,
    /// she is gone, exactly as a disconnect was before.
    async fn window_ended(&self, identity: &Arc<Identity<P>>, absence: u64) {
        {
            let mut lifecycle = identity.lifecycle.lock();
            if *lifecycle != Lifecycle::Away(absence) {
                return;
            }
            *lifecycle = Lifecycle::Gone;
        }
        self.metrics.members_expired.inc();
        self.presence.revoke(identity).await;
        self.leave_all(identity, LeaveReason::Disconnected).await;
    }

    /// Moves `identity` onto `socket`, whose context is `context`: replays her kept events
    /// after `last_seq`, closes her previous connection if still open (last wins), tells
    /// her partner she is back, and returns the ack.
    async fn resume(
        &self,
        socket: &Arc<Socket<P::Adapter>>,
        context: &SocketContext<P>,
        args: ResumeArgs,
    ) -> Result<Json, Refusal> {
        let token = args.token.as_ref().and_then(Json::as_str);
        let last_seq = match args.last_seq {
            None | Some(Json::Null) => 0,
            Some(seq) => seq.as_u64().ok_or(INVALID_PAYLOAD)?,
        };
        let identity = match token {
            Some(token) => self.presence.redeem(token, socket).await,
            None => Ok(None),
        }
        .map_err(unavailable)?
        .ok_or(RESUME_FAILED)?;
        let was = {
            let mut lifecycle = identity.lifecycle.lock();
            let was = *lifecycle;
            if was == Lifecycle::Gone {
                return Err(RESUME_FAILED);
            }
            *lifecycle = Lifecycle::Here;
            was
        };
        if context.identity().id != identity.id {
            // The member this connection was until now is gone.
            self.leave_all(context.identity(), LeaveReason::Disconnected)
                .await;
        }
        if !Arc::ptr_eq(context.identity(), &identity) {
            context.resumed_as(socket, identity.clone());
        }
        let attached = self
            .presence
            .attach(&identity, socket, last_seq)
            .await
            .map_err(unavailable)?
            .ok_or(RESUME_FAILED)?;
        if matches!(was, Lifecycle::Away(_)) || attached.away {
            let back = self
                .presence
                .back(&identity.member)
                .await
                .map_err(unavailable)?;
            if let Some((room, partner)) = &back.partner {
                notices::partner_back(partner, room);
            }
            if let Some(pairing) = back.pairing {
                self.metrics.matches.inc();
                notices::pair_formed(&pairing.own, &pairing, None).await;
            }
        }
        self.metrics.members_resumed.inc();
        let token = self.issue_token(&identity).await?;
        self.resume_ack(&identity, &token, attached.gap).await
    }

    /// `{ok, member: {id, token}, group, rounds?, room?, match?, gap}` (without `ok`).
    async fn resume_ack(
        &self,
        identity: &Identity<P>,
        token: &ResumeToken,
        gap: bool,
    ) -> Result<Json, Refusal> {
        let code = identity.last_entry.lock().as_ref().map(|e| e.code.clone());
        let group = self.live_group(code).await?;
        let seat = self
            .presence
            .seat(&identity.member)
            .await
            .map_err(unavailable)?;
        let mut ack = serde_json::json!({
            "member": MemberView { id: identity.id.as_str(), token: token.as_str() },
            "group": group.as_ref().map(|stored| GroupView::from(&stored.group)),
            "gap": gap,
        });
        if let Some(stored) = &group
            && let Some(rounds) = self.running_rounds(&stored.group.access_code).await
        {
            ack["rounds"] = serde_json::json!(rounds);
        }
        if let Some(seat) = seat {
            ack["room"] = Json::from(seat.room.as_str());
            if let Some((partner, name)) = &seat.partner {
                use super::Handle;
                ack["match"] = serde_json::json!(MatchView {
                    name: name.as_ref(),
                    id: partner.id().as_str(),
                });
            }
        }
        Ok(ack)
    }
}

/// `resume {token, last_seq}`: comes back as the member the token names.
#[tracing::instrument(skip_all, fields(event = "resume"))]
pub async fn on_resume<P: Resuming>(
    SocketArc(socket): SocketArc<P::Adapter>,
    request: Request<P::Adapter>,
    State(rt): State<Arc<Realtime<P>>>,
) {
    let Some(context) = SocketContext::<P>::of(&socket) else {
        return;
    };
    let result = match super::lobby::object_argument::<ResumeArgs, _>(&request) {
        Ok(args) => rt.resume(&socket, &context, args).await,
        Err(refusal) => Err(refusal),
    };
    match result {
        Ok(ack) => request.succeed(ack, &rt.metrics),
        Err(refusal) => request.refuse("resume", refusal, &rt.metrics),
    }
}
