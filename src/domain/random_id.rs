//! Ids made of 128 random bits in hex: credentials or public handles that nobody can
//! guess, redacted in `Debug` so that they never reach a log by accident.

/// Defines `$name`, an id of 128 random bits in hex, with `generate` (from a CSPRNG),
/// `from_wire` (read back from shared storage) and `as_str`, and a redacted `Debug`.
macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(std::sync::Arc<str>);

        impl $name {
            /// A fresh id drawn from `rng` (pass a CSPRNG such as `rand::rng()`).
            pub fn generate(rng: &mut impl rand::Rng) -> Self {
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

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

pub(crate) use random_id;

#[cfg(test)]
mod tests {
    random_id!(
        /// An id for the tests.
        TestId
    );

    #[test]
    fn an_id_has_128_bits_in_hex() {
        let id = TestId::generate(&mut rand::rng());
        assert_eq!(id.as_str().len(), 32);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn an_id_read_back_is_the_same_id() {
        let id = TestId::generate(&mut rand::rng());
        assert_eq!(TestId::from_wire(id.as_str()), id);
    }

    #[test]
    fn two_ids_differ() {
        let mut rng = rand::rng();
        assert_ne!(TestId::generate(&mut rng), TestId::generate(&mut rng));
    }

    #[test]
    fn debug_does_not_show_the_id() {
        let id = TestId::generate(&mut rand::rng());
        let shown = format!("{id:?}");
        assert_eq!(shown, "TestId(<redacted>)");
        assert!(!shown.contains(id.as_str()));
    }
}
