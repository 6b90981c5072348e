//! Resuming on one node: a member's kept events live in her [`super::Mailbox`], her
//! tokens in this process's memory.

use super::Bounds;
use super::context::Identity;
use super::local::LocalPresence;
use super::resuming::{Attached, Resuming};
use crate::domain::ResumeToken;
use crate::store::StoreError;
use async_trait::async_trait;
use socketioxide::adapter::LocalAdapter;
use socketioxide::socket::Socket;
use std::sync::Arc;

#[async_trait]
impl Resuming for LocalPresence {
    async fn make_resumable(
        &self,
        identity: &Identity<Self>,
        bounds: Bounds,
    ) -> Result<(), StoreError> {
        identity.member.handle().mailbox().make_resumable(bounds);
        Ok(())
    }

    fn is_resumable(&self, member: &Self::Member) -> bool {
        member.handle().mailbox().is_resumable()
    }

    fn detach(&self, member: &Self::Member, socket: &Arc<Socket<LocalAdapter>>) -> bool {
        member.handle().mailbox().detach(socket)
    }

    async fn issue(&self, identity: &Arc<Identity<Self>>) -> Result<ResumeToken, StoreError> {
        Ok(self.tokens.issue(identity))
    }

    async fn redeem(
        &self,
        token: &str,
        _socket: &Arc<Socket<LocalAdapter>>,
    ) -> Result<Option<Arc<Identity<Self>>>, StoreError> {
        Ok(self.tokens.redeem(token))
    }

    async fn attach(
        &self,
        identity: &Arc<Identity<Self>>,
        socket: &Arc<Socket<LocalAdapter>>,
        last_seq: u64,
    ) -> Result<Option<Attached>, StoreError> {
        let mailbox = identity.member.handle().mailbox();
        let (previous, gap) = mailbox.attach(socket, last_seq);
        if let Some(previous) = previous
            && let Err(cause) = previous.disconnect()
        {
            tracing::debug!(%cause, "the resumed member's previous connection was closed already");
        }
        // Her lifecycle says whether she was away: the hub follows it.
        Ok(Some(Attached { gap, away: false }))
    }

    async fn revoke(&self, identity: &Identity<Self>) {
        self.tokens.revoke(identity);
    }
}
