//! SIGTERM drains the node (docs/protocol.md section 4): readiness fails at once, no new
//! connections, clients are dropped so that they reconnect by themselves, work in flight
//! finishes, the node logs the start and end; groups survive a restart.

use crate::helpers::*;
use futures_util::{FutureExt, SinkExt, StreamExt};
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// A socket.io client that reconnects by itself, as socket.io-client does: on a closed
/// transport, not on a Socket.IO disconnect from the server. Each connect is reported.
async fn reconnecting_client(address: &str) -> (Client, mpsc::UnboundedReceiver<()>) {
    let (connected, connects) = mpsc::unbounded_channel();
    let client = ClientBuilder::new(address)
        .transport_type(TransportType::Websocket)
        .reconnect(true)
        .reconnect_on_disconnect(false)
        .reconnect_delay(50, 200)
        .max_reconnect_attempts(200)
        .on(Event::Connect, move |_, _| {
            connected.send(()).ok();
            async {}.boxed()
        })
        .connect()
        .await
        .expect("client connects");
    (client, connects)
}

async fn next_connect(connects: &mut mpsc::UnboundedReceiver<()>, within: Duration) {
    tokio::time::timeout(within, connects.recv())
        .await
        .expect("the client (re)connected in time")
        .expect("client alive");
}

/// Reads one HTTP response on a keep-alive connection; returns its status code.
async fn read_status(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).await.unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .unwrap_or_else(|| panic!("no status line: {status_line:?}"))
        .parse()
        .unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await.unwrap();
    status
}

async fn probe_readyz(reader: &mut BufReader<TcpStream>) -> u16 {
    let request = b"GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    reader.get_mut().write_all(request).await.unwrap();
    read_status(reader).await
}

/// Asks `process` to drain, as a supervisor would.
pub fn send_sigterm(process: &Process) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &process.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for the process to exit by itself.
pub async fn exited(process: &mut Process, within: Duration) -> std::process::ExitStatus {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(status) = process.child.try_wait().unwrap() {
            return status;
        }
        assert!(tokio::time::Instant::now() < deadline, "still running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn sigterm_drains_the_node_and_clients_reconnect_to_its_successor() {
    let mut node = spawn_process(&["--shutdown-grace", "30s"], &[]);
    let port = node.app.port.to_string();
    let group = node.app.create_group().await;
    let (client, mut connects) = reconnecting_client(&node.app.address).await;
    next_connect(&mut connects, EVENT_TIMEOUT).await;
    let url = format!("ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");
    let (mut raw, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    raw.send(Message::text("40")).await.unwrap();
    while let Some(Ok(frame)) = raw.next().await {
        if frame.to_text().unwrap_or_default().starts_with("40") {
            break;
        }
    }
    // Work in flight: a request whose body is still on its way.
    let body = json!({"name": "Late", "description": "Created during the drain"}).to_string();
    let mut in_flight = BufReader::new(
        TcpStream::connect(("127.0.0.1", node.app.port))
            .await
            .unwrap(),
    );
    let head = format!(
        "POST /groups HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    in_flight
        .get_mut()
        .write_all(head.as_bytes())
        .await
        .unwrap();
    assert_eq!(read_status(&mut in_flight).await, 100);
    // A load balancer's probe on a kept-alive connection.
    let mut probe = BufReader::new(
        TcpStream::connect(("127.0.0.1", node.app.port))
            .await
            .unwrap(),
    );
    assert_eq!(probe_readyz(&mut probe).await, 200);

    send_sigterm(&node);
    let draining = async { while probe_readyz(&mut probe).await != 503 {} };
    tokio::time::timeout(EVENT_TIMEOUT, draining)
        .await
        .expect("readyz answers 503 during the drain");
    let refused = async {
        while TcpStream::connect(("127.0.0.1", node.app.port))
            .await
            .is_ok()
        {}
    };
    tokio::time::timeout(EVENT_TIMEOUT, refused)
        .await
        .expect("no new connection is accepted");
    // The transport is closed without a Socket.IO disconnect, so clients reconnect.
    let mut frames = Vec::new();
    while let Some(Ok(Message::Text(text))) = tokio::time::timeout(EVENT_TIMEOUT, raw.next())
        .await
        .expect("closed in time")
    {
        frames.push(text.to_string());
    }
    assert!(
        !frames.iter().any(|f| f.starts_with("41")),
        "disconnect sent: {frames:?}"
    );

    in_flight
        .get_mut()
        .write_all(body.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        read_status(&mut in_flight).await,
        201,
        "work in flight finished"
    );
    let status = exited(&mut node, EVENT_TIMEOUT).await;
    assert!(status.success(), "{status}");
    let logs = String::from_utf8(node.stop()).unwrap();
    let shutting_down = logs
        .lines()
        .find(|line| line.contains("shutting down"))
        .unwrap_or_else(|| panic!("no shutting down line in:\n{logs}"));
    assert!(shutting_down.contains("connections="), "{shutting_down}");
    assert!(shutting_down.contains("sockets=2"), "{shutting_down}");
    assert!(logs.lines().any(|line| line.ends_with("stopped")), "{logs}");

    // Its successor, on the same data and port: the client is back by itself, and the
    // group is still joinable.
    let data_dir = std::mem::replace(&mut node.app.data_dir, tempfile::tempdir().unwrap());
    let successor = spawn_process_with(data_dir, &["--port", &port], &[], |_| {});
    next_connect(&mut connects, Duration::from_secs(10)).await;
    let (sender, joined) = tokio::sync::oneshot::channel();
    let sender = std::sync::Mutex::new(Some(sender));
    client
        .emit_with_ack(
            "join_group",
            json!({"access_code": group.code, "name": "Ada"}),
            EVENT_TIMEOUT,
            move |payload, _| {
                if let (Some(sender), Payload::Text(mut args)) =
                    (sender.lock().unwrap().take(), payload)
                {
                    sender.send(args.remove(0)).ok();
                }
                async {}.boxed()
            },
        )
        .await
        .unwrap();
    let ack: Value = tokio::time::timeout(EVENT_TIMEOUT, joined)
        .await
        .unwrap()
        .unwrap();
    let ack = if ack.is_array() { ack[0].clone() } else { ack };
    assert_eq!(ack["ok"], true, "{ack}");
    drop(successor);
}
