//! A Redis key prefix of one test, shared by the test crates that need Redis.
#![allow(dead_code)]

/// A Redis key prefix of one test, whose keys are deleted when it is dropped.
pub struct RedisPrefix {
    pub url: String,
    pub prefix: String,
}

impl RedisPrefix {
    pub fn fresh(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            prefix: format!("circle-test-{:016x}", rand::random::<u64>()),
        }
    }

    /// Every key and value under the prefix, as text.
    pub fn dump(&self) -> Vec<u8> {
        let mut conn = redis::Client::open(self.url.as_str())
            .unwrap()
            .get_connection()
            .unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query(&mut conn)
            .unwrap();
        let mut all = Vec::new();
        for key in keys {
            all.extend(key.as_bytes());
            let dumped: Option<Vec<u8>> = redis::cmd("DUMP").arg(&key).query(&mut conn).unwrap();
            all.extend(dumped.unwrap_or_default());
        }
        all
    }
}

impl Drop for RedisPrefix {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(self.url.as_str()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection() else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<usize> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}
