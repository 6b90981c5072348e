//! What the server tells members when pairs form and break (docs/protocol.md section 2).

use super::Handle;
use crate::domain::{DisplayName, MemberId, RoomId};
use crate::matchmaking::{Departure, Pairing};
use serde::Serialize;

/// Why a partner is gone, as sent in `partner_left`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// She left the room or joined another group.
    Left,
    /// She asked for someone new.
    Next,
    /// Her connection is gone.
    Disconnected,
}

#[derive(Serialize)]
struct JoinRoom<'a> {
    room: &'a str,
    user: &'a str,
    #[serde(rename = "match")]
    partner: MatchInfo<'a>,
    /// The pair's icebreaker, the same for both; absent when the group has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
}

/// The partner as her peer sees her: her name and her public member id, under `id` and
/// (compat) `sid`; never a session id.
#[derive(Serialize)]
struct MatchInfo<'a> {
    name: &'a str,
    sid: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
struct PartnerLeft<'a> {
    room: &'a str,
    reason: LeaveReason,
}

#[derive(Serialize)]
struct GroupClosed<'a> {
    access_code: &'a str,
}

/// One member's view of her new pair.
struct PairView<'a> {
    room: &'a str,
    prompt: Option<&'a str>,
}

fn join_room<H: Handle>(
    to: &H,
    pair: &PairView,
    own: &DisplayName,
    other: &DisplayName,
    id: &MemberId,
) {
    let payload = JoinRoom {
        room: pair.room,
        user: own.as_ref(),
        partner: MatchInfo {
            name: other.as_ref(),
            sid: id.as_str(),
            id: id.as_str(),
        },
        prompt: pair.prompt,
    };
    to.emit("join_room", &payload);
}

/// Tells both members of a new pair: `join_room` with each one's view and the same
/// `prompt` (section 7), then the compat notice `"<name> connected."` naming the member
/// whose request made the pair. The partner's `join_room` is on its way before the
/// joiner's is sent: the joiner may write the instant she learns the room, and her
/// message must not overtake it (section 2).
pub async fn pair_formed<H: Handle>(joiner: &H, pairing: &Pairing<H>, prompt: Option<String>) {
    let pair = PairView {
        room: pairing.room.as_str(),
        prompt: prompt.as_deref(),
    };
    let partner = &pairing.partner;
    join_room(
        partner,
        &pair,
        &pairing.partner_name,
        &pairing.own_name,
        joiner.id(),
    );
    partner.sent().await;
    join_room(
        joiner,
        &pair,
        &pairing.own_name,
        &pairing.partner_name,
        partner.id(),
    );
    let notice = format!("{} connected.", pairing.own_name.as_ref());
    for member in [joiner, partner] {
        member.emit("message", &notice);
    }
}

/// Tells the partner left behind, if any: `partner_left`, then the compat notice.
pub fn partner_gone<H: Handle>(departure: Option<Departure<H>>, reason: LeaveReason) {
    let Some(Departure {
        room,
        partner: Some(partner),
    }) = departure
    else {
        return;
    };
    let room = room.as_str();
    partner.emit("partner_left", &PartnerLeft { room, reason });
    partner.emit("message", &format!("A User left the {room} room"));
}

#[derive(Serialize)]
struct RoomOnly<'a> {
    room: &'a str,
}

/// Tells the partner that her peer's connection dropped (docs/protocol.md section 6).
pub fn partner_away<H: Handle>(partner: &H, room: &RoomId) {
    partner.emit(
        "partner_away",
        &RoomOnly {
            room: room.as_str(),
        },
    );
}

/// Tells the partner that her peer is back.
pub fn partner_back<H: Handle>(partner: &H, room: &RoomId) {
    partner.emit(
        "partner_back",
        &RoomOnly {
            room: room.as_str(),
        },
    );
}

/// Tells members who were waiting in a group that it no longer exists.
pub fn group_closed(waiters: &[impl Handle], access_code: &str) {
    for member in waiters {
        member.emit("group_closed", &GroupClosed { access_code });
    }
}

#[derive(Serialize)]
struct Removed<'a> {
    access_code: &'a str,
}

/// Tells a member that reports removed her from the group with `access_code`
/// (docs/protocol.md section 7).
pub fn removed(member: &impl Handle, access_code: &str) {
    member.emit("removed", &Removed { access_code });
}
