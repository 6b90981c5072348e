//! Which [`ReadGate`] stops reading a socket's client: that of the connection its
//! websocket runs on. A long-polling client's requests come on any connection, so it has
//! none (its replies still wait, see [`super::replies`]).

use super::SessionBindings;
use crate::read_gate::ReadGate;
use socketioxide::TransportType;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Socket;

/// The gate of `socket`'s websocket connection, if it is on a websocket.
pub fn gate_of<A: Adapter>(socket: &Socket<A>) -> Option<ReadGate> {
    if socket.transport_type() != TransportType::Websocket {
        return None;
    }
    let handshake = socket.req_parts();
    if asks_for_websocket(handshake.uri.query()) {
        // Opened over a websocket: its handshake came on the websocket's own connection.
        return handshake.extensions.get::<ReadGate>().cloned();
    }
    // Upgraded from long-polling: the upgrade told the bindings its connection's gate.
    handshake
        .extensions
        .get::<SessionBindings>()?
        .gate(&socket.id)
}

/// Whether an Engine.IO request's query asks for the websocket transport.
pub fn asks_for_websocket(query: Option<&str>) -> bool {
    query.is_some_and(|query| query.split('&').any(|pair| pair == "transport=websocket"))
}
