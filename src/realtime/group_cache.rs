use crate::domain::AccessCode;
use crate::store::{GroupStore, StoreError, StoredGroup};
use dashmap::DashMap;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Groups recently found, so that a crowd joining one group at once (a class starting
/// together) does not queue up on the store.
///
/// Safe to serve for a moment after a group is closed: the lobby backend keeps a closed
/// group's tombstone and refuses the join anyway. Expiry is checked on every read, and
/// only groups that exist are kept, so guessing codes never fills it.
pub struct GroupCache {
    fresh_for: Duration,
    entries: DashMap<AccessCode, (StoredGroup, Instant)>,
}

impl GroupCache {
    /// A cache whose entries are served for `fresh_for` after they were read.
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            entries: DashMap::new(),
        }
    }

    /// The group with `code` if it is live at `now`, from the cache or the store.
    pub async fn find(
        &self,
        store: &dyn GroupStore,
        code: &AccessCode,
        now: OffsetDateTime,
    ) -> Result<Option<StoredGroup>, StoreError> {
        if let Some(entry) = self.entries.get(code)
            && entry.1.elapsed() < self.fresh_for
        {
            return Ok(Some(entry.0.clone()).filter(|stored| stored.group.is_live(now)));
        }
        let found = store.find(code, now).await?;
        match &found {
            Some(stored) => {
                self.entries
                    .insert(code.clone(), (stored.clone(), Instant::now()));
            }
            None => {
                self.entries.remove(code);
            }
        }
        Ok(found)
    }

    /// Forgets `code` (its group was closed here).
    pub fn forget(&self, code: &AccessCode) {
        self.entries.remove(code);
    }

    /// Drops entries that are no longer fresh.
    pub fn prune(&self) {
        self.entries
            .retain(|_, (_, read_at)| read_at.elapsed() < self.fresh_for);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Description, Group, GroupName, OwnerToken, Rules};
    use crate::store::SqliteStore;

    async fn store_with_group(ttl: time::Duration) -> (SqliteStore, Group, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let group = Group {
            access_code: AccessCode::parse("ab12cd34ef").unwrap(),
            name: GroupName::parse("n").unwrap(),
            description: Description::parse("d").unwrap(),
            rules: Rules::default(),
            prompts: Default::default(),
            created_at: now,
            expires_at: now + ttl,
        };
        let owner = OwnerToken::generate(&mut rand::rng()).hash();
        store.insert(&group, &owner).await.unwrap();
        (store, group, dir)
    }

    /// Whether `cache` serves the group `code` at `now`.
    async fn serves(
        cache: &GroupCache,
        store: &SqliteStore,
        code: &AccessCode,
        now: OffsetDateTime,
    ) -> bool {
        cache.find(store, code, now).await.unwrap().is_some()
    }

    #[tokio::test]
    async fn a_found_group_is_served_from_the_cache_while_fresh() {
        let (store, group, _dir) = store_with_group(time::Duration::hours(1)).await;
        let code = &group.access_code;
        let cache = GroupCache::new(Duration::from_secs(60));
        let now = OffsetDateTime::now_utc();
        assert!(serves(&cache, &store, code, now).await);
        store.delete(code).await.unwrap();
        assert!(serves(&cache, &store, code, now).await, "still fresh");
        cache.forget(code);
        assert!(!serves(&cache, &store, code, now).await);
    }

    #[tokio::test]
    async fn a_stale_entry_is_read_again() {
        let (store, group, _dir) = store_with_group(time::Duration::hours(1)).await;
        let cache = GroupCache::new(Duration::ZERO);
        let now = OffsetDateTime::now_utc();
        assert!(serves(&cache, &store, &group.access_code, now).await);
        store.delete(&group.access_code).await.unwrap();
        assert!(!serves(&cache, &store, &group.access_code, now).await);
    }

    #[tokio::test]
    async fn an_expired_group_is_never_served() {
        let (store, group, _dir) = store_with_group(time::Duration::hours(1)).await;
        let cache = GroupCache::new(Duration::from_secs(60));
        let now = OffsetDateTime::now_utc();
        assert!(serves(&cache, &store, &group.access_code, now).await);
        assert!(!serves(&cache, &store, &group.access_code, group.expires_at).await);
    }
}
