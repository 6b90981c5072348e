//! Resumable members (docs/protocol.md section 6): their tokens, going away when a
//! connection drops, the resume window, and `resume`.

use super::connect::SocketBackend;
use super::context::{Identity, Lifecycle, SocketContext};
use super::notices::{self, LeaveReason};
use super::refusal::*;
use super::request::Request;
use super::socket_arc::SocketArc;
use super::{Delivery, Realtime};
use crate::domain::ResumeToken;
use crate::wire::GroupView;
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use socketioxide::extract::State;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The live resume tokens of this node's resumable members; a token is in here once.
pub struct Resumables<P: super::Presence> {
    by_token: DashMap<ResumeToken, Arc<Identity<P>>>,
    /// Numbers absences, so that a window only ends the absence it began with.
    absences: AtomicU64,
}

impl<P: super::Presence> Default for Resumables<P> {
    fn default() -> Self {
        Self {
            by_token: DashMap::new(),
            absences: AtomicU64::new(0),
        }
    }
}

impl<P: super::Presence> Resumables<P> {
    /// Hands `identity` a fresh token; her previous one is dead.
    fn issue(&self, identity: &Arc<Identity<P>>) -> ResumeToken {
        let token = ResumeToken::generate(&mut rand::rng());
        if let Some(old) = identity.token.lock().replace(token.clone()) {
            self.by_token.remove(&old);
        }
        self.by_token.insert(token.clone(), identity.clone());
        token
    }

    /// The member `token` names; the token is used up.
    fn redeem(&self, token: &str) -> Option<Arc<Identity<P>>> {
        let (used, identity) = self.by_token.remove(token)?;
        let mut current = identity.token.lock();
        if current.as_ref() == Some(&used) {
            *current = None;
        }
        drop(current);
        Some(identity)
    }

    /// Her token dies with her place.
    fn revoke(&self, identity: &Identity<P>) {
        if let Some(token) = identity.token.lock().take() {
            self.by_token.remove(&token);
        }
    }
}

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

impl<P: SocketBackend> Realtime<P> {
    /// `join_group {resumable: true}` succeeded: from now on her events are numbered and
    /// kept, and she may come back with the token returned.
    pub(super) fn make_resumable(&self, identity: &Arc<Identity<P>>) -> ResumeToken {
        P::mailbox(&identity.member).make_resumable(self.limits.resume_bounds());
        *identity.lifecycle.lock() = Lifecycle::Here;
        self.resumables.issue(identity)
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
        let mailbox = P::mailbox(&identity.member);
        let resumable = mailbox.is_resumable();
        if !mailbox.detach(socket) && resumable {
            return;
        }
        if !resumable || on_purpose {
            self.resumables.revoke(&identity);
            *identity.lifecycle.lock() = Lifecycle::Gone;
            return self.leave_all(&identity, LeaveReason::Disconnected).await;
        }
        let absence = self.resumables.absences.fetch_add(1, Ordering::Relaxed);
        *identity.lifecycle.lock() = Lifecycle::Away(absence);
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
        self.resumables.revoke(identity);
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
        let identity = token
            .and_then(|token| self.resumables.redeem(token))
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
        if !Arc::ptr_eq(context.identity(), &identity) {
            // The member this connection was until now is gone.
            self.leave_all(context.identity(), LeaveReason::Disconnected)
                .await;
            context.resumed_as(socket, identity.clone());
        }
        let attached = P::mailbox(&identity.member).attach(socket, last_seq);
        // The ack comes after the replay; when part of it had to wait for room, after that.
        if let Some(replayed) = attached.replayed
            && replayed.await != Ok(Delivery::Sent)
        {
            // Her new connection read nothing for the send timeout: it is being closed,
            // and she is away again.
            tracing::debug!("a resume's replay did not fit in the new connection");
        }
        let gap = attached.gap;
        if let Some(previous) = attached.previous
            && let Err(cause) = previous.disconnect()
        {
            tracing::debug!(%cause, "the resumed member's previous connection was closed already");
        }
        if matches!(was, Lifecycle::Away(_)) {
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
        let token = self.resumables.issue(&identity);
        self.resume_ack(&identity, &token, gap).await
    }

    /// `{ok, member: {id, token}, group, room?, match?, gap}` (without `ok`).
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
pub async fn on_resume<P: SocketBackend>(
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
        Err(refusal) => request.refuse(&socket, "resume", refusal, &rt.metrics),
    }
}
