use rand::Rng;
use rand::distr::Distribution;

/// Crockford's base32 in lower case: no `i`, `l`, `o` or `u`, so nothing looks alike.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters in a code: 10 × 5 bits = 50 bits from a CSPRNG (docs/protocol.md section 1).
const LENGTH: usize = 10;

/// The secret code that admits members to a group, normalised to lower case.
///
/// It is a secret (docs/protocol.md section 4): `Debug` redacts it and there is no `Display`,
/// so it cannot end up in a log line by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccessCode(String);

impl AccessCode {
    /// A fresh random code drawn from `rng` (pass a CSPRNG such as `rand::rng()`).
    pub fn generate(rng: &mut impl Rng) -> Self {
        let letters = rand::distr::slice::Choose::new(ALPHABET).expect("alphabet is not empty");
        Self(
            letters
                .sample_iter(rng)
                .take(LENGTH)
                .map(|&b| b as char)
                .collect(),
        )
    }

    /// Reads a code typed by a person: surrounding spaces are ignored, case does not
    /// matter, and the look-alikes `i`/`l` and `o` read as `1` and `0`.
    pub fn parse(raw: &str) -> Option<Self> {
        let code: String = raw
            .trim()
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                'i' | 'l' => '1',
                'o' => '0',
                other => other,
            })
            .collect();
        let valid = code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(Self(code))
    }

    /// The code itself, for the owner's response, hashing and sealing; never for logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_parses_back_to_itself() {
        let code = AccessCode::generate(&mut rand::rng());
        assert_eq!(AccessCode::parse(code.expose()), Some(code));
    }

    #[test]
    fn codes_match_case_insensitively_and_forgive_look_alikes() {
        let code = AccessCode::parse("ab12cd34ef").unwrap();
        assert_eq!(AccessCode::parse(" AB12CD34EF "), Some(code.clone()));
        assert_eq!(AccessCode::parse("abI2cd34ef"), Some(code));
    }

    #[test]
    fn a_code_of_the_wrong_length_or_alphabet_is_rejected() {
        assert_eq!(AccessCode::parse("abc"), None);
        assert_eq!(AccessCode::parse("ab12cd34efg"), None);
        assert_eq!(AccessCode::parse("ab12cd34e!"), None);
        assert_eq!(AccessCode::parse("ab12cd34eu"), None);
    }

    #[test]
    fn debug_output_never_shows_the_code() {
        let code = AccessCode::parse("ab12cd34ef").unwrap();
        assert!(!format!("{code:?}").contains("ab12"));
    }
}
