//! Scale: a rating from `min` to `max`, one per statement (a Likert matrix), or of the question itself.

use serde_json::{json, Map, Value};

use super::table::Table;
use super::{
    mean_and_median, Answer, Audience, Code, Count, Kind, KindSpec, ListSpec, Question, Rules, SettingError,
    SettingSpec, SettingType, Settings, Tally, MAX_OPTIONS,
};

/// The most points a scale may have (0 to 10).
pub const MAX_POINTS: i64 = 11;
const MAX_LABEL_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
    /// Words for the two ends (`Not at all`, `Completely`).
    pub labels: Option<(String, String)>,
}

pub static SPEC: KindSpec = KindSpec {
    kind: "scale",
    name: "scale",
    label: "Scale (rating)",
    // With no list, the question itself is the one statement.
    options: Some(ListSpec { label: "Statements", min: 0, max: MAX_OPTIONS }),
    marks: false,
    settings: &[
        SettingSpec {
            name: "min",
            label: "Lowest",
            value: SettingType::Integer,
            default: "1",
            choices: &[],
            help: "The lowest rating.",
            affects_answers: true,
        },
        SettingSpec {
            name: "max",
            label: "Highest",
            value: SettingType::Integer,
            default: "5",
            choices: &[],
            help: "The highest rating; at most 11 points in all.",
            affects_answers: true,
        },
        SettingSpec {
            name: "labels",
            label: "End labels",
            value: SettingType::Text,
            default: "",
            choices: &[],
            help: "Words for the two ends, split by `|`: `Not at all|Completely`.",
            affects_answers: false,
        },
    ],
    parse,
};

fn parse(settings: &mut Settings, _: &[String]) -> Result<Kind, SettingError> {
    let min = settings.take_integer("min", -100..=100)?.unwrap_or(1);
    let max = settings.take_integer("max", -100..=100)?.unwrap_or(5);
    if min >= max {
        let code = Code::new("setting.max_above_min").with("min", min);
        return Err(SettingError::of("max", format!("max={max} must be greater than min={min}")).coded(code));
    }
    if max - min + 1 > MAX_POINTS {
        return Err(SettingError::of(
            "max",
            format!("a scale has at most {MAX_POINTS} points; {min} to {max} has {}", max - min + 1),
        )
        .coded(Code::new("scale.too_many_points").with("n", MAX_POINTS)));
    }
    let labels = match settings.take("labels") {
        None => None,
        Some(text) => {
            let parts: Vec<&str> = text.split('|').map(str::trim).collect();
            match parts.as_slice() {
                [low, high] if !low.is_empty() && !high.is_empty() => {
                    if low.chars().count() > MAX_LABEL_CHARS || high.chars().count() > MAX_LABEL_CHARS {
                        return Err(SettingError::of(
                            "labels",
                            format!("each end label is at most {MAX_LABEL_CHARS} characters"),
                        )
                        .coded(Code::new("scale.label_too_long").with("n", MAX_LABEL_CHARS)));
                    }
                    Some((low.to_string(), high.to_string()))
                }
                _ => {
                    return Err(SettingError::of(
                        "labels",
                        "labels takes two words split by `|`, like `labels=\"Not at all|Completely\"`",
                    )
                    .coded(Code::new("scale.labels_two")))
                }
            }
        }
    };
    Ok(Kind::Scale(Scale { min, max, labels }))
}

/// The rows rated: the statements, or the question itself when there are none.
fn rows(question: &Question) -> usize {
    question.options.len().max(1)
}

impl Rules for Scale {
    fn spec(&self) -> &'static KindSpec {
        &SPEC
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        let mut settings = Vec::new();
        if self.min != 1 {
            settings.push(("min", self.min.to_string()));
        }
        if self.max != 5 {
            settings.push(("max", self.max.to_string()));
        }
        if let Some((low, high)) = &self.labels {
            settings.push(("labels", format!("{low}|{high}")));
        }
        settings
    }

    fn view(&self, _: Audience, out: &mut Map<String, Value>) {
        out.insert("min".into(), json!(self.min));
        out.insert("max".into(), json!(self.max));
        out.insert("labels".into(), json!(self.labels.as_ref().map(|(low, high)| [low, high])));
    }

    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Values(values) = answer else {
            return Err(format!("this question takes `values`, not `{}`", answer.shape()));
        };
        let rows = rows(question);
        if values.len() != rows {
            return Err(format!("rate every statement: expected {rows} values, got {}", values.len()));
        }
        if let Some(bad) = values.iter().find(|value| !(self.min..=self.max).contains(value)) {
            return Err(format!("{bad} is not on the scale from {} to {}", self.min, self.max));
        }
        Ok(answer.clone())
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Scale(scale) if scale.min == self.min && scale.max == self.max)
    }

    fn tally(&self, question: &Question) -> Tally {
        let points = usize::try_from(self.max - self.min + 1).unwrap_or(0);
        Tally::Scale(Distribution { min: self.min, rows: vec![vec![0; points]; rows(question)] })
    }

    fn describe(&self, question: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Values(values) if question.options.is_empty() => {
                values.iter().map(i64::to_string).collect::<Vec<_>>().join("; ")
            }
            Answer::Values(values) => question
                .options
                .iter()
                .zip(values)
                .map(|(statement, value)| format!("{statement}={value}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_json(),
        }
    }
}

/// `rows[r][p]`: participants who gave row `r` the rating `min + p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    min: i64,
    rows: Vec<Vec<u64>>,
}

impl Count for Distribution {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Values(values) = answer else { return false };
        let points = self.rows.first().map_or(0, Vec::len);
        let index = |value: i64| usize::try_from(value - self.min).ok().filter(|&at| at < points);
        if values.len() != self.rows.len() || values.iter().any(|&value| index(value).is_none()) {
            return false;
        }
        for (row, &value) in self.rows.iter_mut().zip(values) {
            if let Some(at) = index(value) {
                row[at] = row[at].saturating_add_signed(sign);
            }
        }
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|counts| {
                let pairs: Vec<(f64, u64)> =
                    counts.iter().enumerate().map(|(at, &count)| ((self.min + at as i64) as f64, count)).collect();
                let (mean, median) = mean_and_median(&pairs);
                json!({ "counts": counts, "mean": mean, "median": median })
            })
            .collect();
        out.insert("rows".into(), Value::Array(rows));
    }

    fn table(&self, question: &Question, respondents: u64) -> Table {
        let points = self.rows.first().map_or(0, Vec::len);
        // Columns name the scale's points: a table's columns are fixed words, so the points go up to 11.
        const POINTS: [&str; 11] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"];
        let mut columns = vec!["Mean", "Median"];
        let named = self.min == 1 && points <= POINTS.len();
        if named {
            columns.extend(&POINTS[..points]);
        }
        let mut table = Table::new("Statement", columns);
        let high = (self.min + points as i64 - 1) as f64;
        for (at, counts) in self.rows.iter().enumerate() {
            let pairs: Vec<(f64, u64)> =
                counts.iter().enumerate().map(|(at, &count)| ((self.min + at as i64) as f64, count)).collect();
            let (mean, median) = mean_and_median(&pairs);
            let mut values = vec![mean.unwrap_or(0.0), median.unwrap_or(0.0)];
            if named {
                values.extend(counts.iter().map(|&count| count as f64));
            }
            let label = question.options.get(at).cloned().unwrap_or_else(|| question.prompt.clone());
            // The bar shows where the mean sits on the scale, not a share of the largest.
            let bar = mean.map_or(0.0, |mean| (mean - self.min as f64) / (high - self.min as f64).max(1.0));
            table.rows.push(super::table::Row { label, values, bar, correct: false });
        }
        let headline = match self.rows.len() {
            _ if respondents == 0 => "no answers".to_string(),
            1 => format!("mean {} on {}–{}", table.rows[0].values[0], self.min, high),
            _ => match table.leaders() {
                Some((leaders, mean)) => format!("highest: {leaders} (mean {mean} on {}–{high})", self.min),
                None => "no answers".into(),
            },
        };
        table.headline(headline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::Results;

    fn question(options: &[&str]) -> Question {
        Question {
            id: "q".into(),
            prompt: "How was it?".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            kind: Kind::Scale(Scale { min: 1, max: 5, labels: None }),
            time: None,
            results_on_phones: false,
            one_per_address: false,
        }
    }

    #[test]
    fn one_value_per_statement_on_the_scale() {
        let q = question(&["Content", "Delivery"]);
        assert!(q.check(&Answer::Values(vec![4, 5])).is_ok());
        assert!(q.check(&Answer::Values(vec![4])).is_err());
        assert!(q.check(&Answer::Values(vec![0, 5])).is_err());
        assert!(q.check(&Answer::Values(vec![4, 6])).is_err());
        assert_eq!(q.describe(&Answer::Values(vec![4, 5])), "Content=4; Delivery=5");
        let lone = question(&[]);
        assert!(lone.check(&Answer::Values(vec![3])).is_ok());
        assert_eq!(lone.describe(&Answer::Values(vec![3])), "3");
    }

    #[test]
    fn distribution_mean_and_median_per_statement() {
        let q = question(&["Content", "Delivery"]);
        let mut results = Results::new(&q);
        for values in [[5, 1], [4, 2], [4, 3], [1, 4]] {
            results.replace(None, &Answer::Values(values.to_vec()));
        }
        results.replace(Some(&Answer::Values(vec![1, 4])), &Answer::Values(vec![2, 4]));
        let view = results.view(&q, Audience::Presenter);
        assert_eq!(view["respondents"], json!(4));
        assert_eq!(view["rows"][0], json!({"counts": [0, 1, 0, 2, 1], "mean": 3.75, "median": 4.0}));
        assert_eq!(view["rows"][1], json!({"counts": [1, 1, 1, 1, 0], "mean": 2.5, "median": 2.5}));
    }
}
