//! Who is paired with whom: the matching rules of docs/protocol.md section 3, with no async, no
//! sockets, no storage and no clock of its own.
//!
//! The [`Hub`] holds one node's lobbies and rooms. It is generic over `M`, the handle the
//! transport uses to reach a member (a socket in the server, a number in tests), and hands
//! back what happened ([`Joined`], [`Departure`]) so that the caller does the talking.
//!
//! Concurrency: each member's own requests are serialised by a per-member lock; pairing
//! takes the lock of one group's lobby; a room's record sits in one shard of a concurrent
//! map. Locks are always taken in the order member request → lobby → room → member state
//! → a group's tally (the owner's counts, a leaf), and none is held across an `.await`
//! (there is none here).

mod away;
mod choice;
mod hub;
#[cfg(test)]
mod invariants;
mod lobby;
mod member;
mod occupancy;
mod outcome;
mod rooms;
mod round_start;
mod round_steps;
/// Pairing for timed rounds: everyone present at once, avoiding past partners.
pub mod rounds;
mod safety;

pub use away::Back;
pub use choice::Choice;
pub use hub::Hub;
pub use member::{Member, MemberNumber, Whereabouts};
pub use occupancy::Occupancy;
pub use outcome::{Departure, Joined, Outcome, Pairing, Recipients, SeatView};
pub use round_start::{PlannedPair, RoomsEnded, Seated};
pub use round_steps::{RoundDraws, RoundEnded, RoundStarted};
pub use safety::{Parted, Parting, Removal};

#[cfg(test)]
mod tests;
