//! Counting answers: how many participants picked each option.

use serde::Serialize;

/// The live count for one question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// `counts[i]`: participants whose answer includes option `i`.
    pub counts: Vec<u64>,
    /// Participants who answered at all.
    pub respondents: u64,
}

impl Tally {
    pub fn new(options: usize) -> Self {
        Tally { counts: vec![0; options], respondents: 0 }
    }

    /// Replaces a participant's previous answer (if any) with a new one.
    /// Indices past the end are ignored: a deck edited between runs may have
    /// fewer options than an old stored answer.
    pub fn replace(&mut self, previous: Option<&[u16]>, next: &[u16]) {
        match previous {
            Some(previous) => {
                for &choice in previous {
                    if let Some(count) = self.counts.get_mut(usize::from(choice)) {
                        *count = count.saturating_sub(1);
                    }
                }
            }
            None => self.respondents += 1,
        }
        for &choice in next {
            if let Some(count) = self.counts.get_mut(usize::from(choice)) {
                *count += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_first_answers_and_changes() {
        let mut tally = Tally::new(3);
        tally.replace(None, &[0]);
        tally.replace(None, &[0, 2]);
        tally.replace(None, &[1]);
        assert_eq!(tally, Tally { counts: vec![2, 1, 1], respondents: 3 });

        // The second participant changes their mind: respondents stay at 3.
        tally.replace(Some(&[0, 2]), &[1]);
        assert_eq!(tally, Tally { counts: vec![1, 2, 0], respondents: 3 });

        // Changing to the same answer changes nothing.
        tally.replace(Some(&[1]), &[1]);
        assert_eq!(tally, Tally { counts: vec![1, 2, 0], respondents: 3 });
    }

    #[test]
    fn ignores_options_that_no_longer_exist() {
        let mut tally = Tally::new(2);
        tally.replace(None, &[5]);
        tally.replace(Some(&[5]), &[1]);
        assert_eq!(tally, Tally { counts: vec![0, 1], respondents: 1 });
    }
}
