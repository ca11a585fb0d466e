//! Property tests: the session state machine against a deliberately simple model.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::{PresenterAction, SessionState};
use crate::deck::{demo_deck, Deck, QuestionKind};

#[derive(Debug, Clone)]
enum Op {
    Present(PresenterAction),
    Vote { participant: u8, question: usize, choices: Vec<u16> },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Present(PresenterAction::Next)),
        Just(Op::Present(PresenterAction::Previous)),
        (0usize..9).prop_map(|n| Op::Present(PresenterAction::Goto(n))),
        any::<bool>().prop_map(|b| Op::Present(PresenterAction::SetVoting(b))),
        any::<bool>().prop_map(|b| Op::Present(PresenterAction::SetResultsVisible(b))),
        // Question 3 does not exist in the demo deck: a bogus id.
        (0u8..6, 0usize..4, proptest::collection::vec(0u16..6, 0..5))
            .prop_map(|(participant, question, choices)| Op::Vote { participant, question, choices }),
    ]
}

/// The model: plain fields and rules written out again, independently of `SessionState`.
struct Model {
    deck: Deck,
    slide: usize,
    /// Question id → (voting open, results visible), once reached.
    reached: HashMap<String, (bool, bool)>,
    answers: HashMap<(u8, String), Vec<u16>>,
}

impl Model {
    fn current(&self) -> Option<&crate::deck::Question> {
        self.deck.slides[self.slide].question.as_ref()
    }

    fn go(&mut self, slide: usize) {
        self.slide = slide;
        if let Some(id) = self.current().map(|q| q.id.clone()) {
            self.reached.entry(id).or_insert((true, true));
        }
    }

    fn present(&mut self, action: PresenterAction) -> bool {
        let last = self.deck.slides.len() - 1;
        match action {
            PresenterAction::Next => self.go((self.slide + 1).min(last)),
            PresenterAction::Previous => self.go(self.slide.saturating_sub(1)),
            PresenterAction::Goto(n) if n <= last => self.go(n),
            PresenterAction::Goto(_) => return false,
            PresenterAction::SetVoting(open) | PresenterAction::SetResultsVisible(open) => {
                let Some(id) = self.current().map(|q| q.id.clone()) else { return false };
                let entry = self.reached.entry(id).or_insert((true, true));
                if matches!(action, PresenterAction::SetVoting(_)) {
                    entry.0 = open;
                } else {
                    entry.1 = open;
                }
            }
            PresenterAction::SetBlack(_) => {}
        }
        true
    }

    fn vote(&mut self, participant: u8, question: &str, choices: &[u16]) -> bool {
        let Some(current) = self.current() else { return false };
        if current.id != question || !self.reached.get(question).is_some_and(|q| q.0) {
            return false;
        }
        let options = current.kind.options().len() as u16;
        let mut distinct = choices.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let fits = match &current.kind {
            QuestionKind::Single { .. } => choices.len() == 1,
            QuestionKind::Multiple { max, .. } => max.is_none_or(|m| choices.len() <= usize::from(m)),
        };
        if choices.is_empty() || distinct.len() != choices.len() || choices.iter().any(|&c| c >= options) || !fits {
            return false;
        }
        self.answers.insert((participant, question.to_string()), distinct);
        true
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn session_matches_the_model(ops in proptest::collection::vec(op(), 1..80)) {
        let deck = demo_deck();
        let ids: Vec<String> = deck.questions().map(|q| q.id.clone()).chain(["no-such-question".to_string()]).collect();
        let mut real = SessionState::new(Arc::new(deck.clone()));
        let mut model = Model { deck, slide: 0, reached: HashMap::new(), answers: HashMap::new() };
        model.go(0);
        let mut real_answers: HashMap<(u8, String), Vec<u16>> = HashMap::new();

        for op in ops {
            match op {
                Op::Present(action) => {
                    prop_assert_eq!(real.apply(action).is_ok(), model.present(action), "{:?}", action);
                }
                Op::Vote { participant, question, choices } => {
                    let id = &ids[question.min(ids.len() - 1)];
                    let accepted = real.check_vote(id, &choices);
                    prop_assert_eq!(accepted.is_ok(), model.vote(participant, id, &choices), "vote {:?} on {}", choices, id);
                    if let Ok(stored) = accepted {
                        let previous = real_answers.insert((participant, id.clone()), stored.clone());
                        real.count(id, previous.as_deref(), &stored);
                    }
                }
            }
            prop_assert_eq!(real.slide, model.slide);
            let switches = real.current_question_state().map(|q| (q.voting_open, q.results_visible));
            let expected = model.current().map(|q| model.reached[&q.id]);
            prop_assert_eq!(switches, expected);
        }
        for question in model.deck.questions() {
            let mut counts = vec![0u64; question.kind.options().len()];
            let mut respondents = 0;
            for ((_, q), choices) in &model.answers {
                if q == &question.id {
                    respondents += 1;
                    for &c in choices {
                        counts[usize::from(c)] += 1;
                    }
                }
            }
            let tally = &real.tallies[&question.id];
            prop_assert_eq!(&tally.counts, &counts, "{}", question.id);
            prop_assert_eq!(tally.respondents, respondents);
        }
    }
}
