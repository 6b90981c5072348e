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
