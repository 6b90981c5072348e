use super::keys::{Keys, hex};
use super::{CodeCipher, Counts, GroupStore, StoreError, StoredGroup};
use crate::domain::{AccessCode, Description, Group, GroupName, OwnerTokenHash, Prompts, Rules};
use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use std::time::Duration;
use time::OffsetDateTime;

/// Groups in Redis, shared by every node: one string key per group that Redis itself
/// expires at `expires_at`, and a sorted set by creation time for the compat listing.
///
/// Like the SQLite store it never holds an access code in clear: keys carry the code's
/// keyed hash, and the key for that hash is shared by the nodes through Redis itself
/// (created by the first node to start).
#[derive(Clone)]
pub struct RedisStore {
    redis: ConnectionManager,
    keys: Keys,
}

/// One group as stored: a JSON string.
#[derive(Serialize, Deserialize)]
struct Record {
    sealed: String,
    name: String,
    description: String,
    rules: String,
    /// Absent in records written before prompts existed.
    #[serde(default)]
    prompts: Vec<String>,
    owner: String,
    created_at: i64,
    expires_at: i64,
}

/// Adds to a group's counts. KEYS: counts, group record; ARGV: pairings, reports, removals.
static ADD_COUNTS: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(&format!(
        "{}\n{}",
        super::TALLY_LUA,
        "tally(KEYS[1], KEYS[2], 'pairs', ARGV[1])\n\
         tally(KEYS[1], KEYS[2], 'reports', ARGV[2])\n\
         tally(KEYS[1], KEYS[2], 'removed', ARGV[3])"
    ))
});

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A connection to Redis that reconnects by itself after an outage; every command
/// fails fast while Redis is away.
pub async fn connect(url: &str) -> anyhow::Result<ConnectionManager> {
    use anyhow::Context;
    let client = redis::Client::open(url).context("parsing the Redis URL")?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_secs(1));
    ConnectionManager::new_with_config(client, config)
        .await
        .context("connecting to Redis")
}

impl RedisStore {
    /// A store on `redis` whose keys all start with `prefix`.
    pub async fn open(redis: ConnectionManager, prefix: &str) -> anyhow::Result<Self> {
        use anyhow::Context;
        let mut conn = redis.clone();
        let key_name = Keys::code_key(prefix);
        let fresh = hex(&CodeCipher::random().key_bytes());
        let _: bool = conn
            .set_nx(&key_name, &fresh)
            .await
            .context("sharing the code key")?;
        let shared: String = conn.get(&key_name).await.context("reading the code key")?;
        let key = unhex(&shared)
            .and_then(|bytes| bytes.try_into().ok())
            .context("the shared code key is malformed")?;
        Ok(Self {
            redis,
            keys: Keys::new(prefix, CodeCipher::from_key(key)),
        })
    }

    fn group_key(&self, code: &AccessCode) -> String {
        self.keys.group(&self.keys.fingerprint(code))
    }

    /// The key layout, shared with the presence backend.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// A connection to the same Redis.
    pub fn connection(&self) -> ConnectionManager {
        self.redis.clone()
    }

    fn key_for(&self, fingerprint: &str) -> String {
        self.keys.group(fingerprint)
    }

    fn listing_key(&self) -> String {
        self.keys.listing()
    }

    fn decode(&self, json: &str) -> Option<StoredGroup> {
        let record: Record = serde_json::from_str(json).ok()?;
        let timestamp = |secs| OffsetDateTime::from_unix_timestamp(secs).ok();
        Some(StoredGroup {
            group: Group {
                access_code: self.keys.cipher().open(&unhex(&record.sealed)?)?,
                name: GroupName::from_stored(record.name),
                description: Description::from_stored(record.description),
                rules: Rules::from_stored(record.rules),
                prompts: Prompts::from_stored(record.prompts),
                created_at: timestamp(record.created_at)?,
                expires_at: timestamp(record.expires_at)?,
            },
            owner: OwnerTokenHash(unhex(&record.owner)?.try_into().ok()?),
        })
    }

    /// The groups that `fingerprints` name, skipping (and unlisting) expired ones.
    async fn load(&self, fingerprints: Vec<String>) -> Result<Vec<StoredGroup>, StoreError> {
        if fingerprints.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.redis.clone();
        let keys: Vec<String> = fingerprints.iter().map(|f| self.key_for(f)).collect();
        let values: Vec<Option<String>> = conn.mget(&keys).await.map_err(unavailable)?;
        let gone: Vec<&String> = fingerprints
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_none())
            .map(|(fingerprint, _)| fingerprint)
            .collect();
        if !gone.is_empty() {
            let _: usize = conn
                .zrem(self.listing_key(), gone)
                .await
                .map_err(unavailable)?;
        }
        Ok(values
            .iter()
            .flatten()
            .filter_map(|json| self.decode(json))
            .collect())
    }
}

#[async_trait]
impl GroupStore for RedisStore {
    async fn insert(&self, group: &Group, owner: &OwnerTokenHash) -> Result<(), StoreError> {
        let fingerprint = self.keys.fingerprint(&group.access_code);
        let record = Record {
            sealed: hex(&self.keys.cipher().seal(&group.access_code)),
            name: group.name.as_ref().to_owned(),
            description: group.description.as_ref().to_owned(),
            rules: group.rules.as_ref().to_owned(),
            prompts: group.prompts.as_slice().to_vec(),
            owner: hex(&owner.0),
            created_at: group.created_at.unix_timestamp(),
            expires_at: group.expires_at.unix_timestamp(),
        };
        let json = serde_json::to_string(&record).expect("a record serialises");
        let expires_at = u64::try_from(record.expires_at).unwrap_or(0);
        let options = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::EXAT(expires_at));
        let mut conn = self.redis.clone();
        let stored: Option<String> = conn
            .set_options(self.key_for(&fingerprint), json, options)
            .await
            .map_err(unavailable)?;
        if stored.is_none() {
            return Err(StoreError::CodeTaken);
        }
        // Scored by creation time; groups created within one second keep the order in
        // which they were stored (the fraction is the microsecond of insertion).
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.subsec_micros());
        let score = record.created_at as f64 + f64::from(micros) / 1e6;
        let _: usize = conn
            .zadd(self.listing_key(), fingerprint, score)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn find(
        &self,
        code: &AccessCode,
        now: OffsetDateTime,
    ) -> Result<Option<StoredGroup>, StoreError> {
        let mut conn = self.redis.clone();
        let json: Option<String> = conn.get(self.group_key(code)).await.map_err(unavailable)?;
        Ok(json
            .and_then(|json| self.decode(&json))
            .filter(|stored| stored.group.is_live(now)))
    }

    async fn list(&self, now: OffsetDateTime) -> Result<Vec<Group>, StoreError> {
        let mut conn = self.redis.clone();
        let fingerprints: Vec<String> = conn
            .zrange(self.listing_key(), 0, -1)
            .await
            .map_err(unavailable)?;
        Ok(self
            .load(fingerprints)
            .await?
            .into_iter()
            .map(|stored| stored.group)
            .filter(|group| group.is_live(now))
            .collect())
    }

    async fn delete(&self, code: &AccessCode) -> Result<bool, StoreError> {
        let mut conn = self.redis.clone();
        let fingerprint = self.keys.fingerprint(code);
        let deleted: usize = conn.del(self.group_key(code)).await.map_err(unavailable)?;
        let _: usize = conn
            .del(self.keys.counts(&fingerprint))
            .await
            .map_err(unavailable)?;
        let _: usize = conn
            .zrem(self.listing_key(), fingerprint)
            .await
            .map_err(unavailable)?;
        Ok(deleted > 0)
    }

    /// Redis deletes expired groups by itself; this unlists them and counts how many.
    async fn delete_expired(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let mut conn = self.redis.clone();
        let fingerprints: Vec<String> = conn
            .zrange(self.listing_key(), 0, -1)
            .await
            .map_err(unavailable)?;
        let listed = fingerprints.len();
        let live = self.load(fingerprints).await?;
        let mut expired = listed - live.len();
        for stored in live.iter().filter(|s| !s.group.is_live(now)) {
            self.delete(&stored.group.access_code).await?;
            expired += 1;
        }
        Ok(expired as u64)
    }

    /// Through `tally.lua`, as the pairing scripts count pairings.
    async fn add_counts(&self, code: &AccessCode, counts: Counts) -> Result<(), StoreError> {
        let fingerprint = self.keys.fingerprint(code);
        ADD_COUNTS
            .key(self.keys.counts(&fingerprint))
            .key(self.key_for(&fingerprint))
            .arg(counts.pairs_formed)
            .arg(counts.reports)
            .arg(counts.removed)
            .invoke_async::<()>(&mut self.redis.clone())
            .await
            .map_err(unavailable)
    }

    async fn counts(&self, code: &AccessCode) -> Result<Counts, StoreError> {
        let key = self.keys.counts(&self.keys.fingerprint(code));
        let (pairs_formed, reports, removed): (Option<u64>, Option<u64>, Option<u64>) =
            redis::cmd("HMGET")
                .arg(key)
                .arg(&["pairs", "reports", "removed"][..])
                .query_async(&mut self.redis.clone())
                .await
                .map_err(unavailable)?;
        Ok(Counts {
            pairs_formed: pairs_formed.unwrap_or(0),
            reports: reports.unwrap_or(0),
            removed: removed.unwrap_or(0),
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.redis.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(drop)
            .map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::Record;

    #[test]
    fn a_record_written_before_prompts_existed_has_none() {
        let old = r#"{"sealed":"00","name":"n","description":"d","rules":"","owner":"00","created_at":0,"expires_at":1}"#;
        let record: Record = serde_json::from_str(old).unwrap();
        assert!(record.prompts.is_empty());
    }
}
