use super::RedisAdapter;
use super::member::Job;
use crate::realtime::Handle;
use serde::Serialize;
use socketioxide::SocketIo;
use socketioxide::socket::Sid;
use tokio::sync::mpsc;

/// A member on any node, reached through her own adapter room (named by her socket id).
#[derive(Clone)]
pub struct RemotePeer {
    sid: Sid,
    io: SocketIo<RedisAdapter>,
    notices: mpsc::UnboundedSender<Job>,
}

impl RemotePeer {
    pub(super) fn new(
        sid: Sid,
        io: SocketIo<RedisAdapter>,
        notices: mpsc::UnboundedSender<Job>,
    ) -> Self {
        Self { sid, io, notices }
    }

    /// Puts her socket, wherever it is, into the adapter room `room`.
    pub(super) async fn join_room(&self, room: &str) {
        match self.io.get_socket(self.sid) {
            Some(socket) => socket.join(room.to_owned()),
            None => {
                if let Err(cause) = self.io.to(self.sid.to_string()).join(room.to_owned()).await {
                    tracing::warn!(%cause, "joining a remote socket to its room failed");
                }
            }
        }
    }
}

impl Handle for RemotePeer {
    fn sid(&self) -> Sid {
        self.sid
    }

    /// A socket on this node is told at once; one elsewhere through the adapter, in the
    /// order this node sent its notices.
    fn emit<T: ?Sized + Serialize>(&self, event: &str, data: &T) {
        if let Some(socket) = self.io.get_socket(self.sid) {
            socket.emit(event, data).ok();
            return;
        }
        let Ok(data) = serde_json::value::to_raw_value(data) else {
            return;
        };
        let (io, room, event) = (self.io.clone(), self.sid.to_string(), event.to_owned());
        self.notices
            .send(Box::pin(async move {
                io.to(room).emit(&event, &data).await.ok();
            }))
            .ok();
    }
}
