use crate::helpers::*;
use crate::polling_client::{Origin, PollingMember};
use rust_socketio::Payload;
use serde_json::json;

#[tokio::test]
async fn bad_join_group_payloads_get_a_code_and_leave_the_socket_connected_and_nowhere() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let member = app.member().await;
    let cases = [
        (json!(42), "invalid_payload"),
        (json!(["list"]), "invalid_payload"),
        (json!(null), "invalid_payload"),
        (json!({}), "group_not_found"),
        (json!({"access_code": 7}), "group_not_found"),
        (json!({"access_code": "zzzzzzzzzz"}), "group_not_found"),
        (
            json!({"access_code": group.code, "name": "x".repeat(41)}),
            "invalid_name",
        ),
        (
            json!({"access_code": group.code, "name": "x".repeat(20_000)}),
            "invalid_name",
        ),
        (
            json!({"access_code": group.code, "name": "\u{1}\u{2}\u{3}"}),
            "invalid_name",
        ),
        (
            json!({"access_code": group.code, "name": ""}),
            "invalid_name",
        ),
        (
            json!({"access_code": group.code, "name": 5}),
            "invalid_name",
        ),
    ];
    for (payload, code) in cases {
        assert_refused(&member.request("join_group", payload).await, code);
    }
    assert!(app.metrics().await.contains("circle_waiting 0"));
    let ok = member
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Ada"}),
        )
        .await;
    assert_eq!(ok["ok"], true, "still connected and able to join");
}

#[tokio::test]
async fn failed_joins_from_one_address_are_rate_limited() {
    let app = spawn_app_with(|c| c.limits.failed_joins_per_minute = 3).await;
    let group = app.create_group().await;
    let guesser = app.member().await;
    for _ in 0..3 {
        let ack = guesser
            .request("join_group", json!({"access_code": "zzzzzzzzzz"}))
            .await;
        assert_refused(&ack, "group_not_found");
    }
    let blocked = guesser
        .request("join_group", json!({"access_code": "yyyyyyyyyy"}))
        .await;
    assert_refused(&blocked, "rate_limited");
    // Even a right guess is refused now, so the limit cannot be used as an oracle.
    let right = app.member().await;
    let ack = right
        .request("join_group", json!({"access_code": group.code}))
        .await;
    assert_refused(&ack, "rate_limited");
}

#[tokio::test]
async fn behind_a_trusted_proxy_failed_joins_count_per_forwarded_address() {
    let app = spawn_app_with(|c| {
        c.limits.failed_joins_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.3".into()];
    })
    .await;
    let bad_join = json!({"access_code": "zzzzzzzzzz"});
    let proxy = [127, 0, 0, 3];
    let mut guesser =
        PollingMember::connect(&app, 4, Origin::forwarding(proxy, "203.0.113.7")).await;
    for id in 0..2 {
        let ack = guesser.request(id, "join_group", bad_join.clone()).await;
        assert_refused(&ack, "group_not_found");
    }
    let ack = guesser.request(2, "join_group", bad_join.clone()).await;
    assert_refused(&ack, "rate_limited");
    let mut neighbour =
        PollingMember::connect(&app, 4, Origin::forwarding(proxy, "198.51.100.9")).await;
    let ack = neighbour.request(0, "join_group", bad_join).await;
    assert_refused(&ack, "group_not_found");
}

#[tokio::test]
async fn successful_joins_do_not_count_against_the_limit() {
    let app = spawn_app_with(|c| c.limits.failed_joins_per_minute = 2).await;
    let group = app.create_group().await;
    let member = app.member().await;
    for _ in 0..10 {
        let ack = member
            .request("join_group", json!({"access_code": group.code}))
            .await;
        assert_eq!(ack["ok"], true);
    }
}

#[tokio::test]
async fn events_with_binary_attachments_are_refused() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (mut ada, mut bob, _room) = app.pair(&group.code).await;
    ada.client
        .emit("message", Payload::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    let error = ada.next_event("request_error").await;
    assert_eq!(error["code"], "binary_not_allowed");
    ada.client
        .emit("join_group", Payload::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    let error = ada.next_event("request_error").await;
    assert_eq!(
        (error["event"].as_str(), error["code"].as_str()),
        (Some("join_group"), Some("binary_not_allowed"))
    );
    bob.assert_no("message").await;
}
