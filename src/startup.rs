//! Builds the application from its [`Config`] and runs it until told to stop.

use crate::config::{Config, Limits};
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::realtime::{self, Lobbies, LocalPresence, Presence, Realtime};
use crate::store::{GroupStore, SqliteStore};
use anyhow::Context;
use axum::Router;
use axum::http::{HeaderValue, Method, header};
use socketioxide::SocketIo;
use socketioxide::adapter::LocalAdapter;
use socketioxide::layer::SocketIoLayer;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// Disconnects every socket, so that each partner is told and each record released.
type CloseSockets = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A built server: bound to its port, not yet serving.
pub struct App {
    listener: TcpListener,
    router: Router,
    close_sockets: CloseSockets,
    store: Arc<dyn GroupStore>,
    lobbies: Arc<dyn Lobbies>,
    sweep_interval: Duration,
}

/// The Socket.IO half, built for one presence backend.
struct SocketSide {
    layer: SocketIoLayer<LocalAdapter>,
    lobbies: Arc<dyn Lobbies>,
    close_sockets: CloseSockets,
}

/// Socket.IO on this node's memory: lobbies and rooms in a hub.
fn local_socket_side(
    store: Arc<dyn GroupStore>,
    limits: &Limits,
    metrics: Arc<Metrics>,
) -> SocketSide {
    let realtime = Arc::new(Realtime::new(
        LocalPresence::default(),
        store,
        limits.clone(),
        metrics,
    ));
    let (layer, io) = with_limits(SocketIo::builder(), limits)
        .with_state(realtime.clone())
        .build_layer();
    socket_side(layer, io, realtime)
}

fn socket_side<P: Presence<Adapter = LocalAdapter>>(
    layer: SocketIoLayer<LocalAdapter>,
    io: SocketIo<LocalAdapter>,
    realtime: Arc<Realtime<P>>,
) -> SocketSide {
    realtime::register(&io, realtime.clone());
    SocketSide {
        layer,
        lobbies: realtime,
        close_sockets: Box::new(move || Box::pin(async move { io.close().await })),
    }
}

/// Applies the packet size limits to websocket and long-polling alike.
fn with_limits<A: socketioxide::adapter::Adapter>(
    builder: socketioxide::SocketIoBuilder<A>,
    limits: &Limits,
) -> socketioxide::SocketIoBuilder<A> {
    let packet_bytes = limits.max_packet_bytes;
    builder
        .max_payload(packet_bytes as u64)
        .ws_max_message_size(packet_bytes)
        .ws_max_frame_size(packet_bytes)
}

impl App {
    /// Opens the store, builds HTTP and Socket.IO, and binds the listener (port 0 picks a
    /// free port; see [`App::local_addr`]).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store: Arc<dyn GroupStore> = Arc::new(SqliteStore::open(&config.data_dir).await?);
        let metrics = Arc::new(Metrics::default());
        let limits = config.limits.clone();
        let sockets = local_socket_side(store.clone(), &limits, metrics.clone());
        let state = AppState {
            store: store.clone(),
            lobbies: sockets.lobbies.clone(),
            metrics,
            group_ttl: config.group_ttl,
            public_group_list: config.public_group_list,
        };
        let router = http::router(state, limits.max_body_bytes)
            .layer(sockets.layer)
            .layer(cors(&config.cors_origins)?);
        let address = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("binding {address}"))?;
        Ok(Self {
            listener,
            router,
            close_sockets: sockets.close_sockets,
            store,
            lobbies: sockets.lobbies,
            sweep_interval: config.sweep_interval,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then disconnects every socket and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let sweeper = tokio::spawn(sweep(self.store, self.lobbies, self.sweep_interval));
        let close_sockets = self.close_sockets;
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                close_sockets().await;
            })
            .await;
        sweeper.abort();
        served.context("serving HTTP")
    }
}

/// Deletes expired groups and closes their lobbies, every `interval`.
async fn sweep(store: Arc<dyn GroupStore>, lobbies: Arc<dyn Lobbies>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = OffsetDateTime::now_utc();
        match store.delete_expired(now).await {
            Ok(deleted) if deleted > 0 => tracing::info!(deleted, "expired groups deleted"),
            Ok(_) => {}
            Err(cause) => tracing::warn!(%cause, "sweeping expired groups failed"),
        }
        lobbies.sweep(now).await;
    }
}

/// Reflects the request's origin with credentials (socket.io-client 2.x polling sends
/// them), or allows only `origins` when some are configured (PROTOCOL.md section 4).
fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|origin| origin.trim())
        .filter(|origin| !origin.is_empty())
        .collect();
    let allow_origin = if origins.is_empty() {
        AllowOrigin::mirror_request()
    } else {
        let list = origins
            .iter()
            .map(|origin| HeaderValue::from_str(origin).context("--cors-origin"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(list)
    };
    Ok(CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers(AllowHeaders::list([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
        ]))
        .max_age(Duration::from_secs(600)))
}
