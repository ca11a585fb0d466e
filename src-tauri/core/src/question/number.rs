//! Number: a guess or estimate, optionally within `min`..`max`, with a correct `answer` to reveal.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::table::{plural, Table};
use super::{
    format_number, mean_and_median, round2, Answer, Audience, Code, Count, Kind, KindSpec, Question, Rules,
    SettingError, SettingSpec, SettingType, Settings, Tally, MAX_NUMBER,
};

/// The most bars the histogram draws.
pub const MAX_BINS: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The correct answer: shown in the presenter view, on the projector once revealed.
    pub answer: Option<f64>,
}

pub static SPEC: KindSpec = KindSpec {
    kind: "number",
    name: "number",
    label: "Number",
    options: None,
    marks: false,
    settings: &[
        SettingSpec {
            name: "min",
            label: "Lowest allowed",
            value: SettingType::Number,
            default: "",
            choices: &[],
            help: "Answers below it are refused (empty: no limit).",
            affects_answers: true,
        },
        SettingSpec {
            name: "max",
            label: "Highest allowed",
            value: SettingType::Number,
            default: "",
            choices: &[],
            help: "Answers above it are refused (empty: no limit).",
            affects_answers: true,
        },
        SettingSpec {
            name: "answer",
            label: "Correct answer",
            value: SettingType::Number,
            default: "",
            choices: &[],
            help: "Shown in the presenter view; on the projector once you reveal it.",
            affects_answers: false,
        },
    ],
    parse,
};

fn parse(settings: &mut Settings, _: &[String]) -> Result<Kind, SettingError> {
    let min = settings.take_number("min")?;
    let max = settings.take_number("max")?;
    let answer = settings.take_number("answer")?;
    if let (Some(min), Some(max)) = (min, max) {
        if min >= max {
            return Err(SettingError::of(
                "max",
                format!("max={} must be greater than min={}", format_number(max), format_number(min)),
            )
            .coded(Code::new("setting.max_above_min").with("min", format_number(min))));
        }
    }
    if let Some(answer) = answer {
        if min.is_some_and(|min| answer < min) || max.is_some_and(|max| answer > max) {
            let message = format!("answer={} is outside min and max", format_number(answer));
            return Err(SettingError::of("answer", message).coded(Code::new("number.answer_outside")));
        }
    }
    Ok(Kind::Number(Number { min, max, answer }))
}

impl Rules for Number {
    fn spec(&self) -> &'static KindSpec {
        &SPEC
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        [("min", self.min), ("max", self.max), ("answer", self.answer)]
            .into_iter()
            .filter_map(|(name, value)| value.map(|value| (name, format_number(value))))
            .collect()
    }

    fn view(&self, audience: Audience, out: &mut Map<String, Value>) {
        out.insert("min".into(), json!(self.min));
        out.insert("max".into(), json!(self.max));
        // Phones learn the answer only through the results, once it is revealed.
        if audience == Audience::Presenter {
            out.insert("answer".into(), json!(self.answer));
        }
    }

    fn check(&self, _: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Number(value) = answer else {
            return Err(format!("this question takes a `number`, not `{}`", answer.shape()));
        };
        if !value.is_finite() || value.abs() > MAX_NUMBER {
            return Err("that number is too large".into());
        }
        if let Some(min) = self.min.filter(|min| value < min) {
            return Err(format!("the answer must be at least {}", format_number(min)));
        }
        if let Some(max) = self.max.filter(|max| value > max) {
            return Err(format!("the answer must be at most {}", format_number(max)));
        }
        // -0 and 0 are one answer.
        Ok(Answer::Number(if *value == 0.0 { 0.0 } else { *value }))
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Number(number) if number.min == self.min && number.max == self.max)
    }

    fn tally(&self, _: &Question) -> Tally {
        Tally::Number(Values { counts: BTreeMap::new(), min: self.min, max: self.max, answer: self.answer })
    }

    fn describe(&self, _: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Number(value) => format_number(*value),
            other => other.to_json(),
        }
    }
}

/// A number ordered totally, so answers can be kept sorted for the median.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Every answer, sorted, with how many gave it: the histogram and median come from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Values {
    counts: BTreeMap<Key, u64>,
    min: Option<f64>,
    max: Option<f64>,
    answer: Option<f64>,
}

impl Count for Values {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Number(value) = answer else { return false };
        if !value.is_finite() {
            return false;
        }
        let count = self.counts.entry(Key(*value)).or_insert(0);
        *count = count.saturating_add_signed(sign);
        if *count == 0 {
            self.counts.remove(&Key(*value));
        }
        true
    }

    fn view(&self, _: &Question, audience: Audience, out: &mut Map<String, Value>) {
        let pairs: Vec<(f64, u64)> = self.counts.iter().map(|(key, &count)| (key.0, count)).collect();
        let (mean, median) = mean_and_median(&pairs);
        let bins: Vec<Value> = bins(&pairs, self.min, self.max)
            .into_iter()
            .map(|(from, to, count)| json!({ "from": from, "to": to, "count": count }))
            .collect();
        let answer = match audience {
            Audience::Presenter | Audience::Phones { revealed: true } => self.answer,
            Audience::Phones { revealed: false } => None,
        };
        out.insert("bins".into(), Value::Array(bins));
        out.insert("mean".into(), json!(mean));
        out.insert("median".into(), json!(median));
        out.insert("answer".into(), json!(answer));
    }

    fn table(&self, _: &Question, respondents: u64) -> Table {
        let pairs: Vec<(f64, u64)> = self.counts.iter().map(|(key, &count)| (key.0, count)).collect();
        let (mean, median) = mean_and_median(&pairs);
        let mut table = Table::new("Range", vec!["Answers"]);
        for (from, to, count) in bins(&pairs, self.min, self.max) {
            let label = if from == to || to - from == 1.0 && pairs.iter().all(|(value, _)| value.fract() == 0.0) {
                format_number(from)
            } else {
                format!("{} to {}", format_number(from), format_number(to))
            };
            table.push(label, vec![count as f64], count as f64);
        }
        let mut headline = match (mean, median) {
            (Some(mean), Some(median)) => {
                format!(
                    "mean {}, median {} ({})",
                    format_number(mean),
                    format_number(median),
                    plural(respondents, "answer", "answers")
                )
            }
            _ => "no answers".to_string(),
        };
        if let Some(answer) = self.answer {
            headline.push_str(&format!("; the answer: {}", format_number(answer)));
        }
        table.scale_bars().headline(headline)
    }
}

/// The histogram: (from, to, count) in ascending order, at most [`MAX_BINS`].
/// Whole numbers over a short range get a bar each; anything else gets even
/// steps of 1, 2, 2.5 or 5 times a power of ten. The last bin includes its `to`.
fn bins(pairs: &[(f64, u64)], min: Option<f64>, max: Option<f64>) -> Vec<(f64, f64, u64)> {
    let (Some(first), Some(last)) = (pairs.first(), pairs.last()) else {
        return match (min, max) {
            (Some(low), Some(high)) => bins(&[(low, 0), (high, 0)], None, None),
            _ => Vec::new(),
        };
    };
    let low = min.unwrap_or(first.0).min(first.0);
    let high = max.unwrap_or(last.0).max(last.0);
    let whole = |x: f64| x.fract() == 0.0;
    if whole(low) && whole(high) && high - low < MAX_BINS as f64 && pairs.iter().all(|(value, _)| whole(*value)) {
        let mut bins: Vec<(f64, f64, u64)> =
            (0..=(high - low) as i64).map(|k| (low + k as f64, low + k as f64, 0)).collect();
        for (value, count) in pairs {
            bins[(value - low) as usize].2 += count;
        }
        return bins;
    }
    if low == high {
        return vec![(low, high, pairs.iter().map(|(_, count)| count).sum())];
    }
    let step = nice_step((high - low) / 10.0);
    let start = (low / step).floor() * step;
    let count = (((high - start) / step).ceil() as usize).clamp(1, MAX_BINS);
    let step = if start + step * count as f64 >= high { step } else { (high - start) / count as f64 };
    let mut bins: Vec<(f64, f64, u64)> =
        (0..count).map(|k| (round2(start + step * k as f64), round2(start + step * (k + 1) as f64), 0)).collect();
    for (value, n) in pairs {
        let at = (((value - start) / step).floor().max(0.0) as usize).min(count - 1);
        bins[at].2 += n;
    }
    bins
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `rough`.
fn nice_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * power).find(|step| *step >= rough).unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::Results;

    fn question(min: Option<f64>, max: Option<f64>) -> Question {
        Question {
            id: "q".into(),
            prompt: "How many?".into(),
            options: Vec::new(),
            kind: Kind::Number(Number { min, max, answer: Some(42.0) }),
            time: None,
            results_on_phones: false,
            one_per_address: false,
        }
    }

    #[test]
    fn checks_the_range() {
        let q = question(Some(0.0), Some(100.0));
        assert_eq!(q.check(&Answer::Number(42.5)), Ok(Answer::Number(42.5)));
        assert!(q.check(&Answer::Number(-1.0)).is_err());
        assert!(q.check(&Answer::Number(100.5)).is_err());
        assert!(q.check(&Answer::Choices(vec![1])).is_err());
        assert!(question(None, None).check(&Answer::Number(1e16)).is_err());
        assert_eq!(q.describe(&Answer::Number(42.0)), "42");
    }

    #[test]
    fn histogram_mean_median_and_the_answer_only_when_revealed() {
        let q = question(None, None);
        let mut results = Results::new(&q);
        for value in [10.0, 20.0, 20.0, 35.5, 99.0] {
            results.replace(None, &Answer::Number(value));
        }
        let view = results.view(&q, Audience::Phones { revealed: false });
        assert_eq!(view["mean"], json!(36.9));
        assert_eq!(view["median"], json!(20.0));
        assert_eq!(view["answer"], Value::Null);
        let bins = view["bins"].as_array().expect("bins");
        assert!(bins.len() <= MAX_BINS && !bins.is_empty());
        let total: u64 = bins.iter().map(|bin| bin["count"].as_u64().unwrap_or(0)).sum();
        assert_eq!(total, 5);
        assert_eq!(results.view(&q, Audience::Phones { revealed: true })["answer"], json!(42.0));
        assert_eq!(results.view(&q, Audience::Presenter)["answer"], json!(42.0));
    }

    #[test]
    fn whole_numbers_over_a_short_range_get_a_bar_each() {
        let pairs = [(1.0, 2), (3.0, 1), (5.0, 4)];
        let short = bins(&pairs, Some(0.0), Some(10.0));
        assert_eq!(short.len(), 11);
        assert_eq!(short[5], (5.0, 5.0, 4));
        assert!(bins(&[], None, None).is_empty());
        assert_eq!(bins(&[(7.0, 3)], None, None), vec![(7.0, 7.0, 3)]);
    }

    #[test]
    fn wide_ranges_get_even_steps_that_cover_every_answer() {
        let pairs = [(0.5, 1), (12.25, 1), (999.0, 2)];
        let wide = bins(&pairs, None, None);
        assert!(wide.len() <= MAX_BINS);
        assert_eq!(wide.iter().map(|b| b.2).sum::<u64>(), 4);
        assert!(wide[0].0 <= 0.5 && wide.last().expect("bins").1 >= 999.0);
        assert_eq!(nice_step(9.87), 10.0);
        assert_eq!(nice_step(0.23), 0.25);
    }
}
