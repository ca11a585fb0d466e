//! Ranking: phones put the listed items in order; results by Borda score.

use serde_json::{json, Map, Value};

use super::table::Table;
use super::{Answer, Audience, Count, Kind, KindSpec, ListSpec, Question, Rules, Tally, MAX_OPTIONS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking;

pub static SPEC: KindSpec = KindSpec {
    kind: "ranking",
    name: "ranking",
    label: "Ranking",
    options: Some(ListSpec { label: "Items", min: 2, max: MAX_OPTIONS }),
    marks: false,
    settings: &[],
    parse: |_, _| Ok(Kind::Ranking(Ranking)),
};

impl Rules for Ranking {
    fn spec(&self) -> &'static KindSpec {
        &SPEC
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn view(&self, _: Audience, _: &mut Map<String, Value>) {}

    fn check(&self, question: &Question, answer: &Answer) -> Result<Answer, String> {
        let Answer::Order(order) = answer else {
            return Err(format!("this question takes an `order`, not `{}`", answer.shape()));
        };
        let count = question.options.len();
        if order.len() != count {
            return Err(format!("rank every item: expected {count} items, got {}", order.len()));
        }
        let mut seen = vec![false; count];
        for &item in order {
            match seen.get_mut(usize::from(item)) {
                None => return Err(format!("item {item} does not exist; this question has {count}")),
                Some(true) => return Err(format!("item {item} is ranked twice")),
                Some(slot) => *slot = true,
            }
        }
        Ok(answer.clone())
    }

    fn keeps_answers(&self, edited: &Kind) -> bool {
        matches!(edited, Kind::Ranking(_))
    }

    fn tally(&self, question: &Question) -> Tally {
        let count = question.options.len();
        Tally::Ranking(Scores { scores: vec![0; count], firsts: vec![0; count] })
    }

    fn describe(&self, question: &Question, answer: &Answer) -> String {
        match answer {
            Answer::Order(order) => order
                .iter()
                .map(|&item| question.options.get(usize::from(item)).cloned().unwrap_or_else(|| format!("#{item}")))
                .collect::<Vec<_>>()
                .join(" > "),
            other => other.to_json(),
        }
    }
}

/// Borda scores: an item ranked k-th of n earns n-1-k points from each participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores {
    scores: Vec<u64>,
    /// How many ranked each item first.
    firsts: Vec<u64>,
}

impl Count for Scores {
    fn add(&mut self, answer: &Answer, sign: i64) -> bool {
        let Answer::Order(order) = answer else { return false };
        let n = self.scores.len();
        if order.len() != n || order.iter().any(|&item| usize::from(item) >= n) {
            return false;
        }
        for (rank, &item) in order.iter().enumerate() {
            let points = (n - 1 - rank) as i64;
            let score = &mut self.scores[usize::from(item)];
            *score = score.saturating_add_signed(points * sign);
        }
        if let Some(&top) = order.first() {
            let firsts = &mut self.firsts[usize::from(top)];
            *firsts = firsts.saturating_add_signed(sign);
        }
        true
    }

    fn view(&self, _: &Question, _: Audience, out: &mut Map<String, Value>) {
        out.insert("scores".into(), json!(self.scores));
        out.insert("firsts".into(), json!(self.firsts));
    }

    fn table(&self, question: &Question, respondents: u64) -> Table {
        let mut order: Vec<usize> = (0..self.scores.len().min(question.options.len())).collect();
        order.sort_by_key(|&item| std::cmp::Reverse(self.scores[item]));
        let mut table = Table::new("Item", vec!["Score", "Ranked first"]);
        for item in order {
            let score = self.scores[item];
            table.push(question.options[item].clone(), vec![score as f64, self.firsts[item] as f64], score as f64);
        }
        let headline = match table.leaders() {
            Some((leaders, _)) => format!("first: {leaders} ({} ranked)", respondents),
            None => "no rankings".into(),
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
            prompt: "Order these".into(),
            options: vec!["Alpha".into(), "Beta".into(), "Gamma".into()],
            kind: Kind::Ranking(Ranking),
            time: None,
            results_on_phones: false,
            one_per_address: false,
        }
    }

    #[test]
    fn every_item_exactly_once() {
        let q = question();
        assert!(q.check(&Answer::Order(vec![1, 0, 2])).is_ok());
        for bad in [vec![0, 1], vec![0, 0, 1], vec![0, 1, 3], vec![0, 1, 2, 2]] {
            assert!(q.check(&Answer::Order(bad.clone())).is_err(), "{bad:?}");
        }
        assert_eq!(q.describe(&Answer::Order(vec![1, 0, 2])), "Beta > Alpha > Gamma");
    }

    #[test]
    fn borda_scores_and_first_places() {
        let q = question();
        let mut results = Results::new(&q);
        results.replace(None, &Answer::Order(vec![1, 0, 2]));
        results.replace(None, &Answer::Order(vec![1, 2, 0]));
        results.replace(None, &Answer::Order(vec![0, 1, 2]));
        results.replace(Some(&Answer::Order(vec![0, 1, 2])), &Answer::Order(vec![2, 1, 0]));
        let view = results.view(&q, Audience::Presenter);
        assert_eq!(view["scores"], json!([1, 5, 3]));
        assert_eq!(view["firsts"], json!([0, 2, 1]));
        assert_eq!(view["respondents"], json!(3));
    }
}
