use crate::domain::{DisplayName, RoomId};

/// What a `join` did.
#[derive(Debug, PartialEq)]
pub struct Joined<M> {
    /// The room she had to leave first, if any.
    pub departure: Option<Departure<M>>,
    /// Where she is now.
    pub outcome: Outcome<M>,
}

/// Where a joining member ends up.
#[derive(Debug, PartialEq)]
pub enum Outcome<M> {
    /// In the lobby, until someone eligible arrives.
    Waiting,
    /// Paired at once.
    Paired(Pairing<M>),
    /// The group was closed meanwhile; she is nowhere.
    GroupClosed,
    /// She was removed from the group by reports (docs/protocol.md section 7); she is
    /// nowhere.
    Removed,
}

/// A new pair, seen from the member whose request made it.
#[derive(Debug, PartialEq)]
pub struct Pairing<M> {
    /// The fresh room of the two.
    pub room: RoomId,
    /// The joiner's own handle.
    pub own: M,
    /// The joiner's own name.
    pub own_name: DisplayName,
    /// The partner's handle.
    pub partner: M,
    /// The partner's name.
    pub partner_name: DisplayName,
}

/// A member left a room; her partner, if still there, must be told.
#[derive(Debug, PartialEq)]
pub struct Departure<M> {
    /// The room she left.
    pub room: RoomId,
    /// The partner who stays behind alone, if she had not left already.
    pub partner: Option<M>,
}

/// A member's room as she sees it: for a resume's answer.
#[derive(Debug, PartialEq)]
pub struct SeatView<M> {
    /// Her room.
    pub room: RoomId,
    /// The partner still in it, and her name.
    pub partner: Option<(M, DisplayName)>,
}

/// Who receives a message sent into a room: one or two sockets.
pub struct Recipients<M> {
    /// The room's members still in it (the sender first when she is one of them).
    pub members: [Option<M>; 2],
    /// The sender is not in the room (compat: she names it from nowhere).
    pub from_outside: bool,
}

impl<M> Recipients<M> {
    /// The recipients, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &M> {
        self.members.iter().flatten()
    }
}

impl<M> Joined<M> {
    /// The same join, with every member reached through `reach`.
    pub fn map<N>(self, mut reach: impl FnMut(M) -> N) -> Joined<N> {
        Joined {
            departure: self.departure.map(|d| d.map(&mut reach)),
            outcome: self.outcome.map(reach),
        }
    }
}

impl<M> Outcome<M> {
    /// The same outcome, with every member reached through `reach`.
    pub fn map<N>(self, reach: impl FnMut(M) -> N) -> Outcome<N> {
        match self {
            Outcome::Waiting => Outcome::Waiting,
            Outcome::GroupClosed => Outcome::GroupClosed,
            Outcome::Removed => Outcome::Removed,
            Outcome::Paired(pair) => Outcome::Paired(pair.map(reach)),
        }
    }
}

impl<M> Pairing<M> {
    /// The same pair, with both members reached through `reach`.
    pub fn map<N>(self, mut reach: impl FnMut(M) -> N) -> Pairing<N> {
        Pairing {
            room: self.room,
            own: reach(self.own),
            own_name: self.own_name,
            partner: reach(self.partner),
            partner_name: self.partner_name,
        }
    }
}

impl<M> Departure<M> {
    /// The same departure, with the partner reached through `reach`.
    pub fn map<N>(self, reach: impl FnOnce(M) -> N) -> Departure<N> {
        Departure {
            room: self.room,
            partner: self.partner.map(reach),
        }
    }
}
