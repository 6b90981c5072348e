//! One server process for one measurement: started pinned to a CPU on a fresh data
//! directory, found by its "circle listening on" line, stopped at the end.

use crate::scenarios::relay::SERVER_FLAGS;
use anyhow::{Context as _, Result, bail};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a server may take to print its listening line.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a server may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A running server; killed if dropped without [`Server::stop`].
pub struct Server {
    child: Child,
    /// Its base URL on 127.0.0.1.
    pub url: String,
    /// Its process id.
    pub pid: u32,
    dir: TempDir,
}

impl Server {
    /// Starts `binary` (The Circle, or the Node baseline's drop-in) on CPU `cpu` with
    /// the relay's lifted message limit, on port 0 of 127.0.0.1.
    pub async fn start(binary: &Path, cpu: usize) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix("circle-bench.").tempdir()?;
        let stderr = std::fs::File::create(dir.path().join("stderr"))?;
        let mut command = Command::new(binary);
        command
            .args(SERVER_FLAGS.split(' '))
            .args(["--port", "0", "--bind", "127.0.0.1", "--data-dir"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true);
        // SAFETY: between fork and exec the closure only makes two system calls; the
        // server is told to stop should this tool die first.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                crate::proc::pin_to_cpu(cpu)
            })
        };
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let mut lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let url = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(at) = line.find("http://127.0.0.1:") {
                    return anyhow::Ok(Some(
                        line[at..]
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    ));
                }
            }
            Ok(None)
        })
        .await
        .unwrap_or(Ok(None))?;
        let Some(url) = url else {
            let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
            bail!("{} printed no listening line: {stderr}", binary.display());
        };
        // Whatever else it prints must not fill the pipe and stall it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            url,
            pid,
            dir,
        })
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM, waits a little, then kills; removes the data directory.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: kill only sends a signal, to our own child, which is not reaped yet.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
        }
        let stopped = tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await;
        if stopped.is_err()
            && let Err(error) = self.child.kill().await
        {
            eprintln!("warning: killing server {}: {error}", self.pid);
        }
        drop(self.dir);
    }
}
