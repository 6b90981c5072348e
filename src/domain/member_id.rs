use rand::Rng;
use std::sync::Arc;

/// A member's public id: 128 random bits in hex, with no relation to any session id. It is
/// the one id a partner ever sees (`join_room.match.id` and `match.sid`), and the one the
/// server puts in place of a session id found in a relayed payload (docs/protocol.md section 4).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MemberId(Arc<str>);

impl MemberId {
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

impl std::fmt::Debug for MemberId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemberId(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_id_has_128_bits_in_hex() {
        let id = MemberId::generate(&mut rand::rng());
        assert_eq!(id.as_str().len(), 32);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn two_member_ids_differ() {
        let mut rng = rand::rng();
        assert_ne!(MemberId::generate(&mut rng), MemberId::generate(&mut rng));
    }

    #[test]
    fn debug_does_not_show_the_id() {
        let id = MemberId::generate(&mut rand::rng());
        assert!(!format!("{id:?}").contains(id.as_str()));
    }
}
