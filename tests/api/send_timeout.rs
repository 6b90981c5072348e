//! docs/protocol.md section 6, "Nothing lost": a member whose connection reads nothing has
//! her events wait, in order, up to `--send-timeout`; then the senders are told, and she is
//! disconnected (a resumable member becomes away and loses nothing).

use crate::helpers::*;
use crate::polling_client::{Origin, PollingMember};
use crate::raw::RawMember;
use crate::resumable::{Resumable, texts};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SEND_TIMEOUT: Duration = Duration::from_millis(500);

/// The server under test, on either backend.
async fn app() -> TestApp {
    spawn_app_with(limits).await
}

/// A short send timeout, small queues, and no rate limit for the sender.
pub fn limits(c: &mut circle::config::Config) {
    c.limits.send_timeout = SEND_TIMEOUT;
    c.limits.max_queued_packets = 8;
    c.limits.message_rate = 10_000;
    c.limits.message_burst = 10_000;
}

/// Bob sends numbered messages into `room` until one is refused; returns the texts
/// acked ok (held or not) and the refusal.
async fn send_until_refused(bob: &mut RawMember, room: &str) -> (Vec<String>, Value) {
    let mut accepted = Vec::new();
    for n in 0..200 {
        let text = format!("m{n}");
        let ack = bob
            .request("message", &json!({"room": room, "text": text}))
            .await;
        if ack["ok"] != true {
            return (accepted, ack);
        }
        accepted.push(text);
    }
    panic!("200 messages to a member who reads nothing were all accepted");
}

#[tokio::test]
async fn a_member_who_reads_nothing_is_given_up_on_after_the_send_timeout_and_the_sender_is_told() {
    let app = app().await;
    let group = app.create_group().await;
    let mut ada = PollingMember::connect(&app, 4, Origin::direct([127, 0, 0, 1])).await;
    let ack = ada
        .request(
            1,
            "join_group",
            json!({"access_code": group.code, "name": "Ada"}),
        )
        .await;
    assert_eq!(ack["ok"], true);
    let (mut bob, _) = RawMember::joined(&app, 4, &group.code, "Bob").await;
    let room = bob.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    // Ada polls no more.
    let started = Instant::now();
    let (accepted, refusal) = send_until_refused(&mut bob, &room).await;
    assert_refused(&refusal, "partner_unreachable");
    assert!(
        started.elapsed() >= SEND_TIMEOUT,
        "refused only after the timeout"
    );
    assert!(!accepted.is_empty());
    // Everything acked ok was queued for her: she finds exactly those when she polls.
    let mut received = Vec::new();
    while received.len() < accepted.len() {
        let chat = ada.next_event("message").await;
        if let Some(text) = chat["text"].as_str() {
            received.push(text.to_owned());
        }
    }
    assert_eq!(received, accepted);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("circle_members_stuck_total 1"),
        "{metrics}"
    );
    // She is disconnected: her partner is told.
    let left = bob.next_event("partner_left").await;
    assert_eq!(left["reason"], "disconnected");
}

#[tokio::test]
async fn a_resumable_member_who_reads_nothing_loses_nothing() {
    let app = app().await;
    let group = app.create_group().await;
    let mut ada = PollingMember::connect(&app, 4, Origin::direct([127, 0, 0, 1])).await;
    let join = json!({"access_code": group.code, "name": "Ada", "resumable": true});
    let ack = ada.request(1, "join_group", join).await;
    let token = ack["member"]["token"].as_str().unwrap().to_owned();
    let (mut bob, _) = RawMember::joined(&app, 4, &group.code, "Bob").await;
    let room = bob.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut sent = Vec::new();
    let mut held = 0;
    // Until her buffer of kept events (100) is full: everything is kept for her.
    let refusal = loop {
        let text = format!("m{}", sent.len());
        let ack = bob
            .request("message", &json!({"room": room, "text": text}))
            .await;
        if ack["ok"] != true {
            break ack;
        }
        held += usize::from(ack["held"] == true);
        sent.push(text);
    };
    assert_refused(&refusal, "partner_unreachable");
    assert!(held > 0, "once she was given up on, messages were held");
    assert_eq!(bob.next_event("partner_away").await, json!({"room": room}));
    assert_resumes_with_nothing_lost(&app, token, &sent).await;
}

/// A client that received nothing of its member's events (`last_seq` 0) resumes with
/// `token` on `app`: with no gap, it gets every one of the chat messages `sent`, in order.
pub async fn assert_resumes_with_nothing_lost(app: &TestApp, token: String, sent: &[String]) {
    let mut back = Resumable {
        raw: RawMember::connect(app, 4).await,
        id: String::new(),
        token,
        last_seq: 0,
    };
    let (ack, replayed) = back.resume_here().await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(ack["gap"], false, "nothing was lost");
    assert_eq!(texts(&replayed), sent, "every acked message, in order");
}
