use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The bearer token that lets a group's creator close it; shown once, at creation.
pub struct OwnerToken(String);

/// What is stored of an owner token: its SHA-256, compared in constant time.
#[derive(Clone, PartialEq, Eq)]
pub struct OwnerTokenHash(pub [u8; 32]);

impl OwnerToken {
    /// A fresh 256-bit token drawn from `rng` (pass a CSPRNG such as `rand::rng()`).
    pub fn generate(rng: &mut impl Rng) -> Self {
        let bytes: [u8; 32] = rng.random();
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The token text, for the creator's response only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash to store.
    pub fn hash(&self) -> OwnerTokenHash {
        OwnerTokenHash::of(&self.0)
    }
}

impl OwnerTokenHash {
    /// The hash of a presented token.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Whether `presented` is the token this hash was made from, in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        Self::of(presented).0.ct_eq(&self.0).into()
    }
}

impl std::fmt::Debug for OwnerTokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnerTokenHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_its_own_hash_only() {
        let mut rng = rand::rng();
        let token = OwnerToken::generate(&mut rng);
        let other = OwnerToken::generate(&mut rng);
        assert!(token.hash().matches(token.expose()));
        assert!(!token.hash().matches(other.expose()));
        assert!(!token.hash().matches(""));
    }
}
