//! Word cloud: each participant sends a few words or short phrases; results are the most frequent, bounded.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::filter::Filter;
use super::table::{plural, Table};
use super::text::{fold, normalise};
use super::{
    Answer, Audience, Count, Kind, KindSpec, Question, Rules, SettingError, SettingSpec, SettingType, Settings, Tally,
};

/// The longest word or phrase, in characters after normalisation.
pub const MAX_WORD_CHARS: usize = 40;
/// The most words one participant may send.
pub const MAX_WORDS: i64 = 10;
/// The most words a results view carries: the cloud shows these, never the long tail.
pub const TOP_WORDS: usize = 150;

#[derive(Debug, Clone, PartialEq)]
pub struct WordCloud {
    /// Words each participant may send (`max=`, default 1).
    pub max: usize,
    /// What never reaches the projector: the built-in lists and the deck's `blocklist:`.
    pub filter: Arc<Filter>,
}

pub static SPEC: KindSpec = KindSpec {
    kind: "wordcloud",
    name: "wordcloud",
    label: "Word cloud",
    options: None,
    marks: false,
    settings: &[SettingSpec {
        name: "max",
        label: "Words each",
        value: SettingType::Integer,
        default: "1",
        choices: &[],
        help: "How many words or short phrases each person may send (1 to 10).",
        affects_answers: false,
    }],
    parse,
};

fn parse(settings: &mut Settings, _: &[String]) -> Result<Kind, SettingError> {
    let max = settings.take_integer("max", 1..=MAX_WORDS)?.unwrap_or(1);
    Ok(Kind::WordCloud(WordCloud { max: usize::try_from(max).unwrap_or(1), filter: Filter::built_in() }))
}

impl Rules for WordCloud {
    fn spec(&self) -> &'static KindSpec {
        &SPEC
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        (self.max != 1).then(|| ("max", self.max.to_string())).into_iter().collect()
    }

    fn view(&self, _: Audience, out: &mut Map<String, Value>) {
        out.insert("max".into(), json!(self.max));
        out.insert("max_chars".into(), json!(MAX_WORD_CHARS));
    }

    fn check(&self, _: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Words(words) = answer else {
            return Err(format!("this question takes `words`, not `{}`", answer.shape()));
        };
        let mut clean: Vec<String> = Vec::with_capacity(words.len());
        for word in words {
            // Longer input is refused rather than cut: a cut word is not what was meant.
            if word.chars().count() > MAX_WORD_CHARS * 4 {
                return Err(format!("a word or phrase may be at most {MAX_WORD_CHARS} characters"));
            }
            let word = normalise(word, MAX_WORD_CHARS + 1);
            if word.chars().count() > MAX_WORD_CHARS {
                return Err(format!("a word or phrase may be at most {MAX_WORD_CHARS} characters"));
            }
            if word.is_empty() {
                continue;
            }
            if clean.iter().any(|seen| fold(seen) == fold(&word)) {
                return Err(format!("`{word}` is there twice"));
            }
            clean.push(word);
        }
        if clean.is_empty() {
            return Err("send at least one word".into());
        }
        if clean.len() > self.max {
            return Err(format!("at most {} words", self.max));
        }
        Ok(Answer::Words(clean))
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::WordCloud(cloud) if cloud.max >= self.max)
    }

    fn tally(&self, _: &Question) -> Tally {
        Tally::WordCloud(Words { words: HashMap::new(), total: 0, seen: 0, filter: self.filter.clone() })
    }

    fn describe(&self, _: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Words(words) => words.join("; "),
            other => other.to_json(),
        }
    }

    fn results_every(&self) -> std::time::Duration {
        super::LAID_OUT_EVERY
    }
}

/// Every word sent, counted case-insensitively.
#[derive(Debug, Clone)]
pub struct Words {
    /// Folded word → its count.
    words: HashMap<String, Word>,
    /// Words counted (with repeats), filtered ones included.
    total: u64,
    /// Stamps words in the order they were first seen, for stable ties.
    seen: u64,
    filter: Arc<Filter>,
}

impl PartialEq for Words {
    fn eq(&self, other: &Words) -> bool {
        self.words == other.words && self.total == other.total
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    /// The first form seen is the one displayed.
    shown: String,
    count: u64,
    first_seen: u64,
    /// Blocked by the filter: counted, never shown.
    blocked: bool,
}

impl Count for Words {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Words(words) = answer else { return false };
        for word in words {
            let key = fold(word);
            if sign > 0 {
                self.seen += 1;
                let (seen, filter) = (self.seen, &self.filter);
                let entry = self.words.entry(key).or_insert_with(|| Word {
                    shown: word.clone(),
                    count: 0,
                    first_seen: seen,
                    blocked: filter.blocks(word),
                });
                entry.count += 1;
                self.total += 1;
            } else if let Some(entry) = self.words.get_mut(&key) {
                entry.count = entry.count.saturating_sub(1);
                self.total = self.total.saturating_sub(1);
                if entry.count == 0 {
                    self.words.remove(&key);
                }
            }
        }
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        let mut shown: Vec<&Word> = self.words.values().filter(|word| !word.blocked).collect();
        let order = |a: &&Word, b: &&Word| b.count.cmp(&a.count).then(a.first_seen.cmp(&b.first_seen));
        // Only the top of the list is sorted: a room's long tail costs a linear pass.
        if shown.len() > TOP_WORDS {
            shown.select_nth_unstable_by(TOP_WORDS - 1, order);
            shown.truncate(TOP_WORDS);
        }
        shown.sort_unstable_by(order);
        let filtered = self.words.values().filter(|word| word.blocked).count();
        let words: Vec<Value> = shown.iter().map(|word| json!({"text": word.shown, "count": word.count})).collect();
        out.insert("words".into(), Value::Array(words));
        out.insert("total".into(), json!(self.total));
        out.insert("distinct".into(), json!(self.words.len()));
        out.insert("filtered".into(), json!(filtered));
    }

    fn table(&self, _: &Question, respondents: u64) -> Table {
        let mut shown: Vec<&Word> = self.words.values().filter(|word| !word.blocked).collect();
        shown.sort_unstable_by(|a, b| b.count.cmp(&a.count).then(a.first_seen.cmp(&b.first_seen)));
        shown.truncate(TOP_WORDS);
        let mut table = Table::new("Word", vec!["Count"]);
        for word in shown {
            table.push(word.shown.clone(), vec![word.count as f64], word.count as f64);
        }
        let headline = match table.rows.first() {
            Some(top) => format!(
                "top word: {} ({}); {} different from {}",
                top.label,
                top.values[0],
                self.words.len(),
                plural(respondents, "participant", "participants")
            ),
            None => "no words".into(),
        };
        let mut table = table.scale_bars().headline(headline);
        table.words = true;
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::{Draft, Results};

    fn cloud(settings: &str) -> Question {
        Question::build(Draft {
            kind: "wordcloud",
            settings: Settings::parse(settings).expect("settings"),
            id: "w".into(),
            prompt: "One word?".into(),
            options: vec![],
        })
        .expect("question")
    }

    fn words(list: &[&str]) -> Answer {
        Answer::Words(list.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn checks_normalise_and_bound_the_words() {
        let q = cloud("max=3");
        assert_eq!(q.check(&words(&["  Rust ", "fast\u{202E}"])), Ok(words(&["Rust", "fast"])));
        assert!(q.check(&words(&["a", "b", "c", "d"])).is_err(), "over max");
        assert!(q.check(&words(&["Rust", "rust"])).is_err(), "the same word twice");
        assert!(q.check(&words(&["", "  "])).is_err(), "nothing");
        assert!(q.check(&words(&[&"x".repeat(41)])).is_err(), "too long");
        assert!(q.check(&Answer::Choices(vec![0])).is_err());
        assert!(cloud("").check(&words(&["a", "b"])).is_err(), "one word by default");
        assert!(Question::build(Draft {
            kind: "wordcloud",
            settings: Settings::parse("max=11").expect("settings"),
            id: "w".into(),
            prompt: "?".into(),
            options: vec![],
        })
        .is_err());
    }

    #[test]
    fn counts_ignore_case_show_the_first_form_and_keep_blocked_words_off_the_view() {
        let q = cloud("max=3");
        let mut results = Results::new(&q);
        results.replace(None, &words(&["Rust", "shit"]));
        results.replace(None, &words(&["rust", "Go"]));
        let previous = words(&["RUST"]);
        results.replace(None, &previous);
        results.replace(Some(&previous), &words(&["go"]));
        let view = results.view(&q, Audience::Presenter);
        assert_eq!(view["words"], json!([{"text": "Rust", "count": 2}, {"text": "Go", "count": 2}]), "{view}");
        assert_eq!(view["filtered"], 1);
        assert_eq!(view["respondents"], 3);
        assert_eq!(view["total"], 5);
        assert!(!view.to_string().contains("shit"), "a blocked word never reaches a frame");
    }

    #[test]
    fn the_view_holds_the_top_words_only() {
        let q = cloud("max=10");
        let mut results = Results::new(&q);
        for n in 0..1000 {
            let list: Vec<String> = (0..3).map(|k| format!("w{}", (n * 7 + k * 13) % 400)).collect();
            results.replace(None, &Answer::Words(list));
        }
        let view = results.view(&q, Audience::Presenter);
        let shown = view["words"].as_array().expect("words");
        assert_eq!(shown.len(), TOP_WORDS);
        assert!(shown.windows(2).all(|pair| pair[0]["count"].as_u64() >= pair[1]["count"].as_u64()));
        assert_eq!(view["distinct"], 400);
    }
}
