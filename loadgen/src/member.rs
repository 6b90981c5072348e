//! One simulated member: a websocket speaking Engine.IO/Socket.IO to namespace `/`.
//!
//! [`Member::recv`] hands out the Socket.IO packets and keeps the connection alive on
//! the way: it answers the server's pings (v4) or sends the client's own (v3).

use crate::eio::{self, Handshake, Packet, Version};
use crate::target::Target;
use anyhow::{Context, Result, anyhow, bail};
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// The websocket read buffer. tungstenite zero-fills the free part of it before every
/// read, so its 128 KiB default costs a large memset per read; 8 KiB still holds
/// dozens of chat frames.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// A connected member.
pub struct Member {
    /// This member's index in the run.
    pub index: usize,
    /// The Socket.IO socket id (v4: from the connect ack; v3: the Engine.IO session id).
    pub sid: String,
    /// The id a partner is told: the public member id from a `join_group` ack, or (from
    /// servers that send none, such as the Node baseline) the socket id.
    pub public_id: String,
    ws: WebSocketStream<TcpStream>,
    version: Version,
    resumable: bool,
    filter_profanity: bool,
    ping_interval: Duration,
    next_ping: Instant,
    next_ack_id: u64,
    unflushed: bool,
}

/// `join_room`'s payload: the pairing as this member was told it.
#[derive(Debug, Clone, Deserialize)]
pub struct JoinRoom {
    /// The room id.
    pub room: String,
    /// This member's own name.
    pub user: String,
    /// The partner.
    #[serde(rename = "match")]
    pub partner: Partner,
}

/// The partner in a `join_room` payload.
#[derive(Debug, Clone, Deserialize)]
pub struct Partner {
    /// The partner's display name.
    pub name: String,
    /// The partner's public id (her socket id on servers that have no member ids).
    pub sid: String,
}

impl Member {
    /// Opens member `index`'s websocket and connects namespace `/`.
    pub async fn connect(target: &Target, index: usize) -> Result<Self> {
        let stream = open_tcp(target, index).await?;
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
        let (ws, _) = tokio_tungstenite::client_async_with_config(
            target.websocket_url(),
            stream,
            Some(config),
        )
        .await
        .context("websocket handshake")?;
        let mut member = Self {
            index,
            sid: String::new(),
            public_id: String::new(),
            ws,
            version: target.version,
            resumable: target.resumable,
            filter_profanity: target.filter_profanity,
            ping_interval: Duration::from_secs(25),
            next_ping: Instant::now(),
            next_ack_id: 0,
            unflushed: false,
        };
        let handshake = member.read_open().await?;
        member.ping_interval = handshake.ping_interval;
        member.next_ping = Instant::now() + handshake.ping_interval;
        if member.version == Version::V4 {
            member.send(eio::CONNECT.to_owned()).await?;
        }
        member.sid = match member.read_connect().await? {
            Some(sid) => sid,
            None => handshake.sid,
        };
        member.public_id = member.sid.clone();
        Ok(member)
    }

    async fn read_open(&mut self) -> Result<Handshake> {
        let text = self.next_text().await?;
        match eio::parse(&text)? {
            Packet::Open(handshake) => Ok(handshake),
            other => bail!("expected the open packet, got {other:?}"),
        }
    }

    async fn read_connect(&mut self) -> Result<Option<String>> {
        let text = self.recv().await?;
        match eio::parse(&text)? {
            Packet::Connect(sid) => Ok(sid),
            other => bail!("expected the namespace connect, got {other:?}"),
        }
    }

    /// The next websocket text frame, whatever it is.
    async fn next_text(&mut self) -> Result<Utf8Bytes> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => return Ok(text),
                Some(Ok(Message::Close(_))) | None => bail!("connection closed"),
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error.into()),
            }
        }
    }

    /// The next Socket.IO packet (an Engine.IO `4…` frame). Pings, pongs and noops are
    /// handled here; an Engine.IO close or a closed websocket is an error. Cancel-safe.
    pub async fn recv(&mut self) -> Result<Utf8Bytes> {
        loop {
            let frame = tokio::select! {
                frame = self.ws.next() => frame,
                () = tokio::time::sleep_until(self.next_ping), if self.version == Version::V3 => {
                    self.client_ping().await?;
                    continue;
                }
            };
            if let Some(text) = self.keep_alive(frame).await? {
                return Ok(text);
            }
        }
    }

    /// A Socket.IO packet if one is already readable, without waiting.
    pub async fn try_recv(&mut self) -> Result<Option<Utf8Bytes>> {
        loop {
            let Some(frame) = self.ws.next().now_or_never() else {
                return Ok(None);
            };
            if let Some(text) = self.keep_alive(frame).await? {
                return Ok(Some(text));
            }
        }
    }

    /// Handles one websocket item: answers `Some` for a Socket.IO packet, `None` after
    /// dealing with anything else.
    async fn keep_alive(
        &mut self,
        frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Result<Option<Utf8Bytes>> {
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) | None => bail!("connection closed"),
            Some(Ok(_)) => return Ok(None),
            Some(Err(error)) => return Err(error.into()),
        };
        match text.as_bytes().first() {
            Some(b'4') => Ok(Some(text)),
            Some(b'2') => {
                self.send(eio::PONG.to_owned()).await?;
                Ok(None)
            }
            Some(b'3' | b'6') => Ok(None),
            Some(b'1') => bail!("server closed the session"),
            _ => bail!("unexpected frame {:?}", text.as_str()),
        }
    }

    async fn client_ping(&mut self) -> Result<()> {
        self.next_ping = Instant::now() + self.ping_interval;
        self.send(eio::PING.to_owned()).await
    }

    /// Sends one frame now.
    pub async fn send(&mut self, frame: String) -> Result<()> {
        self.ws.send(Message::text(frame)).await?;
        self.unflushed = false;
        Ok(())
    }

    /// Queues one frame; it leaves with the next [`Member::flush`] or [`Member::send`].
    pub async fn feed(&mut self, frame: String) -> Result<()> {
        self.ws.feed(Message::text(frame)).await?;
        self.unflushed = true;
        Ok(())
    }

    /// Writes out queued frames.
    pub async fn flush(&mut self) -> Result<()> {
        if self.unflushed {
            self.ws.flush().await?;
            self.unflushed = false;
        }
        Ok(())
    }

    /// Emits an event with one JSON argument, asking for an ack; answers the ack id.
    pub async fn emit_with_ack(&mut self, name: &str, payload: &str) -> Result<u64> {
        let id = self.next_ack_id;
        self.next_ack_id += 1;
        self.send(eio::encode_event(name, payload, Some(id)))
            .await?;
        Ok(id)
    }

    /// Emits `join_group` for `access_code` under `name` (as resumable, with the
    /// profanity filter on, if the run asks), asking for an ack.
    pub async fn join_group(&mut self, access_code: &str, name: &str) -> Result<u64> {
        let mut payload = serde_json::json!({ "access_code": access_code, "name": name });
        if self.resumable {
            payload["resumable"] = true.into();
        }
        if self.filter_profanity {
            payload["filter_profanity"] = true.into();
        }
        self.emit_with_ack("join_group", &payload.to_string()).await
    }

    /// Waits until `deadline` for the ack with `id` and checks that it says `ok: true`.
    /// Other packets that arrive meanwhile are dropped.
    pub async fn expect_ok_ack(&mut self, id: u64, deadline: Instant) -> Result<()> {
        loop {
            let text = self.recv_before(deadline).await?;
            if let Packet::Ack { id: got, args } = eio::parse(&text)?
                && got == id
            {
                let public_id = check_ok(args)?;
                self.learn_public_id(public_id);
                return Ok(());
            }
        }
    }

    /// Waits until `deadline` for `join_room`, dropping other packets meanwhile (such
    /// as the `"<name> connected."` notice).
    pub async fn expect_join_room(&mut self, deadline: Instant) -> Result<JoinRoom> {
        loop {
            let text = self.recv_before(deadline).await?;
            if let Some(joined) = read_join_room(&text)? {
                return Ok(joined);
            }
        }
    }

    /// Waits until `deadline` for both the ok ack with `id` and `join_room`, which the
    /// server may send in either order.
    pub async fn expect_ok_ack_and_join_room(
        &mut self,
        id: u64,
        deadline: Instant,
    ) -> Result<JoinRoom> {
        let mut acked = false;
        let mut joined = None;
        while !acked || joined.is_none() {
            let text = self.recv_before(deadline).await?;
            match eio::parse(&text)? {
                Packet::Ack { id: got, args } if got == id => {
                    let public_id = check_ok(args)?;
                    self.learn_public_id(public_id);
                    acked = true;
                }
                _ => {
                    if let Some(room) = read_join_room(&text)? {
                        joined = Some(room);
                    }
                }
            }
        }
        Ok(joined.expect("loop ends with a room"))
    }

    /// Keeps the member id a `join_group` ack told, if it told one.
    fn learn_public_id(&mut self, id: Option<String>) {
        if let Some(id) = id {
            self.public_id = id;
        }
    }

    async fn recv_before(&mut self, deadline: Instant) -> Result<Utf8Bytes> {
        tokio::time::timeout_at(deadline, self.recv())
            .await
            .map_err(|_| anyhow!("timed out"))?
    }

    /// Closes the websocket politely, waiting at most `grace` for the server.
    pub async fn close(mut self, grace: Duration) {
        let _ = tokio::time::timeout(grace, self.ws.close(None)).await;
    }
}

/// Reads a `join_room` event out of a Socket.IO packet; `None` for any other packet.
pub fn read_join_room(text: &str) -> Result<Option<JoinRoom>> {
    let Packet::Event(event) = eio::parse(text)? else {
        return Ok(None);
    };
    if event.name != "join_room" {
        return Ok(None);
    }
    let payload = event.first().context("join_room without payload")?;
    Ok(Some(serde_json::from_str(payload.get()).with_context(
        || format!("bad join_room payload {}", payload.get()),
    )?))
}

/// Checks that an ack's arguments (`[{"ok":true,...}]`) report success.
pub fn check_ok(args: &str) -> Result<Option<String>> {
    #[derive(Deserialize)]
    struct AckBody<'a> {
        ok: bool,
        #[serde(borrow)]
        error: Option<&'a RawValue>,
        member: Option<MemberView>,
    }
    #[derive(Deserialize)]
    struct MemberView {
        id: String,
    }
    let (body,): (AckBody,) =
        serde_json::from_str(args).with_context(|| format!("bad ack {args}"))?;
    if body.ok {
        Ok(body.member.map(|member| member.id))
    } else {
        let error = body.error.map_or("no error given", |error| error.get());
        bail!("refused: {error}")
    }
}

async fn open_tcp(target: &Target, index: usize) -> Result<TcpStream> {
    let socket = if target.addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(source) = target.source_for(index) {
        socket
            .bind(SocketAddr::new(source, 0))
            .with_context(|| format!("binding to {source}"))?;
    }
    let stream = socket
        .connect(target.addr)
        .await
        .with_context(|| format!("connecting to {}", target.addr))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A one-connection fake server: answers the target to connect to and a task that
    /// runs `script` on the accepted websocket.
    async fn fake_server<F, Fut>(
        version: Version,
        script: F,
    ) -> (Target, tokio::task::JoinHandle<()>)
    where
        F: FnOnce(WebSocketStream<TcpStream>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let target = Target::resolve(&url, version, false).await.unwrap();
        let task = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            script(tokio_tungstenite::accept_async(stream).await.unwrap()).await;
        });
        (target, task)
    }

    async fn next_text(ws: &mut WebSocketStream<TcpStream>) -> String {
        match ws.next().await.unwrap().unwrap() {
            Message::Text(text) => text.as_str().to_owned(),
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn v3_client_connects_and_pings_on_its_own() {
        let (target, server) = fake_server(Version::V3, |mut ws| async move {
            let open = r#"0{"sid":"e1","upgrades":[],"pingInterval":50,"pingTimeout":1000}"#;
            ws.send(Message::text(open)).await.unwrap();
            ws.send(Message::text("40")).await.unwrap();
            assert_eq!(next_text(&mut ws).await, "2");
            ws.send(Message::text("3")).await.unwrap();
            ws.send(Message::text(r#"42["x",1]"#)).await.unwrap();
            let _ = ws.next().await;
        })
        .await;
        let mut member = Member::connect(&target, 0).await.unwrap();
        assert_eq!(member.sid, "e1");
        let text = tokio::time::timeout(Duration::from_secs(2), member.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(text.as_str(), r#"42["x",1]"#);
        drop(member);
        server.await.unwrap();
    }

    #[tokio::test]
    async fn v4_client_connects_the_namespace_and_answers_pings() {
        let (target, server) = fake_server(Version::V4, |mut ws| async move {
            let open = r#"0{"sid":"e2","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;
            ws.send(Message::text(open)).await.unwrap();
            assert_eq!(next_text(&mut ws).await, "40");
            ws.send(Message::text(r#"40{"sid":"s9"}"#)).await.unwrap();
            assert_eq!(
                next_text(&mut ws).await,
                r#"420["join_group",{"access_code":"c","name":"m0"}]"#
            );
            ws.send(Message::text("2")).await.unwrap();
            let room =
                r#"42["join_room",{"room":"r","user":"m0","match":{"name":"m1","sid":"s8"}}]"#;
            ws.send(Message::text(room)).await.unwrap();
            ws.send(Message::text(r#"430[{"ok":true}]"#)).await.unwrap();
            assert_eq!(next_text(&mut ws).await, "3");
            let _ = ws.next().await;
        })
        .await;
        let mut member = Member::connect(&target, 0).await.unwrap();
        assert_eq!(member.sid, "s9");
        let id = member.join_group("c", "m0").await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(2);
        let joined = member
            .expect_ok_ack_and_join_room(id, deadline)
            .await
            .unwrap();
        assert_eq!(joined.partner.sid, "s8");
        member.close(Duration::from_secs(1)).await;
        server.await.unwrap();
    }

    #[tokio::test]
    async fn a_closed_session_is_an_error() {
        let (target, server) = fake_server(Version::V3, |mut ws| async move {
            let open = r#"0{"sid":"e3","upgrades":[],"pingInterval":25000,"pingTimeout":20000}"#;
            ws.send(Message::text(open)).await.unwrap();
            ws.send(Message::text("40")).await.unwrap();
            ws.send(Message::text("1")).await.unwrap();
        })
        .await;
        let mut member = Member::connect(&target, 0).await.unwrap();
        assert!(member.recv().await.is_err());
        server.await.unwrap();
    }

    #[test]
    fn reads_join_room() {
        let text = r#"42["join_room",{"room":"r1","user":"m1","match":{"name":"m0","sid":"s0"}}]"#;
        let joined = read_join_room(text).unwrap().unwrap();
        assert_eq!(joined.room, "r1");
        assert_eq!(joined.user, "m1");
        assert_eq!(joined.partner.name, "m0");
        assert_eq!(joined.partner.sid, "s0");
        assert!(
            read_join_room(r#"42["message","m0 connected."]"#)
                .unwrap()
                .is_none()
        );
        assert!(read_join_room(r#"42["join_room",{"room":1}]"#).is_err());
    }

    #[test]
    fn checks_acks() {
        assert_eq!(
            check_ok(r#"[{"ok":true,"group":{"name":"x"}}]"#).unwrap(),
            None
        );
        let with_id = r#"[{"ok":true,"group":{"name":"x"},"member":{"id":"ab12"}}]"#;
        assert_eq!(check_ok(with_id).unwrap().as_deref(), Some("ab12"));
        let refused = check_ok(r#"[{"ok":false,"error":{"code":"group_not_found"}}]"#);
        assert!(refused.unwrap_err().to_string().contains("group_not_found"));
        assert!(check_ok("[]").is_err());
    }
}
