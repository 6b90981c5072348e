//! A bare Engine.IO long-polling client (EIO3 or EIO4) that connects from a chosen local
//! address, optionally as if through a proxy that sets `X-Forwarded-For`.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::net::IpAddr;

/// Where a client's requests come from: its TCP source address, and the
/// `X-Forwarded-For` it sends (as a proxy would).
#[derive(Clone)]
pub struct Origin {
    pub local: IpAddr,
    pub forwarded_for: Option<String>,
}

impl Origin {
    /// Straight from `local`, without `X-Forwarded-For`.
    pub fn direct(local: [u8; 4]) -> Self {
        Self {
            local: local.into(),
            forwarded_for: None,
        }
    }

    /// From `local` with `X-Forwarded-For: forwarded_for`.
    pub fn forwarding(local: [u8; 4], forwarded_for: &str) -> Self {
        Self {
            local: local.into(),
            forwarded_for: Some(forwarded_for.to_owned()),
        }
    }

    fn http(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(self.local)
            .build()
            .unwrap()
    }
}

/// Requests naming one session (`sid`), sent from one origin.
#[derive(Clone)]
pub struct SessionRequests {
    http: reqwest::Client,
    pub origin: Origin,
    pub eio: u8,
    pub sid: String,
    url: String,
}

impl SessionRequests {
    fn new(app: &TestApp, eio: u8, sid: &str, origin: Origin) -> Self {
        Self {
            http: origin.http(),
            url: app.url(&format!(
                "/socket.io/?EIO={eio}&transport=polling&sid={sid}"
            )),
            origin,
            eio,
            sid: sid.to_owned(),
        }
    }

    /// Opens a session from `origin` (the Engine.IO handshake only).
    pub async fn open(app: &TestApp, eio: u8, origin: Origin) -> Self {
        let handshake = Self::new(app, eio, "", origin);
        let url = app.url(&format!("/socket.io/?EIO={eio}&transport=polling"));
        let response = handshake.with_origin(handshake.http.get(url)).send();
        let body = response.await.unwrap().text().await.unwrap();
        let open = decode(eio, &body).remove(0);
        let open: Value = serde_json::from_str(open.strip_prefix('0').unwrap()).unwrap();
        Self::new(app, eio, open["sid"].as_str().unwrap(), handshake.origin)
    }

    /// The URL of this session's polling requests.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn with_origin(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.origin.forwarded_for {
            Some(forwarded_for) => builder.header("x-forwarded-for", forwarded_for),
            None => builder,
        }
    }

    /// A polling GET, as sent.
    pub async fn get(&self) -> reqwest::Response {
        self.with_origin(self.http.get(&self.url))
            .send()
            .await
            .unwrap()
    }

    /// A polling POST of `packets`, framed for the session's protocol, as sent.
    pub async fn post(&self, packets: &[&str]) -> reqwest::Response {
        self.with_origin(self.http.post(&self.url))
            .body(encode(self.eio, packets))
            .send()
            .await
            .unwrap()
    }

    /// The packets of the next poll, which must succeed.
    pub async fn poll(&self) -> Vec<String> {
        let response = tokio::time::timeout(EVENT_TIMEOUT, self.get())
            .await
            .expect("a poll answered in time");
        assert_eq!(response.status(), 200, "poll refused");
        decode(self.eio, &response.text().await.unwrap())
    }

    /// Sends `packets`, which must be accepted.
    pub async fn send(&self, packets: &[&str]) {
        let response = self.post(packets).await;
        assert_eq!(response.status(), 200, "post refused");
        assert_eq!(response.text().await.unwrap(), "ok");
    }
}

/// Frames `packets` as one polling body: EIO4 separates them with U+001E, EIO3 prefixes
/// each with its length.
fn encode(eio: u8, packets: &[&str]) -> String {
    if eio == 4 {
        return packets.join("\u{1e}");
    }
    packets
        .iter()
        .map(|packet| format!("{}:{packet}", packet.chars().count()))
        .collect()
}

/// Splits a polling body into its packets.
fn decode(eio: u8, mut body: &str) -> Vec<String> {
    if eio == 4 {
        return body.split('\u{1e}').map(str::to_owned).collect();
    }
    let mut packets = Vec::new();
    while let Some((length, rest)) = body.split_once(':') {
        let length: usize = length.parse().expect("an EIO3 length prefix");
        let end = rest
            .char_indices()
            .nth(length)
            .map_or(rest.len(), |(index, _)| index);
        packets.push(rest[..end].to_owned());
        body = &rest[end..];
    }
    packets
}

/// A member on long-polling: her session, and the packets received but not yet read.
pub struct PollingMember {
    pub session: SessionRequests,
    received: VecDeque<String>,
}

impl PollingMember {
    /// Opens a session from `origin` and connects it to namespace `/`.
    pub async fn connect(app: &TestApp, eio: u8, origin: Origin) -> Self {
        let mut member = Self {
            session: SessionRequests::open(app, eio, origin).await,
            received: VecDeque::new(),
        };
        if eio == 4 {
            member.session.send(&["40"]).await;
        }
        member.next_packet("40").await;
        member
    }

    /// Requests naming her session, sent from `origin`.
    pub fn named_from(&self, app: &TestApp, origin: Origin) -> SessionRequests {
        SessionRequests::new(app, self.session.eio, &self.session.sid, origin)
    }

    /// The next packet starting with `prefix`, polling as needed; others are skipped.
    pub async fn next_packet(&mut self, prefix: &str) -> String {
        loop {
            while let Some(packet) = self.received.pop_front() {
                if packet.starts_with(prefix) {
                    return packet;
                }
            }
            self.received.extend(self.session.poll().await);
        }
    }

    /// The argument of the next event named `event`.
    pub async fn next_event(&mut self, event: &str) -> Value {
        let packet = self.next_packet(&format!("42[\"{event}\"")).await;
        let mut arguments: Value = serde_json::from_str(&packet[2..]).unwrap();
        arguments[1].take()
    }

    /// Emits `event` with ack id `id` and returns the ack's first argument.
    pub async fn request(&mut self, id: u32, event: &str, payload: Value) -> Value {
        let packet = format!("42{id}{}", json!([event, payload]));
        self.session.send(&[&packet]).await;
        let ack = self.next_packet(&format!("43{id}[")).await;
        let mut arguments: Value = serde_json::from_str(&ack[2 + id.to_string().len()..]).unwrap();
        arguments[0].take()
    }
}

#[test]
fn eio3_payloads_are_framed_by_length() {
    let body = encode(3, &["40", "42[\"message\",\"é:1\"]"]);
    assert_eq!(body, "2:4019:42[\"message\",\"é:1\"]");
    assert_eq!(decode(3, &body), ["40", "42[\"message\",\"é:1\"]"]);
    assert_eq!(decode(4, &encode(4, &["40", "2"])), ["40", "2"]);
}
