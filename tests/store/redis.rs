//! The contract suite against Redis, when `CIRCLE_TEST_REDIS_URL` is set (CI sets it).

use circle::store::{GroupStore, RedisStore, connect_redis};
use std::sync::Arc;

/// Deletes every key under its prefix when dropped.
pub struct Cleanup {
    url: String,
    prefix: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(self.url.as_str()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection() else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:*", self.prefix))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<usize> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}

/// A store under a fresh key prefix, or `None` (said loudly) without Redis.
async fn fresh() -> Option<(Arc<dyn GroupStore>, Cleanup)> {
    let Ok(url) = std::env::var("CIRCLE_TEST_REDIS_URL") else {
        eprintln!("SKIPPED: set CIRCLE_TEST_REDIS_URL to run the Redis store contract");
        return None;
    };
    let prefix = format!("circle-test-{:016x}", rand::random::<u64>());
    let redis = connect_redis(&url).await.expect("Redis reachable");
    let store = RedisStore::open(redis, &prefix).await.unwrap();
    Some((Arc::new(store), Cleanup { url, prefix }))
}

crate::contract_tests!(fresh());
