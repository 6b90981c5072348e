//! docs/protocol.md section 7, block and report: a chat ends as if she left, she waits
//! again, the two never meet again in the group, and enough reports remove a member.

use crate::helpers::*;
use crate::resume::pair as resumable_pair;
use serde_json::{Value, json};

fn partner_id(join_room: &Value) -> &str {
    join_room["match"]["id"].as_str().unwrap()
}

#[tokio::test]
async fn a_block_ends_the_chat_as_a_leave_and_the_two_never_meet_again_over_many_rounds() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, ada_id) = app.joined_with_id(&group.code, "Ada").await;
    let (mut bob, bob_id) = app.joined_with_id(&group.code, "Bob").await;
    let room = ada.next_event("join_room").await["room"].clone();
    bob.next_event("join_room").await;
    let (mut cy, cy_id) = app.joined_with_id(&group.code, "Cy").await;

    let ack = ada.request("block", json!({"room": room})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ack["group"]["access_code"], group.code.as_str());
    assert_eq!(
        bob.next_event("partner_left").await,
        json!({"room": room, "reason": "left"}),
        "a block is not revealed"
    );
    // Ada waits again, as after `next`: Cy was waiting, so they meet.
    assert_eq!(partner_id(&cy.next_event("join_room").await), ada_id);
    assert_eq!(partner_id(&ada.next_event("join_room").await), cy_id);

    // Ten rounds of `next` by all three. Without the block, Ada and Bob would meet in the
    // second round; with it they never do (and, each having met Cy last, all may wait).
    for round in 0..10 {
        for member in [&ada, &bob, &cy] {
            let ack = member.request("next", json!({})).await;
            assert_eq!(ack["ok"], true, "round {round}: {ack}");
        }
    }
    let (ada_met, bob_met) = (
        ada.all_events("join_room").await,
        bob.all_events("join_room").await,
    );
    assert!(
        !ada_met.is_empty() || !bob_met.is_empty(),
        "nobody met anyone"
    );
    for (met, other) in [(&ada_met, &bob_id), (&bob_met, &ada_id)] {
        assert!(met.iter().all(|m| partner_id(m) != other), "{met:?}");
    }
}

#[tokio::test]
async fn block_and_report_refuse_a_room_she_is_not_in_and_a_bad_reason() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let outsider = app.member().await;
    let ack = outsider.request("block", json!({"room": "nope"})).await;
    assert_refused(&ack, "not_in_room");
    let (ada, bob, room) = app.pair(&group.code).await;
    for bad in [
        json!({"room": room}),
        json!({"room": room, "reason": "rude"}),
        json!({"room": room, "reason": 3}),
    ] {
        let ack = ada.request("report", bad.clone()).await;
        assert_refused(&ack, "invalid_reason");
    }
    let ack = ada.request("report", json!("spam")).await;
    assert_refused(&ack, "invalid_payload");
    let ack = ada
        .request("report", json!({"room": "other", "reason": "spam"}))
        .await;
    assert_refused(&ack, "not_in_room");
    let ack = ada.request("block", json!({"room": 7})).await;
    assert_refused(&ack, "not_in_room");
    // None of these ended the chat.
    let ack = bob
        .request("message", json!({"room": room, "text": "still here"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
}

/// `bad` and a fresh reporter pair in `code`; the reporter reports her and leaves the
/// lobby again (so that the next reporter meets `bad`). Returns the report's ack and
/// the room.
async fn reported_once(
    app: &TestApp,
    code: &str,
    bad: &mut TestMember,
    name: &str,
) -> (Value, Value) {
    let ack = bad.request("next", json!({})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let reporter = app.joined(code, name).await;
    let room = bad.next_event("join_room").await["room"].clone();
    let ack = reporter
        .request("report", json!({"room": room, "reason": "abuse"}))
        .await;
    assert_eq!(
        bad.next_event("partner_left").await,
        json!({"room": room, "reason": "left"})
    );
    reporter.request("leave_room", json!({})).await;
    (ack, room)
}

#[tokio::test]
async fn three_reports_remove_a_member_and_her_rejoin_is_refused_while_two_do_not() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut bad = app.joined(&group.code, "Bad").await;
    for name in ["One", "Two"] {
        let (ack, _room) = reported_once(&app, &group.code, &mut bad, name).await;
        assert_eq!(ack["ok"], true, "{ack}");
    }
    // Two reports: she may still wait and meet someone.
    let (ack, room) = reported_once(&app, &group.code, &mut bad, "Three").await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(
        bad.next_event("removed").await,
        json!({"access_code": group.code})
    );
    for (event, payload) in [
        ("next", json!({})),
        (
            "join_group",
            json!({"access_code": group.code, "name": "Bad"}),
        ),
    ] {
        let ack = bad.request(event, payload).await;
        assert_refused(&ack, "removed");
    }
    // Nor may she post into a room from outside (the compat path of fresh connections).
    let (_one, _two, open_room) = app.pair(&group.code).await;
    for room in [room, json!(open_room)] {
        let ack = bad
            .request("message", json!({"room": room, "text": "let me in"}))
            .await;
        assert_refused(&ack, "not_in_room");
    }
    let stats = app.stats(&group).await;
    assert_eq!(
        (&stats["reports"], &stats["removed"]),
        (&json!(3), &json!(1)),
        "{stats}"
    );
    let metrics = app.metrics().await;
    assert!(metrics.contains("circle_reports_total 3"), "{metrics}");
    assert!(
        metrics.contains("circle_members_removed_total 1"),
        "{metrics}"
    );
    // Others still meet in the group, and she may join another group.
    let other = app.create_group().await;
    let ack = bad
        .request(
            "join_group",
            json!({"access_code": other.code, "name": "Bad"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
}

#[tokio::test]
async fn a_block_holds_across_a_resume() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = resumable_pair(&app).await;
    let ack = bob.request("block", &json!({"room": room})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ada.expect("partner_left").await["reason"], "left");
    // Ada's connection drops and she resumes: the same identity, still blocked.
    ada.raw.socket.close(None).await.unwrap();
    let (ack, _replayed) = ada.resume(&app).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let ack = ada.raw.request("next", &json!({})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    // Both wait, side by side, unpaired.
    let metrics = app.metrics().await;
    assert!(metrics.contains("circle_waiting 2"), "{metrics}");
    assert!(metrics.contains("circle_rooms 0"), "{metrics}");
}

/// Two nodes on one fresh prefix where one report removes a member.
async fn strict_nodes() -> Option<(Vec<TestApp>, RedisPrefix)> {
    let url = redis_url()?;
    let shared = RedisPrefix::fresh(&url);
    let mut apps = Vec::new();
    for _ in 0..2 {
        let prefix = shared.prefix.clone();
        apps.push(
            spawn_app_with(move |c| {
                c.redis_prefix = prefix;
                c.limits.report_threshold = 1;
            })
            .await,
        );
    }
    Some((apps, shared))
}

#[tokio::test]
async fn a_member_removed_on_another_node_leaves_her_new_room_there_and_is_told() {
    let Some((nodes, _redis)) = strict_nodes().await else {
        eprintln!("SKIPPED: multi-node tests need CIRCLE_TEST_BACKEND=redis");
        return;
    };
    let group = nodes[0].create_group().await;
    let mut bad = nodes[1].joined(&group.code, "Bad").await;
    let rae = nodes[0].joined(&group.code, "Rae").await;
    let first = bad.next_event("join_room").await["room"].clone();
    // Bad moves on and meets Cy on her own node (a pair that chats without Redis).
    let ack = bad.request("next", json!({})).await;
    assert_eq!(ack["ok"], true, "{ack}");
    let mut cy = nodes[1].joined(&group.code, "Cy").await;
    let second = cy.next_event("join_room").await["room"].clone();
    assert_eq!(bad.next_event("join_room").await["room"], second);
    // Rae, alone in the first room, reports her: one report is the threshold here.
    let ack = rae
        .request("report", json!({"room": first, "reason": "spam"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(
        bad.next_event("removed").await,
        json!({"access_code": group.code})
    );
    assert_eq!(
        cy.next_event("partner_left").await,
        json!({"room": second, "reason": "left"})
    );
    // Her socket left the room on her node: Cy's words no longer reach her, and hers
    // are refused.
    let ack = cy
        .request("message", json!({"room": second, "text": "anyone?"}))
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let ack = bad
        .request("message", json!({"room": second, "text": "still here"}))
        .await;
    assert_refused(&ack, "not_in_room");
    bad.assert_no("message").await;
    let ack = bad
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Bad"}),
        )
        .await;
    assert_refused(&ack, "removed");
}
