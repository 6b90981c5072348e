//! A draining node's members (docs/protocol.md sections 4 and 6): before the transports
//! close, every member leaves, or, when resumable, is away, so that she can resume on
//! another node. (socketioxide runs no disconnect handler when the server closes.)

use super::Realtime;
use super::context::SocketContext;
use super::resuming::Resuming;
use socketioxide::SocketIo;
use std::sync::Arc;

impl<P: Resuming> Realtime<P> {
    /// Ends the membership of every connection on this node, as a lost connection
    /// would; its socket's context goes, so that nothing happens twice.
    pub async fn closing(self: &Arc<Self>, io: &SocketIo<P::Adapter>) {
        for socket in io.local().sockets() {
            if let Some(context) = SocketContext::<P>::detach(&socket) {
                self.member_ended(context.identity().clone(), false).await;
            }
        }
    }
}
