//! The word filter: whole words and phrases from openly licensed lists in seven languages, plus the deck's own.
//!
//! The built-in lists are in `assets/blocklist/` (see its `ATTRIBUTION.md`).
//! Matching is by whole word on normalised, lower-cased text, so "class" never
//! matches inside "classic"; `allow.txt` removes list entries that are
//! everyday words in one of the languages ("comer", "pesce").

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use super::text;

const LISTS: [&str; 7] = [
    include_str!("../../../../assets/blocklist/en.txt"),
    include_str!("../../../../assets/blocklist/de.txt"),
    include_str!("../../../../assets/blocklist/fr.txt"),
    include_str!("../../../../assets/blocklist/es.txt"),
    include_str!("../../../../assets/blocklist/it.txt"),
    include_str!("../../../../assets/blocklist/nl.txt"),
    include_str!("../../../../assets/blocklist/pt.txt"),
];
const ALLOWED: &str = include_str!("../../../../assets/blocklist/allow.txt");

/// The longest phrase a list may hold, in words: longer entries are ignored.
const MAX_PHRASE_WORDS: usize = 5;

/// The built-in lists, built once.
static BUILT_IN: LazyLock<Arc<Filter>> = LazyLock::new(|| Arc::new(Filter::new(&[])));

/// A set of blocked words and phrases.
#[derive(Debug)]
pub struct Filter {
    /// Each entry as its words joined by one space (`two words`).
    phrases: HashSet<String>,
    /// Entries with no letters or digits (an emoji), matched anywhere.
    symbols: Vec<String>,
    /// The longest entry, in words.
    longest: usize,
    /// The deck's own words as given, so that equal decks compare equal.
    extra: Vec<String>,
}

impl PartialEq for Filter {
    fn eq(&self, other: &Filter) -> bool {
        self.extra == other.extra
    }
}

impl Filter {
    /// The built-in lists alone.
    pub fn built_in() -> Arc<Filter> {
        BUILT_IN.clone()
    }

    /// The built-in lists and `extra` words (a deck's `blocklist:`).
    pub fn with(extra: &[String]) -> Arc<Filter> {
        if extra.is_empty() {
            Filter::built_in()
        } else {
            Arc::new(Filter::new(extra))
        }
    }

    fn new(extra: &[String]) -> Filter {
        let allowed: HashSet<String> = ALLOWED.lines().map(key).filter(|entry| !entry.is_empty()).collect();
        let mut filter = Filter { phrases: HashSet::new(), symbols: Vec::new(), longest: 1, extra: extra.to_vec() };
        let built_in = LISTS.iter().flat_map(|list| list.lines()).filter(|entry| !allowed.contains(&key(entry)));
        for entry in built_in.chain(extra.iter().map(String::as_str)) {
            filter.insert(entry);
        }
        filter
    }

    fn insert(&mut self, entry: &str) {
        let words = words(&text::normalise(entry, 100));
        if words.is_empty() {
            let symbol = text::normalise(entry, 20);
            if !symbol.is_empty() {
                self.symbols.push(symbol);
            }
        } else if words.iter().any(|word| word.chars().count() == 1) {
            // Entries like `s&m` fall apart into letters that would match everywhere.
        } else if words.len() <= MAX_PHRASE_WORDS {
            self.longest = self.longest.max(words.len());
            self.phrases.insert(words.join(" "));
        }
    }

    /// Whether `text` (already normalised) holds a blocked word or phrase.
    pub fn blocks(&self, text: &str) -> bool {
        if self.symbols.iter().any(|symbol| text.contains(symbol.as_str())) {
            return true;
        }
        let words = words(text);
        (1..=self.longest.min(words.len()))
            .any(|size| words.windows(size).any(|phrase| self.phrases.contains(&phrase.join(" "))))
    }

    /// `text` with every blocked word or phrase replaced by `•••`, for walls of text.
    pub fn mask(&self, text: &str) -> String {
        if !self.blocks(text) {
            return text.to_string();
        }
        // Word by word, keeping the spacing and punctuation around the words.
        let spans = word_spans(text);
        let lowered: Vec<String> = spans.iter().map(|&(start, end)| text[start..end].to_lowercase()).collect();
        let mut blocked = vec![false; spans.len()];
        for size in 1..=self.longest.min(spans.len()) {
            for start in 0..=spans.len() - size {
                if self.phrases.contains(&lowered[start..start + size].join(" ")) {
                    blocked[start..start + size].iter_mut().for_each(|b| *b = true);
                }
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut previous_blocked = false;
        for (&(start, end), &hide) in spans.iter().zip(&blocked) {
            let between = &text[at..start];
            if !(hide && previous_blocked && between.trim().is_empty()) {
                out.push_str(between);
            }
            if hide {
                if !previous_blocked || !between.trim().is_empty() {
                    out.push_str("•••");
                }
            } else {
                out.push_str(&text[start..end]);
            }
            previous_blocked = hide;
            at = end;
        }
        out.push_str(&text[at..]);
        for symbol in &self.symbols {
            out = out.replace(symbol.as_str(), "•••");
        }
        out
    }
}

/// A list entry as it is compared.
fn key(entry: &str) -> String {
    text::fold(&text::normalise(entry, 100))
}

/// The lower-cased words of `text`: runs of letters, digits and apostrophes.
fn words(text: &str) -> Vec<String> {
    word_spans(text).into_iter().map(|(start, end)| text[start..end].to_lowercase()).collect()
}

/// Byte ranges of the words in `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || c == '\'' || c == '’' || is_mark(c);
        match (in_word, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                spans.push((from, at));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, text.len()));
    }
    spans
}

/// Combining marks belong to the word they sit on (scripts written with them).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn blocks_whole_words_and_phrases_in_every_language_not_parts_of_words() {
        let filter = Filter::built_in();
        for blocked in
            ["shit", "SHIT happens", "what the fuck", "scheiße", "merde alors", "puta", "cazzo", "kut", "caralho"]
        {
            assert!(filter.blocks(&text::normalise(blocked, 100)), "{blocked}");
        }
        for fine in ["classic", "Scunthorpe", "assessment", "pesce", "comer", "Rust", "cocktail"] {
            assert!(!filter.blocks(fine), "{fine}");
        }
    }

    #[test]
    fn look_alikes_and_hidden_characters_do_not_slip_through() {
        let filter = Filter::built_in();
        for disguised in ["ＳＨＩＴ", "sh\u{200B}it", "s\u{00AD}hit"] {
            assert!(filter.blocks(&text::normalise(disguised, 100)), "{disguised:?}");
        }
    }

    #[test]
    fn a_decks_own_words_are_blocked_too() {
        let filter = Filter::with(&["brussels sprouts".into(), "Marmite".into()]);
        assert!(filter.blocks("I love marmite"));
        assert!(
            filter.blocks("more Brussels  sprouts please".split_whitespace().collect::<Vec<_>>().join(" ").as_str())
        );
        assert!(!filter.blocks("brussels"));
        assert!(!Filter::built_in().blocks("marmite"));
    }

    #[test]
    fn masking_hides_only_the_blocked_words() {
        let filter = Filter::built_in();
        assert_eq!(filter.mask("well shit, that is great"), "well •••, that is great");
        assert_eq!(filter.mask("what the fuck?"), "what the •••?");
        assert_eq!(filter.mask("all clean"), "all clean");
    }

    proptest! {
        #[test]
        fn masked_text_is_never_blocked(prefix in "[a-z ]{0,20}", suffix in "[a-z ,.!]{0,20}", pick in 0usize..400) {
            let filter = Filter::built_in();
            let entries: Vec<&str> = LISTS[0].lines().collect();
            let entry = entries[pick % entries.len()];
            let text = text::normalise(&format!("{prefix} {entry} {suffix}"), 280);
            let masked = filter.mask(&text);
            prop_assert!(!filter.blocks(&masked), "{:?} masked to {:?}", text, masked);
        }
    }
}
