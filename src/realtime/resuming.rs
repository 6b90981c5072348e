//! What each backend does for resumable members (docs/protocol.md section 6): where their
//! tokens and kept events live, and how a member moves onto a new socket. The order of a
//! resume and the window are the same for every backend (see `super::resume`).

use super::Bounds;
use super::connect::SocketBackend;
use super::context::Identity;
use crate::domain::ResumeToken;
use crate::store::StoreError;
use async_trait::async_trait;
use socketioxide::socket::Socket;
use std::sync::Arc;

/// What a member's move onto a new socket found.
pub struct Attached {
    /// Some events after her `last_seq` were no longer kept.
    pub gap: bool,
    /// The backend still counts her away: she is to be brought back.
    pub away: bool,
}

/// A backend's side of resuming.
#[async_trait]
pub trait Resuming: SocketBackend + super::rounds::Timed {
    /// From now on `identity`'s events are numbered and kept within `bounds`.
    async fn make_resumable(
        &self,
        identity: &Identity<Self>,
        bounds: Bounds,
    ) -> Result<(), StoreError>;

    /// Whether she asked to be able to come back.
    fn is_resumable(&self, member: &Self::Member) -> bool;

    /// Her connection `socket` ended: whether it was her current one (false, and no
    /// effect, when she has moved to another socket meanwhile).
    fn detach(&self, member: &Self::Member, socket: &Arc<Socket<Self::Adapter>>) -> bool;

    /// A fresh token for her, on any node where she may resume; the previous one is dead.
    async fn issue(&self, identity: &Arc<Identity<Self>>) -> Result<ResumeToken, StoreError>;

    /// The member `token` names, to be moved onto `socket`; the token is used up. `None`
    /// for an unknown, used or expired token.
    async fn redeem(
        &self,
        token: &str,
        socket: &Arc<Socket<Self::Adapter>>,
    ) -> Result<Option<Arc<Identity<Self>>>, StoreError>;

    /// Moves her onto `socket`: every kept event after `last_seq` is written to it, in
    /// order, before any new one, and her previous connection, if still open, is closed
    /// (last wins). `None` when she is gone meanwhile (her window ended).
    async fn attach(
        &self,
        identity: &Arc<Identity<Self>>,
        socket: &Arc<Socket<Self::Adapter>>,
        last_seq: u64,
    ) -> Result<Option<Attached>, StoreError>;

    /// Her token dies with her place.
    async fn revoke(&self, identity: &Identity<Self>);
}
