//! Where Socket.IO meets the [`Presence`] backends: each backend's adapter, how it
//! reaches a socket, and the binding of every event on connect.

use super::context::SocketContext;
use super::local::LocalPresence;
use super::redis::{RedisAdapter, RedisPresence};
use super::resuming::Resuming;
use super::{
    Link, Outlet, Presence, Realtime, chat, lobby, parting, refusal, request::Request, resume,
    set_filter, typing,
};
use socketioxide::SocketIo;
use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extract::{SocketRef, State};
use socketioxide::handler::{ConnectHandler, Value};
use socketioxide::socket::Socket;
use socketioxide_core::adapter::DefinedAdapter;
use std::fmt::Display;
use std::pin::Pin;
use std::sync::Arc;

/// A [`Presence`] backend as the Socket.IO edge sees it.
pub trait SocketBackend: Presence {
    /// The Socket.IO adapter that carries events between this backend's members.
    type Adapter: Adapter + DefinedAdapter;

    /// How the backend will reach `socket`, which just connected, within `outlet`'s
    /// send limits.
    fn connection(socket: &Arc<Socket<Self::Adapter>>, outlet: &Arc<Outlet>) -> Self::Connection;

    /// Binds every event of namespace `/` on `io`; resolves once the adapter runs.
    fn start(
        rt: Arc<Realtime<Self>>,
        io: &SocketIo<Self::Adapter>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

impl SocketBackend for LocalPresence {
    type Adapter = LocalAdapter;

    fn connection(socket: &Arc<Socket<LocalAdapter>>, outlet: &Arc<Outlet>) -> Self::Connection {
        link(socket, outlet)
    }

    /// The local adapter needs no start.
    fn start(
        rt: Arc<Realtime<Self>>,
        io: &SocketIo<LocalAdapter>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        io.ns("/", OnConnect(rt));
        std::future::ready(Ok(()))
    }
}

impl SocketBackend for RedisPresence {
    type Adapter = RedisAdapter;

    fn connection(socket: &Arc<Socket<RedisAdapter>>, outlet: &Arc<Outlet>) -> Self::Connection {
        link(socket, outlet)
    }

    /// Hands `io` to the backend, then subscribes the adapter and the node's delivery
    /// channel to Redis.
    fn start(
        rt: Arc<Realtime<Self>>,
        io: &SocketIo<RedisAdapter>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        rt.presence().attach_io(io.clone());
        let subscribed = io.ns("/", OnConnect(rt.clone()));
        async move {
            subscribed
                .await
                .map_err(|e| anyhow::anyhow!("starting the Socket.IO adapter: {e}"))?;
            rt.presence()
                .listen()
                .await
                .map_err(|e| anyhow::anyhow!("subscribing to the delivery channel: {e}"))
        }
    }
}

/// How every backend reaches `socket`: through her outbox, within `outlet`'s send limits.
fn link<A: Adapter>(socket: &Arc<Socket<A>>, outlet: &Arc<Outlet>) -> Link<A> {
    Link {
        socket: Arc::downgrade(socket),
        outlet: outlet.clone(),
    }
}

/// The connect handler of namespace `/`.
///
/// The event handlers are bound in the middleware step, which socketioxide awaits before
/// it sends the Socket.IO connect packet: a client that emits the moment it is connected
/// (as the original front end does) never finds its events unhandled. A plain async
/// connect handler runs in a task spawned after that packet, too late.
pub struct OnConnect<P: Presence>(pub Arc<Realtime<P>>);

impl<P: Presence> Clone for OnConnect<P> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// Marks [`OnConnect`]'s [`ConnectHandler`] implementation.
pub struct Bind;

type MiddlewareResult<'a> =
    Pin<Box<dyn Future<Output = Result<(), Box<dyn Display + Send>>> + Send + 'a>>;

impl<P: Resuming> ConnectHandler<P::Adapter, Bind> for OnConnect<P> {
    fn call(&self, _: Arc<Socket<P::Adapter>>, _: Option<Value>) {
        self.0.metrics.connections.inc();
    }

    fn call_middleware<'a>(
        &'a self,
        socket: Arc<Socket<P::Adapter>>,
        _: &'a Option<Value>,
    ) -> MiddlewareResult<'a> {
        SocketContext::attach(&socket, &self.0);
        bind_events(&SocketRef::from(socket), &self.0);
        Box::pin(async { Ok(()) })
    }
}

fn bind_events<P: Resuming>(socket: &SocketRef<P::Adapter>, rt: &Arc<Realtime<P>>) {
    socket.on_disconnect(lobby::on_disconnect::<P>);
    socket.on("join_group", lobby::on_join_group::<P>);
    socket.on("leave", lobby::on_leave::<P>);
    socket.on("next", lobby::on_next::<P>);
    socket.on("leave_room", lobby::on_leave_room::<P>);
    socket.on("resume", resume::on_resume::<P>);
    socket.on("typing", typing::on_typing::<P>);
    socket.on("block", parting::on_block::<P>);
    socket.on("report", parting::on_report::<P>);
    socket.on("set_filter", set_filter::on_set_filter::<P>);
    socket.on("message", chat::Relay(rt.clone()));
    for event in ["join_room", "gmessage"] {
        socket.on(
            event,
            async move |request: Request<P::Adapter>, State(rt): State<Arc<Realtime<P>>>| {
                request.refuse(event, refusal::FORBIDDEN, &rt.metrics);
            },
        );
    }
    // `received` and unknown events are ignored (compat).
    socket.on_fallback(async || {});
}
