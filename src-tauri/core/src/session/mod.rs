//! Session state: where the presenter is, what is open, and the live tallies.

mod answers;
mod state;
mod tally;

#[cfg(test)]
mod model_tests;

pub use answers::Answers;
pub use state::{Change, PresenterAction, QuestionState, SessionState, VoteRefusal};
pub use tally::Tally;
