//! A raw client that joins as resumable (docs/protocol.md section 6): it reads each
//! event's trailing `{"seq": n}`, remembers the highest, and resumes on a new connection.

use crate::helpers::*;
use crate::raw::{RawMember, next_text};
use serde_json::{Value, json};

/// One event as a resumable member receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered {
    pub name: String,
    pub data: Value,
    pub seq: u64,
}

/// A resumable member on a raw websocket (Engine.IO 4).
pub struct Resumable {
    pub raw: RawMember,
    pub id: String,
    pub token: String,
    /// The highest `seq` received.
    pub last_seq: u64,
}

impl Resumable {
    /// Connects and joins `code` as `name` with `resumable: true`; asserts the ack.
    pub async fn join(app: &TestApp, code: &str, name: &str) -> Self {
        Self::join_with(app, code, name, json!({})).await
    }

    /// As [`Resumable::join`], with the fields of `extra` added to `join_group`.
    pub async fn join_with(app: &TestApp, code: &str, name: &str, extra: Value) -> Self {
        let mut raw = RawMember::connect(app, 4).await;
        let mut join = json!({"access_code": code, "name": name, "resumable": true});
        if let (Some(join), Value::Object(extra)) = (join.as_object_mut(), extra) {
            join.extend(extra);
        }
        let ack = raw.request("join_group", &join).await;
        assert_eq!(ack["ok"], true, "join_group: {ack}");
        let token = ack["member"]["token"].as_str().expect("a token").to_owned();
        Self {
            raw,
            id: ack["member"]["id"].as_str().unwrap().to_owned(),
            token,
            last_seq: 0,
        }
    }

    /// The next event, with its `seq` (asserted to be there, and to follow the last one).
    pub async fn next(&mut self) -> Numbered {
        loop {
            let text = next_text(&mut self.raw.socket).await.expect("an event");
            let Some(body) = text.strip_prefix("42") else {
                continue;
            };
            let arguments: Vec<Value> = serde_json::from_str(body).unwrap();
            let seq = arguments
                .last()
                .and_then(|last| last["seq"].as_u64())
                .unwrap_or_else(|| panic!("no seq on {text}"));
            assert_eq!(arguments.len(), 3, "event, data, seq: {text}");
            if seq <= self.last_seq {
                continue; // a duplicate after a resume: the client drops it
            }
            assert_eq!(seq, self.last_seq + 1, "seq follows on: {text}");
            self.last_seq = seq;
            return Numbered {
                name: arguments[0].as_str().unwrap().to_owned(),
                data: arguments[1].clone(),
                seq,
            };
        }
    }

    /// The data of the next event, asserted to be `name`.
    pub async fn expect(&mut self, name: &str) -> Value {
        let event = self.next().await;
        assert_eq!(event.name, name, "expected {name}, got {event:?}");
        event.data
    }

    /// Opens a new connection and resumes on it; returns the ack (asserted ok) after the
    /// replayed events, which are returned too.
    pub async fn resume(&mut self, app: &TestApp) -> (Value, Vec<Numbered>) {
        let (ack, replayed) = self.try_resume(app).await;
        assert_eq!(ack["ok"], true, "resume: {ack}");
        self.token = ack["member"]["token"].as_str().unwrap().to_owned();
        (ack, replayed)
    }

    /// Opens a new connection and sends `resume` with the current token; returns the ack
    /// and the events that came before it. The old connection is dropped unread.
    pub async fn try_resume(&mut self, app: &TestApp) -> (Value, Vec<Numbered>) {
        let fresh = RawMember::connect(app, 4).await;
        let old = std::mem::replace(&mut self.raw, fresh);
        drop(old);
        self.resume_here().await
    }

    /// Sends `resume` on the current connection; returns the ack and the events before it.
    pub async fn resume_here(&mut self) -> (Value, Vec<Numbered>) {
        let payload = json!({"token": self.token, "last_seq": self.last_seq});
        self.raw
            .send_raw(&format!("99{}", json!(["resume", payload])))
            .await;
        let mut replayed = Vec::new();
        loop {
            let text = next_text(&mut self.raw.socket)
                .await
                .expect("the resume ack");
            if let Some(ack) = text.strip_prefix("4399") {
                let arguments: Vec<Value> = serde_json::from_str(ack).unwrap();
                return (arguments[0].clone(), replayed);
            }
            let Some(body) = text.strip_prefix("42") else {
                continue;
            };
            let arguments: Vec<Value> = serde_json::from_str(body).unwrap();
            let seq = arguments.last().and_then(|l| l["seq"].as_u64()).unwrap();
            if seq > self.last_seq {
                self.last_seq = seq;
                replayed.push(Numbered {
                    name: arguments[0].as_str().unwrap().to_owned(),
                    data: arguments[1].clone(),
                    seq,
                });
            }
        }
    }
}

/// A chat message into `room`.
pub fn chat(room: &str, text: &str) -> Value {
    json!({"room": room, "text": text})
}

/// The chat messages among `events`, as their texts.
pub fn texts(events: &[Numbered]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.name == "message" && e.data.is_object())
        .map(|e| e.data["text"].as_str().unwrap().to_owned())
        .collect()
}

/// Bob (a plain member paired with Ada in `room`) sends 60 messages without waiting
/// while Ada resumes on `resume_on`; asserts that she gets each once, in order (the
/// replayed ones, then the live ones), every `seq` following the one before. (Her
/// journal keeps 100 events: while she is away, none is refused.)
pub async fn resume_during_a_stream(
    mut ada: Resumable,
    mut bob: RawMember,
    room: &str,
    resume_on: &TestApp,
) {
    let sent: Vec<String> = (1..=60).map(|i| format!("m{i}")).collect();
    let stream = async {
        for text in &sent {
            bob.send_raw(&json!(["message", chat(room, text)]).to_string())
                .await;
            tokio::task::yield_now().await;
        }
    };
    let ((), (ack, replayed)) = tokio::join!(stream, ada.resume(resume_on));
    assert_eq!(ack["room"], room);
    let mut received = texts(&replayed);
    while received.len() < sent.len() {
        let event = ada.next().await;
        if event.name == "message" && event.data.is_object() {
            received.push(event.data["text"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(received, sent, "every message once, in order");
}
