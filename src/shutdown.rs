//! What stops the server (Ctrl-C or SIGTERM), and whether it is stopping.

/// Resolves when the process is asked to stop.
pub async fn signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Whether the node is draining: set once, when it is asked to stop; from then on
/// `/readyz` answers 503 so that load balancers send no one new.
#[derive(Clone, Default)]
pub struct Draining(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Draining {
    /// Marks the node as draining.
    pub fn start(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether [`Draining::start`] was called.
    pub fn is_draining(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}
