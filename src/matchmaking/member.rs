use crate::domain::{AccessCode, DisplayName, RoomId};
use parking_lot::Mutex;
use std::sync::{Arc, Weak};
use time::OffsetDateTime;

/// A member's number on this node, unique for the hub's lifetime.
pub type MemberNumber = u64;

/// One connected member, as the hub sees her.
pub struct Member<M> {
    number: MemberNumber,
    handle: M,
    /// Serialises this member's own requests, so that two of her events never interleave.
    pub(super) request: Mutex<()>,
    /// Where she is now; also written by whoever pairs her or leaves her room.
    pub(super) state: Mutex<MemberState<M>>,
}

pub(super) struct MemberState<M> {
    pub(super) place: Place<M>,
    /// Her most recent partner: never paired with her twice in a row.
    pub(super) last_partner: Option<MemberNumber>,
    /// Her connection dropped and she may come back (docs/protocol.md section 6): she
    /// keeps her place but is never paired meanwhile.
    pub(super) away: bool,
    /// Reports removed her from a group (docs/protocol.md section 7): she may not post
    /// into rooms from outside either.
    pub(super) removed: bool,
    /// The name she last joined under (a timed round pairs her under it).
    pub(super) name: Option<DisplayName>,
}

/// Where a member is, without the references (cheap to copy out of her lock).
#[derive(Clone, Debug, PartialEq)]
pub enum Whereabouts {
    /// In no lobby and no room.
    Nowhere,
    /// Waiting in this group's lobby.
    Lobby(AccessCode),
    /// In this room, with her partner or alone.
    Room(RoomId),
}

/// At most one place at a time (docs/protocol.md section 3).
pub(super) enum Place<M> {
    Nowhere,
    Lobby(AccessCode),
    Room(Seat<M>),
}

/// A member's seat in a room: the room and, while she is still there, the partner.
pub(super) struct Seat<M> {
    pub(super) room: RoomId,
    pub(super) partner: Option<Arc<Member<M>>>,
    /// The partner's name, as she was paired (for a resume's answer).
    pub(super) partner_name: DisplayName,
    /// Whom she was paired with, even after that partner left (for a block or report).
    pub(super) met: Met<M>,
    /// The group the room belongs to.
    pub(super) group: RoomGroup,
}

/// The member a seat was paired with, by number and without keeping her alive.
pub(super) struct Met<M> {
    pub(super) number: MemberNumber,
    pub(super) member: Weak<Member<M>>,
}

impl<M> Clone for Met<M> {
    fn clone(&self) -> Self {
        Self {
            number: self.number,
            member: self.member.clone(),
        }
    }
}

/// A room's group: its code, and when it expires.
#[derive(Clone)]
pub(super) struct RoomGroup {
    pub(super) code: AccessCode,
    pub(super) expires_at: OffsetDateTime,
}

impl<M> Member<M> {
    pub(super) fn new(number: MemberNumber, handle: M) -> Self {
        Self {
            number,
            handle,
            request: Mutex::new(()),
            state: Mutex::new(MemberState {
                place: Place::Nowhere,
                last_partner: None,
                away: false,
                removed: false,
                name: None,
            }),
        }
    }

    /// Her number on this node.
    pub fn number(&self) -> MemberNumber {
        self.number
    }

    /// The transport's handle for reaching her.
    pub fn handle(&self) -> &M {
        &self.handle
    }

    /// The room she sits in, if any (alone or with her partner).
    pub fn room(&self) -> Option<RoomId> {
        match self.whereabouts() {
            Whereabouts::Room(room) => Some(room),
            _ => None,
        }
    }

    /// Whether she is away (see [`super::Hub::away`]).
    pub fn is_away(&self) -> bool {
        self.state.lock().away
    }

    /// Where she is now.
    pub fn whereabouts(&self) -> Whereabouts {
        match &self.state.lock().place {
            Place::Nowhere => Whereabouts::Nowhere,
            Place::Lobby(code) => Whereabouts::Lobby(code.clone()),
            Place::Room(seat) => Whereabouts::Room(seat.room.clone()),
        }
    }
}
