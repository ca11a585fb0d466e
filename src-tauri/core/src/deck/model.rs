//! The deck as Handsup understands it: slides, questions and their options.

use serde::Serialize;

/// A parsed deck: what the presenter shows, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deck {
    pub title: String,
    pub slides: Vec<Slide>,
}

/// One slide of the deck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slide {
    /// The slide's Markdown without speaker notes and directives (on a question
    /// slide, also without the option list).
    pub body: String,
    /// Speaker notes: every HTML comment on the slide that is not a directive.
    pub notes: String,
    /// Set on question slides.
    pub question: Option<Question>,
    /// 1-based line of the slide's first line in the deck file, for messages.
    pub line: usize,
}

/// A question the audience answers from their phones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Stable id: survives reordering slides, so stored answers stay attached.
    pub id: String,
    pub prompt: String,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// What kind of answer a question takes. New kinds (scales, word clouds, open
/// text, ranking, quizzes…) are new variants with their own fields; the rest of
/// the deck model does not change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Pick exactly one option.
    Single { options: Vec<String> },
    /// Pick one or more options, at most `max` when set.
    Multiple { options: Vec<String>, max: Option<u8> },
}

impl QuestionKind {
    pub fn options(&self) -> &[String] {
        match self {
            QuestionKind::Single { options } | QuestionKind::Multiple { options, .. } => options,
        }
    }

    /// Checks an answer against the question and returns it in canonical form
    /// (sorted, as stored), or says in words what is wrong with it.
    pub fn check_choices(&self, choices: &[u16]) -> Result<Vec<u16>, String> {
        let count = self.options().len();
        if choices.is_empty() {
            return Err("pick at least one option".into());
        }
        if let Some(&bad) = choices.iter().find(|&&choice| usize::from(choice) >= count) {
            return Err(format!("option {bad} does not exist; this question has {count}"));
        }
        let mut sorted = choices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != choices.len() {
            return Err("an option is picked twice".into());
        }
        match self {
            QuestionKind::Single { .. } if sorted.len() > 1 => Err("pick exactly one option".into()),
            QuestionKind::Multiple { max: Some(max), .. } if sorted.len() > usize::from(*max) => {
                Err(format!("pick at most {max} options"))
            }
            _ => Ok(sorted),
        }
    }
}

impl Deck {
    /// The question on slide `index`, if that slide is a question.
    pub fn question_at(&self, index: usize) -> Option<&Question> {
        self.slides.get(index).and_then(|slide| slide.question.as_ref())
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.slides.iter().filter_map(|slide| slide.question.as_ref())
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|question| question.id == id)
    }
}
