//! docs/protocol.md section 2: both members receive `join_room` before any message of their
//! room, also when the joiner writes in the same instant as the pairing.

use crate::helpers::*;
use crate::raw::{RawMember, next_text};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// Pairings raced per test.
const ROUNDS: usize = 1000;
/// Pairings raced at once.
const AT_ONCE: usize = 10;

/// One pairing: Ada waits on `ada_at`, Bob joins on `bob_at` and writes the instant his
/// `join_room` arrives; Ada's first event of the room must be her `join_room`.
async fn race_once(ada_at: &TestApp, bob_at: &TestApp) {
    let group = ada_at.create_group().await;
    let (mut ada, _) = RawMember::joined(ada_at, 4, &group.code, "Ada").await;
    let mut bob = RawMember::connect(bob_at, 4).await;
    let join = json!(["join_group", {"access_code": group.code, "name": "Bob"}]);
    bob.socket
        .send(Message::text(format!("42{join}")))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let room = loop {
        let Some(text) = next_text(&mut bob.socket).await else {
            let ada_got = next_text(&mut ada.socket).await;
            panic!("Bob's join_room; he got {seen:?}; Ada got {ada_got:?}");
        };
        seen.push(text.clone());
        if text.starts_with("42[\"join_room\"") {
            let arguments: Value = serde_json::from_str(&text[2..]).unwrap();
            break arguments[1]["room"].as_str().unwrap().to_owned();
        }
    };
    let hello = json!(["message", {"room": room, "text": "at once"}]);
    bob.socket
        .send(Message::text(format!("42{hello}")))
        .await
        .unwrap();
    let first = loop {
        let text = next_text(&mut ada.socket).await.expect("Ada's events");
        if text.starts_with("42") {
            break text;
        }
    };
    assert!(
        first.starts_with("42[\"join_room\""),
        "Ada's first event is not join_room: {first}"
    );
}

/// Races [`ROUNDS`] pairings, [`AT_ONCE`] at a time.
async fn race(ada_at: &TestApp, bob_at: &TestApp) {
    for _ in 0..ROUNDS / AT_ONCE {
        let batch = (0..AT_ONCE).map(|_| race_once(ada_at, bob_at));
        futures_util::future::join_all(batch).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_room_comes_before_a_message_written_in_the_instant_of_the_pairing() {
    let app = spawn_app().await;
    race(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_room_comes_first_also_when_the_two_are_on_different_nodes() {
    let Some(url) = redis_url() else {
        eprintln!("SKIPPED: multi-node tests need CIRCLE_TEST_BACKEND=redis");
        return;
    };
    let shared = RedisPrefix::fresh(&url);
    let (a, b) = (shared.prefix.clone(), shared.prefix.clone());
    let node_a = spawn_app_with(move |c| c.redis_prefix = a).await;
    let node_b = spawn_app_with(move |c| c.redis_prefix = b).await;
    race(&node_a, &node_b).await;
}
