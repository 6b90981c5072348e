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
    for secret in secrets.into_iter().chain(["abuse"]) {
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
