//! Session state: where the presenter is, what is open, timers, and the live results.

mod answers;
pub mod board;
pub mod scores;
mod state;

#[cfg(test)]
mod model_tests;

pub use answers::Answers;
pub use board::{Board, Post, PostRefusal, PostState, QaSwitch};
pub use scores::{NameRefusal, Scoreboard, Standing, Standings};
pub use state::{Change, Millis, PresenterAction, QuestionState, SessionState, VoteRefusal};
