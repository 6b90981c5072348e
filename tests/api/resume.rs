//! docs/protocol.md section 6: resumable members keep their chat through a dropped
//! connection, and nothing sent to them meanwhile is lost.

use crate::helpers::*;
use crate::raw::{RawMember, next_text};
use crate::resumable::{Resumable, chat, resume_during_a_stream, texts};
use futures_util::SinkExt;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A resumable Ada paired with a plain Bob (a raw client too); returns both and the room.
pub async fn pair(app: &TestApp) -> (Resumable, RawMember, String) {
    let group = app.create_group().await;
    let mut ada = Resumable::join(app, &group.code, "Ada").await;
    let (mut bob, _) = RawMember::joined(app, 4, &group.code, "Bob").await;
    let room = ada.expect("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ada.expect("message").await, "Bob connected.");
    assert_eq!(bob.next_event("join_room").await["room"], room.as_str());
    (ada, bob, room)
}

#[tokio::test]
async fn a_resumable_member_gets_a_token_and_numbered_events_and_a_plain_one_does_not() {
    let app = spawn_app().await;
    let (ada, mut bob, _room) = pair(&app).await;
    assert_eq!(ada.token.len(), 32);
    assert_ne!(ada.token, ada.id);
    assert_eq!(ada.last_seq, 2, "join_room is 1, the compat notice 2");
    let frame = bob.next_frame("message").await;
    let arguments: Vec<Value> = serde_json::from_str(&frame[2..]).unwrap();
    assert_eq!(arguments.len(), 2, "no seq for a plain member: {frame}");
}

#[tokio::test]
async fn after_a_clean_blip_the_chat_goes_on_and_what_was_sent_meanwhile_arrives() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    ada.raw.socket.close(None).await.unwrap();
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    for text in ["one", "two", "three"] {
        let ack = bob.request("message", &chat(&room, text)).await;
        assert_eq!(
            ack,
            json!({"ok": true, "held": true}),
            "held for her: {ack}"
        );
    }
    let old_token = ada.token.clone();
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed), ["one", "two", "three"]);
    assert_eq!(ack["gap"], false);
    assert_eq!(ack["room"], room.as_str());
    assert_eq!(ack["match"]["name"], "Bob");
    assert_eq!(ack["member"]["id"], ada.id.as_str());
    assert_ne!(ada.token, old_token, "the token rotates");
    assert_eq!(bob.next_event("partner_back").await, json!({"room": room}));

    let ack = bob.request("message", &chat(&room, "four")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(ada.expect("message").await["text"], "four");
    let ack = ada.raw.request("message", &chat(&room, "hi again")).await;
    assert_eq!(ack, json!({"ok": true}));
    assert!(bob.next_chat().await.contains("hi again"));
}

#[tokio::test]
async fn what_went_into_a_half_open_connection_is_replayed_on_resume() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    // Ada's network is gone without a word: her old connection is never read again.
    for text in ["into", "the", "void"] {
        let ack = bob.request("message", &chat(&room, text)).await;
        assert_eq!(ack, json!({"ok": true}), "the server cannot know yet");
    }
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed), ["into", "the", "void"]);
    assert_eq!(ack["gap"], false);
    assert_eq!(ack["room"], room.as_str());
}

#[tokio::test]
async fn after_a_tcp_reset_the_member_resumes() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    if let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = ada.raw.socket.get_ref() {
        // A zero linger never blocks: the close sends a reset at once.
        #[allow(deprecated)]
        tcp.set_linger(Some(Duration::ZERO)).unwrap();
    }
    let fresh = RawMember::connect(&app, 4).await;
    drop(std::mem::replace(&mut ada.raw, fresh)); // RST
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let ack = bob.request("message", &chat(&room, "still there?")).await;
    assert_eq!(ack["held"], true);
    let (ack, replayed) = ada.resume_here().await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(texts(&replayed), ["still there?"]);
}

#[tokio::test]
async fn a_token_works_once_and_unknown_tokens_fail() {
    let app = spawn_app().await;
    let (mut ada, _bob, _room) = pair(&app).await;
    let used = ada.token.clone();
    ada.resume(&app).await;
    ada.token = used;
    let (ack, _) = ada.try_resume(&app).await;
    assert_refused(&ack, "resume_failed");
    ada.token = "0123456789abcdef0123456789abcdef".into();
    let (ack, _) = ada.try_resume(&app).await;
    assert_refused(&ack, "resume_failed");
    let mut stranger = RawMember::connect(&app, 4).await;
    let ack = stranger.request("resume", &json!({"last_seq": 0})).await;
    assert_refused(&ack, "resume_failed");
    let ack = stranger
        .request("resume", &json!({"token": "x", "last_seq": -1}))
        .await;
    assert_refused(&ack, "invalid_payload");
}

#[tokio::test]
async fn when_the_window_passes_the_away_member_is_gone() {
    let app = spawn_app_with(|c| c.limits.resume_window = Duration::from_millis(600)).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    ada.raw.socket.close(None).await.unwrap();
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let left = bob.next_event("partner_left").await;
    assert_eq!(left, json!({"room": room, "reason": "disconnected"}));
    let (ack, _) = ada.try_resume(&app).await;
    assert_refused(&ack, "resume_failed");
}

#[tokio::test]
async fn a_full_buffer_refuses_further_messages_to_the_away_member() {
    let app = spawn_app_with(|c| c.limits.resume_buffer_events = 5).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    ada.raw.socket.close(None).await.unwrap();
    bob.next_event("partner_away").await;
    let mut held = Vec::new();
    let refused = loop {
        let text = format!("m{}", held.len());
        let ack = bob.request("message", &chat(&room, &text)).await;
        if ack["ok"] == false {
            break ack;
        }
        assert_eq!(ack["held"], true);
        held.push(text);
    };
    assert_refused(&refused, "partner_unreachable");
    assert_eq!(
        held.len(),
        3,
        "5 kept: join_room, the notice, and 3 messages"
    );
    let metrics = app.metrics().await;
    for counted in [
        "circle_messages_held_total 3",
        "circle_members_away_total 1",
        "circle_errors_total{code=\"partner_unreachable\"} 1",
    ] {
        assert!(metrics.contains(counted), "{counted} in {metrics}");
    }
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed), held);
    assert_eq!(ack["gap"], false);
    assert!(
        app.metrics()
            .await
            .contains("circle_members_resumed_total 1")
    );
}

#[tokio::test]
async fn the_last_connection_wins() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    let mut old = RawMember::connect(&app, 4).await;
    std::mem::swap(&mut old, &mut ada.raw);
    // `old` is her first connection, still open; she resumes on the fresh one.
    let (ack, replayed) = ada.resume_here().await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert!(replayed.is_empty());
    // The server disconnects it ("41"), so that its client does not reconnect by itself.
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(text) = next_text(&mut old.socket).await {
            if text == "41" {
                return;
            }
        }
    });
    assert!(closed.await.is_ok(), "the old connection is disconnected");
    bob.request("message", &chat(&room, "to the new one")).await;
    assert_eq!(ada.expect("message").await["text"], "to the new one");
    ada.raw
        .request("message", &chat(&room, "from the new one"))
        .await;
    let seen = frames_until(&mut bob, "message").await;
    assert!(seen.contains("from the new one"), "{seen}");
    assert!(!seen.contains("partner_away"), "she was never away: {seen}");
}

/// Every frame up to and including the first event `name`, joined.
async fn frames_until(member: &mut RawMember, name: &str) -> String {
    let prefix = format!("42[\"{name}\"");
    let mut seen = String::new();
    loop {
        let text = next_text(&mut member.socket).await.expect("a frame");
        seen.push_str(&text);
        seen.push('\n');
        if text.starts_with(&prefix) {
            return seen;
        }
    }
}

#[tokio::test]
async fn deliberate_leaves_end_at_once() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    let ack = ada.raw.request("leave_room", &json!({})).await;
    assert_eq!(ack["ok"], true);
    let left = bob.next_event("partner_left").await;
    assert_eq!(left, json!({"room": room, "reason": "left"}));

    let (mut ada, mut bob, _room) = pair(&app).await;
    ada.raw.socket.send(Message::text("41")).await.unwrap();
    let seen = frames_until(&mut bob, "partner_left").await;
    assert!(!seen.contains("partner_away"), "not away: {seen}");
    assert!(seen.contains("disconnected"), "{seen}");
    let (ack, _) = ada.try_resume(&app).await;
    assert_refused(&ack, "resume_failed");
}

#[tokio::test]
async fn a_stranger_cannot_post_into_a_resumable_member_s_room() {
    let app = spawn_app().await;
    let (_ada, _bob, room) = pair(&app).await;
    let mut zombie = RawMember::connect(&app, 4).await;
    let ack = zombie.request("message", &chat(&room, "boo")).await;
    assert_refused(&ack, "not_in_room");
}

#[tokio::test]
async fn a_connection_that_stops_answering_pings_makes_the_member_away() {
    let app = spawn_app_with(|c| {
        c.limits.ping_interval = Duration::from_millis(300);
        c.limits.ping_timeout = Duration::from_millis(200);
    })
    .await;
    let (mut ada, mut bob, room) = pair(&app).await;
    // Ada's connection goes silent (half-open): she reads nothing, so pongs nothing.
    let ack = bob
        .request("message", &chat(&room, "into the dead line"))
        .await;
    assert_eq!(ack, json!({"ok": true}));
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    let ack = bob.request("message", &chat(&room, "while away")).await;
    assert_eq!(ack, json!({"ok": true, "held": true}));
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed), ["into the dead line", "while away"]);
    assert_eq!(ack["gap"], false);
    assert_eq!(bob.next_event("partner_back").await, json!({"room": room}));
}

#[tokio::test]
async fn events_no_longer_kept_are_reported_as_a_gap() {
    let app = spawn_app_with(|c| c.limits.resume_buffer_events = 5).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    // Her connection is half-open: she is not away, so the oldest kept events make room.
    let sent: Vec<String> = (1..=6).map(|i| format!("m{i}")).collect();
    for text in &sent {
        let ack = bob.request("message", &chat(&room, text)).await;
        assert_eq!(ack, json!({"ok": true}));
    }
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(ack["gap"], true, "m1 (seq 3) is gone: {ack}");
    assert_eq!(texts(&replayed), sent[1..], "the five kept, in order");
    assert_eq!(replayed[0].seq, 4);
}

#[tokio::test]
async fn the_byte_bound_refuses_messages_to_an_away_member_too() {
    let app = spawn_app_with(|c| c.limits.resume_buffer_bytes = 400).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    ada.raw.socket.close(None).await.unwrap();
    bob.next_event("partner_away").await;
    let text = "x".repeat(100);
    let mut held = 0;
    let refused = loop {
        let ack = bob.request("message", &chat(&room, &text)).await;
        if ack["ok"] == false {
            break ack;
        }
        assert_eq!(ack["held"], true);
        held += 1;
    };
    assert_refused(&refused, "partner_unreachable");
    assert!(
        (1..4).contains(&held),
        "400 bytes hold 1 to 3 of them: {held}"
    );
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed).len(), held);
    assert_eq!(ack["gap"], false);
}

#[tokio::test]
async fn events_older_than_the_window_are_no_longer_kept() {
    let window = Duration::from_millis(500);
    let app = spawn_app_with(|c| c.limits.resume_window = window).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    // Her connection is half-open: she is not away, and kept events age.
    bob.request("message", &chat(&room, "old")).await;
    tokio::time::sleep(window + Duration::from_millis(100)).await; // only time ages them
    bob.request("message", &chat(&room, "new")).await;
    let (ack, replayed) = ada.resume(&app).await;
    assert_eq!(texts(&replayed), ["new"]);
    assert_eq!(ack["gap"], true, "{ack}");
}

#[tokio::test]
async fn resuming_again_on_the_same_connection_keeps_her() {
    let app = spawn_app().await;
    let (mut ada, mut bob, room) = pair(&app).await;
    ada.resume(&app).await;
    let (ack, replayed) = ada.resume_here().await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert!(replayed.is_empty());
    assert_eq!(ack["room"], room.as_str());
    let ack = bob.request("message", &chat(&room, "still here?")).await;
    assert_eq!(
        ack,
        json!({"ok": true}),
        "she is neither gone nor away: {ack}"
    );
    assert_eq!(ada.expect("message").await["text"], "still here?");
}

#[tokio::test]
async fn a_resume_during_a_stream_of_messages_loses_and_repeats_none() {
    let app = spawn_app_with(|c| c.limits.message_burst = 1000).await;
    let (ada, bob, room) = pair(&app).await;
    resume_during_a_stream(ada, bob, &room, &app).await;
}
