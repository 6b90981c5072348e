//! A draining node's members (docs/protocol.md sections 4 and 6): before the transports
//! close, every member leaves, or, when resumable, is away, so that she can resume on
//! another node. (socketioxide runs no disconnect handler when the server closes.)

use super::Realtime;
use super::context::SocketContext;
use super::resuming::Resuming;
use socketioxide::SocketIo;
use std::sync::Arc;
use tokio::task::JoinSet;

impl<P: Resuming> Realtime<P> {
    /// Ends the membership of every connection on this node, as a lost connection
    /// would, all at once; each socket's context goes, so that nothing happens twice.
    pub async fn closing(self: &Arc<Self>, io: &SocketIo<P::Adapter>) {
        let mut endings = JoinSet::new();
        for socket in io.local().sockets() {
            if let Some(context) = SocketContext::<P>::detach(&socket) {
                let (rt, identity) = (self.clone(), context.identity().clone());
                endings.spawn(async move { rt.member_ended(identity, false).await });
            }
        }
        while let Some(ended) = endings.join_next().await {
            if let Err(cause) = ended {
                tracing::warn!(%cause, "ending a member's connection at shutdown failed");
            }
        }
    }
}
