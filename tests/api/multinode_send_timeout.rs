//! docs/protocol.md section 6, "Nothing lost", on several nodes: a member who reads nothing
//! is given up on by her node after `--send-timeout` (a resumable one at once when more
//! than her backlog waits). Her partner on another node had his messages acked when Redis
//! took them; he hears of the give-up as a `request_error` (plain member), or nothing is
//! lost at all (resumable member). These run in the Redis pass of the suite and are
//! skipped, saying so, otherwise.

use crate::helpers::*;
use crate::polling_client::{Origin, PollingMember};
use crate::raw::RawMember;
use crate::resumable::chat;
use crate::send_timeout::{assert_resumes_with_nothing_lost, limits};
use serde_json::{Value, json};
use std::time::Duration;

/// Two nodes on one fresh key prefix, with a short send timeout and small queues.
async fn two_nodes() -> Option<(TestApp, TestApp, RedisPrefix)> {
    two_nodes_with(|_| {}).await
}

/// Two nodes as [`two_nodes`], with `also` applied to each one's configuration.
async fn two_nodes_with(
    also: impl Fn(&mut circle::config::Config),
) -> Option<(TestApp, TestApp, RedisPrefix)> {
    let Some(url) = redis_url() else {
        eprintln!("SKIPPED: multi-node tests need CIRCLE_TEST_BACKEND=redis");
        return None;
    };
    let shared = RedisPrefix::fresh(&url);
    let node = |c: &mut circle::config::Config| {
        limits(c);
        also(c);
        c.redis_prefix = shared.prefix.clone();
    };
    let (a, b) = (spawn_app_with(node).await, spawn_app_with(node).await);
    Some((a, b, shared))
}

/// Ada, a long-polling member on node `a` who joins with `join` and then polls no more,
/// paired with Bob, a websocket member on node `b`; returns both, Ada's join ack and the
/// room.
async fn pair_with_a_silent_member(
    a: &TestApp,
    b: &TestApp,
    join: Value,
) -> (PollingMember, RawMember, Value, String) {
    let mut ada = PollingMember::connect(a, 4, Origin::direct([127, 0, 0, 1])).await;
    let ack = ada.request(1, "join_group", join.clone()).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let code = join["access_code"].as_str().unwrap();
    let (mut bob, _) = RawMember::joined(b, 4, code, "Bob").await;
    let room = bob.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    (ada, bob, ack, room)
}

/// Bob sends `texts` into `room`; each is acked ok at once (Redis took it), `held` or not
/// as `held`.
async fn send_all(bob: &mut RawMember, room: &str, texts: &[String], held: bool) {
    for text in texts {
        let ack = bob.request("message", &chat(room, text)).await;
        let expected = match held {
            true => json!({"ok": true, "held": true}),
            false => json!({"ok": true}),
        };
        assert_eq!(ack, expected, "{text}");
    }
}

/// More than her queue holds (8 packets, two taken by `join_room` and "Bob connected."),
/// fewer than it holds with her backlog (8 more): some wait, none is refused as
/// `overloaded`.
fn a_queue_and_a_half() -> Vec<String> {
    (0..10).map(|n| format!("m{n}")).collect()
}

/// Waits until `app` has counted `n` stuck members.
async fn assert_stuck(app: &TestApp, n: u32) {
    let line = format!("circle_members_stuck_total {n}");
    eventually(&line, || async {
        app.metrics().await.contains(&line).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_plain_member_given_up_on_by_her_node_is_reported_to_her_partner_on_another_node() {
    let Some((a, b, _redis)) = two_nodes().await else {
        return;
    };
    let group = a.create_group().await;
    let join = json!({"access_code": group.code, "name": "Ada"});
    let (_ada, mut bob, _, room) = pair_with_a_silent_member(&a, &b, join).await;

    // Ada polls no more.
    send_all(&mut bob, &room, &a_queue_and_a_half(), false).await;

    let late = bob.next_event("request_error").await;
    assert_eq!(late["event"], "message", "{late}");
    assert_eq!(late["code"], "partner_unreachable", "{late}");
    assert_stuck(&a, 1).await;
    assert_stuck(&b, 0).await;
    let left = bob.next_event("partner_left").await;
    assert_eq!(left, json!({"room": room, "reason": "disconnected"}));
}

#[tokio::test]
async fn a_resumable_member_given_up_on_by_her_node_loses_nothing_her_partner_sent_from_another() {
    let Some((a, b, _redis)) = two_nodes().await else {
        return;
    };
    let group = a.create_group().await;
    let join = json!({"access_code": group.code, "name": "Ada", "resumable": true});
    let (_ada, mut bob, ack, room) = pair_with_a_silent_member(&a, &b, join).await;
    let token = ack["member"]["token"].as_str().unwrap().to_owned();

    // Ada polls no more: her node gives up on her, and she is away.
    let mut sent = a_queue_and_a_half();
    send_all(&mut bob, &room, &sent, false).await;
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    assert_stuck(&a, 1).await;
    let while_away: Vec<String> = (0..3).map(|n| format!("away {n}")).collect();
    send_all(&mut bob, &room, &while_away, true).await;
    sent.extend(while_away);

    // She resumes on Bob's node.
    assert_resumes_with_nothing_lost(&b, token, &sent).await;
    assert_eq!(bob.next_event("partner_back").await, json!({"room": room}));
}

#[tokio::test]
async fn a_resumable_member_past_her_backlog_is_given_up_on_at_once_and_misses_nothing() {
    // The send timeout and the heartbeat are far off: only her backlog limit can give up
    // on her here.
    let far_off = |c: &mut circle::config::Config| {
        c.limits.send_timeout = Duration::from_secs(60);
        c.limits.ping_timeout = Duration::from_secs(60);
    };
    let Some((a, b, _redis)) = two_nodes_with(far_off).await else {
        return;
    };
    let group = a.create_group().await;
    let join = json!({"access_code": group.code, "name": "Ada", "resumable": true});
    let (_ada, mut bob, ack, room) = pair_with_a_silent_member(&a, &b, join).await;
    let token = ack["member"]["token"].as_str().unwrap().to_owned();

    // Ada polls no more. Bob's messages are acked as Redis takes them (held once she
    // counts as away): more than her queue (8 packets, two taken by `join_room` and "Bob
    // connected.") and her backlog (8) hold. Her live stream must not skip any, so her
    // node gives up on her at once, and her resume gives her every one.
    let mut sent: Vec<String> = (0..20).map(|n| format!("m{n}")).collect();
    for text in &sent {
        let ack = bob.request("message", &chat(&room, text)).await;
        assert_eq!(ack["ok"], true, "{text}: {ack}");
    }
    assert_stuck(&a, 1).await;
    // From then on she counts as away: what Bob sends is held for her resume.
    let after = "after".to_owned();
    send_all(&mut bob, &room, std::slice::from_ref(&after), true).await;
    sent.push(after);
    assert_resumes_with_nothing_lost(&b, token, &sent).await;
}
