//! docs/protocol.md section 6 on several nodes: a resumable member resumes on any node,
//! a draining node's members resume elsewhere with nothing lost, and events from other
//! nodes carry her `seq`. These run in the Redis pass of the suite and are skipped, saying
//! so, otherwise.

use crate::drain::send_sigterm;
use crate::helpers::*;
use crate::multinode::{nodes, within_ten_seconds};
use crate::raw::{RawMember, next_text};
use crate::resumable::{Resumable, chat, resume_during_a_stream, texts};
use serde_json::json;
use std::time::Duration;

/// A resumable Ada on `ada_node` paired with a plain Bob (a raw client) on `bob_node`;
/// returns both and the room.
async fn pair_across(
    ada_node: &TestApp,
    bob_node: &TestApp,
    code: &str,
) -> (Resumable, RawMember, String) {
    let mut ada = Resumable::join(ada_node, code, "Ada").await;
    let (mut bob, _) = RawMember::joined(bob_node, 4, code, "Bob").await;
    let paired = ada.expect("join_room").await;
    assert_eq!(paired["match"]["name"], "Bob");
    let room = paired["room"].as_str().unwrap().to_owned();
    assert_eq!(ada.expect("message").await, "Bob connected.");
    assert_eq!(bob.next_event("join_room").await["room"], room.as_str());
    (ada, bob, room)
}

/// Reads `connection` until the server closes it.
async fn until_closed(member: &mut Resumable) {
    let closed = async { while next_text(&mut member.raw.socket).await.is_some() {} };
    tokio::time::timeout(EVENT_TIMEOUT, closed)
        .await
        .expect("the connection is closed");
}

#[tokio::test]
async fn a_member_resumes_on_another_node_and_gets_every_held_message_in_order() {
    let Some((nodes, _redis)) = nodes(3).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let (mut ada, mut bob, room) = pair_across(&nodes[0], &nodes[1], &group.code).await;
    ada.raw.socket.close(None).await.unwrap();
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let sent: Vec<String> = (1..=5).map(|i| format!("held {i}")).collect();
    for text in &sent {
        let ack = bob.request("message", &chat(&room, text)).await;
        assert_eq!(
            ack,
            json!({"ok": true, "held": true}),
            "held for her: {ack}"
        );
    }

    let (ack, replayed) = ada.resume(&nodes[2]).await;
    assert_eq!(texts(&replayed), sent, "every held message, in order");
    assert_eq!(ack["gap"], false);
    assert_eq!(ack["room"], room.as_str());
    assert_eq!(ack["match"]["name"], "Bob");
    assert_eq!(ack["group"]["access_code"], group.code.as_str());
    assert_eq!(bob.next_event("partner_back").await, json!({"room": room}));

    let ack = bob.request("message", &chat(&room, "welcome back")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(ada.expect("message").await["text"], "welcome back");
    let ack = ada.raw.request("message", &chat(&room, "from C")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert!(bob.next_chat().await.contains("from C"));
}

#[tokio::test]
async fn a_draining_node_s_resumable_member_resumes_elsewhere_with_nothing_lost() {
    let Some((others, redis)) = nodes(2).await else {
        return;
    };
    let mut draining = node_process(&redis, &[]);
    let group = others[0].create_group().await;
    let (mut ada, mut bob, room) = pair_across(&draining.app, &others[0], &group.code).await;
    bob.request("message", &chat(&room, "before")).await;
    assert_eq!(ada.expect("message").await["text"], "before");

    send_sigterm(&draining);
    until_closed(&mut ada).await;
    // The node made her away before it exited: her partner is told, and what he sends
    // is held for her.
    assert!(draining.child.wait().unwrap().success());
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let mut sent = Vec::new();
    for i in 1..=3 {
        let text = format!("after the drain {i}");
        let ack = bob.request("message", &chat(&room, &text)).await;
        assert_eq!(ack, json!({"ok": true, "held": true}), "{ack}");
        sent.push(text);
    }

    let (ack, replayed) = ada.resume(&others[1]).await;
    assert_eq!(texts(&replayed), sent, "nothing lost");
    assert_eq!(ack["gap"], false);
    assert_eq!(ack["room"], room.as_str());
    let ack = ada.raw.request("message", &chat(&room, "still here")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert!(bob.next_chat().await.contains("still here"));
}

#[tokio::test]
async fn a_killed_node_s_resumable_member_resumes_elsewhere_with_what_redis_kept() {
    let Some((others, redis)) = nodes(2).await else {
        return;
    };
    let mut doomed = node_process(&redis, &[]);
    let group = others[0].create_group().await;
    let (mut ada, mut bob, room) = pair_across(&doomed.app, &others[0], &group.code).await;
    doomed.child.kill().unwrap(); // SIGKILL: nobody marks her away
    doomed.child.wait().unwrap();
    let mut sent = Vec::new();
    for i in 1..=3 {
        let text = format!("after the kill {i}");
        let ack = bob.request("message", &chat(&room, &text)).await;
        assert_eq!(ack, json!({"ok": true}), "{ack}");
        sent.push(text);
    }
    // Within the member TTL her record is still there, and her events are in Redis.
    let (ack, replayed) = ada.resume(&others[1]).await;
    assert_eq!(texts(&replayed), sent);
    assert_eq!(ack["gap"], false);
    let ack = ada.raw.request("message", &chat(&room, "back")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert!(bob.next_chat().await.contains("back"));
}

#[tokio::test]
async fn events_from_another_node_carry_her_seq_in_order() {
    let Some((nodes, _redis)) = nodes(2).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let (mut ada, mut bob, room) = pair_across(&nodes[0], &nodes[1], &group.code).await;
    let first = ada.last_seq;
    let sent: Vec<String> = (1..=20).map(|i| format!("m{i}")).collect();
    for text in &sent {
        // Not waiting for the acks: they come in order, after the messages are sent.
        bob.send_raw(&json!(["message", chat(&room, text)]).to_string())
            .await;
    }
    let mut received = Vec::new();
    for _ in &sent {
        received.push(ada.next().await); // asserts each seq follows the one before
    }
    assert_eq!(texts(&received), sent);
    assert_eq!(received.last().unwrap().seq, first + 20);

    bob.request("leave", &json!({"room": room})).await;
    let left = ada.next().await;
    assert_eq!(left.name, "partner_left");
    assert_eq!(
        left.seq,
        first + 21,
        "a notice from another node is numbered too"
    );
}

#[tokio::test]
async fn resuming_on_another_node_closes_the_connection_still_open_on_the_first() {
    let Some((nodes, _redis)) = nodes(2).await else {
        return;
    };
    let group = nodes[0].create_group().await;
    let (mut ada, mut bob, room) = pair_across(&nodes[0], &nodes[1], &group.code).await;
    let mut old = RawMember::connect(&nodes[1], 4).await;
    std::mem::swap(&mut old, &mut ada.raw);
    // `old` is her first connection, on node A, still open; she resumes on node B.
    let (ack, replayed) = ada.resume_here().await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert!(replayed.is_empty());
    let closed = tokio::time::timeout(EVENT_TIMEOUT, async {
        while let Some(text) = next_text(&mut old.socket).await {
            if text == "41" {
                return;
            }
        }
    });
    assert!(closed.await.is_ok(), "the old connection is disconnected");
    let ack = bob.request("message", &chat(&room, "to the new one")).await;
    assert_eq!(ack, json!({"ok": true}), "she is not away: {ack}");
    assert_eq!(ada.expect("message").await["text"], "to the new one");
    let ack = ada.raw.request("message", &chat(&room, "from B")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert!(bob.next_chat().await.contains("from B"));
}

#[tokio::test]
async fn her_token_lives_as_long_as_her_connection() {
    let Some((_, redis)) = nodes(0).await else {
        return;
    };
    let ttl = Duration::from_millis(600);
    let node = |c: &mut circle::config::Config| {
        c.redis_url = Some(redis.url.clone());
        c.redis_prefix = redis.prefix.clone();
        c.member_ttl = ttl;
    };
    let (a, b) = (spawn_app_with(node).await, spawn_app_with(node).await);
    let group = a.create_group().await;
    let (mut ada, mut bob, room) = pair_across(&a, &b, &group.code).await;
    tokio::time::sleep(ttl * 3).await; // only time passing could expire the token
    let ack = bob.request("message", &chat(&room, "still yours")).await;
    assert_eq!(ack, json!({"ok": true}));
    let (ack, replayed) = ada.resume(&b).await;
    assert_eq!(texts(&replayed), ["still yours"]);
    assert_eq!(ack["room"], room.as_str());
}

#[tokio::test]
async fn a_resume_during_a_stream_of_messages_loses_and_repeats_none() {
    let Some((_, redis)) = nodes(0).await else {
        return;
    };
    let node = |c: &mut circle::config::Config| {
        c.redis_url = Some(redis.url.clone());
        c.redis_prefix = redis.prefix.clone();
        c.limits.message_burst = 1000;
    };
    let mut nodes = Vec::new();
    for _ in 0..3 {
        nodes.push(spawn_app_with(node).await);
    }
    let group = nodes[0].create_group().await;
    let (ada, bob, room) = pair_across(&nodes[0], &nodes[1], &group.code).await;
    // She resumes on node C while Bob's messages keep coming from node B.
    resume_during_a_stream(ada, bob, &room, &nodes[2]).await;
}

#[tokio::test]
async fn during_a_redis_outage_messages_to_a_resumable_member_are_refused_not_lost() {
    if redis_url().is_none() {
        eprintln!("SKIPPED: the Redis outage test needs CIRCLE_TEST_BACKEND=redis");
        return;
    }
    let mut redis = crate::private_redis::PrivateRedis::start();
    let url = redis.url();
    let app = spawn_app_with(|c| {
        c.redis_url = Some(url.clone());
        c.redis_prefix = "resume-outage".into();
    })
    .await;
    let (mut ada, mut bob, room) = crate::resume::pair(&app).await;

    redis.stop();
    within_ten_seconds(
        async || app.get("/readyz").await.status() == 503,
        "not ready",
    )
    .await;
    // Her events are numbered and kept in Redis: without it, the sender is told.
    let ack = bob.request("message", &chat(&room, "during")).await;
    assert_refused(&ack, "unavailable");

    redis.restart();
    within_ten_seconds(async || app.get("/readyz").await.status() == 200, "ready").await;
    let ack = bob.request("message", &chat(&room, "after")).await;
    assert_eq!(ack, json!({"ok": true}), "{ack}");
    assert_eq!(ada.expect("message").await["text"], "after");
}
