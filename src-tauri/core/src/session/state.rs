//! The presenter-driven state of one session: current slide, voting, results, tallies.

use std::collections::HashMap;
use std::sync::Arc;

use super::tally::Tally;
use crate::deck::{Deck, Question};

/// Per-question switches the presenter controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionState {
    pub voting_open: bool,
    pub results_visible: bool,
}

impl Default for QuestionState {
    /// A question opens for voting the first time the presenter reaches it.
    fn default() -> Self {
        QuestionState { voting_open: true, results_visible: true }
    }
}

/// Why a vote was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteRefusal {
    NotCurrent,
    VotingClosed,
    InvalidChoice(String),
}

/// What the presenter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenterAction {
    Next,
    Previous,
    Goto(usize),
    SetVoting(bool),
    SetResultsVisible(bool),
    /// Blacks out the projector (clickers' B key); moving to another slide ends it.
    SetBlack(bool),
}

/// The session as the single writer holds it. Only the writer mutates it; everyone
/// else sees the views it publishes after each commit.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub deck: Arc<Deck>,
    pub slide: usize,
    /// Questions the presenter has reached, by id.
    pub questions: HashMap<String, QuestionState>,
    /// Tallies by question id, for every question in the deck.
    pub tallies: HashMap<String, Tally>,
    /// The projector shows black. Not stored: after a restart the room sees the slide again.
    pub black: bool,
}

impl SessionState {
    pub fn new(deck: Arc<Deck>) -> Self {
        let tallies = deck.questions().map(|q| (q.id.clone(), Tally::new(q.kind.options().len()))).collect();
        let mut state = SessionState { deck, slide: 0, questions: HashMap::new(), tallies, black: false };
        state.reach_current();
        state
    }

    pub fn current_question(&self) -> Option<&Question> {
        self.deck.question_at(self.slide)
    }

    /// The switches of the current question, if the slide is a question.
    pub fn current_question_state(&self) -> Option<QuestionState> {
        let question = self.current_question()?;
        Some(self.questions.get(&question.id).copied().unwrap_or_default())
    }

    /// Applies a presenter action; returns what changed in storage terms.
    pub fn apply(&mut self, action: PresenterAction) -> Result<Change, String> {
        let last = self.deck.slides.len().saturating_sub(1);
        match action {
            PresenterAction::Next => self.move_to((self.slide + 1).min(last)),
            PresenterAction::Previous => self.move_to(self.slide.saturating_sub(1)),
            PresenterAction::Goto(slide) if slide <= last => self.move_to(slide),
            PresenterAction::Goto(slide) => Err(format!(
                "slide {slide} does not exist; the deck has {} slides (0 to {last})",
                self.deck.slides.len()
            )),
            PresenterAction::SetVoting(open) => self.update_current(|state| state.voting_open = open),
            PresenterAction::SetResultsVisible(visible) => self.update_current(|state| state.results_visible = visible),
            PresenterAction::SetBlack(black) => {
                self.black = black;
                Ok(Change::None)
            }
        }
    }

    fn move_to(&mut self, slide: usize) -> Result<Change, String> {
        if slide == self.slide {
            return Ok(Change::None);
        }
        self.black = false;
        self.slide = slide;
        let reached = self.reach_current();
        Ok(Change::Slide { slide, reached })
    }

    /// Marks the current question as reached; returns its id and state when it is new.
    fn reach_current(&mut self) -> Option<(String, QuestionState)> {
        let id = self.current_question()?.id.clone();
        if self.questions.contains_key(&id) {
            return None;
        }
        let state = QuestionState::default();
        self.questions.insert(id.clone(), state);
        Some((id, state))
    }

    fn update_current(&mut self, update: impl FnOnce(&mut QuestionState)) -> Result<Change, String> {
        let id = self.current_question().ok_or("the current slide is not a question")?.id.clone();
        let state = self.questions.entry(id.clone()).or_default();
        let before = *state;
        update(state);
        if *state == before {
            return Ok(Change::None);
        }
        Ok(Change::Question { id, state: *state })
    }

    /// Checks a vote against the current slide and voting; returns the canonical choices.
    pub fn check_vote(&self, question_id: &str, choices: &[u16]) -> Result<Vec<u16>, VoteRefusal> {
        let question = self.current_question().filter(|q| q.id == question_id).ok_or(VoteRefusal::NotCurrent)?;
        if !self.current_question_state().unwrap_or_default().voting_open {
            return Err(VoteRefusal::VotingClosed);
        }
        question.kind.check_choices(choices).map_err(VoteRefusal::InvalidChoice)
    }

    /// Records a committed answer in the tallies.
    pub fn count(&mut self, question_id: &str, previous: Option<&[u16]>, next: &[u16]) {
        if let Some(tally) = self.tallies.get_mut(question_id) {
            tally.replace(previous, next);
        }
    }
}

/// What a presenter action changed, so the writer can store exactly that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    None,
    /// The slide moved; `reached` is set when it reached a question for the first time.
    Slide {
        slide: usize,
        reached: Option<(String, QuestionState)>,
    },
    Question {
        id: String,
        state: QuestionState,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::parse_deck;

    fn state() -> SessionState {
        let deck = parse_deck(
            "t.md",
            "# Intro\n\n---\n\n<!-- question: single -->\n# Q1\n\n- A\n- B\n\n---\n\n<!-- question: multiple max=2 -->\n# Q2\n\n- A\n- B\n- C\n",
        )
        .expect("deck");
        SessionState::new(Arc::new(deck))
    }

    #[test]
    fn votes_only_on_the_current_open_question() {
        let mut s = state();
        assert_eq!(s.check_vote("q1", &[0]), Err(VoteRefusal::NotCurrent));
        s.apply(PresenterAction::Next).expect("next");
        assert_eq!(s.check_vote("q1", &[1]), Ok(vec![1]));
        assert_eq!(s.check_vote("q2", &[1]), Err(VoteRefusal::NotCurrent));
        assert!(matches!(s.check_vote("q1", &[0, 1]), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q1", &[2]), Err(VoteRefusal::InvalidChoice(_))));
        s.apply(PresenterAction::SetVoting(false)).expect("close");
        assert_eq!(s.check_vote("q1", &[1]), Err(VoteRefusal::VotingClosed));
    }

    #[test]
    fn multiple_choice_respects_max_and_canonicalises() {
        let mut s = state();
        s.apply(PresenterAction::Goto(2)).expect("goto");
        assert_eq!(s.check_vote("q2", &[2, 0]), Ok(vec![0, 2]));
        assert!(matches!(s.check_vote("q2", &[0, 1, 2]), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q2", &[1, 1]), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q2", &[]), Err(VoteRefusal::InvalidChoice(_))));
    }

    #[test]
    fn voting_opens_on_first_visit_and_stays_as_left() {
        let mut s = state();
        let change = s.apply(PresenterAction::Next).expect("next");
        assert!(matches!(change, Change::Slide { slide: 1, reached: Some(_) }));
        s.apply(PresenterAction::SetVoting(false)).expect("close");
        s.apply(PresenterAction::Next).expect("next");
        let change = s.apply(PresenterAction::Previous).expect("back");
        assert_eq!(change, Change::Slide { slide: 1, reached: None });
        assert_eq!(s.current_question_state().map(|q| q.voting_open), Some(false));
    }

    #[test]
    fn navigation_stays_inside_the_deck() {
        let mut s = state();
        assert_eq!(s.apply(PresenterAction::Previous), Ok(Change::None));
        assert!(s.apply(PresenterAction::Goto(3)).is_err());
        s.apply(PresenterAction::Goto(2)).expect("goto");
        assert_eq!(s.apply(PresenterAction::Next), Ok(Change::None));
        assert!(s.apply(PresenterAction::SetVoting(false)).is_ok());
        s.apply(PresenterAction::Goto(0)).expect("goto");
        assert!(s.apply(PresenterAction::SetVoting(false)).is_err());
    }
}
