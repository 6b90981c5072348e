//! Masking the profane words of one string, with `rustrict` (docs/profanity.md says why).
//!
//! `rustrict` finds the words after normalising the text (decomposing it, dropping accents
//! and other combining marks, bidirectional controls and unassigned characters), and its
//! censored copy is that normalised text: "désolé" would come back as "desole". So this
//! module takes only *which* characters it masked from that copy and masks the same
//! characters of the original, keeping everything else as the sender wrote it.

use rustrict::{Censor, Type};
use std::iter;

/// What is masked: profane, offensive and sexual words of every level, and severely mean
/// ones (`rustrict`'s default censoring threshold).
const THRESHOLD: Type = Type::INAPPROPRIATE;
/// What a masked character becomes.
const MASK: char = '*';

/// `text` with each character of every inappropriate word (see [`THRESHOLD`]) replaced by
/// `*`, or `None` when there is none (the common case).
///
/// One `rustrict` pass either way: censoring rather than analysing first keeps a dirty
/// message from costing two passes (BENCHMARKS.md, "Profanity filter").
///
/// Combining marks written on a masked letter go with it, so "f̸ų̷c̸k̶" becomes `****`.
/// In the rare text whose characters cannot be matched one by one with `rustrict`'s
/// normalised copy (characters that compose only with their neighbours, such as Hangul
/// jamo typed separately), `rustrict`'s own censored copy is returned instead: its accents
/// are gone, but every word it found is masked.
pub fn masked(text: &str) -> Option<String> {
    let censored = Censor::from_str(text)
        .with_censor_threshold(THRESHOLD)
        // By default `rustrict` keeps the first letter of mild words ("c***"); the
        // protocol masks the whole word.
        .with_censor_first_character_threshold(THRESHOLD)
        .with_censor_replacement(MASK)
        .censor();
    // Masking only ever turns characters into `*`, so as many `*` as before means none.
    if censored.matches(MASK).count() == text.matches(MASK).count() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let Some(bits) = mask_bits(&chars, &censored) else {
        return Some(censored);
    };
    let masked = render(&chars, &bits);
    (masked != text).then_some(masked)
}

/// Which characters of `original` are masked where `censored` (`rustrict`'s normalised,
/// censored copy of it) has a `*`; a combining mark goes with the character before it.
/// `None` when the two cannot be matched character by character.
fn mask_bits(original: &[char], censored: &str) -> Option<Vec<bool>> {
    let mut bits = Vec::with_capacity(original.len());
    let mut censored = censored.chars();
    let mut masking = false;
    for &c in original {
        let width = normalised_width(c);
        if width > 0 {
            masking = false;
            for _ in 0..width {
                masking |= censored.next()? == MASK;
            }
        }
        bits.push(masking);
    }
    censored.next().is_none().then_some(bits)
}

/// `chars` with every masked character turned into `*`, and the combining marks written
/// on a masked character dropped with it.
fn render(chars: &[char], bits: &[bool]) -> String {
    let mut out = String::with_capacity(chars.len());
    for (&c, &masked) in chars.iter().zip(bits) {
        match (masked, normalised_width(c)) {
            (true, 0) => {}
            (true, _) => out.push(MASK),
            (false, _) => out.push(c),
        }
    }
    out
}

/// How many characters `c` becomes in `rustrict`'s normalised text: 1 for ASCII, which
/// normalisation leaves alone; otherwise asked of `rustrict` itself, so that this never
/// drifts from the version in use.
fn normalised_width(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        Censor::new(iter::once(c)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_sentence_is_not_copied() {
        assert_eq!(masked("Hey, how was your day? The lake was lovely."), None);
    }

    #[test]
    fn a_profane_word_becomes_as_many_stars_as_it_has_letters() {
        assert_eq!(
            masked("well shit happens").as_deref(),
            Some("well **** happens")
        );
    }

    #[test]
    fn the_first_letter_of_a_mild_word_is_masked_too() {
        assert_eq!(masked("hello crap").as_deref(), Some("hello ****"));
    }

    #[test]
    fn case_does_not_evade_the_filter() {
        assert_eq!(masked("FuCk").as_deref(), Some("****"));
        assert_eq!(masked("FUCK").as_deref(), Some("****"));
    }

    #[test]
    fn repeated_letters_do_not_evade_the_filter() {
        assert_eq!(masked("fuuuuuuck").as_deref(), Some("*********"));
    }

    #[test]
    fn spacing_does_not_evade_the_filter() {
        assert_eq!(masked("f u c k").as_deref(), Some("*******"));
        assert_eq!(masked("s.h.i.t").as_deref(), Some("*******"));
    }

    #[test]
    fn look_alike_characters_do_not_evade_the_filter() {
        for evasion in ["sh1t", "$h!t", "fμ¢κ", "ƒuck", "𝕗𝕦𝕔𝕜", "ｆｕｃｋ"] {
            assert_eq!(masked(evasion).as_deref(), Some("****"), "{evasion}");
        }
    }

    #[test]
    fn combining_marks_on_a_masked_word_are_masked_with_it() {
        assert_eq!(
            masked("f\u{338}u\u{337}c\u{338}k\u{336}!").as_deref(),
            Some("****!")
        );
    }

    #[test]
    fn words_that_merely_contain_a_profanity_are_left_alone() {
        for clean in [
            "Scunthorpe",
            "assassin",
            "class",
            "classic",
            "push it",
            "therapist",
        ] {
            assert_eq!(masked(clean), None, "{clean}");
        }
    }

    #[test]
    fn accents_and_other_scripts_around_a_masked_word_are_kept() {
        assert_eq!(
            masked("Désolé, c'est de la shit, 日本語 ok").as_deref(),
            Some("Désolé, c'est de la ****, 日本語 ok")
        );
    }

    #[test]
    fn bidirectional_controls_do_not_evade_the_filter() {
        assert_eq!(masked("f\u{202E}uck").as_deref(), Some("****"));
    }

    proptest::proptest! {
        #[test]
        fn ascii_text_only_ever_has_characters_turned_into_stars(
            text in "[ -~]{0,40}(shit|fuck|crap)?[ -~]{0,40}"
        ) {
            if let Some(masked) = masked(&text) {
                proptest::prop_assert_eq!(masked.len(), text.len());
                for (was, is) in text.chars().zip(masked.chars()) {
                    proptest::prop_assert!(was == is || is == MASK, "{text:?} -> {masked:?}");
                }
            }
        }

        #[test]
        fn any_text_is_masked_without_a_panic(text in "\\PC{0,60}") {
            if let Some(masked) = masked(&text) {
                proptest::prop_assert!(masked.contains(MASK));
            }
        }
    }

    #[test]
    fn text_that_cannot_be_aligned_falls_back_to_the_censored_copy() {
        assert_eq!(mask_bits(&['a', 'b', 'c'], "ab"), None);
        assert_eq!(mask_bits(&['a', 'b'], "abc"), None);
    }
}
