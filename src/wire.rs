//! JSON shapes shared by the HTTP API and the Socket.IO acknowledgements.

use crate::domain::Group;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A group's public view (docs/protocol.md section 1): everything but the owner token.
#[derive(Debug, Serialize)]
pub struct GroupView<'a> {
    /// The group's name.
    pub name: &'a str,
    /// What the group is about.
    pub description: &'a str,
    /// The rules, exactly as created.
    pub rules: &'a str,
    /// The icebreakers, in the owner's order (always a list, maybe empty).
    pub prompts: &'a [String],
    /// The code members join with.
    pub access_code: &'a str,
    /// Creation time, RFC 3339 UTC.
    pub created_at: String,
    /// Expiry time, RFC 3339 UTC.
    pub expires_at: String,
}

impl<'a> From<&'a Group> for GroupView<'a> {
    fn from(group: &'a Group) -> Self {
        Self {
            name: group.name.as_ref(),
            description: group.description.as_ref(),
            rules: group.rules.as_ref(),
            prompts: group.prompts.as_slice(),
            access_code: group.access_code.expose(),
            created_at: rfc3339(group.created_at),
            expires_at: rfc3339(group.expires_at),
        }
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).expect("a UTC timestamp always formats")
}

/// A series of timed rounds as members and its owner see it (docs/protocol.md section 8).
#[derive(Debug, Serialize)]
pub struct RoundsView {
    /// The current round (in a break: the one that ended), from 1.
    pub round: u32,
    /// Rounds in the series.
    pub of: u32,
    /// `round`, `break` or `finished`.
    pub phase: crate::series::Phase,
    /// When the current phase ends (once finished: when it finished), RFC 3339 UTC.
    pub ends_at: String,
}

impl From<&crate::series::Series> for RoundsView {
    fn from(series: &crate::series::Series) -> Self {
        Self {
            round: series.round,
            of: series.settings.rounds,
            phase: series.phase,
            ends_at: at_millis(series.ends_at_ms),
        }
    }
}

/// A Unix time in milliseconds, RFC 3339 UTC.
pub fn at_millis(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    rfc3339(at)
}
