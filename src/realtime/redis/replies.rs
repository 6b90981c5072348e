//! The scripts' replies, parsed into the domain's types in one place.

use crate::domain::{DisplayName, MemberId, RoomId};
use crate::matchmaking::{Departure, Joined, Outcome, Pairing};
use crate::store::StoreError;

fn malformed(script: &str) -> StoreError {
    StoreError::Unavailable(format!("unexpected reply from the {script} script"))
}

/// A member the script named, if it named one.
fn named(id: &str) -> Option<MemberId> {
    (!id.is_empty()).then(|| MemberId::from_wire(id))
}

/// `{left_room, left_partner}`: the room she left, if any.
fn departure(room: &str, partner: &str) -> Option<Departure<MemberId>> {
    (!room.is_empty()).then(|| Departure {
        room: RoomId::from_wire(room),
        partner: named(partner),
    })
}

/// `join.lua`'s reply, for `member` who joined as `name` with the fresh room `room`.
pub fn joined(
    reply: &[String],
    member: &MemberId,
    name: &DisplayName,
    room: &RoomId,
) -> Result<Joined<MemberId>, StoreError> {
    let [outcome, left_room, left_partner, partner, partner_name] = reply else {
        return Err(malformed("join"));
    };
    let outcome = match outcome.as_str() {
        "waiting" => Outcome::Waiting,
        "closed" => Outcome::GroupClosed,
        "paired" => Outcome::Paired(Pairing {
            room: room.clone(),
            own: member.clone(),
            own_name: name.clone(),
            partner: named(partner).ok_or_else(|| malformed("join"))?,
            partner_name: DisplayName::parse(Some(partner_name))
                .or_else(|_| DisplayName::parse(None))
                .map_err(|_| malformed("join"))?,
        }),
        _ => return Err(malformed("join")),
    };
    Ok(Joined {
        departure: departure(left_room, left_partner),
        outcome,
    })
}

/// `leave.lua`'s reply: the room she left, if she left one.
pub fn left(reply: &[String]) -> Result<Option<Departure<MemberId>>, StoreError> {
    match reply {
        [not_in_room] if not_in_room == "not_in_room" => Ok(None),
        [room, partner] => Ok(departure(room, partner)),
        _ => Err(malformed("leave")),
    }
}

/// `close.lua`'s reply: the members who were waiting.
pub fn waiters(reply: Vec<String>) -> Vec<MemberId> {
    reply.iter().filter_map(|id| named(id)).collect()
}

/// What the reaping script found changed under one of the node's members.
#[derive(Debug, PartialEq)]
pub enum Reaped {
    /// Her partner's node is gone; she stays alone in `room`.
    PartnerGone {
        /// The member who stays.
        member: MemberId,
        /// Her room.
        room: RoomId,
    },
    /// The group she waited for no longer exists; she is nowhere.
    GroupGone {
        /// The member who waited.
        member: MemberId,
    },
}

/// `reap.lua`'s reply: `{kind, member, detail}` triples.
pub fn reaped(reply: &[String]) -> Result<Vec<Reaped>, StoreError> {
    if !reply.len().is_multiple_of(3) {
        return Err(malformed("reap"));
    }
    reply
        .chunks_exact(3)
        .map(|event| {
            let member = MemberId::from_wire(&event[1]);
            match event[0].as_str() {
                "partner_gone" => Ok(Reaped::PartnerGone {
                    member,
                    room: RoomId::from_wire(&event[2]),
                }),
                "group_gone" => Ok(Reaped::GroupGone { member }),
                _ => Err(malformed("reap")),
            }
        })
        .collect()
}

/// Where a member's record says she is (its `place` field).
#[derive(Debug, PartialEq)]
pub enum RecordedPlace {
    /// Nowhere (or no record).
    Nowhere,
    /// Waiting in the lobby of the group with this fingerprint.
    Lobby(String),
    /// In this room.
    Room(RoomId),
}

impl RecordedPlace {
    /// Reads a `place` field (`""`, `lobby:{fingerprint}`, `room:{id}`).
    pub fn parse(place: Option<&str>) -> Self {
        let place = place.unwrap_or_default();
        if let Some(group) = place.strip_prefix("lobby:") {
            Self::Lobby(group.to_owned())
        } else if let Some(room) = place.strip_prefix("room:") {
            Self::Room(RoomId::from_wire(room))
        } else {
            Self::Nowhere
        }
    }
}
