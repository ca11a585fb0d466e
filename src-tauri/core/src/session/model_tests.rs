//! Property tests: the session state machine against a deliberately simple model,
//! over every question kind and timers on an injected clock.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{Millis, PresenterAction, SessionState};
use crate::deck::{demo_deck, Deck, Question};
use crate::question::{Answer, Audience, Kind};

const START: Millis = 1_700_000_000_000;

#[derive(Debug, Clone)]
enum Op {
    Present(PresenterAction),
    Vote {
        participant: u8,
        question: usize,
        answer: Answer,
    },
    /// The server's clock moves on by this many milliseconds (timers run out).
    Wait(i64),
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        proptest::collection::vec(0u16..6, 0..5).prop_map(Answer::Choices),
        proptest::collection::vec(-1i64..7, 0..4).prop_map(Answer::Values),
        proptest::collection::vec(0i64..120, 2..5).prop_map(Answer::Values),
        Just(Answer::Order(vec![0, 1, 2])),
        proptest::collection::vec(0u16..4, 0..5).prop_map(Answer::Order),
        (-10.0f64..1100.0).prop_map(|n| Answer::Number((n * 4.0).round() / 4.0)),
        proptest::collection::vec(
            prop_oneof![
                Just("Rust"),
                Just("rust "),
                Just(" Go"),
                Just("\u{202E}go"),
                Just(""),
                Just("shit"),
                Just("a b c d e f g h i j k l m n o p q r s t u")
            ],
            0..5
        )
        .prop_map(|words| Answer::Words(words.into_iter().map(String::from).collect())),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Present(PresenterAction::Next)),
        1 => Just(Op::Present(PresenterAction::Previous)),
        1 => (0usize..15).prop_map(|n| Op::Present(PresenterAction::Goto(n))),
        1 => any::<bool>().prop_map(|b| Op::Present(PresenterAction::SetVoting(b))),
        1 => any::<bool>().prop_map(|b| Op::Present(PresenterAction::SetResultsVisible(b))),
        1 => (0u32..90).prop_map(|s| Op::Present(PresenterAction::StartTimer(s))),
        1 => (1u32..40).prop_map(|s| Op::Present(PresenterAction::AddTime(s))),
        1 => Just(Op::Present(PresenterAction::StopTimer)),
        1 => (0i64..70_000).prop_map(Op::Wait),
        // The last question index is a bogus id: no such question.
        8 => (0u8..6, 0usize..10, answer()).prop_map(|(participant, question, answer)| Op::Vote { participant, question, answer }),
    ]
}

/// A question's switches in the model: (voting open, results visible, deadline).
type Switches = (bool, bool, Option<Millis>);

/// The model: plain fields and rules written out again, independently of `SessionState`.
struct Model {
    deck: Deck,
    now: Millis,
    slide: usize,
    reached: HashMap<String, Switches>,
    answers: HashMap<(u8, String), Answer>,
}

impl Model {
    fn current(&self) -> Option<&Question> {
        self.deck.slides[self.slide].question.as_ref()
    }

    fn go(&mut self, slide: usize) {
        self.slide = slide;
        let now = self.now;
        if let Some((id, time)) = self.current().map(|q| (q.id.clone(), q.countdown())) {
            self.reached.entry(id).or_insert((true, true, time.map(|t| now + i64::from(t) * 1000)));
        }
    }

    fn wait(&mut self, ms: i64) {
        self.now += ms;
        for switches in self.reached.values_mut() {
            if switches.0 && switches.2.is_some_and(|d| d <= self.now) {
                *switches = (false, switches.1, None);
            }
        }
    }

    fn present(&mut self, action: PresenterAction) -> bool {
        let last = self.deck.slides.len() - 1;
        let now = self.now;
        match action {
            PresenterAction::Next => self.go((self.slide + 1).min(last)),
            PresenterAction::Previous => self.go(self.slide.saturating_sub(1)),
            PresenterAction::Goto(n) if n <= last => self.go(n),
            PresenterAction::Goto(_) => return false,
            PresenterAction::SetBlack(_) => {}
            PresenterAction::Reveal(_) => return false,
            _ => {
                let Some((id, time)) = self.current().map(|q| (q.id.clone(), q.countdown())) else { return false };
                let entry = self.reached.entry(id).or_insert((true, true, None));
                match action {
                    PresenterAction::SetVoting(true) if !entry.0 => {
                        *entry = (true, entry.1, time.map(|t| now + i64::from(t) * 1000))
                    }
                    PresenterAction::SetVoting(open) => *entry = (open, entry.1, if open { entry.2 } else { None }),
                    PresenterAction::SetResultsVisible(visible) => entry.1 = visible,
                    PresenterAction::StartTimer(0) | PresenterAction::AddTime(0) => return false,
                    PresenterAction::StartTimer(s) => *entry = (true, entry.1, Some(now + i64::from(s) * 1000)),
                    PresenterAction::AddTime(s) => {
                        let from = if entry.0 { entry.2.map_or(now, |d| d.max(now)) } else { now };
                        *entry = (true, entry.1, Some(from + i64::from(s) * 1000));
                    }
                    PresenterAction::StopTimer => entry.2 = None,
                    _ => unreachable!("handled above"),
                }
            }
        }
        true
    }

    /// The answer as the server should store it, or `None` when it must be refused.
    fn vote(&mut self, participant: u8, question: &str, answer: &Answer) -> Option<Answer> {
        let current = self.current()?;
        let switches = self.reached.get(question).copied()?;
        if current.id != question || !switches.0 || switches.2.is_some_and(|d| d <= self.now) {
            return None;
        }
        let n = current.options.len();
        let canonical = match (&current.kind, answer) {
            (Kind::Single(_) | Kind::Multiple(_), Answer::Choices(picked)) => {
                let mut sorted = picked.clone();
                sorted.sort_unstable();
                sorted.dedup();
                let most = match &current.kind {
                    Kind::Single(_) => Some(1),
                    Kind::Multiple(m) => m.max.map(usize::from),
                    _ => None,
                };
                let fits = !picked.is_empty()
                    && sorted.len() == picked.len()
                    && picked.iter().all(|&c| usize::from(c) < n)
                    && most.is_none_or(|m| picked.len() <= m);
                fits.then_some(Answer::Choices(sorted))?
            }
            (Kind::Scale(scale), Answer::Values(values)) => {
                let fits = values.len() == n.max(1) && values.iter().all(|v| (scale.min..=scale.max).contains(v));
                fits.then(|| answer.clone())?
            }
            (Kind::Points(points), Answer::Values(values)) => {
                let spent: i64 = values.iter().sum();
                let fits = values.len() == n && values.iter().all(|&v| v >= 0) && spent >= 1 && spent <= points.total;
                fits.then(|| answer.clone())?
            }
            (Kind::Ranking(_), Answer::Order(order)) => {
                let mut sorted = order.clone();
                sorted.sort_unstable();
                let fits = sorted == (0..n as u16).collect::<Vec<_>>();
                fits.then(|| answer.clone())?
            }
            (Kind::Number(number), Answer::Number(x)) => {
                let fits = number.min.is_none_or(|m| *x >= m) && number.max.is_none_or(|m| *x <= m);
                fits.then(|| answer.clone())?
            }
            // One option; that it is final is the writer's rule (the quiz model checks it).
            (Kind::Quiz(_), Answer::Choices(picked)) => {
                (picked.len() == 1 && usize::from(picked[0]) < n).then(|| answer.clone())?
            }
            (Kind::WordCloud(cloud), Answer::Words(words)) => {
                let mut clean: Vec<String> = Vec::new();
                for word in words {
                    let word: String = word.chars().filter(|c| *c != '\u{202E}').collect::<String>().trim().to_string();
                    if word.chars().count() > 40 {
                        return None;
                    }
                    if word.is_empty() {
                        continue;
                    }
                    if clean.iter().any(|seen| seen.to_lowercase() == word.to_lowercase()) {
                        return None;
                    }
                    clean.push(word);
                }
                (!clean.is_empty() && clean.len() <= cloud.max).then_some(Answer::Words(clean))?
            }
            _ => return None,
        };
        self.answers.insert((participant, question.to_string()), canonical.clone());
        Some(canonical)
    }

    /// What the results must say, worked out from the stored answers alone.
    fn expected(&self, question: &Question) -> Value {
        let answers: Vec<&Answer> =
            self.answers.iter().filter(|((_, q), _)| *q == question.id).map(|(_, answer)| answer).collect();
        let n = question.options.len();
        let mut expected = json!({ "respondents": answers.len() });
        match &question.kind {
            Kind::Single(_) | Kind::Multiple(_) => {
                let mut counts = vec![0u64; n];
                for answer in &answers {
                    if let Answer::Choices(picked) = answer {
                        picked.iter().for_each(|&c| counts[usize::from(c)] += 1);
                    }
                }
                expected["counts"] = json!(counts);
            }
            Kind::Scale(scale) => {
                let points = (scale.max - scale.min + 1) as usize;
                let mut rows = vec![vec![0u64; points]; n.max(1)];
                for answer in &answers {
                    if let Answer::Values(values) = answer {
                        for (row, v) in values.iter().enumerate() {
                            rows[row][(v - scale.min) as usize] += 1;
                        }
                    }
                }
                expected["counts"] = json!(rows);
            }
            Kind::Ranking(_) => {
                let mut scores = vec![0u64; n];
                for answer in &answers {
                    if let Answer::Order(order) = answer {
                        for (rank, &item) in order.iter().enumerate() {
                            scores[usize::from(item)] += (n - 1 - rank) as u64;
                        }
                    }
                }
                expected["scores"] = json!(scores);
            }
            Kind::Points(_) => {
                let mut totals = vec![0u64; n];
                for answer in &answers {
                    if let Answer::Values(values) = answer {
                        for (i, v) in values.iter().enumerate() {
                            totals[i] += *v as u64;
                        }
                    }
                }
                expected["totals"] = json!(totals);
            }
            Kind::Number(_) => {
                let sum: f64 = answers.iter().map(|a| if let Answer::Number(x) = a { *x } else { 0.0 }).sum();
                let mean = (!answers.is_empty()).then(|| ((sum / answers.len() as f64) * 100.0).round() / 100.0);
                expected["mean"] = json!(mean);
            }
            // Posts are counted on the board (its own tests), not in the results.
            Kind::Open(_) => {}
            Kind::Quiz(_) => {
                let mut counts = vec![0u64; n];
                for answer in &answers {
                    if let Answer::Choices(picked) = answer {
                        picked.iter().for_each(|&c| counts[usize::from(c)] += 1);
                    }
                }
                expected["counts"] = json!(counts);
            }
            // Typed quiz answers have a model of their own (`engine::quiz_model_tests`), scores included.
            Kind::QuizText(_) => {}
            Kind::WordCloud(_) => {
                let total: usize = answers.iter().map(|a| if let Answer::Words(w) = a { w.len() } else { 0 }).sum();
                expected["total"] = json!(total);
            }
        }
        expected
    }
}

/// The parts of a results view that the model checks.
fn observed(view: &Value) -> Value {
    let mut observed = json!({ "respondents": view["respondents"] });
    for key in ["counts", "scores", "totals", "mean", "total"] {
        if let Some(value) = view.get(key) {
            observed[key] = value.clone();
        }
    }
    if let Some(rows) = view.get("rows").and_then(Value::as_array) {
        observed["counts"] = json!(rows.iter().map(|row| row["counts"].clone()).collect::<Vec<_>>());
    }
    observed
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn session_matches_the_model(ops in proptest::collection::vec(op(), 1..120)) {
        let deck = demo_deck();
        let ids: Vec<String> = deck.questions().map(|q| q.id.clone()).chain(["no-such-question".to_string()]).collect();
        let mut real = SessionState::new(Arc::new(deck.clone()), START);
        let mut model = Model { deck, now: START, slide: 0, reached: HashMap::new(), answers: HashMap::new() };
        model.go(0);
        let mut real_answers: HashMap<(u8, String), Answer> = HashMap::new();

        for op in ops {
            match op {
                Op::Present(action) => {
                    prop_assert_eq!(real.apply(action, model.now).is_ok(), model.present(action), "{:?}", action);
                }
                Op::Wait(ms) => {
                    model.wait(ms);
                    // The writer closes what is due when the timer thread wakes it.
                    if real.next_deadline().is_some_and(|d| d <= model.now) {
                        real.expire(model.now);
                    }
                }
                Op::Vote { participant, question, answer } => {
                    let id = &ids[question.min(ids.len() - 1)];
                    let accepted = real.check_vote(id, &answer, model.now);
                    let expected = model.vote(participant, id, &answer);
                    prop_assert_eq!(accepted.as_ref().ok(), expected.as_ref(), "vote {:?} on {}", answer, id);
                    if let Ok(stored) = accepted {
                        let previous = real_answers.insert((participant, id.clone()), stored.clone());
                        real.count(id, previous.as_ref(), &stored);
                    }
                }
            }
            prop_assert_eq!(real.slide, model.slide);
            let switches = real.current_question_state().map(|q| (q.voting_open, q.results_visible, q.deadline));
            let expected = model.current().map(|q| model.reached[&q.id]);
            prop_assert_eq!(switches, expected);
        }
        for question in model.deck.questions() {
            let view = real.results[&question.id].view(question, Audience::Presenter);
            prop_assert_eq!(observed(&view), model.expected(question), "{}", question.id);
        }
    }
}
