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
