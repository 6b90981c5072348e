use super::{AccessCode, Invalid, Prompts, checked_text};
use time::OffsetDateTime;

/// Limits on group fields, in characters (docs/protocol.md section 1).
pub const MAX_GROUP_NAME_CHARS: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest rules string, in characters.
pub const MAX_RULES_CHARS: usize = 5000;

/// A group's name: 1–100 characters once trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

/// A group's description: 1–500 characters once trimmed; line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

/// A group's rules: any string up to 5000 characters, kept byte for byte (compat: the
/// original front end stores a JSON-encoded array here and parses it back).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rules(String);

impl GroupName {
    /// Validates a group name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let error = Invalid::new(
            "invalid_name",
            "name must be 1 to 100 characters without control characters",
        );
        checked_text(raw, 1, MAX_GROUP_NAME_CHARS, false, error).map(Self)
    }
}

impl Description {
    /// Validates a description.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let error = Invalid::new(
            "invalid_description",
            "description must be 1 to 500 characters",
        );
        checked_text(raw, 1, MAX_DESCRIPTION_CHARS, true, error).map(Self)
    }
}

impl Rules {
    /// Why rules are refused: too long, or not a string at all.
    pub const INVALID: Invalid = Invalid::new(
        "invalid_rules",
        "rules must be a string of at most 5000 characters",
    );

    /// Checks the length only: the text is stored exactly as sent.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().count() > MAX_RULES_CHARS {
            return Err(Self::INVALID);
        }
        Ok(Self(raw.to_owned()))
    }
}

macro_rules! text_accessors {
    ($($t:ty),*) => {$(
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl $t {
            /// Wraps text read back from storage, where it was validated on the way in.
            pub fn from_stored(text: String) -> Self {
                Self(text)
            }
        }
    )*};
}
text_accessors!(GroupName, Description, Rules);

/// What a creator asks for: the validated fields of `POST /groups`.
#[derive(Debug, Clone)]
pub struct NewGroup {
    /// The group's name.
    pub name: GroupName,
    /// What the group is about.
    pub description: Description,
    /// The group's rules, opaque text.
    pub rules: Rules,
    /// Icebreakers: each new pair gets one of them.
    pub prompts: Prompts,
}

/// A live group, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The secret code members join with.
    pub access_code: AccessCode,
    /// The group's name.
    pub name: GroupName,
    /// What the group is about.
    pub description: Description,
    /// The group's rules, opaque text.
    pub rules: Rules,
    /// Icebreakers: each new pair gets one of them.
    pub prompts: Prompts,
    /// When it was created (whole seconds, UTC).
    pub created_at: OffsetDateTime,
    /// When it stops existing (whole seconds, UTC).
    pub expires_at: OffsetDateTime,
}

impl Group {
    /// Whether the group still exists at `now`; an expired group is unknown everywhere.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_name_is_trimmed_and_limited_to_100_characters() {
        assert_eq!(
            GroupName::parse("  Book club ").unwrap().as_ref(),
            "Book club"
        );
        assert!(GroupName::parse(&"x".repeat(100)).is_ok());
        assert_eq!(
            GroupName::parse(&"x".repeat(101)).unwrap_err().code,
            "invalid_name"
        );
        assert!(GroupName::parse(" ").is_err());
    }

    #[test]
    fn a_description_may_span_lines_but_not_exceed_500_characters() {
        assert!(Description::parse("line one\nline two").is_ok());
        assert_eq!(
            Description::parse(&"x".repeat(501)).unwrap_err().code,
            "invalid_description"
        );
        assert!(Description::parse("").is_err());
    }

    #[test]
    fn rules_are_kept_byte_for_byte() {
        let raw = " [\"be kind\",\"no spam\"] ";
        assert_eq!(Rules::parse(raw).unwrap().as_ref(), raw);
        assert!(Rules::parse(&"r".repeat(5001)).is_err());
    }
}
