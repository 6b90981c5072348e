//! Every Redis key the nodes share, spelled out once: the group store, the presence
//! backend and (through [`Keys::script_prefixes`]) the Lua scripts all build their keys
//! here.

use super::CodeCipher;
use crate::domain::{AccessCode, MemberId};

/// The key layout under one prefix. Groups are keyed by their code's keyed hash (its
/// fingerprint), never by the code itself.
#[derive(Clone)]
pub struct Keys {
    prefix: String,
    cipher: CodeCipher,
}

impl Keys {
    /// The key that holds the fingerprint key shared by the nodes (read before a
    /// [`Keys`] can be made).
    pub fn code_key(prefix: &str) -> String {
        format!("{prefix}:code-key")
    }

    /// The layout under `prefix`, fingerprinting codes with `cipher`.
    pub fn new(prefix: &str, cipher: CodeCipher) -> Self {
        Self {
            prefix: prefix.to_owned(),
            cipher,
        }
    }

    /// The cipher that seals codes and fingerprints them.
    pub fn cipher(&self) -> &CodeCipher {
        &self.cipher
    }

    /// How `code` appears in every key (its keyed hash, in hex).
    pub fn fingerprint(&self, code: &AccessCode) -> String {
        hex(&self.cipher.fingerprint(code))
    }

    /// One group's record, by fingerprint.
    pub fn group(&self, fingerprint: &str) -> String {
        format!("{}{fingerprint}", self.group_prefix())
    }

    /// The listing of groups by creation time.
    pub fn listing(&self) -> String {
        format!("{}:groups", self.prefix)
    }

    /// One member's record: name, node, place, last partner.
    pub fn member(&self, id: &MemberId) -> String {
        format!("{}{}", self.member_prefix(), id.as_str())
    }

    /// One group's lobby: its waiting members, in order of arrival.
    pub fn lobby(&self, fingerprint: &str) -> String {
        format!("{}:lobby:{fingerprint}", self.prefix)
    }

    /// One group's lasting counts (pairings, reports, removals), by fingerprint.
    pub fn counts(&self, fingerprint: &str) -> String {
        format!("{}{fingerprint}", self.counts_prefix())
    }

    /// One room's members.
    pub fn room(&self, room: &str) -> String {
        format!("{}{room}", self.room_prefix())
    }

    /// The prefix of resumable members' journals (their kept, numbered events), each
    /// under her member id.
    pub fn journal_prefix(&self) -> String {
        format!("{}:j:", self.prefix)
    }

    /// One resumable member's journal.
    pub fn journal(&self, id: &MemberId) -> String {
        format!("{}{}", self.journal_prefix(), id.as_str())
    }

    /// The prefix of resume tokens, each under its SHA-256 (never the token itself).
    pub fn token_prefix(&self) -> String {
        format!("{}:tok:", self.prefix)
    }

    /// The prefix of the channels on which a node receives the events for its members,
    /// each channel named by its node.
    pub fn deliveries_prefix(&self) -> String {
        format!("{}:deliver:", self.prefix)
    }

    /// The key prefixes the scripts build their keys from, in the order `keys.lua`
    /// reads them: member, lobby, room, closed group, group, counts, seated (a group's
    /// members who sit in rooms), a group's blocks and reports (and its paused flag), a
    /// group's series of timed rounds.
    pub fn script_prefixes(&self) -> [String; 9] {
        [
            self.member_prefix(),
            self.lobby(""),
            self.room_prefix(),
            format!("{}:closed:", self.prefix),
            self.group_prefix(),
            self.counts_prefix(),
            format!("{}:seated:", self.prefix),
            self.safety(""),
            self.series(""),
        ]
    }

    /// One group's series of timed rounds (docs/protocol.md section 8), as JSON: the one
    /// key read on every join. The round scripts extend it: `:code` (the group's sealed
    /// code, for the node that takes the series over), `:met` (pairs met, as `:blk`),
    /// `:byes` (byes per member), `:lease` (the node driving it); `<prefix>:series:running`
    /// lists the fingerprints of running series.
    pub fn series(&self, fingerprint: &str) -> String {
        format!("{}:series:{fingerprint}", self.prefix)
    }

    fn counts_prefix(&self) -> String {
        format!("{}:counts:", self.prefix)
    }

    /// The prefix of one group's blocks and reports (docs/protocol.md section 7), which
    /// `part.lua` extends: `:blk` (blocked pairs), `:rep:<member>` (her reporters), `:rm`
    /// (removed members); the round scripts add `:paused` (a break: no ordinary pairing).
    pub fn safety(&self, fingerprint: &str) -> String {
        format!("{}:safety:{fingerprint}", self.prefix)
    }

    /// One group's blocked pairs, each as the two member ids in order, space-separated.
    pub fn blocked(&self, fingerprint: &str) -> String {
        format!("{}:blk", self.safety(fingerprint))
    }

    fn member_prefix(&self) -> String {
        format!("{}:m:", self.prefix)
    }

    fn room_prefix(&self) -> String {
        format!("{}:room:", self.prefix)
    }

    fn group_prefix(&self) -> String {
        format!("{}:group:", self.prefix)
    }
}

/// Bytes in lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
