//! Single and multiple choice: pick one option, or several (at most `max`).

use serde_json::{json, Map, Value};

use super::table::{percent, Table};
use super::{
    Answer, Audience, Code, Count, Kind, KindSpec, ListSpec, Question, Rules, SettingError, SettingSpec, SettingType,
    Tally, MAX_OPTIONS,
};

/// Pick exactly one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Single;

/// Pick one or more options, at most `max` when set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multiple {
    pub max: Option<u8>,
}

const OPTIONS: ListSpec = ListSpec { label: "Options", min: 2, max: MAX_OPTIONS };

pub static SINGLE: KindSpec = KindSpec {
    kind: "single",
    name: "single",
    label: "One answer",
    options: Some(OPTIONS),
    marks: false,
    settings: &[],
    parse: |_, _| Ok(Kind::Single(Single)),
};

pub static MULTIPLE: KindSpec = KindSpec {
    kind: "multiple",
    name: "multiple",
    label: "Several answers",
    options: Some(OPTIONS),
    marks: false,
    settings: &[SettingSpec {
        name: "max",
        label: "At most",
        value: SettingType::Integer,
        default: "",
        choices: &[],
        help: "The most options one person may pick (empty: no limit).",
        affects_answers: true,
    }],
    parse: |settings, options| {
        let max = settings.take_integer("max", 1..=MAX_OPTIONS as i64)?;
        if let Some(max) = max {
            if max as usize > options.len() {
                return Err(SettingError::of(
                    "max",
                    format!("max={max} must be between 1 and the number of options ({})", options.len()),
                )
                .coded(Code::new("multiple.max_options").with("n", options.len())));
            }
        }
        Ok(Kind::Multiple(Multiple { max: max.and_then(|max| u8::try_from(max).ok()) }))
    },
};

/// Checks picks against the options: none missing, none twice, none past the end.
fn check_choices(question: &Question, answer: &Answer, most: Option<u8>, exactly_one: bool) -> Result<Answer, String> {
    let Answer::Choices(choices) = answer else {
        return Err(format!("this question takes `choices`, not `{}`", answer.shape()));
    };
    let count = question.options.len();
    if choices.is_empty() {
        return Err("pick at least one option".into());
    }
    if let Some(&bad) = choices.iter().find(|&&choice| usize::from(choice) >= count) {
        return Err(format!("option {bad} does not exist; this question has {count}"));
    }
    let mut sorted = choices.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != choices.len() {
        return Err("an option is picked twice".into());
    }
    if exactly_one && sorted.len() > 1 {
        return Err("pick exactly one option".into());
    }
    if let Some(max) = most.filter(|max| sorted.len() > usize::from(*max)) {
        return Err(format!("pick at most {max} options"));
    }
    Ok(Answer::Choices(sorted))
}

/// Picked options by their text (`Coffee; Tea`), for an export cell.
pub(super) fn describe_choices(question: &Question, answer: &Answer) -> String {
    match answer {
        Answer::Choices(choices) => choices
            .iter()
            .map(|&choice| question.options.get(usize::from(choice)).cloned().unwrap_or_else(|| format!("#{choice}")))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_json(),
    }
}

impl Rules for Single {
    fn spec(&self) -> &'static KindSpec {
        &SINGLE
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn view(&self, _: Audience, _: &mut Map<String, Value>) {}

    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String> {
        check_choices(question, answer, None, true)
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Single(_))
    }

    fn tally(&self, question: &Question) -> Tally {
        Tally::Choice(Counts { counts: vec![0; question.options.len()] })
    }

    fn describe(&self, question: &Question, answer: &Answer) -> String {
        describe_choices(question, answer)
    }
}

impl Rules for Multiple {
    fn spec(&self) -> &'static KindSpec {
        &MULTIPLE
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        self.max.map(|max| ("max", max.to_string())).into_iter().collect()
    }

    fn view(&self, _: Audience, out: &mut Map<String, Value>) {
        out.insert("max".into(), json!(self.max));
    }

    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String> {
        check_choices(question, answer, self.max, false)
    }

    /// A tighter `max` would leave answers that pick more than it allows.
    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Multiple(Multiple { max }) if *max == self.max)
    }

    fn tally(&self, question: &Question) -> Tally {
        Tally::Choice(Counts { counts: vec![0; question.options.len()] })
    }

    fn describe(&self, question: &Question, answer: &Answer) -> String {
        describe_choices(question, answer)
    }
}

/// `counts[i]`: participants whose answer includes option `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    pub counts: Vec<u64>,
}

impl Count for Counts {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Choices(choices) = answer else { return false };
        // A deck edited between runs may have fewer options than an old stored answer.
        if choices.iter().any(|&choice| usize::from(choice) >= self.counts.len()) {
            return false;
        }
        for &choice in choices {
            let count = &mut self.counts[usize::from(choice)];
            *count = count.saturating_add_signed(sign);
        }
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        out.insert("counts".into(), json!(self.counts));
    }

    fn table(&self, question: &Question, respondents: u64) -> Table {
        let mut table = Table::new("Option", vec!["Votes", "Share (%)"]);
        for (option, &count) in question.options.iter().zip(&self.counts) {
            table.push(option.clone(), vec![count as f64, percent(count, respondents)], count as f64);
        }
        let headline = match table.leaders() {
            Some((leaders, votes)) => {
                format!("{leaders}: {} of {respondents} ({}%)", votes, percent(votes as u64, respondents))
            }
            None => "no votes".into(),
        };
        table.scale_bars().headline(headline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(kind: Kind) -> Question {
        Question {
            id: "q".into(),
            prompt: "Q?".into(),
            options: vec!["A".into(), "B".into(), "C".into()],
            kind,
            time: None,
            results_on_phones: false,
            one_per_address: false,
        }
    }

    #[test]
    fn single_takes_exactly_one_existing_option() {
        let q = question(Kind::Single(Single));
        assert_eq!(q.check(&Answer::Choices(vec![1])), Ok(Answer::Choices(vec![1])));
        for bad in [vec![], vec![0, 1], vec![3]] {
            assert!(q.check(&Answer::Choices(bad.clone())).is_err(), "{bad:?}");
        }
        assert!(q.check(&Answer::Number(1.0)).is_err());
    }

    #[test]
    fn multiple_respects_max_and_sorts() {
        let q = question(Kind::Multiple(Multiple { max: Some(2) }));
        assert_eq!(q.check(&Answer::Choices(vec![2, 0])), Ok(Answer::Choices(vec![0, 2])));
        assert!(q.check(&Answer::Choices(vec![0, 1, 2])).is_err());
        assert!(q.check(&Answer::Choices(vec![1, 1])).is_err());
        assert_eq!(q.describe(&Answer::Choices(vec![0, 2])), "A; C");
    }

    #[test]
    fn counts_changes_and_ignores_answers_that_no_longer_fit() {
        let q = question(Kind::Multiple(Multiple { max: None }));
        let mut results = super::super::Results::new(&q);
        results.replace(None, &Answer::Choices(vec![0, 2]));
        results.replace(None, &Answer::Choices(vec![1]));
        results.replace(Some(&Answer::Choices(vec![0, 2])), &Answer::Choices(vec![1]));
        results.replace(None, &Answer::Choices(vec![7]));
        let view = results.view(&q, Audience::Presenter);
        assert_eq!(view["counts"], json!([0, 2, 0]));
        assert_eq!(view["respondents"], json!(2));
    }
}
