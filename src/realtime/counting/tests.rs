//! Reports and removals, which the lead's report code counts through [`Realtime::count`]:
//! counted at once, saved in a batch, kept when a save fails.

use super::*;
use crate::config::Config;
use crate::domain::{Description, GroupName, OwnerToken, OwnerTokenHash, Prompts, Rules};
use crate::metrics::Metrics;
use crate::realtime::LocalPresence;
use crate::store::{GroupStore, SqliteStore, StoredGroup};
use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;

/// A SQLite store whose `add_counts` fails while `failing` is set.
struct Flaky {
    inner: SqliteStore,
    failing: AtomicBool,
}

#[async_trait]
impl GroupStore for Flaky {
    async fn insert(&self, group: &Group, owner: &OwnerTokenHash) -> Result<(), StoreError> {
        self.inner.insert(group, owner).await
    }
    async fn find(
        &self,
        code: &AccessCode,
        now: OffsetDateTime,
    ) -> Result<Option<StoredGroup>, StoreError> {
        self.inner.find(code, now).await
    }
    async fn list(&self, now: OffsetDateTime) -> Result<Vec<Group>, StoreError> {
        self.inner.list(now).await
    }
    async fn delete(&self, code: &AccessCode) -> Result<bool, StoreError> {
        self.inner.delete(code).await
    }
    async fn delete_expired(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.inner.delete_expired(now).await
    }
    async fn add_counts(&self, code: &AccessCode, counts: Counts) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("down for the test".into()));
        }
        self.inner.add_counts(code, counts).await
    }
    async fn counts(&self, code: &AccessCode) -> Result<Counts, StoreError> {
        self.inner.counts(code).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
}

struct Setup {
    realtime: Realtime<LocalPresence>,
    store: Arc<Flaky>,
    metrics: Arc<Metrics>,
    group: Group,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Flaky {
        inner: SqliteStore::open(dir.path()).await.unwrap(),
        failing: AtomicBool::new(false),
    });
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let group = Group {
        access_code: AccessCode::parse("ab12cd34ef").unwrap(),
        name: GroupName::parse("n").unwrap(),
        description: Description::parse("d").unwrap(),
        rules: Rules::default(),
        prompts: Prompts::default(),
        created_at: now,
        expires_at: now + time::Duration::hours(1),
    };
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    store.insert(&group, &owner).await.unwrap();
    let metrics = Arc::new(Metrics::default());
    let realtime = Realtime::new(
        LocalPresence::default(),
        store.clone(),
        Config::defaults().limits,
        metrics.clone(),
    );
    Setup {
        realtime,
        store,
        metrics,
        group,
        _dir: dir,
    }
}

#[tokio::test]
async fn reports_and_removals_are_counted_at_once_and_saved_in_one_batch() {
    let s = setup().await;
    let code = &s.group.access_code;
    s.realtime.count(code, Counted::Report);
    s.realtime.count(code, Counted::Report);
    s.realtime.count(code, Counted::Removal);
    assert_eq!(s.store.counts(code).await.unwrap(), Counts::default());

    s.realtime.save_counts().await;
    let saved = Counts {
        pairs_formed: 0,
        reports: 2,
        removed: 1,
    };
    assert_eq!(s.store.counts(code).await.unwrap(), saved);
    s.realtime.save_counts().await;
    assert_eq!(s.store.counts(code).await.unwrap(), saved, "saved once");

    let seen = s.realtime.owner_counts(&s.group).await.unwrap();
    assert_eq!((seen.reports, seen.removed), (2, 1));
}

#[tokio::test]
async fn counts_that_fail_to_save_are_kept_for_the_next_try() {
    let s = setup().await;
    let code = &s.group.access_code;
    s.store.failing.store(true, Ordering::SeqCst);
    s.realtime.count(code, Counted::Report);
    s.realtime.save_counts().await;
    assert_eq!(s.metrics.counts_unsaved.get(), 1, "the failure is counted");

    s.store.failing.store(false, Ordering::SeqCst);
    s.realtime.count(code, Counted::Removal);
    s.realtime.save_counts().await;
    let expected = Counts {
        pairs_formed: 0,
        reports: 1,
        removed: 1,
    };
    assert_eq!(s.store.counts(code).await.unwrap(), expected);
}
