//! Slow and idle connections (slowloris): closed after `--header-timeout` and
//! `--idle-timeout`, while members chat on and live sessions, websocket or long-polling,
//! are never touched.

use crate::helpers::*;
use rust_socketio::TransportType;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(1);
/// How late after its timeout a connection may be closed.
const MARGIN: Duration = Duration::from_millis(1500);

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port)).await.unwrap()
}

/// Sends a request head one byte every 100 ms and never finishes it; returns when the
/// server closes the connection.
async fn trickle_until_closed(mut stream: TcpStream) {
    let head = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ";
    let mut bytes = head.iter().chain(std::iter::repeat(&b'a'));
    let mut reply = [0u8; 1];
    loop {
        let byte = *bytes.next().unwrap();
        if stream.write_all(&[byte]).await.is_err() {
            return;
        }
        tokio::select! {
            read = stream.read(&mut reply) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => panic!("an unfinished request got an answer"),
            },
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
}

/// Returns when the server closes `stream`, which never sends anything.
async fn wait_until_closed(mut stream: TcpStream) {
    let mut reply = [0u8; 1];
    let read = stream.read(&mut reply).await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed_while_members_chat_and_live_sessions_stay() {
    let app = spawn_app_with(|config| {
        config.connections.header_timeout = TIMEOUT;
        config.connections.idle_timeout = TIMEOUT;
    })
    .await;
    let group = app.create_group().await;
    // Sessions that live through the whole test, idle between requests.
    let polling = TestMember::connect(&app.address, TransportType::Polling).await;
    let ack = polling
        .request(
            "join_group",
            json!({"access_code": group.code, "name": "Pol"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let mut websocket = app.joined(&group.code, "Wes").await;
    let (room, _) = (websocket.next_event("join_room").await, ());
    let room = room["room"].as_str().unwrap().to_owned();

    let started = tokio::time::Instant::now();
    let mut slow = Vec::new();
    for _ in 0..5 {
        slow.push(tokio::spawn(trickle_until_closed(connect(&app).await)));
        slow.push(tokio::spawn(wait_until_closed(connect(&app).await)));
    }

    // Meanwhile a normal client creates, joins, pairs and chats.
    let other = app.create_group().await;
    let (ada, mut bob, other_room) = app.pair(&other.code).await;
    let hello = json!({"room": other_room, "text": "hello"});
    assert_eq!(ada.request("message", hello.clone()).await["ok"], true);
    assert_eq!(bob.next_chat().await, hello);

    for connection in slow {
        tokio::time::timeout(TIMEOUT + MARGIN, connection)
            .await
            .expect("a slow or idle connection was closed in time")
            .unwrap();
    }
    assert!(started.elapsed() >= TIMEOUT, "closed before the timeout");

    // The long-lived sessions, idle past the timeouts between requests, carry on.
    let text = json!({"room": room, "text": "still here"});
    assert_eq!(polling.request("message", text.clone()).await["ok"], true);
    assert_eq!(websocket.next_chat().await, text);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("circle_connections_timed_out_total 10\n"),
        "only the ten slow and idle connections were timed out:\n{metrics}"
    );
}
