//! Delivering events to members: one [`Mailbox`] per member, and for resumable members a
//! [`journal`] of numbered events that a resume replays (docs/protocol.md section 6).

pub mod journal;
mod mailbox;

pub use journal::Bounds;
pub use mailbox::{Delivery, Mailbox};
