//! A text filtered piece by piece, the words most texts share read from a cache.
//!
//! `rustrict` costs about 150 ns per character (BENCHMARKS.md, "Profanity filter"), so a
//! long message filtered whole costs more than twice its delivery. What gets masked is
//! decided per word anyway (see [`super::words`]: a mask that crosses words stays only
//! over a run of words of at most two letters, a spaced-out "f u c k"), so the text is cut
//! into exactly those pieces:
//! - a token (what lies between spaces, punctuation included) with three letters or more,
//!   checked alone, and cached per thread: chat text is mostly the same few thousand
//!   words, which then cost a hash lookup;
//! - a run of short tokens with the spaces between them ("f u c k"), checked whole;
//! - the spaces between, copied.

use super::words;
use std::cell::RefCell;
use std::collections::HashMap;

/// Words of at most this many letters may be pieces of a spaced-out evasion.
pub(super) const SHORT_WORD: usize = 2;
/// Words kept per thread; the cache starts over when it is full.
const CACHED_WORDS: usize = 8192;
/// Longer words are checked each time (they are rare, and would crowd the cache).
const LONGEST_CACHED: usize = 32;

thread_local! {
    /// Each word seen, with its masked form when it has one.
    static CACHE: RefCell<HashMap<Box<str>, Option<Box<str>>>> = RefCell::new(HashMap::new());
}

/// `text` with every profane word masked (each of its characters `*`), or `None` when
/// nothing is (the common case).
pub fn masked(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (start, end, long) in pieces(text) {
        let piece = &text[start..end];
        let masked = match long {
            true => cached(piece),
            false => words::masked(piece),
        };
        if let Some(masked) = masked {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..start]);
            out.push_str(&masked);
            copied = end;
        }
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    Some(out)
}

/// A word's masked form, from the cache when it was seen on this thread before.
fn cached(word: &str) -> Option<String> {
    if word.len() > LONGEST_CACHED {
        return words::masked(word);
    }
    if let Some(known) = CACHE.with_borrow(|cache| cache.get(word).cloned()) {
        return known.map(String::from);
    }
    let masked = words::masked(word);
    CACHE.with_borrow_mut(|cache| {
        if cache.len() >= CACHED_WORDS {
            cache.clear();
        }
        cache.insert(word.into(), masked.as_deref().map(Box::from));
    });
    masked
}

/// The pieces to check, as byte ranges of `text`: each long token (whitespace-separated,
/// with three letters or digits or more) alone (`true`), and each run of short tokens with
/// the spaces between them (`false`). A token keeps its punctuation: look-alikes such as
/// `$` and `!` in "$h!t" are letters to `rustrict`.
fn pieces(text: &str) -> Vec<(usize, usize, bool)> {
    let mut found: Vec<(usize, usize, bool)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut end = start;
        let mut letters = 0;
        while let Some(&(i, c)) = chars.peek().filter(|(_, c)| !c.is_whitespace()) {
            end = i + c.len_utf8();
            letters += usize::from(c.is_alphanumeric());
            chars.next();
        }
        let short = letters <= SHORT_WORD;
        match found.last_mut() {
            // A short token joins the run of short tokens before it.
            Some((_, run_end, false)) if short => *run_end = end,
            _ => found.push((start, end, !short)),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_stand_alone_and_short_ones_run_together() {
        let text = "hi f u c k, what a day";
        let cut: Vec<(&str, bool)> = pieces(text)
            .into_iter()
            .map(|(a, b, long)| (&text[a..b], long))
            .collect();
        assert_eq!(
            cut,
            [
                ("hi f u c k,", false),
                ("what", true),
                ("a", false),
                ("day", true)
            ]
        );
    }

    #[test]
    fn every_evasion_and_false_positive_of_the_whole_text_filter_holds_piece_by_piece() {
        for (text, expected) in [
            ("well shit happens", Some("well **** happens")),
            ("f u c k", Some("*******")),
            ("s.h.i.t", Some("*******")),
            ("$h!t", Some("****")),
            ("fμ¢κ", Some("****")),
            ("what the fuck, Ada", Some("what the ****, Ada")),
            ("Hi Bob, still awake?", None),
            ("the assassin", None),
            ("Scunthorpe push it class", None),
            (
                "Désolé, c'est de la shit, 日本語 ok",
                Some("Désolé, c'est de la ****, 日本語 ok"),
            ),
            ("f\u{338}u\u{337}c\u{338}k\u{336}!", Some("****!")),
        ] {
            assert_eq!(masked(text).as_deref(), expected, "{text}");
            assert_eq!(masked(text).as_deref(), expected, "{text}, cached");
        }
    }
}
