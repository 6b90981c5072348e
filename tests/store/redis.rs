//! The contract suite against Redis, when `CIRCLE_TEST_REDIS_URL` is set (CI sets it).

use crate::redis_prefix::RedisPrefix;
use circle::store::{GroupStore, RedisStore, connect_redis};
use std::sync::Arc;

/// A store under a fresh key prefix, or `None` (said loudly) without Redis.
async fn fresh() -> Option<(Arc<dyn GroupStore>, RedisPrefix)> {
    let Ok(url) = std::env::var("CIRCLE_TEST_REDIS_URL") else {
        eprintln!("SKIPPED: set CIRCLE_TEST_REDIS_URL to run the Redis store contract");
        return None;
    };
    let keys = RedisPrefix::fresh(&url);
    let redis = connect_redis(&url).await.expect("Redis reachable");
    let store = RedisStore::open(redis, &keys.prefix).await.unwrap();
    Some((Arc::new(store), keys))
}

crate::contract_tests!(fresh());

/// The counts live no longer than their group's record, which Redis expires by itself.
#[tokio::test]
async fn counts_expire_with_their_group() {
    use circle::domain::{AccessCode, Description, Group, GroupName, OwnerToken, Prompts, Rules};
    use circle::store::{Counted, Counts};
    let Ok(url) = std::env::var("CIRCLE_TEST_REDIS_URL") else {
        eprintln!("SKIPPED: set CIRCLE_TEST_REDIS_URL to run the Redis store contract");
        return;
    };
    let prefix = RedisPrefix::fresh(&url);
    let redis = connect_redis(&url).await.unwrap();
    let store = RedisStore::open(redis.clone(), &prefix.prefix)
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc();
    let group = Group {
        access_code: AccessCode::parse("ab12cd34ef").unwrap(),
        name: GroupName::parse("n").unwrap(),
        description: Description::parse("d").unwrap(),
        rules: Rules::default(),
        prompts: Prompts::default(),
        created_at: now,
        expires_at: now + time::Duration::minutes(10),
    };
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    store.insert(&group, &owner).await.unwrap();
    store
        .add_counts(&group.access_code, Counts::of(Counted::Report, 1))
        .await
        .unwrap();
    let fingerprint = store.keys().fingerprint(&group.access_code);
    let ttl = |key: String| {
        let mut conn = redis.clone();
        async move {
            redis::cmd("PTTL")
                .arg(key)
                .query_async::<i64>(&mut conn)
                .await
                .unwrap()
        }
    };
    // The group's first: both count down, so the one read later may only be lower.
    let group_ttl = ttl(store.keys().group(&fingerprint)).await;
    let counts_ttl = ttl(store.keys().counts(&fingerprint)).await;
    assert!(counts_ttl > 0, "the counts expire");
    assert!(
        counts_ttl <= group_ttl,
        "{counts_ttl} ms outlives {group_ttl} ms"
    );
}
