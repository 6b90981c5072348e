//! docs/protocol.md section 6, several nodes: every node of a 3-node cluster is restarted in
//! turn (SIGTERM, then a new process in its place) while resumable members chat; they
//! resume on the nodes still up. No chat ends, no acked message is lost or doubled, nobody is
//! paired again. Runs in the Redis pass of the suite and is skipped, saying so, otherwise.

use crate::drain::send_sigterm;
use crate::helpers::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Pairs chatting through the restarts (each pair split over two nodes).
const PAIRS: usize = 12;
/// How often each member writes.
const WRITE_EVERY: Duration = Duration::from_millis(100);
/// Load before, between and after the restarts.
const SETTLE: Duration = Duration::from_millis(1500);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The ports of the nodes that are up, shared with the members (who reconnect to one of
/// them, as a load balancer would send them).
#[derive(Default)]
struct Ports(std::sync::Mutex<Vec<u16>>);

impl Ports {
    fn add(&self, port: u16) {
        self.0.lock().unwrap().push(port);
    }

    fn remove(&self, port: u16) {
        self.0.lock().unwrap().retain(|p| *p != port);
    }

    /// A port that is up, other than `avoid` when there is another.
    fn pick(&self, avoid: u16, turn: usize) -> u16 {
        let ports = self.0.lock().unwrap();
        let others: Vec<u16> = ports.iter().copied().filter(|p| *p != avoid).collect();
        let from = if others.is_empty() { &*ports } else { &others };
        from[turn % from.len()]
    }
}

/// A node process on the shared Redis prefix.
fn start_node(redis: &RedisPrefix) -> Process {
    node_process(redis, &["--shutdown-grace", "3s"])
}

/// Opens a websocket to `port` and connects namespace `/`.
async fn connect(port: u16) -> Option<Socket> {
    let url = format!("ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket");
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    read_until(&mut socket, |t| t.starts_with('0')).await?;
    socket.send(Message::text("40")).await.ok()?;
    read_until(&mut socket, |t| t.starts_with("40")).await?;
    Some(socket)
}

/// Reads until a text frame `wanted` says yes to (answering pings); `None` if it closes.
async fn read_until(socket: &mut Socket, wanted: impl Fn(&str) -> bool) -> Option<String> {
    loop {
        let frame = tokio::time::timeout(EVENT_TIMEOUT, socket.next())
            .await
            .ok()??;
        match frame.ok()? {
            Message::Text(text) if text.as_str() == "2" => {
                socket.send(Message::text("3")).await.ok()?;
            }
            Message::Text(text) if wanted(text.as_str()) => return Some(text.to_string()),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// What one member saw and did.
#[derive(Default, Debug)]
struct Outcome {
    /// Her messages acknowledged `ok` (held or not), by number.
    acked: Vec<u64>,
    /// Her partner's messages received, by number, in order of arrival.
    received: Vec<u64>,
    /// Events that must never come: `partner_left`, a second `join_room`.
    unexpected: Vec<String>,
    /// Resumes that failed.
    failed_resumes: usize,
    /// Resumes that reported a gap.
    gaps: usize,
    resumes: usize,
    /// What she saw, for a failure's message: `seq:n` per chat message, `R<last_seq>` per
    /// resume, `x<seq>` per event skipped as a duplicate.
    trace: Vec<String>,
}

/// One resumable member after her pairing.
struct Member {
    me: usize,
    socket: Socket,
    port: u16,
    room: String,
    token: String,
    last_seq: u64,
    next_number: u64,
    next_ack: u64,
    /// Ack id → message number.
    in_flight: std::collections::HashMap<u64, u64>,
    outcome: Outcome,
}

impl Member {
    /// Handles one text frame; false when the connection must be given up.
    async fn handle(&mut self, text: &str) -> bool {
        if text == "2" {
            return self.socket.send(Message::text("3")).await.is_ok();
        }
        if text == "41" {
            return false;
        }
        if let Some(ack) = text.strip_prefix("43") {
            let digits: String = ack.chars().take_while(char::is_ascii_digit).collect();
            let arguments: Value = serde_json::from_str(&ack[digits.len()..]).unwrap();
            if let Some(number) = self.in_flight.remove(&digits.parse().unwrap())
                && arguments[0]["ok"] == true
            {
                self.outcome.acked.push(number);
            }
            return true;
        }
        let Some(body) = text.strip_prefix("42") else {
            return true;
        };
        let arguments: Vec<Value> = serde_json::from_str(body).unwrap();
        let seq = arguments
            .last()
            .and_then(|a| a["seq"].as_u64())
            .unwrap_or(0);
        if seq <= self.last_seq {
            self.outcome.trace.push(format!("x{seq}"));
            return true; // already had it
        }
        self.last_seq = seq;
        match arguments[0].as_str().unwrap() {
            "message" => {
                if let Some(number) = arguments[1]["n"].as_u64() {
                    let mine = arguments[1]["from"] == self.me;
                    self.outcome
                        .trace
                        .push(format!("{seq}:{}{number}", if mine { "e" } else { "" }));
                    if !mine {
                        self.outcome.received.push(number);
                    }
                }
            }
            "partner_left" | "join_room" | "group_closed" => {
                self.outcome.unexpected.push(text.to_owned())
            }
            _ => {}
        }
        true
    }

    /// Writes her next numbered message, asking for an ack.
    async fn write(&mut self) -> bool {
        self.next_number += 1;
        self.next_ack += 1;
        self.in_flight.insert(self.next_ack, self.next_number);
        let message =
            json!(["message", {"room": self.room, "n": self.next_number, "from": self.me}]);
        let frame = format!("42{}{message}", self.next_ack);
        self.socket.send(Message::text(frame)).await.is_ok()
    }

    /// Resumes on a node that is up; false when the member cannot go on.
    async fn resume(&mut self, ports: &Ports) -> bool {
        // What was in flight on the old connection has no known fate: it is not counted.
        self.in_flight.clear();
        for turn in 0..100 {
            let port = ports.pick(self.port, turn);
            let Some(socket) = connect(port).await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            self.socket = socket;
            self.port = port;
            self.outcome.trace.push(format!("R{}", self.last_seq));
            let payload = json!(["resume", {"token": self.token, "last_seq": self.last_seq}]);
            if self
                .socket
                .send(Message::text(format!("420{payload}")))
                .await
                .is_err()
            {
                continue;
            }
            loop {
                let Some(frame) = read_until(&mut self.socket, |_| true).await else {
                    break;
                };
                if let Some(ack) = frame.strip_prefix("430") {
                    let ack: Value = serde_json::from_str::<Vec<Value>>(ack).unwrap()[0].clone();
                    if ack["ok"] != true {
                        self.outcome.failed_resumes += 1;
                        return false;
                    }
                    self.token = ack["member"]["token"].as_str().unwrap().to_owned();
                    self.outcome.resumes += 1;
                    self.outcome.gaps += usize::from(ack["gap"] == true);
                    return true;
                }
                if !self.handle(&frame).await {
                    break;
                }
            }
        }
        false
    }

    /// Chats until `stop`, resuming whenever her connection drops.
    async fn chat(mut self, ports: Arc<Ports>, mut stop: watch::Receiver<bool>) -> Outcome {
        let mut ticker = tokio::time::interval(WRITE_EVERY);
        loop {
            let alive = tokio::select! {
                _ = stop.changed() => {
                    // Stop writing; read what is still on its way for a moment.
                    let _ = tokio::time::timeout(Duration::from_secs(1), async {
                        while let Some(Ok(Message::Text(text))) = self.socket.next().await {
                            self.handle(text.as_str()).await;
                        }
                    })
                    .await;
                    return self.outcome;
                }
                _ = ticker.tick() => self.write().await,
                frame = self.socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => self.handle(text.as_str()).await,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
                    Some(Ok(_)) => true,
                },
            };
            if !alive && !self.resume(&ports).await {
                return self.outcome;
            }
        }
    }
}

/// Joins `code` as resumable on `port`; returns the socket and the token.
async fn join(port: u16, code: &str, name: &str) -> (Socket, String) {
    let mut socket = connect(port).await.expect("a node is up");
    let join = json!(["join_group", {"access_code": code, "name": name, "resumable": true}]);
    socket
        .send(Message::text(format!("421{join}")))
        .await
        .unwrap();
    let ack = read_until(&mut socket, |t| t.starts_with("431"))
        .await
        .unwrap();
    let ack: Vec<Value> = serde_json::from_str(&ack[3..]).unwrap();
    assert_eq!(ack[0]["ok"], true, "{ack:?}");
    (
        socket,
        ack[0]["member"]["token"].as_str().unwrap().to_owned(),
    )
}

/// Reads the `join_room` (seq 1) and the compat notice (seq 2) of a fresh pairing.
async fn paired(socket: &mut Socket) -> String {
    let frame = read_until(socket, |t| t.starts_with("42[\"join_room\""))
        .await
        .unwrap();
    let arguments: Vec<Value> = serde_json::from_str(&frame[2..]).unwrap();
    read_until(socket, |t| t.contains("connected."))
        .await
        .unwrap();
    arguments[1]["room"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarting_every_node_in_turn_ends_no_chat_and_loses_no_acked_message() {
    let Some(url) = redis_url() else {
        eprintln!("SKIPPED: multi-node tests need CIRCLE_TEST_BACKEND=redis");
        return;
    };
    let redis = RedisPrefix::fresh(&url);
    let mut nodes: Vec<Process> = (0..3).map(|_| start_node(&redis)).collect();
    let ports = Arc::new(Ports::default());
    for node in &nodes {
        ports.add(node.app.port);
    }
    let group = nodes[0].app.create_group().await;
    let (stop, stopped) = watch::channel(false);
    let mut chats = Vec::new();
    for pair in 0..PAIRS {
        let (a, b) = (2 * pair, 2 * pair + 1);
        let (port_a, port_b) = (nodes[a % 3].app.port, nodes[b % 3].app.port);
        let (mut socket_a, token_a) = join(port_a, &group.code, &format!("m{a}")).await;
        let (mut socket_b, token_b) = join(port_b, &group.code, &format!("m{b}")).await;
        let room = paired(&mut socket_a).await;
        assert_eq!(paired(&mut socket_b).await, room);
        for (me, socket, port, token) in [
            (a, socket_a, port_a, token_a),
            (b, socket_b, port_b, token_b),
        ] {
            let member = Member {
                me,
                socket,
                port,
                room: room.clone(),
                token,
                last_seq: 2,
                next_number: 0,
                next_ack: 1,
                in_flight: Default::default(),
                outcome: Outcome::default(),
            };
            chats.push(tokio::spawn(member.chat(ports.clone(), stopped.clone())));
        }
    }
    tokio::time::sleep(SETTLE).await;
    for node in nodes.iter_mut() {
        ports.remove(node.app.port);
        send_sigterm(node);
        let mut old = std::mem::replace(node, start_node(&redis));
        ports.add(node.app.port);
        eventually("the drained node to exit", || {
            let exited = old.child.try_wait().unwrap().is_some();
            async move { exited.then_some(()) }
        })
        .await;
        tokio::time::sleep(SETTLE).await;
    }
    stop.send(true).unwrap();
    let mut outcomes = Vec::new();
    for chat in chats {
        outcomes.push(chat.await.unwrap());
    }
    let mut total_acked = 0;
    for pair in outcomes.chunks(2) {
        for (sender, receiver) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])] {
            assert!(sender.unexpected.is_empty(), "{:?}", sender.unexpected);
            assert_eq!(sender.failed_resumes, 0, "a resume failed");
            let received: HashSet<u64> = receiver.received.iter().copied().collect();
            assert_eq!(
                received.len(),
                receiver.received.len(),
                "a message came twice"
            );
            assert!(
                receiver.received.is_sorted(),
                "out of order: {:?}",
                receiver.received
            );
            for number in &sender.acked {
                assert!(
                    received.contains(number),
                    "acked message {number} was lost: receiver saw {:?}; sender saw {:?}",
                    receiver.trace,
                    sender.trace,
                );
            }
            total_acked += sender.acked.len();
        }
    }
    let resumes: usize = outcomes.iter().map(|o| o.resumes).sum();
    assert!(
        resumes >= PAIRS * 2,
        "every member resumed at least once: {resumes}"
    );
    assert!(
        total_acked > PAIRS * 2 * 20,
        "the load ran: {total_acked} acked"
    );
}
