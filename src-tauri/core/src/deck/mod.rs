//! Decks: the model, the Markdown format, rendering, and the built-in demo.

mod file;
mod form;
pub mod images;
mod model;
mod parse;
pub mod pdf;
mod render;
mod write;

pub use file::{load_deck, DeckFile, DeckSource, LoadError};
pub use form::{deck_forms, SlideForm, CONTENT};
pub use model::{Deck, Question, Scores, Slide};
pub use parse::{
    parse_deck, valid_id, DeckError, QaDefault, MAX_BLOCKLIST_WORDS, MAX_BLOCKLIST_WORD_CHARS, MAX_DECK_BYTES,
};
pub use render::markdown_to_html;
pub use write::{check_forms, write_deck, EditedDeck, FormError, Original};

/// The demo deck shipped inside the binary, so a first launch shows something.
pub const DEMO_DECK: &str = include_str!("../../../../assets/demo-deck.md");

/// The built-in demo deck, parsed.
pub fn demo_deck() -> Deck {
    // The demo is part of the binary and covered by a test; parsing cannot fail at run time.
    parse_deck("demo-deck.md", DEMO_DECK).unwrap_or_else(|error| panic!("built-in demo deck: {error}"))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod write_tests;
