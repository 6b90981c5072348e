#![allow(dead_code)]

use circle::config::Config;
use circle::startup::App;
use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::{Event, Payload, TransportType};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long a test waits for an event that must come.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a test watches for an event that must not come.
pub const SILENCE: Duration = Duration::from_millis(300);

/// A running server with a fresh data directory (and a fresh Redis key prefix when the
/// suite runs against Redis).
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub data_dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub redis: Option<RedisPrefix>,
    _stop: oneshot::Sender<()>,
}

/// Which backend this run of the suite exercises: SQLite and memory by default, Redis
/// when `CIRCLE_TEST_BACKEND=redis` (with `CIRCLE_TEST_REDIS_URL`, default
/// `redis://127.0.0.1:6379`).
pub fn redis_url() -> Option<String> {
    (std::env::var("CIRCLE_TEST_BACKEND").as_deref() == Ok("redis")).then(|| {
        std::env::var("CIRCLE_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    })
}

pub use crate::redis_prefix::RedisPrefix;

/// Starts the real server on port 0 with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the real server on port 0 after `configure` adjusted the defaults.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    log_into_test_output();
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = Config::defaults();
    config.port = 0;
    config.bind = [127, 0, 0, 1].into();
    config.data_dir = data_dir.path().to_owned();
    let redis = redis_url().map(|url| RedisPrefix::fresh(&url));
    if let Some(redis) = &redis {
        config.redis_url = Some(redis.url.clone());
        config.redis_prefix = redis.prefix.clone();
    }
    configure(&mut config);
    let app = App::build(config).await.expect("server builds");
    let port = app.local_addr().port();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        stopped.await.ok();
    }));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        data_dir,
        http: reqwest::Client::new(),
        redis,
        _stop: stop,
    }
}

impl TestApp {
    /// A server started elsewhere (e.g. the binary in a child process).
    pub fn external(port: u16, data_dir: tempfile::TempDir, stop: oneshot::Sender<()>) -> Self {
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            data_dir,
            http: reqwest::Client::new(),
            redis: None,
            _stop: stop,
        }
    }
}

/// A group as created through the API.
pub struct CreatedGroup {
    pub code: String,
    pub owner_token: String,
    pub body: Value,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_groups(&self, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/groups"))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn create_group(&self) -> CreatedGroup {
        self.create_group_with(&json!({"name": "Book club", "description": "We read together"}))
            .await
    }

    /// A group created from `body`, which the server must accept.
    pub async fn create_group_with(&self, body: &Value) -> CreatedGroup {
        let response = self.post_groups(body).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        CreatedGroup {
            code: body["access_code"].as_str().unwrap().to_owned(),
            owner_token: body["owner_token"].as_str().unwrap().to_owned(),
            body,
        }
    }

    pub async fn close_group(&self, group: &CreatedGroup) -> reqwest::Response {
        self.http
            .delete(self.url(&format!("/groups/{}", group.code)))
            .bearer_auth(&group.owner_token)
            .send()
            .await
            .unwrap()
    }

    /// A connected Socket.IO client over websocket.
    pub async fn member(&self) -> TestMember {
        TestMember::connect(&self.address, TransportType::Websocket).await
    }

    /// A connected member who joined `code` as `name` and got an ok ack.
    pub async fn joined(&self, code: &str, name: &str) -> TestMember {
        self.joined_with_id(code, name).await.0
    }

    /// As [`TestApp::joined`], with her public member id from the ack.
    pub async fn joined_with_id(&self, code: &str, name: &str) -> (TestMember, String) {
        let mut member = self.member().await;
        let ack = member
            .request("join_group", json!({"access_code": code, "name": name}))
            .await;
        assert_eq!(ack["ok"], true, "join failed: {ack}");
        member.name = name.to_owned();
        (member, ack["member"]["id"].as_str().unwrap().to_owned())
    }

    /// Two members of `code`, paired; returns them and their room id.
    pub async fn pair(&self, code: &str) -> (TestMember, TestMember, String) {
        let mut a = self.joined(code, "Ada").await;
        let mut b = self.joined(code, "Bob").await;
        let room_a = a.next_event("join_room").await["room"].clone();
        let room_b = b.next_event("join_room").await["room"].clone();
        assert_eq!(room_a, room_b);
        for member in [&mut a, &mut b] {
            assert_eq!(member.next_event("message").await, "Bob connected.");
        }
        (a, b, room_a.as_str().unwrap().to_owned())
    }

    pub async fn metrics(&self) -> String {
        self.get("/metrics").await.text().await.unwrap()
    }
}

/// A real Socket.IO client whose incoming events queue up for the test to read.
pub struct TestMember {
    pub client: Client,
    pub name: String,
    events: mpsc::UnboundedReceiver<(String, Value)>,
}

fn payload_value(payload: Payload) -> Value {
    match payload {
        Payload::Text(mut values) if values.len() == 1 => values.remove(0),
        Payload::Text(values) => Value::Array(values),
        Payload::Binary(bytes) => json!({ "binary": bytes.len() }),
        #[allow(deprecated)]
        Payload::String(text) => Value::String(text),
    }
}

impl TestMember {
    pub async fn connect(address: &str, transport: TransportType) -> Self {
        let (sender, events) = mpsc::unbounded_channel();
        let (connected, is_connected) = oneshot::channel::<()>();
        let connected = std::sync::Mutex::new(Some(connected));
        let closed = sender.clone();
        let client = ClientBuilder::new(address)
            .transport_type(transport)
            .reconnect(false)
            .on(Event::Connect, move |_, _| {
                if let Some(connected) = connected.lock().unwrap().take() {
                    connected.send(()).ok();
                }
                async {}.boxed()
            })
            .on(Event::Close, move |_, _| {
                closed.send(("close".to_owned(), Value::Null)).ok();
                async {}.boxed()
            })
            .on_any(move |event: Event, payload, _| {
                sender
                    .send((event.as_str().to_owned(), payload_value(payload)))
                    .ok();
                async {}.boxed()
            })
            .connect()
            .await
            .expect("client connects");
        tokio::time::timeout(EVENT_TIMEOUT, is_connected)
            .await
            .expect("connected in time")
            .ok();
        Self {
            client,
            name: String::new(),
            events,
        }
    }

    /// Emits `event` without asking for an ack.
    pub async fn emit(&self, event: &str, payload: Value) {
        self.client.emit(event, payload).await.unwrap();
    }

    /// Emits `event`, asking for an ack, and returns it.
    pub async fn request(&self, event: &str, payload: Value) -> Value {
        let (sender, received) = oneshot::channel();
        let sender = std::sync::Mutex::new(Some(sender));
        self.client
            .emit_with_ack(event, payload, EVENT_TIMEOUT, move |payload, _| {
                if let Some(sender) = sender.lock().unwrap().take() {
                    // Acks arrive as the argument array: keep the first argument.
                    let value = match payload_value(payload) {
                        Value::Array(mut args) if !args.is_empty() => args.remove(0),
                        other => other,
                    };
                    sender.send(value).ok();
                }
                async {}.boxed()
            })
            .await
            .unwrap();
        tokio::time::timeout(EVENT_TIMEOUT, received)
            .await
            .unwrap_or_else(|_| panic!("no ack for {event}"))
            .unwrap()
    }

    /// The next event named `name`; other events on the way are skipped.
    pub async fn next_event(&mut self, name: &str) -> Value {
        let wait = async {
            loop {
                let (event, payload) = self.events.recv().await.expect("client alive");
                if event == name {
                    return payload;
                }
            }
        };
        tokio::time::timeout(EVENT_TIMEOUT, wait)
            .await
            .unwrap_or_else(|_| panic!("no {name} event within {EVENT_TIMEOUT:?}"))
    }

    /// The next chat message that is an object (compat string notices are skipped).
    pub async fn next_chat(&mut self) -> Value {
        loop {
            let message = self.next_event("message").await;
            if message.is_object() {
                return message;
            }
        }
    }

    /// Panics if any event named `name` arrives within [`SILENCE`].
    pub async fn assert_no(&mut self, name: &str) {
        let watch = async {
            loop {
                match self.events.recv().await {
                    Some((event, payload)) if event == name => return Some(payload),
                    Some(_) => continue,
                    None => std::future::pending::<()>().await,
                }
            }
        };
        if let Ok(Some(payload)) = tokio::time::timeout(SILENCE, watch).await {
            panic!("unexpected {name} event: {payload}");
        }
    }

    /// The next event named one of `names` within `within`, with its name; other events
    /// on the way are skipped.
    pub async fn next_of(&mut self, names: &[&str], within: Duration) -> (String, Value) {
        let wait = async {
            loop {
                let (event, payload) = self.events.recv().await.expect("client alive");
                if names.contains(&event.as_str()) {
                    return (event, payload);
                }
            }
        };
        tokio::time::timeout(within, wait)
            .await
            .unwrap_or_else(|_| panic!("none of {names:?} within {within:?}"))
    }

    /// Every event named `name` that arrives until [`SILENCE`] passes without one.
    pub async fn all_events(&mut self, name: &str) -> Vec<Value> {
        let mut found = Vec::new();
        while let Ok(Some((event, payload))) =
            tokio::time::timeout(SILENCE, self.events.recv()).await
        {
            if event == name {
                found.push(payload);
            }
        }
        found
    }

    pub async fn disconnect(self) {
        self.client.disconnect().await.ok();
    }
}

/// Asserts an ack or `request_error` body carries error `code`.
pub fn assert_refused(ack: &Value, code: &str) {
    assert_eq!(ack["ok"], false, "expected a refusal, got {ack}");
    assert_eq!(ack["error"]["code"], code, "wrong code in {ack}");
}

/// The server binary running in a child process (for tests that kill it or read its logs).
/// Dropping it kills the process, so that no test leaves a server behind.
pub struct Process {
    pub child: std::process::Child,
    pub app: TestApp,
    /// Everything the server writes to standard error, read as it comes so that the pipe
    /// never fills up and blocks the server.
    stderr: Option<std::thread::JoinHandle<()>>,
    /// What has come on standard error so far.
    logged: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Process {
    /// Stops the server and returns everything it wrote (standard error, then the rest
    /// of standard output).
    pub fn stop(&mut self) -> Vec<u8> {
        use std::io::Read;
        self.child.kill().ok();
        self.child.wait().ok();
        if let Some(reader) = self.stderr.take() {
            reader.join().unwrap();
        }
        let mut logs = self.logs();
        if let Some(stdout) = self.child.stdout.as_mut() {
            stdout.read_to_end(&mut logs).ok();
        }
        logs
    }
}

impl Process {
    /// What the server has written to standard error so far.
    pub fn logs(&self) -> Vec<u8> {
        self.logged.lock().unwrap().clone()
    }

    /// Waits until standard error holds `needle`, and returns everything written so far.
    pub async fn logs_once_they_hold(&self, needle: &str) -> String {
        eventually(&format!("{needle:?} in the log"), || async {
            let logs = String::from_utf8_lossy(&self.logs()).into_owned();
            logs.contains(needle).then_some(logs)
        })
        .await
    }
}

/// The server's metrics count no reply it could not send, and no client given up on.
pub async fn assert_every_reply_sent_and_nobody_stuck(app: &TestApp) {
    let metrics = app.metrics().await;
    let undelivered = "circle_replies_undelivered_total{";
    assert!(!metrics.contains(undelivered), "{metrics}");
    assert!(
        metrics.contains("circle_members_stuck_total 0"),
        "{metrics}"
    );
}

/// Asks `check` every few milliseconds until it answers, for at most [`EVENT_TIMEOUT`]
/// (for what the server announces no other way: log lines, metrics).
pub async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = tokio::time::Instant::now() + EVENT_TIMEOUT;
    loop {
        if let Some(answer) = check().await {
            return answer;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {what} within {EVENT_TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        if std::thread::panicking() && show_server_logs() {
            eprintln!(
                "--- server log ---\n{}",
                String::from_utf8_lossy(&self.logs())
            );
        }
    }
}

/// Whether `TEST_LOG` asks to see the server's logs of a failing test: the log of a
/// server process is printed when its test fails, and an in-process server logs (at
/// `RUST_LOG`, default `info`) into the test's output, which the harness shows when the
/// test fails.
fn show_server_logs() -> bool {
    std::env::var_os("TEST_LOG").is_some()
}

/// With `TEST_LOG`, routes the in-process server's logs into the test's captured output.
fn log_into_test_output() {
    if !show_server_logs() {
        return;
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Another test of this binary may have installed it already.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// Starts the binary on port 0 with a fresh data directory, `args` and `env`, and learns
/// its port from the line it prints on standard output.
/// A node process on `redis`'s key prefix (one of several nodes), with `extra` flags.
pub fn node_process(redis: &RedisPrefix, extra: &[&str]) -> Process {
    let mut args = vec!["--redis-url", &redis.url, "--redis-prefix", &redis.prefix];
    args.extend_from_slice(extra);
    spawn_process(&args, &[])
}

pub fn spawn_process(args: &[&str], env: &[(&str, &str)]) -> Process {
    spawn_process_with(tempfile::tempdir().unwrap(), args, env, |_| {})
}

/// Like [`spawn_process`], on `data_dir` (and on port 0 unless `args` name a `--port`),
/// after `adjust` changed the command (e.g. its resource limits).
pub fn spawn_process_with(
    data_dir: tempfile::TempDir,
    args: &[&str],
    env: &[(&str, &str)],
    adjust: impl FnOnce(&mut std::process::Command),
) -> Process {
    use std::io::{BufRead, BufReader, Read};
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_circle"));
    if !args.contains(&"--port") {
        command.args(["--port", "0"]);
    }
    command
        .args(["--bind", "127.0.0.1", "--data-dir"])
        .arg(data_dir.path())
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    adjust(&mut command);
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    let (stop, _) = oneshot::channel();
    let app = TestApp::external(port, data_dir, stop);
    let mut pipe = child.stderr.take().unwrap();
    let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = logged.clone();
    let stderr = std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        while let Ok(read @ 1..) = pipe.read(&mut chunk) {
            sink.lock().unwrap().extend_from_slice(&chunk[..read]);
        }
    });
    Process {
        child,
        app,
        stderr: Some(stderr),
        logged,
    }
}
