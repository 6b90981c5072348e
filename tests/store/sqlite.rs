use circle::store::{GroupStore, SqliteStore};
use std::sync::Arc;

/// A store in a fresh temporary directory, kept alive by the returned guard.
async fn fresh() -> Option<(Arc<dyn GroupStore>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).await.unwrap();
    Some((Arc::new(store), dir))
}

crate::contract_tests!(fresh());

#[tokio::test]
async fn groups_survive_a_restart() {
    use circle::domain::{AccessCode, Description, Group, GroupName, OwnerToken, Prompts, Rules};
    let dir = tempfile::tempdir().unwrap();
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    let group = Group {
        access_code: AccessCode::parse("ab12cd34ef").unwrap(),
        name: GroupName::parse("n").unwrap(),
        description: Description::parse("d").unwrap(),
        rules: Rules::default(),
        prompts: Prompts::parse(["Tea or coffee?"].into_iter()).unwrap(),
        created_at: now,
        expires_at: now + time::Duration::hours(1),
    };
    let owner = OwnerToken::generate(&mut rand::rng()).hash();
    SqliteStore::open(dir.path())
        .await
        .unwrap()
        .insert(&group, &owner)
        .await
        .unwrap();
    let reopened = SqliteStore::open(dir.path()).await.unwrap();
    let found = reopened.find(&group.access_code, now).await.unwrap();
    assert_eq!(found.map(|f| f.group), Some(group));
}

/// A data directory from before prompts (migration 0001 only) keeps its groups, which
/// come back with no prompts.
#[tokio::test]
async fn groups_stored_before_prompts_existed_have_none() {
    use circle::domain::AccessCode;
    use circle::store::CodeCipher;
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    let dir = tempfile::tempdir().unwrap();
    let first_only = dir.path().join("migrations");
    std::fs::create_dir(&first_only).unwrap();
    let first = "0001_groups.sql";
    std::fs::copy(format!("migrations/{first}"), first_only.join(first)).unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("groups.sqlite"))
        .create_if_missing(true);
    let pool = SqlitePool::connect_with(options).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(first_only.as_path())
        .await
        .unwrap();
    migrator.run(&pool).await.unwrap();
    let cipher = CodeCipher::load_or_create(&dir.path().join("secret.key")).unwrap();
    let code = AccessCode::parse("ab12cd34ef").unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sqlx::query("INSERT INTO groups VALUES (?, ?, 'n', 'd', '', ?, ?, ?)")
        .bind(cipher.fingerprint(&code))
        .bind(cipher.seal(&code))
        .bind([0u8; 32].as_slice())
        .bind(now)
        .bind(now + 3600)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = SqliteStore::open(dir.path()).await.unwrap();
    let found = store
        .find(&code, time::OffsetDateTime::now_utc())
        .await
        .unwrap()
        .expect("the old group is still there");
    assert!(found.group.prompts.as_slice().is_empty());
}
