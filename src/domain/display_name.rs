use super::{Invalid, checked_text};

/// Longest display name, in characters (docs/protocol.md section 2, `join_group`).
pub const MAX_NAME_CHARS: usize = 40;
const DEFAULT_NAME: &str = "Anonymous";
const INVALID: Invalid = Invalid::new(
    "invalid_name",
    "name must be 1 to 40 characters without control characters",
);

/// The name a member shows to her partner. Lives only as long as the connection and is
/// never logged: `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims the name; a missing name becomes "Anonymous".
    pub fn parse(raw: Option<&str>) -> Result<Self, Invalid> {
        match raw {
            None => Ok(Self(DEFAULT_NAME.to_owned())),
            Some(raw) => checked_text(raw, 1, MAX_NAME_CHARS, false, INVALID).map(Self),
        }
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DisplayName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DisplayName(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_name_is_anonymous() {
        assert_eq!(DisplayName::parse(None).unwrap().as_ref(), "Anonymous");
    }

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(DisplayName::parse(Some("  Ada ")).unwrap().as_ref(), "Ada");
    }

    #[test]
    fn an_empty_or_blank_name_is_rejected() {
        assert!(DisplayName::parse(Some("")).is_err());
        assert!(DisplayName::parse(Some("   ")).is_err());
    }

    #[test]
    fn a_name_of_forty_characters_is_accepted_and_forty_one_rejected() {
        assert!(DisplayName::parse(Some(&"é".repeat(40))).is_ok());
        assert_eq!(
            DisplayName::parse(Some(&"é".repeat(41))).unwrap_err().code,
            "invalid_name"
        );
    }

    #[test]
    fn a_name_with_control_characters_is_rejected() {
        assert!(DisplayName::parse(Some("Ada\u{7}")).is_err());
        assert!(DisplayName::parse(Some("A\nda")).is_err());
    }
}
