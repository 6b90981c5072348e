//! Where groups live, behind one trait so that every backend passes the same tests.
//!
//! Lobbies and rooms are not here: on one node they live in memory, in
//! [`crate::matchmaking::Hub`].

mod code_cipher;
mod counts;
mod keys;
mod redis;
mod sqlite;

pub use code_cipher::CodeCipher;
pub use counts::{Counted, Counts, TALLY_LUA};
pub use keys::Keys;
pub use redis::{RedisStore, connect as connect_redis};
pub use sqlite::SqliteStore;

use crate::domain::{AccessCode, Group, OwnerTokenHash};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A group as stored, with the hash of its owner's token.
#[derive(Debug, Clone)]
pub struct StoredGroup {
    /// The group.
    pub group: Group,
    /// Hash of the token that may close it.
    pub owner: OwnerTokenHash,
}

/// A store failure, the same for every backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A group with that access code exists already (the caller draws a new code).
    #[error("access code already in use")]
    CodeTaken,
    /// The backend could not be reached or failed; the cause is for the logs only.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Groups, keyed by access code. Expiry is part of the contract: once `now` reaches a
/// group's `expires_at` every method treats it as absent, whether or not its data has
/// been deleted yet.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Stores a new group; [`StoreError::CodeTaken`] if its code exists already.
    async fn insert(&self, group: &Group, owner: &OwnerTokenHash) -> Result<(), StoreError>;

    /// The group with `code` if it is live at `now`.
    async fn find(
        &self,
        code: &AccessCode,
        now: OffsetDateTime,
    ) -> Result<Option<StoredGroup>, StoreError>;

    /// Every group live at `now`, oldest first.
    async fn list(&self, now: OffsetDateTime) -> Result<Vec<Group>, StoreError>;

    /// Deletes the group with `code`; whether there was one.
    async fn delete(&self, code: &AccessCode) -> Result<bool, StoreError>;

    /// Deletes every group expired at `now`; how many there were.
    async fn delete_expired(&self, now: OffsetDateTime) -> Result<u64, StoreError>;

    /// Adds `counts` to the lasting counts of the live group with `code` (docs/protocol.md
    /// section 7, owner counts); nothing when there is no such group. The counts live as
    /// long as the group's record and go with it.
    async fn add_counts(&self, code: &AccessCode, counts: Counts) -> Result<(), StoreError>;

    /// The lasting counts of the group with `code`: all zero when it has none (or is
    /// unknown).
    async fn counts(&self, code: &AccessCode) -> Result<Counts, StoreError>;

    /// Whether the backend answers (readiness).
    async fn ping(&self) -> Result<(), StoreError>;
}
