//! A group's icebreakers: the prompts its owner wrote, one of which each new pair gets
//! (docs/protocol.md section 7).

use super::{Invalid, checked_text};
use rand::Rng;
use rand::seq::IndexedRandom;

/// Most prompts a group may have.
pub const MAX_PROMPTS: usize = 20;
/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 200;

/// The prompts of a group: 0–20, each 1–200 characters once trimmed, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prompts(Vec<String>);

impl Prompts {
    /// Why prompts are refused when they are not a list of strings.
    pub const NOT_A_LIST: Invalid =
        Invalid::new("invalid_prompts", "prompts must be a list of strings");
    /// Why prompts are refused when there are too many.
    pub const TOO_MANY: Invalid = Invalid::new("invalid_prompts", "at most 20 prompts");
    /// Why prompts are refused when one is empty, too long or holds control characters.
    pub const BAD_PROMPT: Invalid = Invalid::new(
        "invalid_prompts",
        "each prompt must be 1 to 200 characters without control characters",
    );

    /// Validates and trims each prompt.
    pub fn parse<'a>(raw: impl ExactSizeIterator<Item = &'a str>) -> Result<Self, Invalid> {
        if raw.len() > MAX_PROMPTS {
            return Err(Self::TOO_MANY);
        }
        raw.map(|prompt| checked_text(prompt, 1, MAX_PROMPT_CHARS, false, Self::BAD_PROMPT))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Wraps prompts read back from storage, where they were validated on the way in.
    pub fn from_stored(prompts: Vec<String>) -> Self {
        Self(prompts)
    }

    /// The prompts, in the order the owner wrote them.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// One prompt at random, or `None` when there are none.
    pub fn pick(&self, rng: &mut impl Rng) -> Option<&str> {
        self.0.choose(rng).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_trimmed_and_limited_in_count_and_length() {
        let parsed = Prompts::parse([" Favourite book? ", "x"].into_iter()).unwrap();
        assert_eq!(parsed.as_slice(), ["Favourite book?", "x"]);
        let long = "p".repeat(MAX_PROMPT_CHARS);
        assert!(Prompts::parse(std::iter::repeat_n(long.as_str(), MAX_PROMPTS)).is_ok());
        let too_many = Prompts::parse(std::iter::repeat_n("p", MAX_PROMPTS + 1));
        assert_eq!(too_many.unwrap_err(), Prompts::TOO_MANY);
        let too_long = "p".repeat(MAX_PROMPT_CHARS + 1);
        for bad in ["", "  ", too_long.as_str(), "line\nbreak"] {
            let refused = Prompts::parse([bad].into_iter()).unwrap_err();
            assert_eq!(refused, Prompts::BAD_PROMPT);
        }
    }

    #[test]
    fn a_pick_is_one_of_the_prompts_and_none_without_any() {
        let prompts = Prompts::parse(["a", "b"].into_iter()).unwrap();
        let picked = prompts.pick(&mut rand::rng()).unwrap();
        assert!(["a", "b"].contains(&picked));
        assert_eq!(Prompts::default().pick(&mut rand::rng()), None);
    }
}
