//! Delivering events to members: one [`Mailbox`] per member, and for resumable members a
//! [`journal`] of numbered events that a resume replays (docs/protocol.md section 6). An
//! [`Outbox`] is a member's line to her socket on every backend: what finds her send queue
//! full waits there, and a member who reads nothing for the send timeout is given up on
//! ([`stuck`]).

mod backlog;
mod frame;
pub mod journal;
mod mailbox;
mod outbox;
pub mod stuck;

pub use backlog::Outlet;
pub use frame::{Frame, shown};
pub use journal::Bounds;
pub use mailbox::{Delivery, Link, Mailbox, Relaying};
pub use outbox::{Flushed, Flushing, Outbox, Until, Wait, no_room};
