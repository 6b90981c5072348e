//! A bare websocket client speaking Engine.IO and Socket.IO text packets by hand, for
//! tests that must see exactly what goes over the wire (session ids, raw payloads).

use crate::helpers::*;
use crate::polling_client::{Origin, SessionRequests};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

/// A websocket to the server.
pub type RawSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A bare websocket speaking Engine.IO `eio`, connected to namespace `/`.
pub async fn raw_socket(app: &TestApp, eio: u8) -> RawSocket {
    RawMember::connect(app, eio).await.socket
}

/// The next text frame, or `None` once the connection is closed.
pub async fn next_text(socket: &mut RawSocket) -> Option<String> {
    loop {
        match tokio::time::timeout(EVENT_TIMEOUT, socket.next())
            .await
            .ok()?
        {
            Some(Ok(Message::Text(text))) if text.as_str() == "2" => {
                socket.send(Message::text("3")).await.ok()?;
            }
            Some(Ok(Message::Text(text))) => return Some(text.to_string()),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => continue,
        }
    }
}

/// One long-polling GET of `url`: the packets waiting, as the body carries them.
pub async fn poll(app: &TestApp, url: &str) -> String {
    app.http
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Opens a long-polling session speaking Engine.IO `eio`; returns its URL (with the sid).
pub async fn polling_session(app: &TestApp, eio: u8) -> String {
    let local = Origin::direct([127, 0, 0, 1]);
    SessionRequests::open(app, eio, local)
        .await
        .url()
        .to_owned()
}

/// A raw client that knows its own Engine.IO session id.
pub struct RawMember {
    pub socket: RawSocket,
    /// The session id from the open packet (in socketioxide, also the socket id).
    pub sid: String,
    next_ack: u32,
}

impl RawMember {
    /// Opens a websocket speaking Engine.IO `eio` and connects to namespace `/`.
    pub async fn connect(app: &TestApp, eio: u8) -> Self {
        let url = format!(
            "ws://127.0.0.1:{}/socket.io/?EIO={eio}&transport=websocket",
            app.port
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let open = next_text(&mut socket).await.expect("open packet");
        let handshake: Value = serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
        let sid = handshake["sid"].as_str().unwrap().to_owned();
        if eio == 4 {
            socket.send(Message::text("40")).await.unwrap();
        }
        let connected = next_text(&mut socket).await.expect("connect packet");
        assert!(connected.starts_with("40"), "{connected}");
        Self {
            socket,
            sid,
            next_ack: 0,
        }
    }

    /// Connects over Engine.IO `eio` and joins group `code` as `name`; asserts that the
    /// join succeeded and returns the member with her join's ack.
    pub async fn joined(app: &TestApp, eio: u8, code: &str, name: &str) -> (Self, Value) {
        let mut member = Self::connect(app, eio).await;
        let join = serde_json::json!({"access_code": code, "name": name});
        let ack = member.request("join_group", &join).await;
        assert_eq!(ack["ok"], true, "join_group as {name}: {ack}");
        (member, ack)
    }

    /// Sends the Socket.IO event text `42[...]` with `arguments` written as given.
    pub async fn send_raw(&mut self, arguments: &str) {
        let frame = format!("42{arguments}");
        self.socket.send(Message::text(frame)).await.unwrap();
    }

    /// Sends `event` with `payload` asking for an ack, and returns the ack's argument.
    pub async fn request(&mut self, event: &str, payload: &Value) -> Value {
        self.next_ack += 1;
        let id = self.next_ack;
        let frame = format!("42{id}{}", serde_json::json!([event, payload]));
        self.socket.send(Message::text(frame)).await.unwrap();
        let prefix = format!("43{id}");
        loop {
            let text = next_text(&mut self.socket).await.expect("an ack");
            if let Some(ack) = text.strip_prefix(&prefix) {
                let arguments: Value = serde_json::from_str(ack).unwrap();
                return arguments[0].clone();
            }
        }
    }

    /// The raw text of the next event named `name` (`42["name",...]`), skipping others.
    pub async fn next_frame(&mut self, name: &str) -> String {
        let prefix = format!("42[\"{name}\",");
        loop {
            let text = next_text(&mut self.socket)
                .await
                .unwrap_or_else(|| panic!("no {name} event"));
            if text.starts_with(&prefix) {
                return text;
            }
        }
    }

    /// The first argument of the next event named `name`.
    pub async fn next_event(&mut self, name: &str) -> Value {
        let frame = self.next_frame(name).await;
        let arguments: Value = serde_json::from_str(&frame[2..]).unwrap();
        arguments[1].clone()
    }

    /// The next chat message (an object on `message`), skipping the compat notices.
    pub async fn next_chat(&mut self) -> String {
        loop {
            let frame = self.next_frame("message").await;
            if frame.starts_with("42[\"message\",{") {
                return frame;
            }
        }
    }
}
