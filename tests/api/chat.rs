use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_message_reaches_both_members_unchanged_and_nobody_else() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    let mut cy = app.joined(&group.code, "Cy").await;
    let mut stranger = app.member().await;
    let message = json!({"room": room, "text": "hello", "extra": {"nested": [1, 2.5, null]}, "emoji": "🙂\u{7}"});
    let ack = ada.request("message", message.clone()).await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(bob.next_chat().await, message);
    assert_eq!(
        ada.next_chat().await,
        message,
        "the sender hears her own message"
    );
    let reply = json!({"room": room, "text": "hi Ada"});
    bob.emit("message", reply.clone()).await;
    assert_eq!(ada.next_chat().await, reply);
    cy.assert_no("message").await;
    stranger.assert_no("message").await;
}

#[tokio::test]
async fn messages_keep_their_order() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    for i in 0..25 {
        ada.emit("message", json!({"room": room, "n": i})).await;
    }
    for i in 0..25 {
        assert_eq!(bob.next_chat().await["n"], i);
    }
}

#[tokio::test]
async fn a_fresh_connection_may_send_into_a_live_room_by_its_id_only() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    let rerender = app.member().await;
    let ack = rerender
        .request(
            "message",
            json!({"room": room, "text": "from a fresh socket"}),
        )
        .await;
    assert_eq!(ack["ok"], true);
    assert_eq!(ada.next_chat().await["text"], "from a fresh socket");
    assert_eq!(bob.next_chat().await["text"], "from a fresh socket");
    ada.request("leave_room", json!(null)).await;
    bob.request("leave_room", json!(null)).await;
    let closed = rerender
        .request("message", json!({"room": room, "text": "too late"}))
        .await;
    assert_refused(&closed, "not_in_room");
}

#[tokio::test]
async fn a_waiting_member_or_one_in_another_room_may_not_send_into_a_room() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (_ada, mut bob, room) = app.pair(&group.code).await;
    let (cy, _dan, _other_room) = app.pair(&group.code).await;
    let waiting = app.joined(&group.code, "Eve").await;
    for sender in [&cy, &waiting] {
        let ack = sender
            .request("message", json!({"room": room, "text": "x"}))
            .await;
        assert_refused(&ack, "not_in_room");
    }
    let unknown = cy
        .request("message", json!({"room": "0".repeat(32), "text": "x"}))
        .await;
    assert_refused(&unknown, "not_in_room");
    bob.assert_no("message").await;
}

#[tokio::test]
async fn a_message_without_a_string_room_is_refused() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, _bob, _room) = app.pair(&group.code).await;
    for payload in [
        json!({"text": "x"}),
        json!({"room": 5}),
        json!({"room": null}),
        json!("text"),
    ] {
        assert_refused(&ada.request("message", payload).await, "invalid_room");
    }
}

#[tokio::test]
async fn a_refused_event_without_an_ack_gets_a_request_error() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, _bob, _room) = app.pair(&group.code).await;
    ada.emit("message", json!({"room": "nope"})).await;
    let error = ada.next_event("request_error").await;
    assert_eq!(error["event"], "message");
    assert_eq!(error["code"], "not_in_room");
    assert!(error["message"].is_string());
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_refused() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    let big = json!({"room": room, "text": "x".repeat(16 * 1024)});
    assert_refused(&ada.request("message", big).await, "message_too_large");
    let fits = json!({"room": room, "text": "x".repeat(16 * 1024 - 100)});
    assert_eq!(ada.request("message", fits).await["ok"], true);
    assert_eq!(
        bob.next_chat().await["text"].as_str().unwrap().len(),
        16 * 1024 - 100
    );
}

#[tokio::test]
async fn messages_over_the_rate_are_dropped() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    // Forty back to back, without waiting for acks, so the allowance cannot refill much.
    for i in 0..40 {
        ada.emit("message", json!({"room": room, "n": i})).await;
    }
    let mut delivered = 0;
    let mut refused = 0;
    while delivered + refused < 40 {
        tokio::select! {
            _ = bob.next_chat() => delivered += 1,
            error = ada.next_event("request_error") => {
                assert_eq!(error["code"], "rate_limited");
                refused += 1;
            }
        }
    }
    // A burst of 30 passes; the rest, bar what refilled meanwhile at 10/s, is refused.
    assert!(refused >= 5, "only {refused} of 40 refused");
    bob.assert_no("message").await;
}

#[tokio::test]
async fn leave_and_next_out_of_a_room_only_report_an_error() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    let lone = app.member().await;
    assert_refused(
        &lone.request("leave", json!({"room": room})).await,
        "not_in_room",
    );
    assert_refused(&lone.request("leave", json!({})).await, "not_in_room");
    assert_refused(&lone.request("next", json!({})).await, "not_in_group");
    assert_eq!(ada.request("leave_room", json!(null)).await["ok"], true);
    assert_eq!(ada.request("leave_room", json!(null)).await["ok"], true);
    bob.next_event("partner_left").await;
    assert_refused(
        &ada.request("leave", json!({"room": room})).await,
        "not_in_room",
    );
    bob.assert_no("partner_left").await;
}

#[tokio::test]
async fn received_and_unknown_events_are_ignored() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    ada.emit("received", json!({"room": room})).await;
    ada.emit("no_such_event", json!({"x": 1})).await;
    ada.assert_no("request_error").await;
    let ack = ada
        .request("message", json!({"room": room, "text": "still fine"}))
        .await;
    assert_eq!(ack["ok"], true);
    assert_eq!(bob.next_chat().await["text"], "still fine");
}

#[tokio::test]
async fn join_room_and_gmessage_are_forbidden() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, room) = app.pair(&group.code).await;
    let mut intruder = app.member().await;
    assert_refused(
        &intruder.request("join_room", json!({"room": room})).await,
        "forbidden",
    );
    assert_refused(
        &intruder.request("gmessage", json!({"text": "all"})).await,
        "forbidden",
    );
    intruder.emit("gmessage", json!({"text": "all"})).await;
    let error = intruder.next_event("request_error").await;
    assert_eq!(
        (error["event"].as_str(), error["code"].as_str()),
        (Some("gmessage"), Some("forbidden"))
    );
    ada.assert_no("message").await;
    bob.assert_no("message").await;
}
