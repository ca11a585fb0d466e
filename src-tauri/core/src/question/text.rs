//! Participant text made safe to store, count and show: one normal form, no invisible tricks, bounded.

use unicode_normalization::UnicodeNormalization;

/// Normalises participant text: format and control characters that could hide
/// or reorder text (bidi overrides, zero-width spaces) are removed, the rest is
/// put in Unicode NFKC (so full-width and other look-alike forms become one),
/// every run of whitespace becomes one space, the ends are trimmed and the
/// result is cut to `max_chars` characters. Normalising twice changes nothing.
pub fn normalise(text: &str, max_chars: usize) -> String {
    let visible: String = text.chars().filter(|&c| !hidden(c)).collect();
    let mut out = String::with_capacity(visible.len().min(max_chars * 4));
    let mut chars = 0;
    let mut space = false;
    for c in visible.nfkc() {
        if chars == max_chars {
            break;
        }
        if hidden(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            if chars + 1 == max_chars {
                break;
            }
            out.push(' ');
            chars += 1;
            space = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

/// The key a word is counted under: case does not make a different word.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// Characters removed outright: controls (whitespace ones become spaces later),
/// the bidirectional embeddings, overrides, isolates and marks, and the
/// zero-width and soft-hyphen characters that hide a word's real spelling.
/// The zero-width joiner and non-joiner stay: emoji sequences and several
/// scripts need them.
fn hidden(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn trims_collapses_and_removes_what_hides_text() {
        assert_eq!(normalise("  Hello \n\t world  ", 40), "Hello world");
        assert_eq!(normalise("ev\u{202E}il\u{202C} \u{200B}word", 40), "evil word");
        assert_eq!(normalise("Ｒｕｓｔ", 40), "Rust", "full-width letters are letters");
        assert_eq!(normalise("ﬁne", 40), "fine", "ligatures come apart");
        assert_eq!(normalise("e\u{301}", 40), "é", "composed");
        assert_eq!(normalise("👩\u{200D}💻 code", 40), "👩\u{200D}💻 code", "emoji sequences keep their joiner");
        assert_eq!(normalise("\u{0000}\u{0007}bell", 40), "bell");
        assert_eq!(normalise("سلام دنیا", 40), "سلام دنیا");
        assert_eq!(normalise("abcdef", 3), "abc");
        assert_eq!(normalise("ab    cdef", 3), "ab", "a cut never leaves a trailing space");
        assert_eq!(normalise(" \u{200B} ", 40), "");
        assert_eq!(fold("ÉCOLE Rust"), "école rust");
    }

    #[test]
    fn a_long_line_is_cut_in_characters_not_bytes() {
        let long = "ß".repeat(10_000);
        assert_eq!(normalise(&long, 280).chars().count(), 280);
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(text in any::<String>(), max in 1usize..300) {
            let once = normalise(&text, max);
            prop_assert_eq!(normalise(&once, max), once.clone());
            prop_assert!(once.chars().count() <= max);
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
            prop_assert!(!once.contains("  "));
            prop_assert!(!once.chars().any(hidden));
        }

        #[test]
        fn tricky_text_normalises_stably(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("\u{202E}".to_string()), Just("\u{200D}".to_string()), Just("\u{0301}".to_string()),
                    Just(" ".to_string()), Just("\n".to_string()), Just("ﬁ".to_string()), Just("Ａ".to_string()),
                    Just("e".to_string()), Just("👍🏽".to_string()), Just("\u{FEFF}".to_string()),
                    Just("ع".to_string()), Just("\u{0000}".to_string()), Just("\u{2028}".to_string()),
                    "[a-zA-Z]{1,3}",
                ],
                0..40,
            ),
            max in 1usize..50,
        ) {
            let text: String = parts.concat();
            let once = normalise(&text, max);
            prop_assert_eq!(normalise(&once, max), once);
        }
    }
}
