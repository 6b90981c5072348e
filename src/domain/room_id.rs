use rand::Rng;
use std::sync::Arc;

/// The id of one private room: 128 random bits in hex, fresh for every pairing and never
/// reused. Knowing it is the permission to send into the room (docs/protocol.md section 2).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RoomId(Arc<str>);

impl RoomId {
    /// A fresh id drawn from `rng` (pass a CSPRNG such as `rand::rng()`).
    pub fn generate(rng: &mut impl Rng) -> Self {
        Self(format!("{:032x}", rng.random::<u128>()).into())
    }

    /// An id read back from shared storage, where it was generated.
    pub fn from_wire(id: &str) -> Self {
        Self(id.into())
    }

    /// The id as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for RoomId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RoomId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoomId(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_id_has_128_bits_in_hex() {
        let id = RoomId::generate(&mut rand::rng());
        assert_eq!(id.as_str().len(), 32);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn two_room_ids_differ() {
        let mut rng = rand::rng();
        assert_ne!(RoomId::generate(&mut rng), RoomId::generate(&mut rng));
    }
}
