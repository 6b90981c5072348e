//! docs/protocol.md section 4: no message text, display name or access code in clear, neither
//! in the logs nor in storage. The real binary runs at its most verbose log level.

use crate::helpers::*;
use serde_json::json;
use std::io::Read;

/// Every byte under `dir`, file by file.
fn read_tree(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(read_tree(&path));
        } else {
            std::fs::File::open(&path)
                .unwrap()
                .read_to_end(&mut all)
                .unwrap();
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The real binary at its most verbose log level, on a fresh Redis prefix when the suite
/// runs against Redis.
fn verbose_server() -> (Process, Option<RedisPrefix>) {
    let redis = redis_url().map(|url| RedisPrefix::fresh(&url));
    let args: Vec<&str> = match &redis {
        Some(r) => vec!["--redis-url", &r.url, "--redis-prefix", &r.prefix],
        None => vec![],
    };
    (spawn_process(&args, &[("RUST_LOG", "trace")]), redis)
}

#[tokio::test]
async fn a_full_chat_leaves_no_message_name_code_prompt_or_report_reason_in_logs_or_storage() {
    // Against Redis, the node keeps everything there: look at every key and value too.
    let (mut server, redis) = verbose_server();
    let app = &server.app;
    let group = app
        .create_group_with(
            &json!({"name": "g", "description": "d", "prompts": ["prompt-secret-zeta"]}),
        )
        .await;
    let mut ada = app.member().await;
    ada.request(
        "join_group",
        json!({"access_code": group.code, "name": "Adalind Quux"}),
    )
    .await;
    let mut bob = app.member().await;
    bob.request(
        "join_group",
        json!({"access_code": group.code.to_uppercase(), "name": "Bobrick Zed"}),
    )
    .await;
    let room = ada.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    bob.next_event("join_room").await;
    ada.request(
        "message",
        json!({"room": room, "text": "secret-plan-alpha"}),
    )
    .await;
    bob.request(
        "message",
        json!({"room": room, "text": "secret-reply-omega"}),
    )
    .await;
    assert_eq!(bob.next_chat().await["text"], "secret-plan-alpha");
    assert_eq!(ada.next_chat().await["text"], "secret-plan-alpha");
    // A filtered word: Bob reads it masked; neither form is logged or stored.
    let ack = bob.request("set_filter", json!({"profanity": true})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    ada.request(
        "message",
        json!({"room": room, "text": "secret fuck omega"}),
    )
    .await;
    let mut seen = bob.next_chat().await;
    if seen["text"] == "secret-reply-omega" {
        seen = bob.next_chat().await; // his own echo came first
    }
    assert_eq!(seen["text"], "secret **** omega");
    let ack = bob
        .request("report", json!({"room": room, "reason": "abuse"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    ada.request(
        "join_group",
        json!({"access_code": "wrongcode1", "name": "Adalind Quux"}),
    )
    .await;
    app.get(&format!("/groups/{}", group.code)).await;
    app.close_group(&group).await;
    ada.disconnect().await;
    bob.disconnect().await;

    let mut stored = read_tree(app.data_dir.path());
    if let Some(redis) = &redis {
        // Names may live in Redis as long as their connection (docs/protocol.md section 4):
        // once both have closed, they must be gone.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while contains(&redis.dump(), "Adalind") || contains(&redis.dump(), "Bobrick") {
            assert!(
                std::time::Instant::now() < deadline,
                "names outlive their connections: {}",
                String::from_utf8_lossy(&redis.dump())
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        stored.extend(redis.dump());
    }
    let logs = server.stop();

    assert!(contains(&logs, "listening"), "logs were captured");
    assert!(contains(&logs, "DEBUG"), "logs were verbose");
    let secrets = [
        "secret-plan-alpha",
        "secret-reply-omega",
        "Adalind",
        "Bobrick",
        group.code.as_str(),
        &group.code.to_uppercase(),
        "wrongcode1",
        group.owner_token.as_str(),
    ];
    for secret in secrets
        .into_iter()
        .chain(["abuse", "fuck", "secret **** omega"])
    {
        assert!(!contains(&logs, secret), "{secret} appears in the logs");
        assert!(!contains(&stored, secret), "{secret} appears in storage");
    }
    // The prompts are part of the group record (stored with it until it goes), never logged.
    assert!(
        !contains(&logs, "prompt-secret-zeta"),
        "a prompt appears in the logs"
    );
}

#[tokio::test]
async fn resume_tokens_reach_neither_the_logs_nor_storage() {
    let (mut server, redis) = verbose_server();
    let app = &server.app;
    let group = app.create_group().await;
    let mut ada = crate::resumable::Resumable::join(app, &group.code, "Ada").await;
    let (_bob, _) = crate::raw::RawMember::joined(app, 4, &group.code, "Bob").await;
    ada.expect("join_room").await;
    let mut tokens = vec![ada.token.clone()];
    for _ in 0..2 {
        ada.resume(app).await;
        tokens.push(ada.token.clone());
    }
    let mut stored = read_tree(app.data_dir.path());
    if let Some(redis) = &redis {
        stored.extend(redis.dump());
    }
    let logs = server.stop();
    assert!(contains(&logs, "DEBUG"), "logs were verbose");
    for token in &tokens {
        assert!(!contains(&logs, token), "a token appears in the logs");
        assert!(!contains(&stored, token), "a token appears in storage");
    }
}

#[tokio::test]
async fn the_data_directory_holds_only_group_records_and_their_counts() {
    if redis_url().is_some() {
        eprintln!("SKIPPED: one node's data directory (several nodes keep nothing on disk)");
        return;
    }
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, bob, room) = app.pair(&group.code).await;
    ada.request(
        "message",
        json!({"room": room, "text": "filtered shit here"}),
    )
    .await;
    let ack = bob
        .request("report", json!({"room": room, "reason": "spam"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    app.stats(&group).await; // the counts are saved before they are read
    let mut files: Vec<String> = std::fs::read_dir(app.data_dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for file in &files {
        assert!(
            [
                "groups.sqlite",
                "groups.sqlite-shm",
                "groups.sqlite-wal",
                "secret.key"
            ]
            .contains(&file.as_str()),
            "unexpected file {file} in {files:?}"
        );
    }
    let url = format!(
        "sqlite://{}?mode=ro",
        app.data_dir.path().join("groups.sqlite").display()
    );
    let db = sqlx::SqlitePool::connect(&url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(tables, ["_sqlx_migrations", "groups"]);
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('groups')")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(
        columns,
        [
            "code_hash",
            "code_sealed",
            "name",
            "description",
            "rules",
            "owner_token_hash",
            "created_at",
            "expires_at",
            "prompts",
            "pairs_formed",
            "reports",
            "removed",
        ],
        "the group record and its counts, nothing about members, messages or reports"
    );
    let stored = read_tree(app.data_dir.path());
    for secret in ["filtered", "shit", "spam", "Ada", "Bob"] {
        assert!(!contains(&stored, secret), "{secret} appears in storage");
    }
}
