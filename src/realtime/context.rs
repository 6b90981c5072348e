use super::connect::SocketBackend;
use super::replies::Replies;
use super::{Presence, Realtime, SessionBinding, SessionBindings};
use crate::domain::{AccessCode, ClientAddress, DisplayName, MemberId, ResumeToken};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use parking_lot::Mutex;
use socketioxide::socket::Socket;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::Arc;

/// The group a member last entered, and under which name.
#[derive(Clone)]
pub struct Entry {
    /// The group's code.
    pub code: AccessCode,
    /// Her name there.
    pub name: DisplayName,
}

/// Who a socket is: a member, who outlives her connection when she is resumable
/// (docs/protocol.md section 6).
pub struct Identity<P: Presence> {
    /// The member's public id: what her partner sees instead of any session id.
    pub id: MemberId,
    /// The member, to the presence backend.
    pub member: P::Member,
    /// The group she last entered and the name she entered under (for `next` and
    /// `return_to`); only her own requests change it.
    pub last_entry: Mutex<Option<Entry>>,
    /// Her current resume token, once she is resumable, on one node (the Redis backend
    /// keeps its tokens in Redis and their keys with the member).
    pub(super) token: Mutex<Option<ResumeToken>>,
    /// Whether she is here, away or gone for good.
    pub(super) lifecycle: Mutex<Lifecycle>,
}

/// A member's presence, as resuming sees it: each change happens under her lock, so that
/// a resume and the end of her window never both win.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// Connected.
    Here,
    /// Her connection dropped; the number tells this absence from later ones.
    Away(u64),
    /// Her window ended, or she left for good: she cannot resume.
    Gone,
}

/// What belongs to one connection, whoever it turns out to be.
pub struct Connection {
    /// Its chat message allowance.
    pub message_limiter: DefaultDirectRateLimiter,
    /// Its `typing` allowance.
    pub typing_limiter: DefaultDirectRateLimiter,
    /// The client's address, for the failed-join limit.
    pub client_ip: IpAddr,
    /// Keeps the socket's Engine.IO session bound to the client's address while the
    /// socket lives (none when the handshake did not pass the session guard).
    _session: Option<SessionBinding>,
}

/// What the server keeps for one connection, in the socket's extensions, whichever
/// backend runs: the connection's own state and the member it is (which a resume
/// changes). Derefs to the [`Identity`].
pub struct SocketContext<P: Presence> {
    identity: Arc<Identity<P>>,
    connection: Arc<Connection>,
}

impl<P: Presence> Deref for SocketContext<P> {
    type Target = Identity<P>;

    fn deref(&self) -> &Identity<P> {
        &self.identity
    }
}

impl<P: SocketBackend> SocketContext<P> {
    /// Registers a new connection as a new member and attaches its context to the socket.
    pub fn attach(socket: &Arc<Socket<P::Adapter>>, rt: &Realtime<P>) {
        let rate = NonZeroU32::new(rt.limits.message_rate).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(rt.limits.message_burst).unwrap_or(NonZeroU32::MIN);
        let typing = NonZeroU32::new(rt.limits.typing_rate).unwrap_or(NonZeroU32::MIN);
        let handshake = &socket.req_parts().extensions;
        let client = handshake
            .get::<ClientAddress>()
            .copied()
            .unwrap_or_else(|| IpAddr::V4(Ipv4Addr::UNSPECIFIED).into());
        let session = handshake
            .get::<SessionBindings>()
            .map(|bindings| bindings.bind(socket.id, client));
        let id = MemberId::generate(&mut rand::rng());
        let identity = Arc::new(Identity {
            member: rt
                .presence
                .register(P::connection(socket, &rt.outlet), id.clone()),
            id,
            last_entry: Mutex::new(None),
            token: Mutex::new(None),
            lifecycle: Mutex::new(Lifecycle::Here),
        });
        let connection = Arc::new(Connection {
            message_limiter: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            typing_limiter: RateLimiter::direct(Quota::per_second(typing).allow_burst(typing)),
            client_ip: client.ip(),
            _session: session,
        });
        socket.extensions.insert(Arc::new(Self {
            identity,
            connection,
        }));
        Replies::attach(socket, rt.outlet.clone());
    }

    /// The context of a connected socket.
    pub fn of(socket: &Socket<P::Adapter>) -> Option<Arc<Self>> {
        socket.extensions.get::<Arc<Self>>()
    }

    /// Detaches the context when the socket is gone.
    pub fn detach(socket: &Socket<P::Adapter>) -> Option<Arc<Self>> {
        Replies::detach(socket);
        socket.extensions.remove::<Arc<Self>>()
    }

    /// The member this socket is.
    pub fn identity(&self) -> &Arc<Identity<P>> {
        &self.identity
    }

    /// The connection's own state.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// From now on `socket` (this context's) is `identity`, resumed on it.
    pub fn resumed_as(&self, socket: &Socket<P::Adapter>, identity: Arc<Identity<P>>) {
        socket.extensions.insert(Arc::new(Self {
            identity,
            connection: self.connection.clone(),
        }));
    }
}
