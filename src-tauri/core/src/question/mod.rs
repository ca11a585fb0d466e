//! Question kinds: one module per kind, dispatched by an exhaustive enum.
//!
//! Each kind owns its directive settings (read and written back), the check of
//! an answer, its results, what clients see of it, whether an edit invalidates
//! stored answers, and its export cell. Adding a kind is a variant of [`Kind`],
//! a module implementing [`Rules`] and [`Count`], and an entry in [`KINDS`]; the
//! compiler names every other place that must handle it.

mod answer;
mod choice;
mod code;
pub mod filter;
mod number;
pub mod open;
mod points;
pub mod quiz;
mod ranking;
mod scale;
mod settings;
pub mod table;
pub mod text;
mod wordcloud;

use serde::Serialize;
use serde_json::{json, Map, Value};

pub use answer::Answer;
pub use choice::{Multiple, Single};
pub use code::{Code, Said};
pub use number::Number;
pub use open::Open;
pub use points::Points;
pub use quiz::{Quiz, QuizText};
pub use ranking::Ranking;
pub use scale::Scale;
pub use settings::{format_number, write_value, SettingError, Settings, MAX_NUMBER};
pub use table::Table;
pub use wordcloud::WordCloud;

/// Results a page lays out again (a word cloud, a wall of posts) change at most this often.
pub const LAID_OUT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// The most options (statements, items) a question may list.
pub const MAX_OPTIONS: usize = 26;
pub const MAX_OPTION_CHARS: usize = 200;
/// The longest countdown `time=` may set.
pub const MAX_TIME_SECONDS: i64 = 3600;

/// A question the audience answers from their phones.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable id: survives reordering slides, so stored answers stay attached.
    pub id: String,
    pub prompt: String,
    /// The list under the heading: options, statements or items, by kind.
    pub options: Vec<String>,
    pub kind: Kind,
    /// Seconds of the countdown that starts whenever voting opens.
    pub time: Option<u32>,
    /// After voting closes, phones see the results too (`results=phones`).
    pub results_on_phones: bool,
    /// One participant per network address may answer (`voters=one-per-address`),
    /// for votes that matter more than a room behind one router.
    pub one_per_address: bool,
}

/// What kind of answer a question takes, with the kind's own settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Single(Single),
    Multiple(Multiple),
    Scale(Scale),
    Number(Number),
    Ranking(Ranking),
    Points(Points),
    WordCloud(WordCloud),
    Open(Open),
    Quiz(Quiz),
    QuizText(QuizText),
}

/// Who a view is for: phones never see a number question's answer before it is revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Presenter,
    Phones { revealed: bool },
}

/// What every kind provides. One implementation per kind module.
pub trait Rules {
    /// The kind's entry in [`KINDS`].
    fn spec(&self) -> &'static KindSpec;
    /// Its own settings as written in a deck, defaults left out.
    fn settings(&self) -> Vec<(&'static str, String)>;
    /// Its own settings as clients see them, added to the question's view.
    fn view(&self, audience: Audience, out: &mut Map<String, Value>);
    /// Checks an answer; returns it in canonical form, or says in words what is wrong.
    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String>;
    /// Whether answers given to this question still mean the same under `edited`
    /// (with the same options); when not, saving the edit discards them.
    fn keeps_answers(&self, edited: &Kind) -> bool;
    /// An empty count of this question's answers.
    fn tally(&self, question: &Question) -> Tally;
    /// An answer in words, for an export cell (`Coffee; Tea`, `Beta > Alpha`).
    fn describe(&self, question: &Question, answer: &Answer) -> String;
    /// How often the presenter's results may change while answers pour in:
    /// at every commit for bars, a few times a second for what must be laid out
    /// again (a cloud, a wall), which would otherwise be rebuilt a thousand times a second.
    fn results_every(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
    /// The list as written under the heading: the options, with a quiz's `[x]` marks.
    fn list_items(&self, options: &[String]) -> Vec<String> {
        options.to_vec()
    }
    /// The countdown the kind runs when the deck sets no `time=` (a quiz's 20 s).
    fn default_time(&self) -> Option<u32> {
        None
    }
    /// For a scored kind (a quiz): its points and whether `answer` is right.
    fn scoring(&self, _answer: &Answer) -> Option<(u32, bool)> {
        None
    }
    /// Whether an answer is final once stored (a quiz's), or may be changed.
    fn final_answers(&self) -> bool {
        false
    }
}

/// A kind's running count of answers.
pub trait Count {
    /// Adds (`sign` 1) or removes (`sign` -1) an answer. False, and nothing
    /// counted, when the answer does not fit (a stored answer from an older deck).
    fn add(&mut self, answer: &Answer, sign: i64) -> bool;
    /// The kind's part of the results view.
    fn view(&self, question: &Question, audience: Audience, out: &mut Map<String, Value>);
    /// The results as a table, for a spreadsheet and a report; `respondents` answered.
    fn table(&self, question: &Question, respondents: u64) -> Table;
}

/// Every kind's count, one variant per [`Count`] implementation.
#[derive(Debug, Clone, PartialEq)]
pub enum Tally {
    Choice(choice::Counts),
    Scale(scale::Distribution),
    Number(number::Values),
    Ranking(ranking::Scores),
    Points(points::Totals),
    WordCloud(wordcloud::Words),
    Open(open::Posts),
    Quiz(quiz::Picks),
    QuizText(quiz::Marked),
}

impl Tally {
    fn count(&self) -> &dyn Count {
        match self {
            Tally::Choice(count) => count,
            Tally::Scale(count) => count,
            Tally::Number(count) => count,
            Tally::Ranking(count) => count,
            Tally::Points(count) => count,
            Tally::WordCloud(count) => count,
            Tally::Open(count) => count,
            Tally::Quiz(count) => count,
            Tally::QuizText(count) => count,
        }
    }

    fn count_mut(&mut self) -> &mut dyn Count {
        match self {
            Tally::Choice(count) => count,
            Tally::Scale(count) => count,
            Tally::Number(count) => count,
            Tally::Ranking(count) => count,
            Tally::Points(count) => count,
            Tally::WordCloud(count) => count,
            Tally::Open(count) => count,
            Tally::Quiz(count) => count,
            Tally::QuizText(count) => count,
        }
    }
}

impl Kind {
    /// The one place a kind is turned into its rules.
    pub fn rules(&self) -> &dyn Rules {
        match self {
            Kind::Single(kind) => kind,
            Kind::Multiple(kind) => kind,
            Kind::Scale(kind) => kind,
            Kind::Number(kind) => kind,
            Kind::Ranking(kind) => kind,
            Kind::Points(kind) => kind,
            Kind::WordCloud(kind) => kind,
            Kind::Open(kind) => kind,
            Kind::Quiz(kind) => kind,
            Kind::QuizText(kind) => kind,
        }
    }

    /// Gives a kind that shows participant text the deck's word filter.
    pub fn use_filter(&mut self, filter: &std::sync::Arc<filter::Filter>) {
        match self {
            Kind::WordCloud(cloud) => cloud.filter = filter.clone(),
            Kind::Open(open) => open.filter = filter.clone(),
            Kind::Single(_)
            | Kind::Multiple(_)
            | Kind::Scale(_)
            | Kind::Number(_)
            | Kind::Ranking(_)
            | Kind::Points(_)
            | Kind::Quiz(_)
            | Kind::QuizText(_) => {}
        }
    }

    /// The name written in the directive and sent to clients (`single`, `scale`…).
    pub fn name(&self) -> &'static str {
        self.rules().spec().name
    }
}

/// How a kind uses the list under the heading.
#[derive(Debug, Serialize)]
pub struct ListSpec {
    /// What the editor calls the list ("Options", "Statements", "Items").
    pub label: &'static str,
    pub min: usize,
    pub max: usize,
}

/// The type of a setting's value, for the editor's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingType {
    Integer,
    Number,
    Text,
    Choice,
}

/// One setting a kind takes, described for the editor.
#[derive(Debug, Serialize)]
pub struct SettingSpec {
    pub name: &'static str,
    pub label: &'static str,
    #[serde(rename = "type")]
    pub value: SettingType,
    /// What an unset setting means, as text ("" for nothing).
    pub default: &'static str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub choices: &'static [&'static str],
    pub help: &'static str,
    /// Changing it changes what stored answers mean: saving the edit discards them.
    pub affects_answers: bool,
}

/// A question kind as the deck format and the editor know it.
#[derive(Debug, Serialize)]
pub struct KindSpec {
    pub kind: &'static str,
    #[serde(skip)]
    pub name: &'static str,
    pub label: &'static str,
    /// `None`: the kind takes no list (a list under the heading stays slide text).
    pub options: Option<ListSpec>,
    /// The list's entries take `[x]` / `[ ]` marks (a quiz's correct options).
    pub marks: bool,
    pub settings: &'static [SettingSpec],
    /// Reads the kind's own settings; `options` is the list under the heading.
    #[serde(skip)]
    pub parse: fn(&mut Settings, &[String]) -> Result<Kind, SettingError>,
}

/// Every kind, in the order the editor offers them.
pub static KINDS: [&KindSpec; 10] = [
    &choice::SINGLE,
    &choice::MULTIPLE,
    &scale::SPEC,
    &number::SPEC,
    &ranking::SPEC,
    &points::SPEC,
    &wordcloud::SPEC,
    &open::SPEC,
    &quiz::QUIZ,
    &quiz::QUIZ_TEXT,
];

/// Settings every kind takes besides its own (and `id=`).
pub static COMMON_SETTINGS: [SettingSpec; 3] = [
    SettingSpec {
        name: "time",
        label: "Timer (seconds)",
        value: SettingType::Integer,
        default: "",
        choices: &[],
        help: "A countdown that starts when voting opens; at zero voting closes.",
        affects_answers: false,
    },
    SettingSpec {
        name: "results",
        label: "Results on phones",
        value: SettingType::Choice,
        default: "",
        choices: &["", "phones"],
        help: "`phones`: once voting closes, phones show the results too.",
        affects_answers: false,
    },
    SettingSpec {
        name: "voters",
        label: "Who may answer",
        value: SettingType::Choice,
        default: "",
        choices: &["", "one-per-address"],
        help: "`one-per-address`: one participant per device address, for votes that matter. Phones behind one router (guest Wi-Fi) then count once.",
        affects_answers: false,
    },
];

/// The kind named `name`, or an error listing the kinds there are.
pub fn spec(name: &str) -> Result<&'static KindSpec, SettingError> {
    KINDS.iter().copied().find(|spec| spec.name == name).ok_or_else(|| {
        let names: Vec<&str> = KINDS.iter().map(|spec| spec.name).collect();
        SettingError::general(format!("unknown question kind `{name}`: expected one of {}", names.join(", ")))
            .coded(Code::new("kind.unknown").with("name", name))
    })
}

/// The parts of a question before they are checked together.
pub struct Draft<'a> {
    pub kind: &'a str,
    pub settings: Settings,
    pub id: String,
    pub prompt: String,
    pub options: Vec<String>,
}

/// A problem with a question, and which part of it is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Setting(SettingError),
    /// The list as a whole (too short, too long).
    List(Said),
    /// One entry of the list, by index.
    Option(usize, Said),
}

impl Fault {
    pub fn message(&self) -> &str {
        match self {
            Fault::Setting(error) => &error.message,
            Fault::List(said) | Fault::Option(_, said) => &said.message,
        }
    }

    pub fn code(&self) -> Option<&Code> {
        match self {
            Fault::Setting(error) => error.code.as_ref(),
            Fault::List(said) | Fault::Option(_, said) => said.code.as_ref(),
        }
    }
}

impl Question {
    /// Builds a question from its parts: one validator for the deck parser and the editor.
    pub fn build(draft: Draft<'_>) -> Result<Question, Fault> {
        let Draft { kind, mut settings, id, prompt, options } = draft;
        let spec = spec(kind).map_err(Fault::Setting)?;
        // The kind reads the marks; the question keeps the options' text.
        let marked = options.clone();
        let options: Vec<String> = if spec.marks {
            options.iter().map(|option| quiz::split_mark(option).1.to_string()).collect()
        } else {
            options
        };
        if let Some(list) = &spec.options {
            check_list(list, &options)?;
        }
        // A fault of the list, so the editor shows it beside the options' Correct boxes.
        if spec.marks && !options.is_empty() && !marked.iter().any(|option| quiz::split_mark(option).0) {
            return Err(Fault::List(Said::coded(
                "a quiz needs its correct option marked: tick Correct beside it (in the deck file, `- [x] Paris`)",
                Code::new("quiz.no_correct"),
            )));
        }
        let time = settings.take_integer("time", 1..=MAX_TIME_SECONDS).map_err(Fault::Setting)?;
        let results_on_phones = match settings.take("results").as_deref() {
            None => false,
            Some("phones") => true,
            Some(other) => {
                return Err(Fault::Setting(
                    SettingError::of("results", format!("results={other}: the only value is `results=phones`"))
                        .coded(Code::new("setting.only_value").with("value", "phones")),
                ));
            }
        };
        let one_per_address = match settings.take("voters").as_deref() {
            None => false,
            Some("one-per-address") => true,
            Some(other) => {
                return Err(Fault::Setting(
                    SettingError::of("voters", format!("voters={other}: the only value is `voters=one-per-address`"))
                        .coded(Code::new("setting.only_value").with("value", "one-per-address")),
                ));
            }
        };
        let kind = (spec.parse)(&mut settings, &marked).map_err(Fault::Setting)?;
        let mut known: Vec<&str> = spec.settings.iter().map(|setting| setting.name).collect();
        known.extend(["time", "results", "voters", "id"]);
        settings.finish(spec.name, &known).map_err(Fault::Setting)?;
        let time = time.and_then(|t| u32::try_from(t).ok());
        Ok(Question { id, prompt, options, kind, time, results_on_phones, one_per_address })
    }

    /// Every setting as written in the directive after the kind, `id=` aside.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        let mut settings = self.kind.rules().settings();
        if let Some(time) = self.time {
            settings.push(("time", time.to_string()));
        }
        if self.results_on_phones {
            settings.push(("results", "phones".into()));
        }
        if self.one_per_address {
            settings.push(("voters", "one-per-address".into()));
        }
        settings
    }

    /// The question as clients see it: the wire's `question` object.
    pub fn view(&self, audience: Audience) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("prompt".into(), json!(self.prompt));
        out.insert("kind".into(), json!(self.kind.name()));
        out.insert("options".into(), json!(self.options));
        out.insert("time".into(), json!(self.countdown()));
        out.insert("results_phones".into(), json!(self.results_on_phones));
        out.insert("one_per_address".into(), json!(self.one_per_address));
        self.kind.rules().view(audience, &mut out);
        Value::Object(out)
    }

    /// The countdown voting runs: the deck's `time=`, else the kind's own (a quiz's 20 s).
    pub fn countdown(&self) -> Option<u32> {
        self.time.or_else(|| self.kind.rules().default_time())
    }

    /// The list as the deck writes it under the heading (a quiz's options with their marks).
    pub fn list_items(&self) -> Vec<String> {
        self.kind.rules().list_items(&self.options)
    }

    /// For a quiz: the points a right answer earns and whether `answer` is right.
    pub fn scoring(&self, answer: &Answer) -> Option<(u32, bool)> {
        self.kind.rules().scoring(answer)
    }

    /// A quiz answer is final: a second one is refused, not counted.
    pub fn final_answers(&self) -> bool {
        self.kind.rules().final_answers()
    }

    pub fn check(&self, answer: &Answer) -> Result<Answer, String> {
        self.kind.rules().check(self, answer)
    }

    /// Whether stored answers survive an edit to `edited`.
    pub fn keeps_answers(&self, edited: &Question) -> bool {
        self.options == edited.options && self.kind.rules().keeps_answers(&edited.kind)
    }

    pub fn describe(&self, answer: &Answer) -> String {
        self.kind.rules().describe(self, answer)
    }
}

fn check_list(list: &ListSpec, options: &[String]) -> Result<(), Fault> {
    let noun = list.label.to_lowercase();
    if options.len() < list.min {
        let how_many = if list.min == 2 { "two".to_string() } else { list.min.to_string() };
        return Err(Fault::List(Said::coded(
            format!("this question needs at least {how_many} {noun}: expected a list like `- First` under the heading"),
            Code::new("list.too_short").with("n", list.min),
        )));
    }
    if options.len() > list.max {
        return Err(Fault::List(Said::coded(
            format!("a question may have at most {} {noun}", list.max),
            Code::new("list.too_long").with("n", list.max),
        )));
    }
    for (index, option) in options.iter().enumerate() {
        if option.is_empty() {
            return Err(Fault::Option(index, Said::coded("this entry is empty", Code::new("option.empty"))));
        }
        if option.chars().count() > MAX_OPTION_CHARS {
            return Err(Fault::Option(
                index,
                Said::coded(
                    format!("this entry is longer than {MAX_OPTION_CHARS} characters"),
                    Code::new("option.too_long").with("n", MAX_OPTION_CHARS),
                ),
            ));
        }
        if options[..index].contains(option) {
            let code = Code::new("option.twice").with("option", option);
            return Err(Fault::Option(index, Said::coded(format!("`{option}` is listed twice"), code)));
        }
    }
    Ok(())
}

/// The results of one question: how many answered, and the kind's own count.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    respondents: u64,
    tally: Tally,
}

impl Results {
    pub fn new(question: &Question) -> Results {
        Results { respondents: 0, tally: question.kind.rules().tally(question) }
    }

    /// Replaces a participant's previous answer (if any) with a new one.
    pub fn replace(&mut self, previous: Option<&Answer>, next: &Answer) {
        if let Some(previous) = previous {
            if self.tally.count_mut().add(previous, -1) {
                self.respondents = self.respondents.saturating_sub(1);
            }
        }
        if self.tally.count_mut().add(next, 1) {
            self.respondents += 1;
        }
    }

    /// Participants whose answer counts.
    pub fn respondents(&self) -> u64 {
        self.respondents
    }

    /// The wire's `results` object: `question`, `kind`, `respondents` and the kind's own fields.
    pub fn view(&self, question: &Question, audience: Audience) -> Value {
        let mut out = Map::new();
        out.insert("question".into(), json!(question.id));
        out.insert("kind".into(), json!(question.kind.name()));
        out.insert("respondents".into(), json!(self.respondents));
        self.tally.count().view(question, audience, &mut out);
        Value::Object(out)
    }

    /// The results as a table (the presenter's view of them: a number's answer included).
    pub fn table(&self, question: &Question) -> Table {
        self.tally.count().table(question, self.respondents)
    }
}

/// Mean and median of a sorted run of values given as (value, how many) pairs.
pub(crate) fn mean_and_median(pairs: &[(f64, u64)]) -> (Option<f64>, Option<f64>) {
    let n: u64 = pairs.iter().map(|(_, count)| count).sum();
    if n == 0 {
        return (None, None);
    }
    let sum: f64 = pairs.iter().map(|(value, count)| value * *count as f64).sum();
    // The median is the mean of the two middle values when n is even.
    let at = |rank: u64| {
        let mut seen = 0;
        for (value, count) in pairs {
            seen += count;
            if seen > rank {
                return *value;
            }
        }
        pairs.last().map_or(0.0, |(value, _)| *value)
    };
    let median = if n % 2 == 1 { at(n / 2) } else { (at(n / 2 - 1) + at(n / 2)) / 2.0 };
    (Some(round2(sum / n as f64)), Some(round2(median)))
}

/// Two decimals are plenty on a projector and keep frames short.
pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests;
