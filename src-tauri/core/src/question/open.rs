//! Open text: each participant posts up to a few short texts; the projector shows a wall of them, moderated if asked.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::filter::Filter;
use super::table::Table;
use super::text::normalise;
use super::{
    Answer, Audience, Code, Count, Kind, KindSpec, Question, Rules, SettingError, SettingSpec, SettingType, Settings,
    Tally,
};

/// The longest post (and Q&A question), in characters after normalisation.
pub const MAX_TEXT_CHARS: usize = 280;
/// The most posts one participant may send to one open question.
pub const MAX_POSTS: i64 = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct Open {
    /// Posts each participant may send (`max=`, default 1).
    pub max: usize,
    /// Posts wait for the presenter's approval before the projector shows them.
    pub moderate: bool,
    /// Masks filtered words on the projector: the built-in lists and the deck's `blocklist:`.
    pub filter: Arc<Filter>,
}

pub static SPEC: KindSpec = KindSpec {
    kind: "open",
    name: "open",
    label: "Open text",
    options: None,
    marks: false,
    settings: &[
        SettingSpec {
            name: "max",
            label: "Posts each",
            value: SettingType::Integer,
            default: "1",
            choices: &[],
            help: "How many answers each person may post (1 to 10). A post is final.",
            affects_answers: false,
        },
        SettingSpec {
            name: "moderate",
            label: "Moderate",
            value: SettingType::Choice,
            default: "",
            choices: &["", "yes"],
            help: "`yes`: posts wait in the presenter's queue until approved.",
            affects_answers: false,
        },
    ],
    parse,
};

fn parse(settings: &mut Settings, _: &[String]) -> Result<Kind, SettingError> {
    let max = settings.take_integer("max", 1..=MAX_POSTS)?.unwrap_or(1);
    let moderate = flag(settings, "moderate")?;
    Ok(Kind::Open(Open { max: usize::try_from(max).unwrap_or(1), moderate, filter: Filter::built_in() }))
}

/// A setting written bare (`moderate`) or as `moderate=yes`.
pub(crate) fn flag(settings: &mut Settings, key: &str) -> Result<bool, SettingError> {
    match settings.take(key).as_deref() {
        None => Ok(false),
        Some("" | "yes" | "true") => Ok(true),
        Some("no" | "false") => Ok(false),
        Some(other) => Err(SettingError::of(key, format!("{key}={other}: write `{key}` alone, or leave it out"))
            .coded(Code::new("setting.switch"))),
    }
}

/// Checks participant text: normalised, not empty, at most [`MAX_TEXT_CHARS`].
pub fn check_text(text: &str) -> Result<String, String> {
    if text.chars().count() > MAX_TEXT_CHARS * 8 {
        return Err(format!("at most {MAX_TEXT_CHARS} characters"));
    }
    let clean = normalise(text, MAX_TEXT_CHARS + 1);
    if clean.chars().count() > MAX_TEXT_CHARS {
        return Err(format!("at most {MAX_TEXT_CHARS} characters"));
    }
    if clean.is_empty() {
        return Err("write something first".into());
    }
    Ok(clean)
}

impl Rules for Open {
    fn spec(&self) -> &'static KindSpec {
        &SPEC
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        let mut settings = Vec::new();
        if self.max != 1 {
            settings.push(("max", self.max.to_string()));
        }
        if self.moderate {
            settings.push(("moderate", "yes".to_string()));
        }
        settings
    }

    fn view(&self, _: Audience, out: &mut Map<String, Value>) {
        out.insert("max".into(), json!(self.max));
        out.insert("max_chars".into(), json!(MAX_TEXT_CHARS));
        out.insert("moderated".into(), json!(self.moderate));
    }

    fn check(&self, _: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Text(text) = answer else {
            return Err(format!("this question takes `text`, not `{}`", answer.shape()));
        };
        check_text(text).map(Answer::Text)
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Open(_))
    }

    fn tally(&self, _: &Question) -> Tally {
        Tally::Open(Posts)
    }

    fn describe(&self, _: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Text(text) => text.clone(),
            other => other.to_json(),
        }
    }

    fn results_every(&self) -> std::time::Duration {
        super::LAID_OUT_EVERY
    }
}

/// Posts are counted on the board (`session::board`), with their moderation
/// state; this count only refuses answers that are not posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posts;

impl Count for Posts {
    fn add(&mut self, answer: &Answer, _: i64) -> bool {
        matches!(answer, Answer::Text(_))
    }

    fn view(&self, _: &Question, _: Audience, _: &mut Map<String, Value>) {}

    /// Posts are not counted here: the export lists them from the store.
    fn table(&self, _: &Question, _: u64) -> Table {
        Table::new("Post", vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::Draft;

    fn open(settings: &str) -> Result<Question, crate::question::Fault> {
        Question::build(Draft {
            kind: "open",
            settings: Settings::parse(settings).expect("settings"),
            id: "o".into(),
            prompt: "Ideas?".into(),
            options: vec![],
        })
    }

    #[test]
    fn reads_max_and_the_bare_moderate_flag() {
        let q = open("max=3 moderate").expect("question");
        assert!(matches!(&q.kind, Kind::Open(o) if o.max == 3 && o.moderate));
        assert!(matches!(open("").expect("q").kind, Kind::Open(Open { max: 1, moderate: false, .. })));
        assert!(open("max=11").is_err());
        assert!(open("moderate=maybe").is_err());
    }

    #[test]
    fn text_is_normalised_and_bounded() {
        let q = open("").expect("question");
        assert_eq!(q.check(&Answer::Text("  hello\n\nworld \u{202E}".into())), Ok(Answer::Text("hello world".into())));
        assert!(q.check(&Answer::Text(" \u{200B} ".into())).is_err());
        assert!(q.check(&Answer::Text("x".repeat(281))).is_err());
        assert!(q.check(&Answer::Text("x".repeat(280))).is_ok());
        assert!(q.check(&Answer::Words(vec!["x".into()])).is_err());
    }
}
