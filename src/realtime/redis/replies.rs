//! The scripts' replies, parsed into the domain's types in one place.

use crate::domain::{DisplayName, MemberId, RoomId};
use crate::matchmaking::{Back, Departure, Joined, Outcome, Pairing, Parted, Removal};
use crate::store::StoreError;

pub(super) fn malformed(script: &str) -> StoreError {
    StoreError::Unavailable(format!("unexpected reply from the {script} script"))
}

/// A member the script named, if it named one.
pub(super) fn named(id: &str) -> Option<MemberId> {
    (!id.is_empty()).then(|| MemberId::from_wire(id))
}

/// A name as the member record keeps it (the default name if it is missing).
pub(super) fn display_name(name: &str) -> Option<DisplayName> {
    DisplayName::parse(Some(name))
        .or_else(|_| DisplayName::parse(None))
        .ok()
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
        "removed" => Outcome::Removed,
        "paired" => Outcome::Paired(Pairing {
            room: room.clone(),
            own: member.clone(),
            own_name: name.clone(),
            partner: named(partner).ok_or_else(|| malformed("join"))?,
            partner_name: display_name(partner_name).ok_or_else(|| malformed("join"))?,
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

/// `part.lua`'s reply: the room she left and whoever the report removed; `None` when
/// she was not in the room.
pub fn parted(reply: &[String]) -> Result<Option<Parted<MemberId>>, StoreError> {
    match reply {
        [not_in_room] if not_in_room == "not_in_room" => Ok(None),
        [room, partner, removed, removed_room, removed_partner] => Ok(Some(Parted {
            departure: departure(room, partner).ok_or_else(|| malformed("part"))?,
            removal: named(removed).map(|member| Removal {
                member,
                departure: departure(removed_room, removed_partner),
            }),
        })),
        _ => Err(malformed("part")),
    }
}

/// `away.lua`'s reply `{room, partner}`: her room and the partner to tell, if any.
pub fn away(reply: &[String]) -> Result<Option<(RoomId, MemberId)>, StoreError> {
    let [room, partner] = reply else {
        return Err(malformed("away"));
    };
    Ok(departure(room, partner).and_then(|d| d.partner.map(|partner| (d.room, partner))))
}

/// `back.lua`'s reply, for `member` who came back with the fresh room `room`.
pub fn back(
    reply: &[String],
    member: &MemberId,
    room: &RoomId,
) -> Result<Back<MemberId>, StoreError> {
    match reply {
        [none] if none == "none" => Ok(Back {
            partner: None,
            pairing: None,
        }),
        [kind, current, partner] if kind == "room" => Ok(Back {
            partner: named(partner).map(|p| (RoomId::from_wire(current), p)),
            pairing: None,
        }),
        [kind, partner, partner_name, own_name] if kind == "paired" => Ok(Back {
            partner: None,
            pairing: Some(Pairing {
                room: room.clone(),
                own: member.clone(),
                own_name: display_name(own_name).ok_or_else(|| malformed("back"))?,
                partner: named(partner).ok_or_else(|| malformed("back"))?,
                partner_name: display_name(partner_name).ok_or_else(|| malformed("back"))?,
            }),
        }),
        _ => Err(malformed("back")),
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
