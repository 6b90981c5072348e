//! Delivering events to members: one [`Mailbox`] per member, and for resumable members a
//! [`journal`] of numbered events that a resume replays (docs/protocol.md section 6).

mod backlog;
pub mod journal;
mod mailbox;
pub mod stuck;

pub use backlog::Outlet;
pub use journal::Bounds;
pub use mailbox::{Delivery, Link, Mailbox, Relaying};
