//! A slide as the deck editor's form sees it: title, text, notes, options; no Markdown syntax.

use serde::{Deserialize, Serialize};

use super::model::{Deck, QuestionKind, Slide};
use super::parse::heading_text;

/// What a slide is, in the editor's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlideKind {
    Content,
    Single,
    Multiple,
}

/// One slide in the editor's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlideForm {
    /// The slide's index in the deck file as loaded; `None` for a slide made in
    /// the editor. An untouched slide with an index is written back byte for byte.
    #[serde(default)]
    pub original: Option<usize>,
    pub kind: SlideKind,
    /// The slide's first heading; on a question, the question.
    #[serde(default)]
    pub title: String,
    /// Markdown below the heading (on a question, without the options).
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub max: Option<u8>,
    /// The question's id; `None` lets the deck derive one from the question.
    #[serde(default)]
    pub id: Option<String>,
    /// Answers the running session holds for this question (shown, never read back).
    #[serde(default)]
    pub answers: u64,
}

impl SlideForm {
    /// The form for a parsed slide.
    pub fn from_slide(index: usize, slide: &Slide) -> SlideForm {
        let (title, text) = split_heading(&slide.body, slide.question.is_some());
        let mut form = SlideForm {
            original: Some(index),
            kind: SlideKind::Content,
            title,
            text,
            notes: slide.notes.clone(),
            options: Vec::new(),
            max: None,
            id: None,
            answers: 0,
        };
        if let Some(question) = &slide.question {
            form.id = Some(question.id.clone());
            form.options = question.kind.options().to_vec();
            match &question.kind {
                QuestionKind::Single { .. } => form.kind = SlideKind::Single,
                QuestionKind::Multiple { max, .. } => {
                    form.kind = SlideKind::Multiple;
                    form.max = *max;
                }
            }
        }
        form
    }

    /// The form with surrounding blanks removed, as the deck would read it back.
    pub fn normalised(&self) -> SlideForm {
        let mut form = self.clone();
        form.title = form.title.replace(['\r', '\n'], " ").trim().to_string();
        form.text = form.text.trim().to_string();
        form.notes = form.notes.trim().to_string();
        form.options = form.options.iter().map(|option| option.trim().to_string()).collect();
        if form.kind != SlideKind::Multiple {
            form.max = None;
        }
        if form.kind == SlideKind::Content {
            form.options.clear();
            form.id = None;
        }
        form.answers = 0;
        form
    }

    /// Whether two forms describe the same slide (where it came from and the
    /// answer count aside).
    pub fn same_slide(&self, other: &SlideForm) -> bool {
        let (mut a, mut b) = (self.normalised(), other.normalised());
        a.original = None;
        b.original = None;
        a == b
    }

    /// Whether answers stored for this question would no longer fit `edited`
    /// (another kind or other options): saving must discard them.
    pub fn answers_change(&self, edited: &SlideForm) -> bool {
        let (before, after) = (self.normalised(), edited.normalised());
        before.kind != after.kind || before.options != after.options || before.max != after.max
    }
}

/// Every slide of a deck as a form.
pub fn deck_forms(deck: &Deck) -> Vec<SlideForm> {
    deck.slides.iter().enumerate().map(|(index, slide)| SlideForm::from_slide(index, slide)).collect()
}

/// Splits a slide body into its title and the text around it. A question's
/// title is its first heading, wherever it is (the parser's rule); a content
/// slide's only a heading on its first line, so its text keeps its order.
fn split_heading(body: &str, question: bool) -> (String, String) {
    let lines: Vec<&str> = body.lines().collect();
    let heading = if question {
        lines.iter().position(|line| heading_text(line).is_some())
    } else {
        lines.first().filter(|line| heading_text(line).is_some()).map(|_| 0)
    };
    match heading {
        Some(at) => {
            let title = heading_text(lines[at]).unwrap_or_default();
            let rest: Vec<&str> = lines[..at].iter().chain(&lines[at + 1..]).copied().collect();
            (title, rest.join("\n").trim().to_string())
        }
        None => (String::new(), body.trim().to_string()),
    }
}
