//! docs/protocol.md section 6, "Nothing lost": a client whose own queue is full (it sends
//! faster than it reads) is not read from until it drains, and its acks and refusals are
//! never thrown away.

use crate::helpers::*;
use crate::polling_client::{Origin, SessionRequests};
use crate::raw::{RawMember, next_text};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;

/// A queue far smaller than a burst.
const SMALL_QUEUE: usize = 8;

async fn app(send_timeout: Duration) -> TestApp {
    spawn_app_with(|c| {
        c.limits.max_queued_packets = SMALL_QUEUE;
        c.limits.send_timeout = send_timeout;
        c.limits.message_rate = 100_000;
        c.limits.message_burst = 100_000;
    })
    .await
}

/// Ada and Bob, paired, with their room.
async fn pair(app: &TestApp) -> (RawMember, RawMember, String) {
    let group = app.create_group().await;
    let (mut ada, _) = RawMember::joined(app, 4, &group.code, "Ada").await;
    let (mut bob, _) = RawMember::joined(app, 4, &group.code, "Bob").await;
    let room = bob.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    ada.next_event("join_room").await;
    (ada, bob, room)
}

/// Chat message `n` into `room`, asking for ack `n`.
fn numbered(room: &str, n: usize) -> Message {
    padded(room, n, "")
}

/// Chat message `n` into `room` with `padding` after its text, asking for ack `n`.
fn padded(room: &str, n: usize, padding: &str) -> Message {
    let event = json!(["message", {"room": room, "text": format!("m{n}"), "padding": padding}]);
    Message::text(format!("42{n}{event}"))
}

/// The texts of the next `count` chat messages `member` receives, in order.
async fn chats(member: &mut RawMember, count: usize) -> Vec<String> {
    let mut texts = Vec::with_capacity(count);
    while texts.len() < count {
        let frame = member.next_chat().await;
        let arguments: Value = serde_json::from_str(&frame[2..]).unwrap();
        texts.push(arguments[1]["text"].as_str().unwrap().to_owned());
    }
    texts
}

#[tokio::test]
async fn a_burst_sent_without_reading_gets_every_ack_and_echo_in_order() {
    let burst = 1000;
    let app = app(Duration::from_secs(5)).await;
    let (mut ada, mut bob, room) = pair(&app).await;
    let (to_test, mut ada_got) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok([text]) = <[String; 1]>::try_from(chats(&mut ada, 1).await) {
            if to_test.send(text).is_err() {
                return;
            }
        }
    });
    for n in 1..=burst {
        bob.socket.feed(numbered(&room, n)).await.unwrap();
    }
    bob.socket.flush().await.unwrap();

    // Every message is acked: ok, or `overloaded` when too many wait for Ada already
    // (on Redis, where Bob's relays are in flight before his queue fills).
    let mut acks: Vec<Option<bool>> = vec![None; burst + 1];
    let mut echoes = Vec::new();
    // On one node each ack is ready in the order of the requests, and acks that wait for
    // room keep that order. (On Redis an ack waits for Redis's answer, and a refusal
    // comes at once.)
    let acks_in_order = app.redis.is_none();
    let mut last_ack = 0;
    let answered = |acks: &[Option<bool>]| acks.iter().skip(1).all(Option::is_some);
    let accepted = |acks: &[Option<bool>]| acks.iter().filter(|a| **a == Some(true)).count();
    while !answered(&acks) || echoes.len() < accepted(&acks) {
        let text = next_text(&mut bob.socket)
            .await
            .unwrap_or_else(|| panic!("{} echoes and some acks came", echoes.len()));
        if let Some(ack) = text.strip_prefix("43") {
            let at = ack.find('[').unwrap();
            let id: usize = ack[..at].parse().unwrap();
            let arguments: Value = serde_json::from_str(&ack[at..]).unwrap();
            let ok = arguments[0] == json!({"ok": true});
            if !ok {
                assert_refused(&arguments[0], "overloaded");
            }
            assert!(acks[id].is_none(), "ack {id} came twice");
            if acks_in_order {
                assert_eq!(id, last_ack + 1, "ack {id} came after ack {last_ack}");
            }
            last_ack = id;
            acks[id] = Some(ok);
        } else if text.starts_with("42[\"message\",{") {
            let arguments: Value = serde_json::from_str(&text[2..]).unwrap();
            echoes.push(arguments[1]["text"].as_str().unwrap().to_owned());
        }
    }
    let sent: Vec<String> = (1..=burst)
        .filter(|n| acks[*n] == Some(true))
        .map(|n| format!("m{n}"))
        .collect();
    assert!(!sent.is_empty());
    assert_eq!(
        echoes, sent,
        "her own accepted messages back, each once, in order"
    );
    let mut got = Vec::new();
    while got.len() < sent.len() {
        got.push(ada_got.recv().await.expect("Ada reads on"));
    }
    assert_eq!(got, sent, "her partner got them, in order");
    assert_every_reply_sent_and_nobody_stuck(&app).await;
}

/// A websocket on `query`'s Engine.IO session whose socket takes in as little as the
/// kernel allows, so that what the server writes to it fills its queue soon.
async fn tiny_window_websocket(app: &TestApp, query: &str) -> TinyWindow {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(1024).unwrap();
    let stream = socket
        .connect(([127, 0, 0, 1], app.port).into())
        .await
        .unwrap();
    let url = format!("ws://127.0.0.1:{}/socket.io/?{query}", app.port);
    tokio_tungstenite::client_async(url, stream)
        .await
        .unwrap()
        .0
}

type TinyWindow = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// The next text frame on `ws` other than a ping (which it answers).
async fn next_on(ws: &mut TinyWindow) -> String {
    loop {
        let frame = tokio::time::timeout(EVENT_TIMEOUT, ws.next()).await;
        let text = frame.unwrap().unwrap().unwrap().into_text().unwrap();
        if text.as_str() != "2" {
            return text.to_string();
        }
        ws.send(Message::text("3")).await.unwrap();
    }
}

/// Joins group `code` as Bob on `ws` (connected to namespace `/`).
async fn join_as_bob(mut ws: TinyWindow, code: &str) -> TinyWindow {
    let join = json!(["join_group", {"access_code": code, "name": "Bob"}]);
    ws.send(Message::text(format!("420{join}"))).await.unwrap();
    loop {
        let text = next_on(&mut ws).await;
        if text.starts_with("430") {
            assert!(text.contains("\"ok\":true"), "{text}");
            return ws;
        }
    }
}

/// Bob on a websocket opened as such.
async fn bob_on_a_websocket(app: &TestApp, code: &str) -> TinyWindow {
    let mut ws = tiny_window_websocket(app, "EIO=4&transport=websocket").await;
    assert!(next_on(&mut ws).await.starts_with('0'), "open packet");
    ws.send(Message::text("40")).await.unwrap();
    // As a Socket.IO client does, he writes only once the namespace has let him in: an
    // event sent before that finds no socket, and socketioxide closes the connection.
    let connected = next_on(&mut ws).await;
    assert!(connected.starts_with("40"), "connect packet: {connected}");
    join_as_bob(ws, code).await
}

/// Bob on a websocket upgraded from long-polling, as socket.io-client does by default.
async fn bob_upgraded_from_polling(app: &TestApp, code: &str) -> TinyWindow {
    let session = SessionRequests::open(app, 4, Origin::direct([127, 0, 0, 1])).await;
    session.send(&["40"]).await;
    while !session.poll().await.iter().any(|p| p.starts_with("40")) {}
    let sid = session.url().split("sid=").nth(1).unwrap().to_owned();
    let query = format!("EIO=4&transport=websocket&sid={sid}");
    let mut ws = tiny_window_websocket(app, &query).await;
    ws.send(Message::text("2probe")).await.unwrap();
    assert_eq!(next_on(&mut ws).await, "3probe");
    ws.send(Message::text("5")).await.unwrap();
    join_as_bob(ws, code).await
}

/// Bob, joined by `bob`, writes and never reads: the server stops reading him once
/// his queue is full, then closes him as stuck.
async fn a_client_that_reads_nothing(bob: impl AsyncFnOnce(&TestApp, &str) -> TinyWindow) {
    // 24 MB of echoes: far more than the kernel's buffers between the server and him
    // hold (at most 4 MiB sent and 32 MiB received here), so his queue fills.
    let sent = 3000;
    let padding = "x".repeat(8000);
    // Long enough that a test thread starved under a loaded CI machine is not taken for a
    // client that reads nothing while it joins; short enough to give up within the test.
    let app = app(Duration::from_secs(2)).await;
    let group = app.create_group().await;
    let (mut ada, _) = RawMember::joined(&app, 4, &group.code, "Ada").await;
    let mut bob = bob(&app, &group.code).await;
    let room = ada.next_event("join_room").await["room"]
        .as_str()
        .unwrap()
        .to_owned();
    // His writes block once the server stops reading him.
    let writing = tokio::spawn(async move {
        for n in 1..=sent {
            if bob.feed(padded(&room, n, &padding)).await.is_err() {
                return;
            }
        }
        let _closed_meanwhile = bob.flush().await;
        std::future::pending::<()>().await
    });

    let mut received = 0;
    loop {
        let text = next_text(&mut ada.socket)
            .await
            .unwrap_or_else(|| panic!("no partner_left after {received} messages"));
        if text.starts_with("42[\"message\",{") {
            received += 1;
        } else if text.starts_with("42[\"partner_left\"") {
            break;
        }
    }
    writing.abort();
    assert!(
        received < sent / 2,
        "the server read on: {received} of {sent} messages reached his partner"
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("circle_members_stuck_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_client_that_reads_nothing_is_not_read_from_then_closed_as_stuck() {
    a_client_that_reads_nothing(bob_on_a_websocket).await;
}

#[tokio::test]
async fn a_client_upgraded_from_polling_that_reads_nothing_is_not_read_from_either() {
    a_client_that_reads_nothing(bob_upgraded_from_polling).await;
}
