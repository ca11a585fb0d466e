//! Quiz: options with the correct ones marked `- [x]`, or a typed answer; points for being right, and fast.

use serde_json::{json, Map, Value};

use super::table::{percent, Table};
use super::text::{fold, normalise};
use super::{
    Answer, Audience, Code, Count, Kind, KindSpec, ListSpec, Question, Rules, SettingError, SettingSpec, SettingType,
};
use super::{Settings, Tally, MAX_OPTIONS};

/// The countdown a quiz question runs when the deck sets no `time=`.
pub const QUIZ_TIME: u32 = 20;
pub const QUIZ_TEXT_TIME: u32 = 30;
/// Points for a correct answer given at once (`points=`).
pub const DEFAULT_POINTS: u32 = 1000;
pub const MAX_POINTS: i64 = 100_000;
/// The longest typed answer, in characters after normalisation.
pub const MAX_TYPED_CHARS: usize = 100;
/// The most accepted answers `answer=` may list.
const MAX_ACCEPTED: usize = 20;

/// Pick one option; right when it is one of the `correct` ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quiz {
    pub correct: Vec<u16>,
    pub points: u32,
}

/// Type the answer; right when it matches one of `accepted` after [`compare_form`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizText {
    pub accepted: Vec<String>,
    pub points: u32,
}

const POINTS_SETTING: SettingSpec = SettingSpec {
    name: "points",
    label: "Points",
    value: SettingType::Integer,
    default: "1000",
    choices: &[],
    help: "Points for a correct answer given at once; half of them at the last moment.",
    affects_answers: false,
};

pub static QUIZ: KindSpec = KindSpec {
    kind: "quiz",
    name: "quiz",
    label: "Quiz",
    options: Some(ListSpec { label: "Options", min: 2, max: MAX_OPTIONS }),
    marks: true,
    settings: &[POINTS_SETTING],
    parse: parse_quiz,
};

pub static QUIZ_TEXT: KindSpec = KindSpec {
    kind: "quiz-text",
    name: "quiz-text",
    label: "Quiz, typed answer",
    options: None,
    marks: false,
    settings: &[
        SettingSpec {
            name: "answer",
            label: "Accepted answers",
            value: SettingType::Text,
            default: "",
            choices: &[],
            help: "The right answer; several separated by | (`Paris|Paris, France`). Case, accents and spaces around are ignored.",
            affects_answers: false,
        },
        POINTS_SETTING,
    ],
    parse: parse_quiz_text,
};

/// Splits an option written `[x] Paris` or `[ ] Lyon` into its mark and text.
/// An option without a mark is a wrong one.
pub fn split_mark(option: &str) -> (bool, &str) {
    let trimmed = option.trim_start();
    for (mark, correct) in [("[x]", true), ("[X]", true), ("[ ]", false)] {
        if let Some(rest) = trimmed.strip_prefix(mark) {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return (correct, rest.trim());
            }
        }
    }
    (false, option.trim())
}

fn take_points(settings: &mut Settings) -> Result<u32, SettingError> {
    let points = settings.take_integer("points", 0..=MAX_POINTS)?;
    Ok(points.and_then(|p| u32::try_from(p).ok()).unwrap_or(DEFAULT_POINTS))
}

/// `options` still carry their marks here; [`super::Question::build`] keeps the text only
/// and has refused a list with none marked.
fn parse_quiz(settings: &mut Settings, options: &[String]) -> Result<Kind, SettingError> {
    let points = take_points(settings)?;
    let correct: Vec<u16> = options
        .iter()
        .enumerate()
        .filter(|(_, option)| split_mark(option).0)
        .filter_map(|(index, _)| u16::try_from(index).ok())
        .collect();
    Ok(Kind::Quiz(Quiz { correct, points }))
}

fn parse_quiz_text(settings: &mut Settings, _: &[String]) -> Result<Kind, SettingError> {
    let points = take_points(settings)?;
    let Some(written) = settings.take("answer") else {
        return Err(SettingError::of(
            "answer",
            "a typed-answer quiz needs `answer=` with the right answer (`answer=\"Paris|Paris, France\"`)",
        )
        .coded(Code::new("quiz.answer_missing")));
    };
    let accepted: Vec<String> =
        written.split('|').map(|a| normalise(a, MAX_TYPED_CHARS)).filter(|a| !a.is_empty()).collect();
    if accepted.is_empty() {
        return Err(SettingError::of("answer", "answer= is empty: give the right answer")
            .coded(Code::new("quiz.answer_missing")));
    }
    if accepted.len() > MAX_ACCEPTED {
        let code = Code::new("quiz.too_many_answers").with("n", MAX_ACCEPTED);
        return Err(SettingError::of("answer", format!("answer= may list at most {MAX_ACCEPTED} answers")).coded(code));
    }
    Ok(Kind::QuizText(QuizText { accepted, points }))
}

/// The form two typed answers are compared in: case, accents and surrounding
/// spaces aside (`  PARÍS ` matches `Paris`).
pub fn compare_form(text: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    fold(&normalise(text, MAX_TYPED_CHARS)).nfd().filter(|c| !is_combining_mark(*c)).nfc().collect()
}

/// The points a correct answer earns, `t_ms` after the question opened with a
/// countdown of `time` seconds: `points × (1 − t / (2 × time))`, rounded; full
/// points at once, half at the last moment. `t` is clamped into `0..=time`, so
/// an answer let in after reopening never earns less than half. Wrong: 0.
pub fn score(points: u32, time: u32, t_ms: i64, correct: bool) -> u32 {
    if !correct {
        return 0;
    }
    let time_ms = f64::from(time.max(1)) * 1000.0;
    let t = (t_ms as f64).clamp(0.0, time_ms);
    (f64::from(points) * (1.0 - t / (2.0 * time_ms))).round() as u32
}

impl Rules for Quiz {
    fn spec(&self) -> &'static KindSpec {
        &QUIZ
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        points_setting(self.points)
    }

    fn view(&self, audience: Audience, out: &mut Map<String, Value>) {
        out.insert("points".into(), json!(self.points));
        // Phones learn which option was right only at the reveal.
        if matches!(audience, Audience::Presenter | Audience::Phones { revealed: true }) {
            out.insert("correct".into(), json!(self.correct));
        }
    }

    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Choices(choices) = answer else {
            return Err(format!("this question takes `choices`, not `{}`", answer.shape()));
        };
        match choices.as_slice() {
            [one] if usize::from(*one) < question.options.len() => Ok(answer.clone()),
            [one] => Err(format!("option {one} does not exist; this question has {}", question.options.len())),
            _ => Err("pick exactly one option".into()),
        }
    }

    /// Answers keep their meaning while the options stay; a moved mark re-scores them.
    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Quiz(_))
    }

    fn tally(&self, question: &Question) -> Tally {
        Tally::Quiz(Picks { counts: vec![0; question.options.len()], correct: self.correct.clone() })
    }

    fn describe(&self, question: &Question, answer: &Answer) -> String {
        super::choice::describe_choices(question, answer)
    }

    fn list_items(&self, options: &[String]) -> Vec<String> {
        options
            .iter()
            .enumerate()
            .map(|(index, option)| {
                let correct = u16::try_from(index).is_ok_and(|index| self.correct.contains(&index));
                format!("{} {option}", if correct { "[x]" } else { "[ ]" })
            })
            .collect()
    }

    fn default_time(&self) -> Option<u32> {
        Some(QUIZ_TIME)
    }

    fn final_answers(&self) -> bool {
        true
    }

    fn scoring(&self, answer: &Answer) -> Option<(u32, bool)> {
        let right = matches!(answer, Answer::Choices(c) if c.len() == 1 && self.correct.contains(&c[0]));
        Some((self.points, right))
    }
}

impl Rules for QuizText {
    fn spec(&self) -> &'static KindSpec {
        &QUIZ_TEXT
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        let mut settings = vec![("answer", self.accepted.join("|"))];
        settings.extend(points_setting(self.points));
        settings
    }

    fn view(&self, audience: Audience, out: &mut Map<String, Value>) {
        out.insert("points".into(), json!(self.points));
        if matches!(audience, Audience::Presenter | Audience::Phones { revealed: true }) {
            out.insert("accepted".into(), json!(self.accepted));
        }
    }

    fn check(&self, _: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Text(text) = answer else {
            return Err(format!("this question takes `text`, not `{}`", answer.shape()));
        };
        let text = normalise(text, MAX_TYPED_CHARS + 1);
        match text.chars().count() {
            0 => Err("type an answer".into()),
            n if n > MAX_TYPED_CHARS => Err(format!("an answer has at most {MAX_TYPED_CHARS} characters")),
            _ => Ok(Answer::Text(text)),
        }
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::QuizText(_))
    }

    fn tally(&self, _: &Question) -> Tally {
        Tally::QuizText(Marked {
            accepted: self.accepted.iter().map(|a| compare_form(a)).collect(),
            right: 0,
            wrong: 0,
        })
    }

    fn describe(&self, _: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Text(text) => text.clone(),
            other => other.to_json(),
        }
    }

    fn default_time(&self) -> Option<u32> {
        Some(QUIZ_TEXT_TIME)
    }

    fn final_answers(&self) -> bool {
        true
    }

    fn scoring(&self, answer: &Answer) -> Option<(u32, bool)> {
        let right = match answer {
            Answer::Text(text) => {
                let given = compare_form(text);
                self.accepted.iter().any(|accepted| compare_form(accepted) == given)
            }
            _ => false,
        };
        Some((self.points, right))
    }
}

fn points_setting(points: u32) -> Vec<(&'static str, String)> {
    (points != DEFAULT_POINTS).then(|| ("points", points.to_string())).into_iter().collect()
}

/// How many picked each option, and how many picked a correct one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picks {
    counts: Vec<u64>,
    correct: Vec<u16>,
}

impl Count for Picks {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Choices(choices) = answer else { return false };
        let [one] = choices.as_slice() else { return false };
        let Some(count) = self.counts.get_mut(usize::from(*one)) else { return false };
        *count = count.saturating_add_signed(sign);
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        let right: u64 = self.correct.iter().filter_map(|&c| self.counts.get(usize::from(c))).sum();
        out.insert("counts".into(), json!(self.counts));
        out.insert("right".into(), json!(right));
    }

    fn table(&self, question: &Question, respondents: u64) -> Table {
        let mut table = Table::new("Option", vec!["Answers", "Share (%)"]);
        for (at, (option, &count)) in question.options.iter().zip(&self.counts).enumerate() {
            table.push(option.clone(), vec![count as f64, percent(count, respondents)], count as f64);
            if let Some(row) = table.rows.last_mut() {
                row.correct = self.correct.iter().any(|&c| usize::from(c) == at);
            }
        }
        let right: u64 = self.correct.iter().filter_map(|&c| self.counts.get(usize::from(c))).sum();
        table.scale_bars().headline(right_of(right, respondents))
    }
}

/// "7 of 10 right (70%)".
fn right_of(right: u64, respondents: u64) -> String {
    format!("{right} of {respondents} right ({}%)", percent(right, respondents))
}

/// Typed answers marked right or wrong as they arrive; the texts themselves stay off the projector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    accepted: Vec<String>,
    right: u64,
    wrong: u64,
}

impl Count for Marked {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Text(text) = answer else { return false };
        let given = compare_form(text);
        let count = if self.accepted.contains(&given) { &mut self.right } else { &mut self.wrong };
        *count = count.saturating_add_signed(sign);
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        out.insert("right".into(), json!(self.right));
        out.insert("wrong".into(), json!(self.wrong));
    }

    fn table(&self, _: &Question, respondents: u64) -> Table {
        let mut table = Table::new("Answer", vec!["Answers", "Share (%)"]);
        table.push("Right", vec![self.right as f64, percent(self.right, respondents)], self.right as f64);
        table.push("Wrong", vec![self.wrong as f64, percent(self.wrong, respondents)], self.wrong as f64);
        table.rows[0].correct = true;
        table.scale_bars().headline(right_of(self.right, respondents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn marks_are_read_from_the_start_of_an_option() {
        assert_eq!(split_mark("[x] Paris"), (true, "Paris"));
        assert_eq!(split_mark("[X]  Paris "), (true, "Paris"));
        assert_eq!(split_mark("[ ] Lyon"), (false, "Lyon"));
        assert_eq!(split_mark("Lyon"), (false, "Lyon"));
        assert_eq!(split_mark("[x]Paris"), (false, "[x]Paris"), "a mark is followed by a space");
    }

    #[test]
    fn typed_answers_compare_without_case_accents_or_spaces() {
        assert_eq!(compare_form("  PARÍS "), compare_form("Paris"));
        assert_eq!(compare_form("Zürich"), "zurich");
        assert_ne!(compare_form("Pariss"), compare_form("Paris"));
        let quiz = QuizText { accepted: vec!["Paris".into(), "Paris, France".into()], points: 1000 };
        assert_eq!(quiz.scoring(&Answer::Text("paris, FRANCE".into())), Some((1000, true)));
        assert_eq!(quiz.scoring(&Answer::Text("Lyon".into())), Some((1000, false)));
    }

    #[test]
    fn the_score_is_full_at_once_and_half_at_the_last_moment() {
        assert_eq!(score(1000, 20, 0, true), 1000);
        assert_eq!(score(1000, 20, 10_000, true), 750);
        assert_eq!(score(1000, 20, 20_000, true), 500);
        assert_eq!(score(1000, 20, 5_000, false), 0);
        assert_eq!(score(1000, 20, -300, true), 1000, "a clock step back never gives more than full points");
        assert_eq!(score(1000, 20, 90_000, true), 500, "let in after reopening: half");
    }

    proptest! {
        #[test]
        fn the_score_falls_with_time_between_half_and_full(
            points in 0u32..=100_000, time in 1u32..=3600, t in -10_000i64..5_000_000, later in 0i64..100_000
        ) {
            let now = score(points, time, t, true);
            let then = score(points, time, t + later, true);
            prop_assert!(then <= now, "slower never scores more");
            prop_assert!(now <= points);
            prop_assert!(2 * now + 1 >= points, "never below half: {now} of {points}");
            prop_assert_eq!(score(points, time, t, false), 0);
            let exact = f64::from(points) * (1.0 - (t as f64).clamp(0.0, f64::from(time) * 1000.0) / (2000.0 * f64::from(time)));
            prop_assert!((f64::from(now) - exact).abs() <= 0.5 + 1e-9);
        }
    }
}
