//! Running out of file descriptors, and `--max-connections`: the real binary under a low
//! file limit, flooded with idle connections, backs off instead of spinning, refuses what
//! it cannot serve, and serves normal clients again as soon as connections free up.

use crate::helpers::*;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The file limit the server runs under, soft and hard.
const FILE_LIMIT: u64 = 256;
/// More idle connections than it has descriptors for.
const FLOOD: usize = 400;
/// How long the flood is held while the server's CPU time is measured.
const HELD: Duration = Duration::from_secs(2);

/// The binary, started under a file limit of [`FILE_LIMIT`].
fn spawn_with_few_files(args: &[&str]) -> Process {
    use std::os::unix::process::CommandExt;
    spawn_process_with(tempfile::tempdir().unwrap(), args, &[], |command| {
        // SAFETY: setrlimit is async-signal-safe; nothing else runs before exec.
        unsafe {
            command
                .pre_exec(|| rlimit::setrlimit(rlimit::Resource::NOFILE, FILE_LIMIT, FILE_LIMIT));
        }
    })
}

/// CPU time (user and system) the process has used so far.
fn cpu_time(process: &Process) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", process.child.id())).unwrap();
    // Fields after the command name (which ends with ')'): utime is the 12th, stime 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // The kernel's clock tick is 100 Hz on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}

async fn flood(app: &TestApp) -> Vec<TcpStream> {
    let mut streams = Vec::new();
    for _ in 0..FLOOD {
        streams.push(TcpStream::connect(("127.0.0.1", app.port)).await.unwrap());
    }
    streams
}

/// Holds the flood for [`HELD`] and returns the CPU time the server used meanwhile.
async fn cpu_while_held(process: &Process) -> Duration {
    let before = cpu_time(process);
    tokio::time::sleep(HELD).await;
    cpu_time(process) - before
}

/// Returns as soon as a normal request is answered again.
async fn served_again(app: &TestApp) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let answered = async {
        loop {
            if let Ok(response) = client.get(app.url("/healthz")).send().await {
                assert_eq!(response.status(), 200);
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), answered)
        .await
        .expect("served again once connections freed up");
}

fn accept_error_lines(logs: &[u8]) -> usize {
    String::from_utf8_lossy(logs)
        .lines()
        .filter(|line| line.contains("accepting connections failed"))
        .count()
}

#[tokio::test]
async fn running_out_of_file_descriptors_backs_off_instead_of_spinning() {
    // A cap above the file limit, so that accepting really runs out of descriptors.
    let mut server = spawn_with_few_files(&["--max-connections", "100000"]);
    let streams = flood(&server.app).await;
    let cpu = cpu_while_held(&server).await;
    assert!(cpu < HELD / 10, "{cpu:?} of CPU in {HELD:?}");
    drop(streams);
    served_again(&server.app).await;
    let logs = server.stop();
    let lines = accept_error_lines(&logs);
    assert!((1..=5).contains(&lines), "{lines} accept error lines");
}

#[tokio::test]
async fn connections_beyond_the_default_cap_are_closed_and_counted() {
    let mut server = spawn_with_few_files(&[]);
    let streams = flood(&server.app).await;
    let cpu = cpu_while_held(&server).await;
    assert!(cpu < HELD / 10, "{cpu:?} of CPU in {HELD:?}");
    let closed = futures_util::future::join_all(streams.into_iter().map(|mut stream| async move {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut byte)).await;
        matches!(read, Ok(Ok(0) | Err(_)))
    }))
    .await
    .into_iter()
    .filter(|closed| *closed)
    .count();
    // The cap leaves a reserve below the file limit: some of the flood was served, the rest
    // refused, and accepting never ran out of descriptors.
    assert!(
        (FLOOD - FILE_LIMIT as usize..FLOOD).contains(&closed),
        "{closed} closed"
    );
    served_again(&server.app).await;
    let metrics = server.app.metrics().await;
    assert!(
        metrics.contains(&format!("circle_connections_refused_total {closed}\n")),
        "{closed} refusals not counted in:\n{metrics}"
    );
    assert_eq!(accept_error_lines(&server.stop()), 0);
}
