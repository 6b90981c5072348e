//! The pub/sub driver under socketioxide's Redis adapter, on a connection that reconnects
//! by itself and resubscribes after an outage: the stock driver's connection stays broken
//! once Redis restarts, and events between nodes would stop for good.

use redis::aio::{ConnectionManager, ConnectionManagerConfig, SendError};
use redis::{AsyncCommands, FromRedisValue, PushInfo, PushKind};
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// A [`Driver`] on one self-healing RESP3 connection.
#[derive(Clone)]
pub struct ResilientDriver {
    handlers: Handlers,
    conn: ConnectionManager,
}

impl ResilientDriver {
    /// Connects to `client` (which must speak RESP3, for pushed pub/sub messages).
    pub async fn connect(client: redis::Client) -> redis::RedisResult<Self> {
        let handlers = Handlers::default();
        let deliver_to = handlers.clone();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_max_delay(Duration::from_secs(1))
            .set_automatic_resubscription()
            .set_push_sender(move |message: PushInfo| {
                deliver(message, &deliver_to);
                Ok::<(), SendError>(())
            });
        let conn = ConnectionManager::new_with_config(client, config).await?;
        let driver = Self { handlers, conn };
        tokio::spawn(heartbeat(driver.clone()));
        Ok(driver)
    }

    /// Whether Redis answers on this connection; a broken connection heals (and
    /// resubscribes) on the way.
    pub async fn ping(&self) -> redis::RedisResult<()> {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn.clone())
            .await
            .map(drop)
    }
}

/// How often the adapter's connection is checked: a connection only notices that Redis
/// came back when it is used, and it must resubscribe before other nodes publish.
const HEARTBEAT: Duration = Duration::from_millis(500);

async fn heartbeat(driver: ResilientDriver) {
    let mut ticks = tokio::time::interval(HEARTBEAT);
    loop {
        ticks.tick().await;
        // Stop with the server: the adapter holds the other clones.
        if Arc::strong_count(&driver.handlers) == 1 {
            return;
        }
        driver.ping().await.ok();
    }
}

/// Hands a pushed pub/sub message to the subscriber of its channel.
fn deliver(message: PushInfo, handlers: &Handlers) {
    if !matches!(message.kind, PushKind::Message | PushKind::SMessage) || message.data.len() < 2 {
        return;
    }
    let mut data = message.data.into_iter();
    let (Some(channel), Some(payload)) = (data.next(), data.next()) else {
        return;
    };
    let (Ok(channel), Ok(payload)) = (
        String::from_redis_value(channel),
        Vec::<u8>::from_redis_value(payload),
    ) else {
        return;
    };
    if let Some(subscriber) = handlers.read().expect("not poisoned").get(&channel)
        && subscriber.try_send((channel, payload)).is_err()
    {
        tracing::warn!("an adapter channel is full; an event between nodes was dropped");
    }
}

impl Driver for ResilientDriver {
    type Error = redis::RedisError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        self.conn
            .clone()
            .publish::<_, _, redis::Value>(chan, val)
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        self.conn.clone().subscribe(chan.as_str()).await?;
        let (sender, receiver) = mpsc::channel(size);
        self.handlers
            .write()
            .expect("not poisoned")
            .insert(chan, sender);
        Ok(MessageStream::new(receiver))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers.write().expect("not poisoned").remove(&chan);
        self.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let (_, count): (String, u16) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(count)
    }
}
