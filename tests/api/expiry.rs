use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

/// Polls `check` every 50 ms until it holds, for at most five seconds.
async fn eventually(mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition never held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_expired_group_is_unknown_everywhere_and_its_row_is_swept() {
    let app = spawn_app_with(|c| {
        // Long enough for the join below to land before it, even on a busy machine
        // (1 s was not), short enough for `group_closed` within the event timeout.
        c.group_ttl = Duration::from_secs(3);
        c.sweep_interval = Duration::from_millis(100);
        c.public_group_list = true;
    })
    .await;
    let group = app.create_group().await;
    let mut waiting = app.joined(&group.code, "Ada").await;
    // The waiting member is told when the sweep closes the expired group's lobby.
    waiting.next_event("group_closed").await;
    assert_eq!(
        app.get(&format!("/groups/{}", group.code)).await.status(),
        404
    );
    let listed: serde_json::Value = app.get("/groups").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
    let late = app.member().await;
    let ack = late
        .request("join_group", json!({"access_code": group.code}))
        .await;
    assert_refused(&ack, "group_not_found");
    match &app.redis {
        // Redis deletes the group's key at its expiry by itself.
        Some(redis) => {
            let group_keys = format!("{}:group:", redis.prefix);
            eventually(async || !String::from_utf8_lossy(&redis.dump()).contains(&group_keys))
                .await;
        }
        None => {
            let database = app.data_dir.path().join("groups.sqlite");
            eventually(async || count_rows(&database).await == 0).await;
        }
    }
}

async fn count_rows(database: &std::path::Path) -> i64 {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=ro", database.display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM groups")
        .fetch_one(&mut connection)
        .await
        .unwrap()
}
