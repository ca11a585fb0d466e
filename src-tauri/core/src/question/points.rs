//! Points: phones spread up to `total` points over the options; results are the mean allocation.

use serde_json::{json, Map, Value};

use super::table::Table;
use super::{
    round2, Answer, Audience, Count, Kind, KindSpec, ListSpec, Question, Rules, SettingError, SettingSpec, SettingType,
    Settings, Tally, MAX_OPTIONS,
};

const DEFAULT_TOTAL: i64 = 100;
pub const MAX_TOTAL: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Points {
    pub total: i64,
}

pub static SPEC: KindSpec = KindSpec {
    kind: "points",
    name: "points",
    label: "Points to spread",
    options: Some(ListSpec { label: "Options", min: 2, max: MAX_OPTIONS }),
    marks: false,
    settings: &[SettingSpec {
        name: "total",
        label: "Points each",
        value: SettingType::Integer,
        default: "100",
        choices: &[],
        help: "How many points each person spreads over the options.",
        affects_answers: true,
    }],
    parse,
};

fn parse(settings: &mut Settings, _: &[String]) -> Result<Kind, SettingError> {
    let total = settings.take_integer("total", 1..=MAX_TOTAL)?.unwrap_or(DEFAULT_TOTAL);
    Ok(Kind::Points(Points { total }))
}

impl Rules for Points {
    fn spec(&self) -> &'static KindSpec {
        &SPEC
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        (self.total != DEFAULT_TOTAL).then(|| ("total", self.total.to_string())).into_iter().collect()
    }

    fn view(&self, _: Audience, out: &mut Map<String, Value>) {
        out.insert("total".into(), json!(self.total));
    }

    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Values(values) = answer else {
            return Err(format!("this question takes `values`, not `{}`", answer.shape()));
        };
        let count = question.options.len();
        if values.len() != count {
            return Err(format!("give a value for every option: expected {count}, got {}", values.len()));
        }
        if values.iter().any(|&value| value < 0) {
            return Err("points cannot be negative".into());
        }
        let spent: i64 = values.iter().sum();
        if spent > self.total {
            return Err(format!("{spent} points is more than the {} there are", self.total));
        }
        if spent == 0 {
            return Err("give at least one point".into());
        }
        Ok(answer.clone())
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Points(points) if points.total == self.total)
    }

    fn tally(&self, question: &Question) -> Tally {
        Tally::Points(Totals { totals: vec![0; question.options.len()], respondents: 0 })
    }

    fn describe(&self, question: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Values(values) => question
                .options
                .iter()
                .zip(values)
                .map(|(option, value)| format!("{option}={value}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_json(),
        }
    }
}

/// Points given to each option, summed over participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    totals: Vec<u64>,
    respondents: u64,
}

impl Count for Totals {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Values(values) = answer else { return false };
        if values.len() != self.totals.len() || values.iter().any(|&value| value < 0) {
            return false;
        }
        for (total, &value) in self.totals.iter_mut().zip(values) {
            *total = total.saturating_add_signed(value * sign);
        }
        self.respondents = self.respondents.saturating_add_signed(sign);
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        let means: Vec<f64> = self
            .totals
            .iter()
            .map(|&total| if self.respondents == 0 { 0.0 } else { round2(total as f64 / self.respondents as f64) })
            .collect();
        out.insert("totals".into(), json!(self.totals));
        out.insert("means".into(), json!(means));
    }

    fn table(&self, question: &Question, respondents: u64) -> Table {
        let mut table = Table::new("Option", vec!["Points", "Mean"]);
        for (option, &total) in question.options.iter().zip(&self.totals) {
            let mean = if self.respondents == 0 { 0.0 } else { round2(total as f64 / self.respondents as f64) };
            table.push(option.clone(), vec![total as f64, mean], total as f64);
        }
        let headline = match table.leaders() {
            Some((leaders, points)) => format!("{leaders}: {points} points from {respondents}"),
            None => "no points given".into(),
        };
        table.scale_bars().headline(headline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::question::Results;

    fn question() -> Question {
        Question {
            id: "q".into(),
            prompt: "Spend 100".into(),
            options: vec!["Alpha".into(), "Beta".into()],
            kind: Kind::Points(Points { total: 100 }),
            time: None,
            results_on_phones: false,
            one_per_address: false,
        }
    }

    #[test]
    fn spends_at_most_the_total() {
        let q = question();
        assert!(q.check(&Answer::Values(vec![60, 40])).is_ok());
        assert!(q.check(&Answer::Values(vec![10, 0])).is_ok());
        for bad in [vec![60, 41], vec![0, 0], vec![-5, 50], vec![100]] {
            assert!(q.check(&Answer::Values(bad.clone())).is_err(), "{bad:?}");
        }
        assert_eq!(q.describe(&Answer::Values(vec![60, 40])), "Alpha=60; Beta=40");
    }

    #[test]
    fn mean_allocation_per_option() {
        let q = question();
        let mut results = Results::new(&q);
        results.replace(None, &Answer::Values(vec![60, 40]));
        results.replace(None, &Answer::Values(vec![100, 0]));
        results.replace(None, &Answer::Values(vec![0, 10]));
        results.replace(Some(&Answer::Values(vec![0, 10])), &Answer::Values(vec![5, 5]));
        let view = results.view(&q, Audience::Presenter);
        assert_eq!(view["totals"], json!([165, 45]));
        assert_eq!(view["means"], json!([55.0, 15.0]));
    }
}
