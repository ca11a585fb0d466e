//! A slide as the deck editor's form sees it: title, text, notes, options, settings; no Markdown syntax.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{Deck, Scores, Slide};
use super::parse::heading_text;
use crate::question::{self, Draft, Fault, Question, Settings};

/// The form's `kind` for a slide that is not a question.
pub const CONTENT: &str = "content";

/// One slide in the editor's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlideForm {
    /// The slide's index in the deck file as loaded; `None` for a slide made in
    /// the editor. An untouched slide with an index is written back byte for byte.
    #[serde(default)]
    pub original: Option<usize>,
    /// `content`, or a question kind's name (`single`, `scale`…; see `GET /api/kinds`).
    pub kind: String,
    /// The slide's first heading; on a question, the question.
    #[serde(default)]
    pub title: String,
    /// Markdown below the heading (on a question, without the options).
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub notes: String,
    /// The list under the question: options, statements or items.
    #[serde(default)]
    pub options: Vec<String>,
    /// The directive's settings as written (`max` → `2`); empty values are unset.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// The question's id; `None` lets the deck derive one from the question.
    #[serde(default)]
    pub id: Option<String>,
    /// Answers the running session holds for this question (shown, never read back).
    #[serde(default)]
    pub answers: u64,
    /// A content slide that shows the audience Q&A (`<!-- qa -->`).
    #[serde(default)]
    pub qa: bool,
    /// A content slide that shows the quiz's leaderboard or podium.
    #[serde(default)]
    pub scores: Option<Scores>,
}

impl SlideForm {
    /// The form for a parsed slide.
    pub fn from_slide(index: usize, slide: &Slide) -> SlideForm {
        let (title, text) = split_heading(&slide.body, slide.question.is_some());
        let mut form = SlideForm {
            original: Some(index),
            kind: CONTENT.into(),
            title,
            text,
            notes: slide.notes.clone(),
            options: Vec::new(),
            settings: BTreeMap::new(),
            id: None,
            answers: 0,
            qa: slide.qa,
            scores: slide.scores,
        };
        if let Some(question) = &slide.question {
            form.kind = question.kind.name().into();
            form.id = Some(question.id.clone());
            form.options = question.list_items();
            form.settings = question.settings().into_iter().map(|(key, value)| (key.to_string(), value)).collect();
        }
        form
    }

    pub fn is_question(&self) -> bool {
        self.kind != CONTENT
    }

    /// The question this form describes, checked by the same rules as a deck file.
    pub fn question(&self) -> Result<Question, Fault> {
        let settings = Settings::from_pairs(self.settings.iter().map(|(key, value)| (key.as_str(), value.as_str())))
            .map_err(Fault::Setting)?;
        let takes_list = question::spec(&self.kind).map_err(Fault::Setting)?.options.is_some();
        let options =
            if takes_list { self.options.iter().map(|option| option.trim().to_string()).collect() } else { Vec::new() };
        let prompt = self.title.replace(['\r', '\n'], " ").trim().to_string();
        Question::build(Draft { kind: &self.kind, settings, id: self.id.clone().unwrap_or_default(), prompt, options })
    }

    /// The form with surrounding blanks removed and settings as the deck would
    /// read them back (defaults left out, numbers written plainly).
    pub fn normalised(&self) -> SlideForm {
        let mut form = self.clone();
        form.title = form.title.replace(['\r', '\n'], " ").trim().to_string();
        form.text = form.text.trim().to_string();
        form.notes = form.notes.trim().to_string();
        form.options = form.options.iter().map(|option| option.trim().to_string()).collect();
        form.settings = form
            .settings
            .iter()
            .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
            .filter(|(_, value)| !value.is_empty())
            .collect();
        if !form.is_question() {
            form.options.clear();
            form.settings.clear();
            form.id = None;
        } else if let Ok(question) = self.question() {
            form.qa = false;
            form.scores = None;
            form.options = question.list_items();
            form.settings = question.settings().into_iter().map(|(key, value)| (key.to_string(), value)).collect();
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
    /// (another kind, other options, a setting that changes what an answer
    /// means): saving must discard them.
    pub fn answers_change(&self, edited: &SlideForm) -> bool {
        match (self.question(), edited.question()) {
            (Ok(before), Ok(after)) => !before.keeps_answers(&after),
            _ => true,
        }
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
