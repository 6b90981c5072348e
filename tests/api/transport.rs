//! What reaches the server below Socket.IO: oversized and malformed Engine.IO packets,
//! over websocket and over long-polling. The offending connection may be closed; the
//! server and every other socket carry on.

use crate::helpers::*;
use crate::raw::{RawSocket, next_text, polling_session, raw_socket};
use futures_util::SinkExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// Reads until the server closes the connection.
async fn assert_closed(socket: &mut RawSocket) {
    while let Some(text) = next_text(socket).await {
        assert!(!text.starts_with("42"), "an event still arrived: {text}");
    }
}

/// A pair that must keep chatting whatever others send.
async fn assert_chat_still_works(
    app: &TestApp,
    ada: &TestMember,
    bob: &mut TestMember,
    room: &str,
) {
    let _ = app;
    let ack = ada
        .request("message", json!({"room": room, "text": "still here"}))
        .await;
    assert_eq!(ack["ok"], true);
    assert_eq!(bob.next_chat().await["text"], "still here");
}

#[tokio::test]
async fn a_websocket_message_over_the_packet_limit_closes_only_that_connection() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    let mut raw = raw_socket(&app, 4).await;
    let name = "x".repeat(1024 * 1024);
    let join = json!(["join_group", {"access_code": group.code, "name": name}]);
    raw.send(Message::text(format!("42{join}"))).await.ok();
    assert_closed(&mut raw).await;
    assert_chat_still_works(&app, &ada, &mut bob, &room).await;
    assert!(app.metrics().await.contains("circle_waiting 0"));
}

#[tokio::test]
async fn malformed_websocket_packets_do_not_disturb_anyone_else() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    let garbage = [
        "42[",
        "42[\"message\"",
        "4",
        "9",
        "42{\"not\":\"an array\"}",
        "42[1,2,3]",
        "45-[\"message\",{\"_placeholder\":true,\"num\":0}]",
        "\u{0}\u{1}",
        "",
    ];
    for packet in garbage {
        for eio in [3, 4] {
            let mut raw = raw_socket(&app, eio).await;
            raw.send(Message::text(packet)).await.ok();
            raw.send(Message::binary(vec![0xff, 0x00, 0x42])).await.ok();
            // Whether or not this connection survives, the pair must not notice.
            let _ = tokio::time::timeout(Duration::from_millis(50), next_text(&mut raw)).await;
        }
    }
    assert_chat_still_works(&app, &ada, &mut bob, &room).await;
}

#[tokio::test]
async fn polling_bodies_over_the_limit_or_malformed_are_refused_and_nobody_else_notices() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let (ada, mut bob, room) = app.pair(&group.code).await;
    for eio in [3, 4] {
        let url = polling_session(&app, eio).await;
        let oversized = app
            .http
            .post(&url)
            .body(format!("42[\"message\",\"{}\"]", "x".repeat(64 * 1024)))
            .send()
            .await
            .unwrap();
        assert!(
            oversized.status().is_client_error(),
            "{}",
            oversized.status()
        );
        for body in ["9999:42[", "42[\"message\"", "\u{0}garbage"] {
            let response = app.http.post(&url).body(body).send().await.unwrap();
            assert!(
                !response.status().is_server_error(),
                "{body}: {}",
                response.status()
            );
        }
    }
    assert_chat_still_works(&app, &ada, &mut bob, &room).await;
}

#[tokio::test]
async fn an_engine_io_v3_client_is_connected_to_the_default_namespace_and_can_join() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let mut raw = raw_socket(&app, 3).await;
    let join = json!(["join_group", {"access_code": group.code, "name": "Old"}]);
    raw.send(Message::text(format!("421{join}"))).await.unwrap();
    let ack = next_text(&mut raw).await.unwrap();
    assert!(ack.starts_with("431[{"), "{ack}");
    assert!(ack.contains("\"ok\":true"), "{ack}");
    let mut bob = app.joined(&group.code, "Bob").await;
    assert_eq!(bob.next_event("join_room").await["match"]["name"], "Old");
    let paired = next_text(&mut raw).await.unwrap();
    assert!(paired.starts_with("42[\"join_room\""), "{paired}");
}

#[tokio::test]
async fn a_long_polling_member_and_a_websocket_member_chat_and_the_upgrade_is_offered() {
    let app = spawn_app().await;
    let group = app.create_group().await;
    let open = app
        .get("/socket.io/?EIO=4&transport=polling")
        .await
        .text()
        .await
        .unwrap();
    assert!(open.contains(r#""upgrades":["websocket"]"#), "{open}");
    let mut polling =
        TestMember::connect(&app.address, rust_socketio::TransportType::Polling).await;
    let ack = polling
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Poll"}),
        )
        .await;
    assert_eq!(ack["ok"], true);
    let mut socket = app.joined(&group.code, "Sock").await;
    let room = polling.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    socket.next_event("join_room").await;
    polling
        .emit("message", json!({"room": room, "text": "over polling"}))
        .await;
    assert_eq!(socket.next_chat().await["text"], "over polling");
    socket
        .emit("message", json!({"room": room, "text": "over websocket"}))
        .await;
    let mut seen = vec![];
    while seen.len() < 2 {
        seen.push(
            polling.next_chat().await["text"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(seen, ["over polling", "over websocket"]);
}

#[tokio::test]
async fn an_event_sent_the_moment_the_connection_opens_is_handled() {
    // The original front end emits right after connecting; the handlers must be bound
    // before the client learns it is connected.
    let app = spawn_app().await;
    let group = app.create_group().await;
    let join = json!(["join_group", {"access_code": group.code}]);
    for eio in [3, 4] {
        for _ in 0..30 {
            let mut raw = raw_socket(&app, eio).await;
            raw.send(Message::text(format!("427{join}"))).await.unwrap();
            let ack = next_text(&mut raw).await.expect("an ack");
            assert!(ack.starts_with("437[{\"ok\":true"), "{ack}");
        }
    }
}
