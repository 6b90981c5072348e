//! An extractor for the socket itself, shared (`Arc`): a [`super::Mailbox`] keeps a weak
//! reference to it, which socketioxide's `SocketRef` cannot give.

use socketioxide::adapter::Adapter;
use socketioxide::handler::{FromDisconnectParts, FromMessageParts, Value};
use socketioxide::socket::{DisconnectReason, Socket};
use std::convert::Infallible;
use std::sync::Arc;

/// The socket an event came from.
pub struct SocketArc<A: Adapter>(pub Arc<Socket<A>>);

impl<A: Adapter> FromMessageParts<A> for SocketArc<A> {
    type Error = Infallible;

    fn from_message_parts(
        s: &Arc<Socket<A>>,
        _: &mut Value,
        _: &Option<i64>,
    ) -> Result<Self, Infallible> {
        Ok(Self(s.clone()))
    }
}

impl<A: Adapter> FromDisconnectParts<A> for SocketArc<A> {
    type Error = Infallible;

    fn from_disconnect_parts(s: &Arc<Socket<A>>, _: DisconnectReason) -> Result<Self, Infallible> {
        Ok(Self(s.clone()))
    }
}
