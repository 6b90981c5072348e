//! The wire protocol: Engine.IO packets carrying Socket.IO packets, as text frames over
//! a websocket, for namespace `/` only.
//!
//! Engine.IO packet types are one digit (`0` open, `1` close, `2` ping, `3` pong,
//! `4` message, `6` noop); a message carries a Socket.IO packet whose type is the next
//! digit (`0` connect, `1` disconnect, `2` event, `3` ack, `4` connect error), then an
//! optional ack id and a JSON array. So `42["name",{...}]` is an event and
//! `437[{...}]` answers the event that asked for ack id 7.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::Duration;

/// The Engine.IO protocol generation the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Engine.IO v3 (socket.io-client 2.x): the client pings, the server connects `/`.
    V3,
    /// Engine.IO v4 (socket.io-client 3.x/4.x): the server pings, the client connects `/`.
    V4,
}

impl Version {
    /// The value of the `EIO` query parameter.
    pub fn query_value(self) -> u8 {
        match self {
            Version::V3 => 3,
            Version::V4 => 4,
        }
    }
}

/// The Engine.IO handshake the server sends first (`0{...}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The Engine.IO session id.
    pub sid: String,
    /// How often pings are due.
    pub ping_interval: Duration,
    /// How long a ping may go unanswered.
    pub ping_timeout: Duration,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HandshakeJson {
    sid: String,
    ping_interval: u64,
    ping_timeout: u64,
}

/// One decoded text frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// Engine.IO open, with the handshake.
    Open(Handshake),
    /// Engine.IO close.
    Close,
    /// Engine.IO ping (its optional probe payload is ignored).
    Ping,
    /// Engine.IO pong.
    Pong,
    /// Engine.IO noop.
    Noop,
    /// Socket.IO connect acknowledgement: the socket id in v4, none in v3.
    Connect(Option<String>),
    /// Socket.IO disconnect of the namespace.
    Disconnect,
    /// Socket.IO connect error, with its raw JSON payload.
    ConnectError(&'a str),
    /// Socket.IO event.
    Event(Event<'a>),
    /// Socket.IO acknowledgement of an event sent with an ack id.
    Ack {
        /// The ack id the event carried.
        id: u64,
        /// The raw JSON array of the ack's arguments.
        args: &'a str,
    },
}

/// A Socket.IO event, borrowing from the frame it was read from.
#[derive(Debug)]
pub struct Event<'a> {
    /// The ack id, when the sender asked for an acknowledgement.
    pub ack: Option<u64>,
    /// The event name.
    pub name: Cow<'a, str>,
    /// The arguments after the name, as raw JSON.
    pub args: Vec<&'a RawValue>,
}

impl PartialEq for Event<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ack == other.ack
            && self.name == other.name
            && self
                .args
                .iter()
                .map(|arg| arg.get())
                .eq(other.args.iter().map(|arg| arg.get()))
    }
}

impl Eq for Event<'_> {}

impl Event<'_> {
    /// The first argument, if any.
    pub fn first(&self) -> Option<&RawValue> {
        self.args.first().copied()
    }
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad packet: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

fn bad(what: &str, frame: &str) -> ParseError {
    let shown: String = frame.chars().take(80).collect();
    ParseError(format!("{what}: {shown:?}"))
}

/// Decodes one websocket text frame.
pub fn parse(frame: &str) -> Result<Packet<'_>, ParseError> {
    let mut chars = frame.chars();
    match chars.next() {
        Some('0') => parse_open(&frame[1..]).ok_or_else(|| bad("open", frame)),
        Some('1') => Ok(Packet::Close),
        Some('2') => Ok(Packet::Ping),
        Some('3') => Ok(Packet::Pong),
        Some('6') => Ok(Packet::Noop),
        Some('4') => parse_socket(&frame[1..]).ok_or_else(|| bad("message", frame)),
        _ => Err(bad("unknown Engine.IO type", frame)),
    }
}

fn parse_open(json: &str) -> Option<Packet<'_>> {
    let hs: HandshakeJson = serde_json::from_str(json).ok()?;
    Some(Packet::Open(Handshake {
        sid: hs.sid,
        ping_interval: Duration::from_millis(hs.ping_interval),
        ping_timeout: Duration::from_millis(hs.ping_timeout),
    }))
}

fn parse_socket(packet: &str) -> Option<Packet<'_>> {
    let kind = packet.as_bytes().first()?;
    let rest = skip_namespace(&packet[1..]);
    match kind {
        b'0' => parse_connect(rest),
        b'1' => Some(Packet::Disconnect),
        b'2' => {
            let (ack, json) = split_ack_id(rest);
            parse_event(ack, json).map(Packet::Event)
        }
        b'3' => {
            let (id, args) = split_ack_id(rest);
            Some(Packet::Ack { id: id?, args })
        }
        b'4' => Some(Packet::ConnectError(rest)),
        _ => None,
    }
}

/// Skips a namespace prefix (`/name,`); the default namespace has none.
fn skip_namespace(rest: &str) -> &str {
    if rest.starts_with('/') {
        match rest.find(',') {
            Some(comma) => &rest[comma + 1..],
            None => "",
        }
    } else {
        rest
    }
}

/// Splits the optional decimal ack id off the front of a packet's data.
fn split_ack_id(rest: &str) -> (Option<u64>, &str) {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, rest);
    }
    (rest[..digits].parse().ok(), &rest[digits..])
}

fn parse_connect(json: &str) -> Option<Packet<'_>> {
    if json.is_empty() {
        return Some(Packet::Connect(None));
    }
    #[derive(Deserialize)]
    struct ConnectJson {
        sid: Option<String>,
    }
    let connect: ConnectJson = serde_json::from_str(json).ok()?;
    Some(Packet::Connect(connect.sid))
}

fn parse_event(ack: Option<u64>, json: &str) -> Option<Event<'_>> {
    let mut items: Vec<&RawValue> = serde_json::from_str(json).ok()?;
    if items.is_empty() {
        return None;
    }
    let head = items.remove(0).get();
    let name = match serde_json::from_str::<&str>(head) {
        Ok(name) => Cow::Borrowed(name),
        Err(_) => Cow::Owned(serde_json::from_str::<String>(head).ok()?),
    };
    Some(Event {
        ack,
        name,
        args: items,
    })
}

/// Engine.IO ping packet.
pub const PING: &str = "2";
/// Engine.IO pong packet.
pub const PONG: &str = "3";
/// Socket.IO connect request for namespace `/` (sent by the client in v4 only).
pub const CONNECT: &str = "40";

/// Encodes an event with one JSON argument (`payload` must already be valid JSON).
pub fn encode_event(name: &str, payload: &str, ack: Option<u64>) -> String {
    let mut out = String::with_capacity(name.len() + payload.len() + 16);
    out.push_str("42");
    if let Some(id) = ack {
        let _ = write!(out, "{id}");
    }
    out.push('[');
    out.push_str(&serde_json::to_string(name).expect("a string always serializes"));
    out.push(',');
    out.push_str(payload);
    out.push(']');
    out
}

/// The query string path of the websocket endpoint for a protocol generation.
pub fn websocket_path(version: Version) -> String {
    format!(
        "/socket.io/?EIO={}&transport=websocket",
        version.query_value()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_open_packet() {
        let frame = r#"0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":100000}"#;
        assert_eq!(
            parse(frame).unwrap(),
            Packet::Open(Handshake {
                sid: "abc".into(),
                ping_interval: Duration::from_secs(25),
                ping_timeout: Duration::from_secs(20),
            })
        );
    }

    #[test]
    fn parses_engine_control_packets() {
        assert_eq!(parse("1").unwrap(), Packet::Close);
        assert_eq!(parse("2").unwrap(), Packet::Ping);
        assert_eq!(parse("2probe").unwrap(), Packet::Ping);
        assert_eq!(parse("3").unwrap(), Packet::Pong);
        assert_eq!(parse("6").unwrap(), Packet::Noop);
        assert!(parse("").is_err());
        assert!(parse("9").is_err());
    }

    #[test]
    fn parses_connect_in_both_generations() {
        assert_eq!(
            parse(r#"40{"sid":"s1"}"#).unwrap(),
            Packet::Connect(Some("s1".into()))
        );
        assert_eq!(parse("40").unwrap(), Packet::Connect(None));
        assert_eq!(parse("41").unwrap(), Packet::Disconnect);
        assert_eq!(
            parse(r#"44{"message":"no"}"#).unwrap(),
            Packet::ConnectError(r#"{"message":"no"}"#)
        );
    }

    #[test]
    fn parses_events_with_and_without_ack_id() {
        let Packet::Event(event) = parse(r#"42["join_room",{"room":"r"}]"#).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.ack, None);
        assert_eq!(event.name, "join_room");
        assert_eq!(event.first().unwrap().get(), r#"{"room":"r"}"#);

        let Packet::Event(event) = parse(r#"4217["message","hi",3]"#).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.ack, Some(17));
        assert_eq!(event.args.len(), 2);
        assert_eq!(event.args[1].get(), "3");
    }

    #[test]
    fn parses_escaped_event_names_and_namespaces() {
        let Packet::Event(event) = parse(r#"42/chat,5["a\"b"]"#).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.ack, Some(5));
        assert_eq!(event.name, "a\"b");
        assert!(event.first().is_none());
    }

    #[test]
    fn parses_acks() {
        assert_eq!(
            parse(r#"4312[{"ok":true}]"#).unwrap(),
            Packet::Ack {
                id: 12,
                args: r#"[{"ok":true}]"#
            }
        );
        assert!(parse(r#"43[{"ok":true}]"#).is_err());
    }

    #[test]
    fn rejects_malformed_socket_packets() {
        assert!(parse("42").is_err());
        assert!(parse("42[]").is_err());
        assert!(parse(r#"42{"a":1}"#).is_err());
        assert!(parse("4").is_err());
        assert!(parse("49").is_err());
    }

    #[test]
    fn encodes_events() {
        assert_eq!(
            encode_event("join_group", r#"{"access_code":"x"}"#, None),
            r#"42["join_group",{"access_code":"x"}]"#
        );
        assert_eq!(encode_event("next", "{}", Some(4)), r#"424["next",{}]"#);
        assert_eq!(encode_event("a\"b", "1", None), r#"42["a\"b",1]"#);
    }

    #[test]
    fn encoded_events_parse_back() {
        let text = encode_event("message", r#"{"room":"r","id":1}"#, Some(9));
        let Packet::Event(event) = parse(&text).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.ack, Some(9));
        assert_eq!(event.name, "message");
        assert_eq!(event.first().unwrap().get(), r#"{"room":"r","id":1}"#);
    }

    #[test]
    fn websocket_path_names_the_generation() {
        assert_eq!(
            websocket_path(Version::V3),
            "/socket.io/?EIO=3&transport=websocket"
        );
        assert_eq!(
            websocket_path(Version::V4),
            "/socket.io/?EIO=4&transport=websocket"
        );
    }
}
