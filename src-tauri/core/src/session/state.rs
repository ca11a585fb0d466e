//! The presenter-driven state of one session: current slide, voting, timers, results.

use std::collections::HashMap;
use std::sync::Arc;

use crate::deck::{Deck, Question};
use crate::question::{Answer, Kind, Results, MAX_TIME_SECONDS};

/// Milliseconds since the Unix epoch on the server's clock: the only clock
/// voting deadlines are measured against, whatever the phones' clocks say.
pub type Millis = i64;

/// Per-question switches the presenter controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionState {
    pub voting_open: bool,
    pub results_visible: bool,
    /// A number question's correct answer may show on the projector (and phones).
    pub revealed: bool,
    /// When voting closes by itself, if a timer runs.
    pub deadline: Option<Millis>,
    /// When voting first opened: a quiz answer's speed is measured from it.
    pub opened_at: Option<Millis>,
}

impl Default for QuestionState {
    /// A question opens for voting the first time the presenter reaches it.
    fn default() -> Self {
        QuestionState { voting_open: true, results_visible: true, revealed: false, deadline: None, opened_at: None }
    }
}

/// Why a vote was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteRefusal {
    NotCurrent,
    VotingClosed,
    InvalidChoice(String),
    /// A quiz answer is final, and this participant gave one.
    AlreadyAnswered,
    /// A post, a Q&A question or an upvote the board refuses.
    Post(super::PostRefusal),
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
    /// Starts a countdown of this many seconds on the current question (opening voting).
    StartTimer(u32),
    /// Adds seconds to the running countdown, or starts one.
    AddTime(u32),
    /// Removes the countdown; voting stays as it is.
    StopTimer,
    /// Shows (or hides again) a number question's correct answer.
    Reveal(bool),
}

/// The session as the single writer holds it. Only the writer mutates it; everyone
/// else sees the views it publishes after each commit.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub deck: Arc<Deck>,
    pub slide: usize,
    /// Questions the presenter has reached, by id.
    pub questions: HashMap<String, QuestionState>,
    /// Results by question id, for every question in the deck.
    pub results: HashMap<String, Results>,
    /// The projector shows black. Not stored: after a restart the room sees the slide again.
    pub black: bool,
}

impl SessionState {
    pub fn new(deck: Arc<Deck>, now: Millis) -> Self {
        let results = deck.questions().map(|q| (q.id.clone(), Results::new(q))).collect();
        let mut state = SessionState { deck, slide: 0, questions: HashMap::new(), results, black: false };
        state.reach_current(now);
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

    /// Applies a presenter action at `now`; returns what changed in storage terms.
    pub fn apply(&mut self, action: PresenterAction, now: Millis) -> Result<Change, String> {
        let last = self.deck.slides.len().saturating_sub(1);
        match action {
            PresenterAction::Next => self.move_to((self.slide + 1).min(last), now),
            PresenterAction::Previous => self.move_to(self.slide.saturating_sub(1), now),
            PresenterAction::Goto(slide) if slide <= last => self.move_to(slide, now),
            PresenterAction::Goto(slide) => Err(format!(
                "slide {slide} does not exist; the deck has {} slides (0 to {last})",
                self.deck.slides.len()
            )),
            PresenterAction::SetVoting(true) | PresenterAction::StartTimer(_) | PresenterAction::AddTime(_)
                if self.revealed_quiz() =>
            {
                Err("this quiz question's answer has been shown: it takes no more answers".into())
            }
            PresenterAction::SetVoting(open) => {
                let time = self.current_question().and_then(|q| q.countdown());
                self.update_current(|state| {
                    state.opened_at = state.opened_at.or(open.then_some(now));
                    if open && !state.voting_open {
                        // Opening again gives the question its full time again.
                        state.deadline = time.map(|seconds| now + i64::from(seconds) * 1000);
                    } else if !open {
                        state.deadline = None;
                    }
                    state.voting_open = open;
                })
            }
            PresenterAction::SetResultsVisible(visible) => self.update_current(|state| state.results_visible = visible),
            PresenterAction::SetBlack(black) => {
                self.black = black;
                Ok(Change::None)
            }
            PresenterAction::StartTimer(seconds) | PresenterAction::AddTime(seconds) => {
                if seconds == 0 || i64::from(seconds) > MAX_TIME_SECONDS {
                    return Err(format!("a timer runs from 1 to {MAX_TIME_SECONDS} seconds"));
                }
                let add = matches!(action, PresenterAction::AddTime(_));
                self.update_current(|state| {
                    let from = match state.deadline {
                        Some(deadline) if add && state.voting_open => deadline.max(now),
                        _ => now,
                    };
                    state.deadline = Some(from + i64::from(seconds) * 1000);
                    state.voting_open = true;
                    state.opened_at = state.opened_at.or(Some(now));
                })
            }
            PresenterAction::StopTimer => self.update_current(|state| state.deadline = None),
            PresenterAction::Reveal(revealed) => {
                let kind = self.current_question().map(|q| &q.kind);
                let quiz = matches!(kind, Some(Kind::Quiz(_) | Kind::QuizText(_)));
                if quiz && !revealed && self.revealed_quiz() {
                    // Every phone has seen it: hiding it again would hide nothing.
                    return Err("a quiz's answer stays shown once revealed".into());
                }
                let has_answer = quiz || matches!(kind, Some(Kind::Number(number)) if number.answer.is_some());
                if !has_answer {
                    return Err("this question has no answer to reveal: set `answer=` on a number question".into());
                }
                self.update_current(|state| {
                    state.revealed = revealed;
                    // A quiz's answers are scored once shown: no answer comes in after.
                    if quiz && revealed {
                        state.voting_open = false;
                        state.deadline = None;
                    }
                })
            }
        }
    }

    /// The current question is a quiz whose answer has been shown: it is over.
    fn revealed_quiz(&self) -> bool {
        self.current_question().is_some_and(|q| q.final_answers())
            && self.current_question_state().is_some_and(|q| q.revealed)
    }

    /// Closes voting on every question whose timer ran out by `now`.
    pub fn expire(&mut self, now: Millis) -> Vec<Change> {
        let mut expired: Vec<(String, QuestionState)> = self
            .questions
            .iter_mut()
            .filter(|(_, state)| state.voting_open && state.deadline.is_some_and(|deadline| deadline <= now))
            .map(|(id, state)| {
                state.voting_open = false;
                state.deadline = None;
                (id.clone(), *state)
            })
            .collect();
        expired.sort_by(|a, b| a.0.cmp(&b.0));
        expired.into_iter().map(|(id, state)| Change::Question { id, state }).collect()
    }

    /// The next moment a timer closes voting, if any runs.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.questions.values().filter(|state| state.voting_open).filter_map(|state| state.deadline).min()
    }

    fn move_to(&mut self, slide: usize, now: Millis) -> Result<Change, String> {
        if slide == self.slide {
            return Ok(Change::None);
        }
        self.black = false;
        self.slide = slide;
        let reached = self.reach_current(now);
        Ok(Change::Slide { slide, reached })
    }

    /// Marks the current question as reached (opening voting, starting its
    /// timer); returns its id and state when it is new.
    pub fn reach_current(&mut self, now: Millis) -> Option<(String, QuestionState)> {
        let question = self.current_question()?;
        if self.questions.contains_key(&question.id) {
            return None;
        }
        let id = question.id.clone();
        let deadline = question.countdown().map(|seconds| now + i64::from(seconds) * 1000);
        let state = QuestionState { deadline, opened_at: Some(now), ..QuestionState::default() };
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

    /// Checks a vote against the current slide, voting and its timer at `now`;
    /// returns the answer in canonical form.
    pub fn check_vote(&self, question_id: &str, answer: &Answer, now: Millis) -> Result<Answer, VoteRefusal> {
        let question = self.current_question().filter(|q| q.id == question_id).ok_or(VoteRefusal::NotCurrent)?;
        let state = self.current_question_state().unwrap_or_default();
        // A timer that ran out closes voting even before the writer gets round to storing it.
        if !state.voting_open || state.deadline.is_some_and(|deadline| deadline <= now) {
            return Err(VoteRefusal::VotingClosed);
        }
        question.check(answer).map_err(VoteRefusal::InvalidChoice)
    }

    /// Records a committed answer in the results.
    pub fn count(&mut self, question_id: &str, previous: Option<&Answer>, next: &Answer) {
        if let Some(results) = self.results.get_mut(question_id) {
            results.replace(previous, next);
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

    const NOW: Millis = 1_000_000;

    fn state() -> SessionState {
        let deck = parse_deck(
            "t.md",
            "# Intro\n\n---\n\n<!-- question: single -->\n# Q1\n\n- A\n- B\n\n---\n\n<!-- question: multiple max=2 -->\n# Q2\n\n- A\n- B\n- C\n\n---\n\n<!-- question: number time=20 answer=7 -->\n# Q3\n",
        )
        .expect("deck");
        SessionState::new(Arc::new(deck), NOW)
    }

    fn choices(picked: &[u16]) -> Answer {
        Answer::Choices(picked.to_vec())
    }

    #[test]
    fn votes_only_on_the_current_open_question() {
        let mut s = state();
        assert_eq!(s.check_vote("q1", &choices(&[0]), NOW), Err(VoteRefusal::NotCurrent));
        s.apply(PresenterAction::Next, NOW).expect("next");
        assert_eq!(s.check_vote("q1", &choices(&[1]), NOW), Ok(choices(&[1])));
        assert_eq!(s.check_vote("q2", &choices(&[1]), NOW), Err(VoteRefusal::NotCurrent));
        assert!(matches!(s.check_vote("q1", &choices(&[0, 1]), NOW), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q1", &choices(&[2]), NOW), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q1", &Answer::Number(1.0), NOW), Err(VoteRefusal::InvalidChoice(_))));
        s.apply(PresenterAction::SetVoting(false), NOW).expect("close");
        assert_eq!(s.check_vote("q1", &choices(&[1]), NOW), Err(VoteRefusal::VotingClosed));
    }

    #[test]
    fn multiple_choice_respects_max_and_canonicalises() {
        let mut s = state();
        s.apply(PresenterAction::Goto(2), NOW).expect("goto");
        assert_eq!(s.check_vote("q2", &choices(&[2, 0]), NOW), Ok(choices(&[0, 2])));
        assert!(matches!(s.check_vote("q2", &choices(&[0, 1, 2]), NOW), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q2", &choices(&[1, 1]), NOW), Err(VoteRefusal::InvalidChoice(_))));
        assert!(matches!(s.check_vote("q2", &choices(&[]), NOW), Err(VoteRefusal::InvalidChoice(_))));
    }

    #[test]
    fn voting_opens_on_first_visit_and_stays_as_left() {
        let mut s = state();
        let change = s.apply(PresenterAction::Next, NOW).expect("next");
        assert!(matches!(change, Change::Slide { slide: 1, reached: Some(_) }));
        s.apply(PresenterAction::SetVoting(false), NOW).expect("close");
        s.apply(PresenterAction::Next, NOW).expect("next");
        let change = s.apply(PresenterAction::Previous, NOW).expect("back");
        assert_eq!(change, Change::Slide { slide: 1, reached: None });
        assert_eq!(s.current_question_state().map(|q| q.voting_open), Some(false));
    }

    #[test]
    fn navigation_stays_inside_the_deck() {
        let mut s = state();
        assert_eq!(s.apply(PresenterAction::Previous, NOW), Ok(Change::None));
        assert!(s.apply(PresenterAction::Goto(4), NOW).is_err());
        s.apply(PresenterAction::Goto(3), NOW).expect("goto");
        assert_eq!(s.apply(PresenterAction::Next, NOW), Ok(Change::None));
        assert!(s.apply(PresenterAction::SetVoting(false), NOW).is_ok());
        s.apply(PresenterAction::Goto(0), NOW).expect("goto");
        assert!(s.apply(PresenterAction::SetVoting(false), NOW).is_err());
    }

    #[test]
    fn a_timer_from_the_deck_closes_voting_on_the_server_clock() {
        let mut s = state();
        s.apply(PresenterAction::Goto(3), NOW).expect("goto");
        let deadline = NOW + 20_000;
        assert_eq!(s.current_question_state().and_then(|q| q.deadline), Some(deadline));
        assert_eq!(s.next_deadline(), Some(deadline));
        assert!(s.check_vote("q3", &Answer::Number(7.0), deadline - 1).is_ok());
        // Late by the server's clock: refused even before the writer closes it.
        assert_eq!(s.check_vote("q3", &Answer::Number(7.0), deadline), Err(VoteRefusal::VotingClosed));
        assert!(s.expire(deadline - 1).is_empty());
        let changes = s.expire(deadline);
        assert_eq!(changes.len(), 1);
        assert_eq!(s.current_question_state().map(|q| (q.voting_open, q.deadline)), Some((false, None)));
        assert_eq!(s.next_deadline(), None);
        // Opening again gives it its full time again.
        s.apply(PresenterAction::SetVoting(true), NOW + 60_000).expect("open");
        assert_eq!(s.next_deadline(), Some(NOW + 80_000));
    }

    #[test]
    fn the_presenter_starts_extends_and_stops_timers() {
        let mut s = state();
        s.apply(PresenterAction::Next, NOW).expect("next");
        assert_eq!(s.next_deadline(), None, "q1 has no time=");
        s.apply(PresenterAction::StartTimer(30), NOW).expect("start");
        assert_eq!(s.next_deadline(), Some(NOW + 30_000));
        s.apply(PresenterAction::AddTime(30), NOW + 10_000).expect("add");
        assert_eq!(s.next_deadline(), Some(NOW + 60_000));
        s.apply(PresenterAction::StopTimer, NOW + 20_000).expect("stop");
        assert_eq!(s.next_deadline(), None);
        assert_eq!(s.current_question_state().map(|q| q.voting_open), Some(true));
        assert!(s.apply(PresenterAction::StartTimer(0), NOW).is_err());
        // Closing voting by hand ends the timer; starting one opens voting again.
        s.apply(PresenterAction::StartTimer(5), NOW).expect("start");
        s.apply(PresenterAction::SetVoting(false), NOW).expect("close");
        assert_eq!(s.next_deadline(), None);
        s.apply(PresenterAction::AddTime(30), NOW).expect("add");
        assert_eq!(s.current_question_state().map(|q| (q.voting_open, q.deadline)), Some((true, Some(NOW + 30_000))));
    }

    #[test]
    fn a_revealed_quiz_takes_no_more_answers() {
        let deck = parse_deck("q.md", "<!-- question: quiz id=q -->\n# Q?\n\n- [x] A\n- [ ] B\n").expect("deck");
        let mut s = SessionState::new(Arc::new(deck), NOW);
        assert_eq!(s.next_deadline(), Some(NOW + 20_000), "a quiz runs 20 s unless the deck says");
        s.apply(PresenterAction::Reveal(true), NOW).expect("reveal");
        assert_eq!(s.current_question_state().map(|q| (q.voting_open, q.revealed)), Some((false, true)));
        for reopen in [PresenterAction::SetVoting(true), PresenterAction::StartTimer(30), PresenterAction::AddTime(30)]
        {
            assert!(s.apply(reopen, NOW).is_err(), "{reopen:?}: every phone has seen the answer");
        }
        assert!(s.apply(PresenterAction::Reveal(false), NOW).is_err(), "nothing to hide any more");
        assert_eq!(s.check_vote("q", &choices(&[0]), NOW), Err(VoteRefusal::VotingClosed));
    }

    #[test]
    fn only_a_number_answer_can_be_revealed() {
        let mut s = state();
        s.apply(PresenterAction::Next, NOW).expect("next");
        assert!(s.apply(PresenterAction::Reveal(true), NOW).is_err());
        s.apply(PresenterAction::Goto(3), NOW).expect("goto");
        s.apply(PresenterAction::Reveal(true), NOW).expect("reveal");
        assert_eq!(s.current_question_state().map(|q| q.revealed), Some(true));
    }
}
