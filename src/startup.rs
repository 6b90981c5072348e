//! Builds the application from its [`Config`] and runs it until told to stop.

use crate::config::{Config, ConnectionLimits, Limits};
use crate::domain::TrustedProxies;
use crate::http::session_guard::SessionGuardLayer;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::realtime::redis::{RedisPresence, RedisRules, ResilientDriver};
use crate::realtime::rounds::{Rounds, Timed, run_driver};
use crate::realtime::{Lobbies, LocalPresence, Realtime, Resuming, SAVE_EVERY, SessionBindings};
use crate::server::{self, CloseSockets, Serving};
use crate::shutdown::Draining;
use crate::store::{GroupStore, RedisStore, SqliteStore, connect_redis};
use anyhow::Context;
use axum::Router;
use axum::http::{HeaderValue, Method, header};
use socketioxide::SocketIo;
use socketioxide::adapter::Emitter;
use socketioxide_core::adapter::CoreAdapter;
use socketioxide_redis::{RedisAdapterConfig, RedisAdapterCtr};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// A built server: bound to its port, not yet serving.
pub struct App {
    listener: TcpListener,
    router: Router,
    close_sockets: CloseSockets,
    store: Arc<dyn GroupStore>,
    lobbies: Arc<dyn Lobbies>,
    rounds: Arc<dyn Rounds>,
    sweep_interval: Duration,
    metrics: Arc<Metrics>,
    draining: Draining,
    connection_limits: ConnectionLimits,
}

/// The periodic work: deleting expired groups every `groups`, and looking after lobbies
/// every `lobbies` (for Redis, keeping this node's member records alive).
struct Sweeps {
    groups: Duration,
    lobbies: Duration,
}

/// One node: groups in SQLite, lobbies and rooms in this process's memory.
async fn single_node(config: Config) -> anyhow::Result<App> {
    let store = Arc::new(SqliteStore::open(&config.data_dir).await?);
    assemble(config, store, LocalPresence::default(), ()).await
}

/// One of several nodes: groups, lobbies and rooms in Redis, events through its adapter.
async fn shared_node(config: Config, url: &str) -> anyhow::Result<App> {
    let store = RedisStore::open(connect_redis(url).await?, &config.redis_prefix).await?;
    // The adapter speaks RESP3 (Redis 7 or later).
    let separator = if url.contains('?') { '&' } else { '?' };
    let client = redis::Client::open(format!("{url}{separator}protocol=resp3"))
        .context("parsing the Redis URL")?;
    let adapter_config =
        RedisAdapterConfig::new().with_prefix(format!("{}-sio", config.redis_prefix));
    let driver = ResilientDriver::connect(client)
        .await
        .context("connecting the Socket.IO adapter to Redis")?;
    let adapter = RedisAdapterCtr::new_with_driver(driver.clone(), adapter_config);
    let presence = RedisPresence::new(
        RedisRules::new(store.connection(), store.keys().clone(), config.member_ttl),
        driver,
        config.member_ttl,
        config.limits.resume_bounds(),
    );
    assemble(config, Arc::new(store), presence, adapter).await
}

/// Builds HTTP and Socket.IO around `store` and `presence`, whose adapter starts from
/// `adapter`, and binds the listener: the one path for either backend.
async fn assemble<P: Resuming + Timed>(
    config: Config,
    store: Arc<dyn GroupStore>,
    presence: P,
    adapter: <P::Adapter as CoreAdapter<Emitter>>::State,
) -> anyhow::Result<App> {
    let metrics = Arc::new(Metrics::default());
    let limits = &config.limits;
    let realtime = Arc::new(Realtime::new(
        presence,
        store.clone(),
        limits.clone(),
        metrics.clone(),
    ));
    let (layer, io) = with_limits(SocketIo::builder(), limits)
        .with_adapter::<P::Adapter>(adapter)
        .with_state(realtime.clone())
        .build_layer();
    P::start(realtime.clone(), &io).await?;
    let draining = Draining::default();
    let state = AppState {
        store: store.clone(),
        lobbies: realtime.clone(),
        rounds: realtime.clone(),
        metrics: metrics.clone(),
        draining: draining.clone(),
        group_ttl: config.group_ttl,
        public_group_list: config.public_group_list,
    };
    let router = http::router(state, limits.max_body_bytes)
        .layer(layer)
        .layer(SessionGuardLayer::new(
            SessionBindings::default(),
            metrics.clone(),
        ))
        .layer(cors(&config.cors_origins)?)
        .layer(http::client_address::layer(trusted_proxies(&config)?));
    let address = SocketAddr::new(config.bind, config.port);
    let listener = bind(address).with_context(|| format!("binding {address}"))?;
    Ok(App {
        listener,
        router,
        close_sockets: {
            let realtime = realtime.clone();
            Box::new(move || {
                Box::pin(async move {
                    realtime.closing(&io).await;
                    io.close().await;
                })
            })
        },
        store,
        lobbies: realtime.clone(),
        rounds: realtime,
        sweep_interval: config.sweep_interval,
        metrics,
        draining,
        connection_limits: config.connections,
    })
}

/// Applies the heartbeat, packet size and queue limits to websocket and long-polling alike.
fn with_limits<A: socketioxide::adapter::Adapter>(
    builder: socketioxide::SocketIoBuilder<A>,
    limits: &Limits,
) -> socketioxide::SocketIoBuilder<A> {
    let packet_bytes = limits.max_packet_bytes;
    builder
        .ping_interval(limits.ping_interval)
        .ping_timeout(limits.ping_timeout)
        .max_buffer_size(limits.max_queued_packets)
        .max_payload(packet_bytes as u64)
        .ws_max_message_size(packet_bytes)
        .ws_max_frame_size(packet_bytes)
        .ws_read_buffer_size(WS_READ_BUFFER)
}

/// Each websocket's read buffer: chat packets are ~100 bytes, so 1 KiB reads them in one
/// go and larger ones in a few, for a quarter of the default's memory per connection.
const WS_READ_BUFFER: usize = 1024;

impl App {
    /// Opens the store, builds HTTP and Socket.IO, and binds the listener (port 0 picks a
    /// free port; see [`App::local_addr`]).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        match config.redis_url.clone().filter(|url| !url.is_empty()) {
            None => single_node(config).await,
            Some(url) => shared_node(config, &url).await,
        }
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then drains (see [`crate::server`]) and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let sweeps = Sweeps {
            groups: self.sweep_interval,
            lobbies: self
                .lobbies
                .maintenance_interval()
                .map_or(self.sweep_interval, |every| every.min(self.sweep_interval)),
        };
        let (stop_saving, saving_stopped) = tokio::sync::oneshot::channel();
        let saver = tokio::spawn(save_counts(self.lobbies.clone(), saving_stopped));
        let sweeper = tokio::spawn(sweep(self.store, self.lobbies, sweeps));
        let rounds = tokio::spawn(run_driver(self.rounds));
        let serving = Serving {
            limits: self.connection_limits,
            metrics: self.metrics,
            draining: self.draining,
            close_sockets: self.close_sockets,
        };
        server::serve(self.listener, self.router, serving, shutdown).await;
        sweeper.abort();
        rounds.abort();
        // The saver is told, not aborted: an abort in the middle of a save would lose it.
        if stop_saving.send(()).is_err() {
            tracing::warn!("the owner counts saver had stopped already");
        }
        saver.await.context("saving the owner counts at shutdown")?;
        Ok(())
    }
}

/// Pending connections the kernel queues before accept: bursts of thousands of members
/// connecting at once (a class starting together) must not overflow it.
const LISTEN_BACKLOG: u32 = 4096;

fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match address {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Deletes expired groups and closes their lobbies, and looks after the lobbies.
async fn sweep(store: Arc<dyn GroupStore>, lobbies: Arc<dyn Lobbies>, every: Sweeps) {
    let mut ticks = tokio::time::interval(every.lobbies);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut groups_swept = tokio::time::Instant::now() - every.groups;
    loop {
        ticks.tick().await;
        let now = OffsetDateTime::now_utc();
        if groups_swept.elapsed() >= every.groups {
            groups_swept = tokio::time::Instant::now();
            match store.delete_expired(now).await {
                Ok(deleted) if deleted > 0 => tracing::info!(deleted, "expired groups deleted"),
                Ok(_) => {}
                Err(cause) => tracing::warn!(%cause, "sweeping expired groups failed"),
            }
        }
        lobbies.sweep(now).await;
    }
}

/// Saves the owner counts every [`SAVE_EVERY`], and once more when `stop` fires (or its
/// sender is gone).
async fn save_counts(lobbies: Arc<dyn Lobbies>, mut stop: tokio::sync::oneshot::Receiver<()>) {
    let mut ticks = tokio::time::interval(SAVE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => lobbies.save_counts().await,
            _ = &mut stop => break,
        }
    }
    lobbies.save_counts().await;
}

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
fn trusted_proxies(config: &Config) -> anyhow::Result<TrustedProxies> {
    TrustedProxies::parse(&config.trusted_proxies)
        .map_err(anyhow::Error::msg)
        .context("--trusted-proxy")
}

/// Reflects the request's origin with credentials (socket.io-client 2.x polling sends
/// them), or allows only `origins` when some are configured (docs/protocol.md section 4).
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
