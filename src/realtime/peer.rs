use serde::Serialize;
use socketioxide::adapter::LocalAdapter;
use socketioxide::socket::{Sid, Socket};
use std::sync::{Arc, Weak};

/// How the hub reaches a member: her socket id and a weak reference to her socket.
///
/// Weak, so that the hub's records never keep a closed socket alive and no reference
/// cycle forms between a socket and the record kept in its extensions.
#[derive(Clone)]
pub struct Peer {
    sid: Sid,
    socket: Weak<Socket<LocalAdapter>>,
}

impl Peer {
    /// The peer for a connected socket.
    pub fn of(socket: &Arc<Socket<LocalAdapter>>) -> Self {
        Self {
            sid: socket.id,
            socket: Arc::downgrade(socket),
        }
    }

    /// The socket id, as told to the partner in `join_room`.
    pub fn sid(&self) -> Sid {
        self.sid
    }

    /// Sends `event` to the member if her socket is still open; a closed one is skipped.
    pub fn emit<T: ?Sized + Serialize>(&self, event: &str, data: &T) {
        if let Some(socket) = self.socket.upgrade() {
            socket.emit(event, data).ok();
        }
    }
}
