use crate::domain::ClientAddress;
use crate::read_gate::ReadGate;
use dashmap::DashMap;
use socketioxide::socket::Sid;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which client address each connected Engine.IO session belongs to: the address its
/// handshake came from. A request naming a session bound to another address must not
/// reach it (docs/protocol.md section 4; see `http::session_guard`).
///
/// Sessions on this node only: a session lives on the node that opened it.
#[derive(Clone, Default)]
pub struct SessionBindings(Arc<Registry>);

#[derive(Default)]
struct Registry {
    owners: DashMap<Sid, Owner>,
    next_token: AtomicU64,
}

/// A session's owner, and which binding recorded it (a session that leaves and rejoins
/// namespace `/` is bound again before the old binding may be dropped).
struct Owner {
    address: ClientAddress,
    token: u64,
    /// The gate of the connection its websocket came on, once it upgraded from
    /// long-polling (a session opened over a websocket finds its gate in its handshake).
    gate: Option<ReadGate>,
}

impl SessionBindings {
    /// Binds session `sid` to `address` until the returned binding is dropped.
    #[must_use = "the session is unbound when the binding is dropped"]
    pub fn bind(&self, sid: Sid, address: ClientAddress) -> SessionBinding {
        let token = self.0.next_token.fetch_add(1, Ordering::Relaxed);
        let owner = Owner {
            address,
            token,
            gate: None,
        };
        self.0.owners.insert(sid, owner);
        SessionBinding {
            bindings: self.clone(),
            sid,
            token,
        }
    }

    /// The address session `sid` is bound to, if it is bound.
    pub fn owner(&self, sid: &Sid) -> Option<ClientAddress> {
        self.0.owners.get(sid).map(|owner| owner.address)
    }

    /// Session `sid` upgraded to a websocket on the connection that `gate` belongs to.
    pub fn upgraded(&self, sid: &Sid, gate: ReadGate) {
        if let Some(mut owner) = self.0.owners.get_mut(sid) {
            owner.gate = Some(gate);
        }
    }

    /// The gate of session `sid`'s websocket, if it upgraded to one.
    pub fn gate(&self, sid: &Sid) -> Option<ReadGate> {
        self.0.owners.get(sid)?.gate.clone()
    }
}

/// Keeps one session bound; dropping it forgets the session.
pub struct SessionBinding {
    bindings: SessionBindings,
    sid: Sid,
    token: u64,
}

impl Drop for SessionBinding {
    fn drop(&mut self) {
        self.bindings
            .0
            .owners
            .remove_if(&self.sid, |_, owner| owner.token == self.token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(ip: [u8; 4]) -> ClientAddress {
        std::net::IpAddr::from(ip).into()
    }

    #[test]
    fn a_session_is_bound_while_its_binding_lives() {
        let bindings = SessionBindings::default();
        let sid = Sid::new();
        let binding = bindings.bind(sid, address([127, 0, 0, 1]));
        assert_eq!(bindings.owner(&sid), Some(address([127, 0, 0, 1])));
        assert_eq!(bindings.owner(&Sid::new()), None);
        drop(binding);
        assert_eq!(bindings.owner(&sid), None);
    }

    #[test]
    fn an_old_binding_dropped_late_leaves_the_new_one_in_place() {
        let bindings = SessionBindings::default();
        let sid = Sid::new();
        let old = bindings.bind(sid, address([127, 0, 0, 1]));
        let _new = bindings.bind(sid, address([127, 0, 0, 1]));
        drop(old);
        assert_eq!(bindings.owner(&sid), Some(address([127, 0, 0, 1])));
    }

    #[test]
    fn a_session_s_websocket_gate_is_kept_once_it_upgrades() {
        let bindings = SessionBindings::default();
        let sid = Sid::new();
        let _binding = bindings.bind(sid, address([127, 0, 0, 1]));
        assert!(bindings.gate(&sid).is_none());
        bindings.upgraded(&sid, ReadGate::default());
        assert!(bindings.gate(&sid).is_some());
        bindings.upgraded(&Sid::new(), ReadGate::default());
    }
}
