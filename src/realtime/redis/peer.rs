use super::RedisAdapter;
use super::courier::Courier;
use super::member::Job;
use crate::domain::MemberId;
use crate::realtime::Handle;
use crate::realtime::undelivered;
use serde::Serialize;
use socketioxide::SocketIo;
use socketioxide::extract::SocketRef;
use std::sync::Arc;
use tokio::sync::mpsc;

/// How often a remote room join is tried, and the growing pause between tries.
const JOIN_ATTEMPTS: u32 = 4;
const JOIN_RETRY_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

/// A member on any node: her events go through the courier (`super::courier`), and her
/// socket joins rooms through her own adapter room (named by her member id).
#[derive(Clone)]
pub struct RemotePeer {
    id: MemberId,
    io: SocketIo<RedisAdapter>,
    notices: mpsc::UnboundedSender<Job>,
    courier: Arc<Courier>,
}

impl RemotePeer {
    pub(super) fn new(
        id: MemberId,
        io: SocketIo<RedisAdapter>,
        notices: mpsc::UnboundedSender<Job>,
        courier: Arc<Courier>,
    ) -> Self {
        Self {
            id,
            io,
            notices,
            courier,
        }
    }

    /// Her socket, if it is on this node.
    fn local_socket(&self) -> Option<SocketRef<RedisAdapter>> {
        let mut here = self
            .io
            .local()
            .within(self.id.as_str().to_owned())
            .sockets();
        here.pop()
    }

    /// Puts her socket, wherever it is, into the adapter room `room`. A request to
    /// another node is tried a few times: the first command after Redis came back fails
    /// while the connection heals. (Should it still be lost, her first message mends it:
    /// see `RedisPresence::relay`.)
    pub(super) async fn join_room(&self, room: &str) {
        self.move_socket(room, Move::Join).await;
    }

    /// Takes her socket, wherever it is, out of the adapter room `room` (tried as
    /// [`RemotePeer::join_room`] is).
    pub(super) async fn leave_room(&self, room: &str) {
        self.move_socket(room, Move::Leave).await;
    }

    async fn move_socket(&self, room: &str, change: Move) {
        if let Some(socket) = self.local_socket() {
            return match change {
                Move::Join => socket.join(room.to_owned()),
                Move::Leave => socket.leave(room.to_owned()),
            };
        }
        for attempt in 1..=JOIN_ATTEMPTS {
            let to = self.io.to(self.id.as_str().to_owned());
            let moved = match change {
                Move::Join => to.join(room.to_owned()).await,
                Move::Leave => to.leave(room.to_owned()).await,
            };
            match moved {
                Ok(()) => return,
                Err(cause) if attempt == JOIN_ATTEMPTS => {
                    tracing::warn!(%cause, ?change, "moving a remote socket between rooms failed");
                }
                Err(_) => tokio::time::sleep(JOIN_RETRY_DELAY * attempt).await,
            }
        }
    }
}

/// A socket's move between adapter rooms.
#[derive(Debug, Clone, Copy)]
enum Move {
    Join,
    Leave,
}

impl Handle for RemotePeer {
    fn id(&self) -> &MemberId {
        &self.id
    }

    /// A plain member on this node is told at once (through her outbox, see
    /// `super::outbound`); anyone else through the courier (which numbers and keeps a
    /// resumable member's notices), in the order this node sent its notices.
    fn emit<T: ?Sized + Serialize>(&self, event: &'static str, data: &T) {
        if let Some(member) = self.courier.local(&self.id)
            && !member.is_resumable()
        {
            return member.notify(event, data);
        }
        let data = match serde_json::value::to_raw_value(data) {
            Ok(data) => data,
            Err(cause) => return undelivered::unsent(event, &cause),
        };
        let (courier, id) = (self.courier.clone(), self.id.clone());
        let notice = Box::pin(async move {
            if let Err(cause) = courier.notify(&id, event, &data).await {
                undelivered::unsent(event, &cause);
            }
        });
        if self.notices.send(notice).is_err() {
            undelivered::unsent(event, &"the notice queue is closed");
        }
    }

    /// Waits until this node's notices queued so far are published.
    fn sent(&self) -> impl Future<Output = ()> + Send {
        let (done, published) = tokio::sync::oneshot::channel::<()>();
        let marker = Box::pin(async move {
            // The waiter may have given up; nothing to tell then.
            let _ = done.send(());
        });
        let queued = self.notices.send(marker).is_ok();
        async move {
            if queued && published.await.is_err() {
                tracing::warn!("the notice queue stopped before a notice was published");
            }
        }
    }
}
