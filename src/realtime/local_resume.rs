//! Resuming on one node: a member's kept events live in her [`super::Mailbox`], her
//! tokens in this process's memory.

use super::context::Identity;
use super::local::LocalPresence;
use super::resuming::{Attached, Resuming};
use super::{Bounds, Delivery};
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
        let attached = mailbox.attach(socket, last_seq);
        // The ack comes after the replay; when part of it had to wait for room, after that.
        if let Some(replayed) = attached.replayed
            && replayed.await != Ok(Delivery::Sent)
        {
            // Her new connection read nothing for the send timeout: it is being closed,
            // and she is away again.
            tracing::debug!("a resume's replay did not fit in the new connection");
        }
        if let Some(previous) = attached.previous
            && let Err(cause) = previous.disconnect()
        {
            tracing::debug!(%cause, "the resumed member's previous connection was closed already");
        }
        // Her lifecycle says whether she was away: the hub follows it.
        Ok(Some(Attached {
            gap: attached.gap,
            away: false,
        }))
    }

    async fn revoke(&self, identity: &Identity<Self>) {
        self.tokens.revoke(identity);
    }
}
