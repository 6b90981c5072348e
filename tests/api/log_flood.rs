//! Issue 9, item 4: a client that floods the server with packets that each earn an error
//! reply (CONNECT to namespaces that do not exist, refused events). Replies are not lost
//! while the client reads; our refusals that find its queue full wait for it (issue 11),
//! up to the backlog limit; socketioxide's own connect errors that cannot be queued are
//! logged; and the log stays small: a few lines of each kind a second, then one line with
//! the count of the rest.

use crate::helpers::*;
use crate::raw::{next_text, poll, polling_session, raw_socket};
use circle::config::Config;
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Packets in one write.
const FLOOD: usize = 1000;

/// The most log lines a flood may add to a server's log at the default level (before the
/// fix, 1,000 packets wrote 872 ERROR lines).
const LOG_LINES_AT_MOST: usize = 20;

/// The line socketioxide logs for each connect_error it fails to queue.
const LOST_CONNECT_ERROR: &str = "error while sending invalid namespace packet";

/// A queue small enough for a flood to overflow it.
const SMALL_QUEUE: usize = 16;

/// The CONNECT packet to unknown namespace number `i`.
fn connect_to_nowhere(i: usize) -> String {
    format!("40/nsp{i},")
}

/// How many `connect_error` replies `text` holds.
fn connect_errors(text: &str) -> usize {
    text.matches("44/nsp").count()
}

/// A refused request asking for ack 7: `join_group` with a code nobody has.
fn bad_join() -> String {
    let event = json!(["join_group", {"access_code": "nosuchcode", "name": "Flo"}]);
    format!("427{event}")
}

/// Whether `text` holds the refusal that answers [`bad_join`].
fn is_bad_join_refusal(text: &str) -> bool {
    text.contains("437[{\"ok\":false")
}

fn log_lines(logs: &str) -> usize {
    logs.lines().count()
}

/// A server process, a member connected to it, and how long its log was then.
struct Flooded {
    server: Process,
    bystander: TestMember,
    logged_before: usize,
}

impl Flooded {
    async fn start(args: &[&str]) -> Self {
        let server = spawn_process(args, &[]);
        let bystander = server.app.member().await;
        let logged_before = log_lines(&String::from_utf8_lossy(&server.logs()));
        Self {
            server,
            bystander,
            logged_before,
        }
    }

    fn app(&self) -> &TestApp {
        &self.server.app
    }

    /// The bystander is still served, and the log grew by a few lines at most.
    async fn assert_unharmed(&self) {
        let ack = self
            .bystander
            .request(
                "join_group",
                json!({"access_code": "nosuchcode", "name": "Bea"}),
            )
            .await;
        assert_refused(&ack, "group_not_found");
        let logs = String::from_utf8_lossy(&self.server.logs()).into_owned();
        let added = log_lines(&logs) - self.logged_before;
        assert!(added <= LOG_LINES_AT_MOST, "{added} log lines:\n{logs}");
    }

    /// Opens an Engine.IO v3 long-polling session, takes what its first poll brings
    /// (the namespace `/` connect), and posts `packets` to it in one body.
    async fn post_v3(&self, packets: impl Iterator<Item = String>) -> String {
        let url = polling_session(self.app(), 3).await;
        poll(self.app(), &url).await;
        self.post(&url, packets).await;
        url
    }

    /// Posts `packets` to the v3 polling session at `url`, in one body.
    async fn post(&self, url: &str, packets: impl Iterator<Item = String>) {
        let body: String = packets
            .map(|packet| format!("{}:{packet}", packet.len()))
            .collect();
        let posted = self.app().http.post(url).body(body).send().await.unwrap();
        assert!(posted.status().is_success(), "{}", posted.status());
    }

    /// Polls `url` until `wanted` connect_error replies came; returns all it received.
    async fn poll_connect_errors(&self, url: &str, wanted: usize) -> String {
        let mut received = String::new();
        while connect_errors(&received) < wanted {
            let body = tokio::time::timeout(EVENT_TIMEOUT, poll(self.app(), url))
                .await
                .unwrap_or_else(|_| {
                    let got = connect_errors(&received);
                    panic!("only {got} of {wanted} connect_error replies came")
                });
            received.push_str(&body);
        }
        received
    }
}

#[tokio::test]
async fn a_thousand_connects_to_unknown_namespaces_in_one_websocket_write_are_each_answered() {
    let flooded = Flooded::start(&[]).await;
    let mut raw = raw_socket(flooded.app(), 4).await;
    for i in 0..FLOOD {
        let connect = Message::text(connect_to_nowhere(i));
        raw.feed(connect).await.unwrap();
    }
    raw.flush().await.unwrap();

    for refused in 0..FLOOD {
        let text = next_text(&mut raw)
            .await
            .unwrap_or_else(|| panic!("only {refused} of {FLOOD} connect_error replies came"));
        assert!(text.starts_with("44/nsp"), "{text}");
    }
    raw.send(Message::text(bad_join())).await.unwrap();
    let ack = next_text(&mut raw).await.expect("the flooder is served");
    assert!(is_bad_join_refusal(&ack), "{ack}");
    flooded.assert_unharmed().await;
}

#[tokio::test]
async fn a_thousand_connects_in_one_engine_io_v3_polling_body_are_each_answered() {
    let flooded = Flooded::start(&[]).await;
    let url = flooded.post_v3((0..FLOOD).map(connect_to_nowhere)).await;

    flooded.poll_connect_errors(&url, FLOOD).await;
    flooded.post(&url, [bad_join()].into_iter()).await;
    let ack = poll(flooded.app(), &url).await;
    assert!(is_bad_join_refusal(&ack), "{ack}");
    flooded.assert_unharmed().await;
}

#[tokio::test]
async fn replies_past_a_full_queue_are_logged_a_few_at_a_time_and_counted_in_one_line() {
    let queue = SMALL_QUEUE.to_string();
    let flooded = Flooded::start(&["--max-queued-packets", &queue]).await;
    let url = flooded.post_v3((0..FLOOD).map(connect_to_nowhere)).await;
    let received = flooded.poll_connect_errors(&url, SMALL_QUEUE).await;
    assert_eq!(connect_errors(&received), SMALL_QUEUE, "{received}");

    let logs = flooded.server.logs_once_they_hold("suppressed").await;
    let shown = logs.matches(LOST_CONNECT_ERROR).count();
    let burst = Config::defaults().limits.log_burst as usize;
    assert!(shown <= burst, "{shown} lines of one kind:\n{logs}");
    let summary = logs
        .lines()
        .find(|line| line.contains("suppressed=") && line.contains("socketioxide::client"))
        .unwrap_or_else(|| panic!("no count of the lines suppressed:\n{logs}"));
    let suppressed: usize = summary
        .split("suppressed=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no count in {summary}"));
    assert_eq!(shown + suppressed, FLOOD - SMALL_QUEUE, "{logs}");
    flooded.assert_unharmed().await;
}

/// `join_room`, which no client may send: each earns a `request_error`.
fn forbidden() -> String {
    r#"42["join_room",{}]"#.to_owned()
}

#[tokio::test]
async fn refusals_that_find_a_polling_client_s_queue_full_wait_until_it_polls() {
    // The queue and as many waiting: every refusal fits.
    let refused = 2 * SMALL_QUEUE - 2;
    let queue = SMALL_QUEUE.to_string();
    let flooded = Flooded::start(&["--max-queued-packets", &queue]).await;
    let url = flooded.post_v3((0..refused).map(|_| forbidden())).await;

    let mut received = String::new();
    while received.matches("request_error").count() < refused {
        let body = tokio::time::timeout(EVENT_TIMEOUT, poll(flooded.app(), &url))
            .await
            .unwrap_or_else(|_| panic!("only these came: {received}"));
        received.push_str(&body);
    }
    assert_eq!(received.matches("request_error").count(), refused);
    assert_every_reply_sent_and_nobody_stuck(flooded.app()).await;
    flooded.assert_unharmed().await;
}

#[tokio::test]
async fn a_polling_client_that_makes_more_replies_wait_than_the_backlog_holds_is_given_up_on() {
    let queue = SMALL_QUEUE.to_string();
    let flooded = Flooded::start(&["--max-queued-packets", &queue]).await;
    flooded.post_v3((0..FLOOD / 10).map(|_| forbidden())).await;

    let stuck = "circle_members_stuck_total 1";
    eventually(stuck, || async {
        flooded.app().metrics().await.contains(stuck).then_some(())
    })
    .await;
    flooded
        .server
        .logs_once_they_hold("a client made more replies wait than the backlog limit")
        .await;
    flooded.assert_unharmed().await;
}

#[tokio::test]
async fn a_partner_whose_queue_stays_full_is_logged_as_stuck() {
    let queue = SMALL_QUEUE.to_string();
    let unlimited = ["--message-rate", "1000", "--message-burst", "1000"];
    let quick = ["--send-timeout", "300ms"];
    let args = [&["--max-queued-packets", &queue][..], &unlimited, &quick].concat();
    let flooded = Flooded::start(&args).await;
    let group = flooded.app().create_group().await;
    // She joins over long-polling, then polls no more: her queue fills up.
    let join = json!(["join_group", {"access_code": group.code, "name": "Ada"}]);
    flooded.post_v3([format!("42{join}")].into_iter()).await;
    let (mut bob, _) = crate::raw::RawMember::joined(flooded.app(), 4, &group.code, "Bob").await;
    let room = bob.next_event("join_room").await["room"].clone();
    for text in 0..FLOOD / 10 {
        let message = json!(["message", {"room": room, "text": text}]);
        bob.send_raw(&message.to_string()).await;
    }
    flooded
        .server
        .logs_once_they_hold("a member's connection read nothing for the send timeout")
        .await;
    flooded.assert_unharmed().await;
}
