//! Property test: quiz answers and scores on an injected clock (early, late, after
//! close, after a restart) against a model that writes the rules out again.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::quiz::{opened_at, rebuild_scores};
use super::rebuild;
use crate::deck::{parse_deck, Deck};
use crate::question::Answer;
use crate::session::{Answers, Millis, PresenterAction, Scoreboard, SessionState};
use crate::store::{StoredAnswer, StoredPlayer, StoredSession};

const START: Millis = 1_800_000_000_000;

const DECK: &str = "# Welcome\n\n---\n\n<!-- question: quiz id=q1 time=20 -->\n# 2 + 2?\n\n- [ ] 3\n- [x] 4\n\n---\n\n<!-- question: quiz id=q2 time=5 points=500 -->\n# Planets?\n\n- [x] Jupiter\n- [ ] Pluto\n- [x] Saturn\n\n---\n\n<!-- question: quiz-text id=q3 answer=\"Bern\" -->\n# Swiss capital?\n\n---\n\n<!-- leaderboard -->\n# Scores\n";

#[derive(Debug, Clone)]
enum Op {
    Present(PresenterAction),
    Vote {
        player: u8,
        question: usize,
        right: bool,
    },
    Wait(i64),
    /// The app stops and starts again from what is stored.
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Present(PresenterAction::Next)),
        1 => Just(Op::Present(PresenterAction::Previous)),
        1 => any::<bool>().prop_map(|open| Op::Present(PresenterAction::SetVoting(open))),
        1 => Just(Op::Present(PresenterAction::Reveal(true))),
        2 => (0i64..12_000).prop_map(Op::Wait),
        1 => Just(Op::Restart),
        8 => (0u8..5, 0usize..3, any::<bool>()).prop_map(|(player, question, right)| Op::Vote { player, question, right }),
    ]
}

/// One question in the model: open, deadline, first opening, countdown, points.
#[derive(Debug, Clone, Copy)]
struct ModelQuestion {
    open: bool,
    deadline: Option<Millis>,
    opened: Millis,
    /// Its answer was shown: it never opens again.
    revealed: bool,
}

struct Model {
    now: Millis,
    slide: usize,
    /// Slide index → (question id, countdown s, points).
    quizzes: HashMap<usize, (&'static str, i64, f64)>,
    questions: HashMap<&'static str, ModelQuestion>,
    scores: HashMap<u8, u64>,
    answered: std::collections::HashSet<(u8, &'static str)>,
}

impl Model {
    fn reach(&mut self) {
        if let Some(&(id, time, _)) = self.quizzes.get(&self.slide) {
            let now = self.now;
            self.questions.entry(id).or_insert(ModelQuestion {
                open: true,
                deadline: Some(now + time * 1000),
                opened: now,
                revealed: false,
            });
        }
    }

    fn present(&mut self, action: PresenterAction) {
        let now = self.now;
        let current = self.quizzes.get(&self.slide).copied();
        match action {
            PresenterAction::Next => self.slide = (self.slide + 1).min(4),
            PresenterAction::Previous => self.slide = self.slide.saturating_sub(1),
            PresenterAction::SetVoting(open) => {
                if let Some((id, time, _)) = current {
                    let question = self.questions.get_mut(id).expect("reached");
                    if open && question.revealed {
                        return self.reach();
                    }
                    if open && !question.open {
                        question.deadline = Some(now + time * 1000);
                    } else if !open {
                        question.deadline = None;
                    }
                    question.open = open;
                }
            }
            PresenterAction::Reveal(true) => {
                if let Some((id, _, _)) = current {
                    let question = self.questions.get_mut(id).expect("reached");
                    question.open = false;
                    question.deadline = None;
                    question.revealed = true;
                }
            }
            _ => {}
        }
        self.reach();
    }

    fn wait(&mut self, ms: i64) {
        self.now += ms;
        for question in self.questions.values_mut() {
            if question.open && question.deadline.is_some_and(|deadline| deadline <= self.now) {
                question.open = false;
                question.deadline = None;
            }
        }
    }

    /// Whether the answer counts, and adds its points.
    fn vote(&mut self, player: u8, id: &'static str, right: bool) -> bool {
        let Some(&(current, time, points)) = self.quizzes.get(&self.slide) else { return false };
        let question = self.questions[current];
        let on_time = question.open && question.deadline.is_none_or(|deadline| self.now < deadline);
        if current != id || !on_time || !self.answered.insert((player, id)) {
            return false;
        }
        if right {
            let t = ((self.now - question.opened) as f64).clamp(0.0, time as f64 * 1000.0);
            *self.scores.entry(player).or_default() += (points * (1.0 - t / (2000.0 * time as f64))).round() as u64;
        }
        true
    }
}

fn answer(question: &str, right: bool) -> Answer {
    match (question, right) {
        ("q1", true) => Answer::Choices(vec![1]),
        ("q1", false) => Answer::Choices(vec![0]),
        ("q2", true) => Answer::Choices(vec![2]),
        ("q2", false) => Answer::Choices(vec![1]),
        (_, true) => Answer::Text(" BERN ".into()),
        (_, false) => Answer::Text("Zurich".into()),
    }
}

/// The engine's side: session state, scoreboard and what the file would hold.
struct Real {
    deck: Arc<Deck>,
    state: SessionState,
    scores: Scoreboard,
    stored: Vec<StoredAnswer>,
}

impl Real {
    fn player(n: u8) -> Arc<str> {
        Arc::from(format!("quiz-model-{n}"))
    }

    fn vote(&mut self, player: u8, id: &str, answer: &Answer, now: Millis) -> bool {
        let who = Real::player(player);
        // The writer's rule: checked by the session, and only a first answer is stored.
        let first = !self.stored.iter().any(|row| *row.participant == *who && row.question == id);
        let Ok(answer) = self.state.check_vote(id, answer, now) else { return false };
        if !first {
            return false;
        }
        self.stored.push(StoredAnswer {
            participant: who.to_string(),
            question: id.into(),
            answer: answer.clone(),
            at: now,
        });
        let question = self.deck.question(id).expect("question");
        self.scores.record(&who, question, &answer, now, opened_at(&self.state, id, now));
        true
    }

    fn restart(&mut self, now: Millis) {
        let stored = StoredSession {
            id: 1,
            slide: self.state.slide,
            questions: self.state.questions.clone(),
            responses: self.stored.clone(),
            players: (0..5)
                .map(|n| StoredPlayer {
                    participant: Real::player(n).to_string(),
                    number: i64::from(n) + 1,
                    nickname: None,
                })
                .collect(),
            posts: Vec::new(),
            qa: Default::default(),
        };
        self.state = rebuild(&self.deck, &stored, &Answers::default(), now).0;
        self.scores = rebuild_scores(&self.deck, &stored);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn quiz_scores_match_the_model(ops in proptest::collection::vec(op(), 1..80)) {
        let deck = Arc::new(parse_deck("quiz.md", DECK).expect("deck"));
        let mut real = Real { deck: deck.clone(), state: SessionState::new(deck, START), scores: Scoreboard::default(), stored: Vec::new() };
        let quizzes = HashMap::from([(1, ("q1", 20, 1000.0)), (2, ("q2", 5, 500.0)), (3, ("q3", 30, 1000.0))]);
        let mut model = Model { now: START, slide: 0, quizzes, questions: HashMap::new(), scores: HashMap::new(), answered: Default::default() };
        for op in ops {
            match op {
                Op::Present(action) => {
                    let _ = real.state.apply(action, model.now);
                    model.present(action);
                }
                Op::Wait(ms) => {
                    model.wait(ms);
                    if real.state.next_deadline().is_some_and(|deadline| deadline <= model.now) {
                        real.state.expire(model.now);
                    }
                }
                Op::Vote { player, question, right } => {
                    let id = ["q1", "q2", "q3"][question];
                    let counted = real.vote(player, id, &answer(id, right), model.now);
                    prop_assert_eq!(counted, model.vote(player, id, right), "player {} on {} at +{} ms", player, id, model.now - START);
                }
                Op::Restart => real.restart(model.now),
            }
            let standings = real.scores.standings(None);
            for n in 0..5u8 {
                let points = standings.of(&format!("quiz-model-{n}")).map_or(0, |entry| entry.points);
                prop_assert_eq!(points, model.scores.get(&n).copied().unwrap_or(0), "player {}", n);
            }
        }
    }
}
