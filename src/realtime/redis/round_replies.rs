//! The round scripts' replies (and the series as Redis keeps it), parsed into the
//! domain's types in one place.

use super::replies::{display_name, malformed, named};
use crate::domain::{MemberId, RoomId};
use crate::matchmaking::Pairing;
use crate::series::Series;
use crate::store::StoreError;

/// A pair the scripts name flat: `{member, member, room, name, name}`.
const PAIR_FIELDS: usize = 5;

pub(super) fn json(series: &Series) -> Result<String, StoreError> {
    serde_json::to_string(series).map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// A stored series.
pub(super) fn parse_series(stored: &str) -> Result<Series, StoreError> {
    serde_json::from_str(stored).map_err(|_| malformed("series"))
}

pub(super) fn ids(reply: &[String]) -> Vec<MemberId> {
    reply.iter().filter_map(|id| named(id)).collect()
}

/// `{a, b}` pairs as the sets keep them: the two ids, space-separated.
pub(super) fn split_pairs(reply: &[String]) -> Vec<(MemberId, MemberId)> {
    reply
        .iter()
        .filter_map(|pair| pair.split_once(' '))
        .map(|(a, b)| (MemberId::from_wire(a), MemberId::from_wire(b)))
        .collect()
}

pub(super) fn pairings(
    flat: &[String],
    script: &str,
) -> Result<Vec<Pairing<MemberId>>, StoreError> {
    if !flat.len().is_multiple_of(PAIR_FIELDS) {
        return Err(malformed(script));
    }
    flat.chunks_exact(PAIR_FIELDS)
        .map(|p| {
            Ok(Pairing {
                room: RoomId::from_wire(&p[2]),
                own: named(&p[0]).ok_or_else(|| malformed(script))?,
                own_name: display_name(&p[3]).ok_or_else(|| malformed(script))?,
                partner: named(&p[1]).ok_or_else(|| malformed(script))?,
                partner_name: display_name(&p[4]).ok_or_else(|| malformed(script))?,
            })
        })
        .collect()
}

pub(super) fn ended(flat: &[String], script: &str) -> Result<Vec<(RoomId, MemberId)>, StoreError> {
    if !flat.len().is_multiple_of(2) {
        return Err(malformed(script));
    }
    Ok(flat
        .chunks_exact(2)
        .map(|e| (RoomId::from_wire(&e[0]), MemberId::from_wire(&e[1])))
        .collect())
}
