//! docs/protocol.md section 7, typing: `typing {room}` reaches the partner only, at most
//! `--typing-rate` a second per socket, with no `seq`, and is never held for an away member.

use crate::helpers::*;
use crate::raw::{RawMember, next_text};
use crate::resume::pair;
use serde_json::{Value, json};

/// Every event frame `member` gets up to the next chat message, which ends the list.
async fn frames_until_chat(member: &mut RawMember) -> Vec<String> {
    let mut frames = Vec::new();
    loop {
        let text = next_text(&mut member.socket).await.expect("a frame");
        if text.starts_with("42") {
            let chat = text.starts_with("42[\"message\",{");
            frames.push(text);
            if chat {
                return frames;
            }
        }
    }
}

fn typing(room: &str) -> Value {
    json!({"room": room})
}

#[tokio::test]
async fn typing_reaches_the_partner_only_with_no_seq() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    let ack = bob.request("typing", &typing(&room)).await;
    assert_eq!(ack, json!({"ok": true}));
    let frame = loop {
        let text = next_text(&mut ada.raw.socket).await.expect("typing");
        if text.starts_with("42") {
            break text;
        }
    };
    assert_eq!(
        frame,
        format!("42[\"typing\",{{\"room\":\"{room}\"}}]"),
        "no seq"
    );
    // Bob, who typed, gets nothing back: his next event is the chat message after it.
    bob.send_raw(&json!(["message", {"room": room, "text": "done"}]).to_string())
        .await;
    let seen = frames_until_chat(&mut bob).await;
    assert!(!seen.iter().any(|f| f.contains("typing")), "{seen:?}");
}

#[tokio::test]
async fn more_than_the_typing_rate_is_dropped_without_an_error() {
    let app = spawn_app_with(|c| c.limits.typing_rate = 2).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    for _ in 0..10 {
        let ack = ada.raw.request("typing", &typing(&room)).await;
        assert_eq!(ack, json!({"ok": true}), "never an error");
    }
    ada.raw
        .send_raw(&json!(["message", {"room": room, "text": "after"}]).to_string())
        .await;
    let seen = frames_until_chat(&mut bob).await;
    let typed = seen
        .iter()
        .filter(|f| f.starts_with("42[\"typing\""))
        .count();
    assert_eq!(typed, 2, "{seen:?}");
}

#[tokio::test]
async fn typing_is_never_held_for_an_away_member() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    ada.raw.socket.close(None).await.unwrap();
    bob.next_event("partner_away").await;
    bob.request("typing", &typing(&room)).await;
    let ack = bob
        .request("message", &json!({"room": room, "text": "hi"}))
        .await;
    assert_eq!(ack["held"], true);
    let (_, replayed) = ada.resume(&app).await;
    let names: Vec<&str> = replayed.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["message"],
        "only the message was kept: {replayed:?}"
    );
}

#[tokio::test]
async fn typing_into_a_room_she_is_not_in_reaches_nobody() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    let mut stranger = RawMember::connect(&app, 4).await;
    assert_eq!(stranger.request("typing", &typing(&room)).await["ok"], true);
    ada.raw
        .send_raw(&json!(["message", {"room": room, "text": "marker"}]).to_string())
        .await;
    let seen = frames_until_chat(&mut bob).await;
    let typed = seen.iter().any(|f| f.contains("typing"));
    assert!(!typed, "no typing from a stranger: {seen:?}");
}
