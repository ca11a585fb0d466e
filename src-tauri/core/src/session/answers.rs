//! Every participant's committed answers, for showing a phone its own vote after a reconnect.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::question::Answer;

/// Question id → the participant's answer.
pub type ByQuestion = HashMap<String, Answer>;

/// Shared map: participant id → question id → answer. The writer fills it after
/// each commit; participant sockets read their own entry on connect and when the
/// question changes. Sections are short and never span an `.await`.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    inner: Arc<Mutex<HashMap<Arc<str>, ByQuestion>>>,
}

impl Answers {
    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, ByQuestion>> {
        // A panic while holding this lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// All of one participant's answers, by question id.
    pub fn of(&self, participant: &str) -> ByQuestion {
        self.lock().get(participant).cloned().unwrap_or_default()
    }

    /// Whether the participant has a committed answer to the question.
    pub fn has(&self, participant: &str, question: &str) -> bool {
        self.lock().get(participant).is_some_and(|answers| answers.contains_key(question))
    }

    /// Stores an answer and returns the one it replaced.
    pub fn insert(&self, participant: Arc<str>, question: &str, answer: Answer) -> Option<Answer> {
        self.lock().entry(participant).or_default().insert(question.to_string(), answer)
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}
