use super::connect::SocketBackend;
use super::{Presence, Realtime, SessionBinding, SessionBindings};
use crate::domain::{AccessCode, ClientAddress, DisplayName, MemberId};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;
use socketioxide::extract::SocketRef;
use socketioxide::socket::Socket;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// The group a member last entered, and under which name.
#[derive(Clone)]
pub struct Entry {
    /// The group's code.
    pub code: AccessCode,
    /// Her name there.
    pub name: DisplayName,
}

/// What the server keeps for one connection, in the socket's extensions, whichever
/// backend runs.
pub struct SocketContext<P: Presence> {
    /// The member's public id: what her partner sees instead of any session id.
    pub id: MemberId,
    /// The member this socket is, to the presence backend.
    pub member: P::Member,
    /// Its chat message allowance.
    pub message_limiter: DefaultDirectRateLimiter,
    /// The client's address, for the failed-join limit.
    pub client_ip: IpAddr,
    /// The group she last entered and the name she entered under (for `next` and
    /// `return_to`); only her own requests change it.
    pub last_entry: Mutex<Option<Entry>>,
    /// Keeps the socket's Engine.IO session bound to the client's address while the
    /// socket lives (none when the handshake did not pass the session guard).
    _session: Option<SessionBinding>,
}

impl<P: SocketBackend> SocketContext<P> {
    /// Registers a new connection and attaches its context to the socket.
    pub fn attach(socket: &Arc<Socket<P::Adapter>>, rt: &Realtime<P>) {
        let rate = NonZeroU32::new(rt.limits.message_rate).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(rt.limits.message_burst).unwrap_or(NonZeroU32::MIN);
        let handshake = &socket.req_parts().extensions;
        let client = handshake
            .get::<ClientAddress>()
            .copied()
            .unwrap_or_else(|| IpAddr::V4(Ipv4Addr::UNSPECIFIED).into());
        let session = handshake
            .get::<SessionBindings>()
            .map(|bindings| bindings.bind(socket.id, client));
        let id = MemberId::generate(&mut rand::rng());
        let context = Arc::new(Self {
            member: rt.presence.register(P::connection(socket), id.clone()),
            id,
            message_limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            client_ip: client.ip(),
            last_entry: Mutex::new(None),
            _session: session,
        });
        socket.extensions.insert(context);
    }

    /// The context of a connected socket.
    pub fn of(socket: &Socket<P::Adapter>) -> Option<Arc<Self>> {
        socket.extensions.get::<Arc<Self>>()
    }

    /// Detaches the context when the socket is gone.
    pub fn detach(socket: &SocketRef<P::Adapter>) -> Option<Arc<Self>> {
        socket.extensions.remove::<Arc<Self>>()
    }
}
