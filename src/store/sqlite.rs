use super::{CodeCipher, Counts, GroupStore, StoreError, StoredGroup};
use crate::domain::{AccessCode, Description, Group, GroupName, OwnerTokenHash, Prompts, Rules};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{FromRow, Row};
use std::path::Path;
use time::OffsetDateTime;

/// Groups in an embedded SQLite file: the single-node default.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    cipher: CodeCipher,
}

#[derive(FromRow)]
struct GroupRow {
    code_sealed: Vec<u8>,
    name: String,
    description: String,
    rules: String,
    /// A JSON array of strings.
    prompts: String,
    owner_token_hash: Vec<u8>,
    created_at: i64,
    expires_at: i64,
}

impl SqliteStore {
    /// Opens (or creates) `groups.sqlite` and the key file `secret.key` in `data_dir`,
    /// and applies the schema.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let cipher = CodeCipher::load_or_create(&data_dir.join("secret.key"))
            .context("reading the key file secret.key")?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join("groups.sqlite"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .context("opening groups.sqlite")?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("applying the schema")?;
        Ok(Self { pool, cipher })
    }

    fn to_group(&self, row: GroupRow) -> Option<StoredGroup> {
        let timestamp = |secs| OffsetDateTime::from_unix_timestamp(secs).ok();
        Some(StoredGroup {
            group: Group {
                access_code: self.cipher.open(&row.code_sealed)?,
                name: GroupName::from_stored(row.name),
                description: Description::from_stored(row.description),
                rules: Rules::from_stored(row.rules),
                prompts: Prompts::from_stored(serde_json::from_str(&row.prompts).ok()?),
                created_at: timestamp(row.created_at)?,
                expires_at: timestamp(row.expires_at)?,
            },
            owner: OwnerTokenHash(row.owner_token_hash.try_into().ok()?),
        })
    }
}

fn unavailable(e: sqlx::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// A count as SQLite's INTEGER holds it (no group counts past `i64::MAX`).
fn stored_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

const COLUMNS: &str =
    "code_sealed, name, description, rules, prompts, owner_token_hash, created_at, expires_at";

#[async_trait]
impl GroupStore for SqliteStore {
    async fn insert(&self, group: &Group, owner: &OwnerTokenHash) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO groups (code_hash, code_sealed, name, description, rules, prompts, \
             owner_token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(self.cipher.fingerprint(&group.access_code))
        .bind(self.cipher.seal(&group.access_code))
        .bind(group.name.as_ref())
        .bind(group.description.as_ref())
        .bind(group.rules.as_ref())
        .bind(serde_json::to_string(group.prompts.as_slice()).expect("strings serialise"))
        .bind(owner.0.as_slice())
        .bind(group.created_at.unix_timestamp())
        .bind(group.expires_at.unix_timestamp())
        .execute(&self.pool)
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::CodeTaken),
            other => other.map(drop).map_err(unavailable),
        }
    }

    async fn find(
        &self,
        code: &AccessCode,
        now: OffsetDateTime,
    ) -> Result<Option<StoredGroup>, StoreError> {
        let row: Option<GroupRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM groups WHERE code_hash = ? AND expires_at > ?"
        ))
        .bind(self.cipher.fingerprint(code))
        .bind(now.unix_timestamp())
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(row.and_then(|row| self.to_group(row)))
    }

    async fn list(&self, now: OffsetDateTime) -> Result<Vec<Group>, StoreError> {
        let rows: Vec<GroupRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM groups WHERE expires_at > ? ORDER BY created_at"
        ))
        .bind(now.unix_timestamp())
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| self.to_group(row))
            .map(|stored| stored.group)
            .collect())
    }

    async fn delete(&self, code: &AccessCode) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM groups WHERE code_hash = ?")
            .bind(self.cipher.fingerprint(code))
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_expired(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM groups WHERE expires_at <= ?")
            .bind(now.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(unavailable)?;
        Ok(done.rows_affected())
    }

    async fn add_counts(&self, code: &AccessCode, counts: Counts) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE groups SET pairs_formed = pairs_formed + ?, reports = reports + ?, \
             removed = removed + ? WHERE code_hash = ?",
        )
        .bind(stored_count(counts.pairs_formed))
        .bind(stored_count(counts.reports))
        .bind(stored_count(counts.removed))
        .bind(self.cipher.fingerprint(code))
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(unavailable)
    }

    async fn counts(&self, code: &AccessCode) -> Result<Counts, StoreError> {
        let row: Option<(i64, i64, i64)> =
            sqlx::query_as("SELECT pairs_formed, reports, removed FROM groups WHERE code_hash = ?")
                .bind(self.cipher.fingerprint(code))
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
        let (pairs_formed, reports, removed) = row.unwrap_or_default();
        let read = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(Counts {
            pairs_formed: read(pairs_formed),
            reports: read(reports),
            removed: read(removed),
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map_err(unavailable)?;
        row.try_get::<i64, _>(0).map(drop).map_err(unavailable)
    }
}
