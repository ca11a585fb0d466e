//! The deck as Handsup understands it: slides, some of them questions.

pub use crate::question::Question;

/// A parsed deck: what the presenter shows, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Deck {
    pub title: String,
    pub slides: Vec<Slide>,
    /// The emoji phones may react with (front matter `reactions:`); empty when off.
    pub reactions: Vec<String>,
    /// Audience Q&A at the start of a session (front matter `qa:`).
    pub qa: super::QaDefault,
    /// Phones pick a nickname before the first quiz question (front matter
    /// `nicknames: true`, or any quiz in the deck).
    pub nicknames: bool,
    /// Phones show the slide on screen as a picture between questions (front
    /// matter `phones: slides`): its PDF page or its first image.
    pub phones_slides: bool,
    /// The language the phones' page comes in (front matter `lang:`, as Marp has it);
    /// `None` lets each phone's browser choose. The deck's own text is never translated.
    pub lang: Option<String>,
    /// The front matter's `blocklist:` words.
    pub blocklist: Vec<String>,
    /// What keeps participant text off the projector: the built-in lists, the
    /// deck's words and the presenter's own (see [`Deck::add_blocklist`]).
    pub filter: std::sync::Arc<crate::question::filter::Filter>,
}

/// One slide of the deck.
#[derive(Debug, Clone, PartialEq)]
pub struct Slide {
    /// The slide's Markdown without speaker notes and directives (on a question
    /// slide, also without the option list).
    pub body: String,
    /// Speaker notes: every HTML comment on the slide that is not a directive.
    pub notes: String,
    /// Set on question slides.
    pub question: Option<Question>,
    /// The slide shows the audience's Q&A (`<!-- qa -->`).
    pub qa: bool,
    /// The slide shows the quiz's scores (`<!-- leaderboard -->`, `<!-- podium -->`).
    pub scores: Option<Scores>,
    /// 1-based line of the slide's first line in the deck file, for messages.
    pub line: usize,
}

/// How a scores slide shows the quiz's players.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scores {
    /// The top ten, with the points the last question gave them.
    Leaderboard,
    /// The top three, revealed third, second, first.
    Podium,
}

impl Scores {
    /// The directive that makes a slide show them.
    pub fn name(self) -> &'static str {
        match self {
            Scores::Leaderboard => "leaderboard",
            Scores::Podium => "podium",
        }
    }
}

impl Deck {
    /// Adds the presenter's own words to the deck's filter, for every question and the Q&A.
    pub fn add_blocklist(&mut self, presenter: &[String]) {
        let words: Vec<String> = self.blocklist.iter().chain(presenter).cloned().collect();
        self.filter = crate::question::filter::Filter::with(&words);
        for question in self.slides.iter_mut().filter_map(|slide| slide.question.as_mut()) {
            question.kind.use_filter(&self.filter);
        }
    }

    /// The picture phones show of slide `index` (`phones: slides`): a PDF page or
    /// the slide's first image beside the deck; `None` for a question, a slide
    /// without one, or a deck that keeps its slides off the phones.
    pub fn phone_picture(&self, index: usize) -> Option<String> {
        let slide = self.slides.get(index).filter(|slide| self.phones_slides && slide.question.is_none())?;
        super::images::images_in(&slide.body).into_iter().find(|image| super::images::is_local(image))
    }

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
