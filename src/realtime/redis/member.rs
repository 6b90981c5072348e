use super::RedisAdapter;
use crate::domain::MemberId;
use crate::realtime::{Link, Mailbox};
use socketioxide::socket::Socket;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use tokio::sync::mpsc;

/// Work for one member that must happen in order (her relayed messages).
pub type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What this node keeps of one of its members; the shared truth is her Redis record.
pub struct RedisMember {
    /// Her public id: the key of her Redis record and the name of her adapter room.
    pub(super) id: MemberId,
    /// Her socket on this node (never written to Redis: a session id is a credential).
    /// Weak, so that this record, kept in the socket's extensions, never keeps it alive.
    socket: Weak<Socket<RedisAdapter>>,
    /// Runs her relays one after the other, so that they keep their order.
    pub(super) queue: mpsc::UnboundedSender<Job>,
    /// Where her events go on this node.
    mailbox: Arc<Mailbox<RedisAdapter>>,
}

impl RedisMember {
    pub(super) fn new(id: MemberId, link: Link<RedisAdapter>) -> Self {
        let socket = link.socket.clone();
        let (queue, mut jobs) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                job.await;
            }
        });
        let mailbox = Mailbox::new(id.clone(), link);
        Self {
            id,
            socket,
            queue,
            mailbox,
        }
    }

    /// Where her events go on this node.
    pub fn mailbox(&self) -> &Mailbox<RedisAdapter> {
        &self.mailbox
    }

    /// Her socket, while it is open.
    pub(super) fn socket(&self) -> Option<Arc<Socket<RedisAdapter>>> {
        self.socket.upgrade()
    }

    /// Queues `job` behind her earlier ones.
    pub(super) fn in_order(&self, job: impl Future<Output = ()> + Send + 'static) {
        self.queue.send(Box::pin(job)).ok();
    }
}
