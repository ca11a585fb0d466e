//! A session's results reckoned again from its stored answers: what the spreadsheet and the report show.

use crate::deck::{Deck, Question};
use crate::question::{Answer, Results, Table};
use crate::session::board::{PostState, QA};
use crate::store::ExportedSession;

/// One question's results, as the session left them.
#[derive(Debug, Clone)]
pub struct QuestionResults {
    /// 1 for the deck's first question, 2 for the next…
    pub number: usize,
    pub question: Question,
    pub respondents: u64,
    pub table: Table,
    /// An open question's posts the room saw, pinned first, then oldest first.
    pub posts: Vec<String>,
}

/// Every question of the deck in order, with its results.
pub fn results(session: &ExportedSession, deck: &Deck) -> Vec<QuestionResults> {
    deck.questions()
        .enumerate()
        .map(|(at, question)| {
            let mut results = Results::new(question);
            for row in session.answers.iter().filter(|row| row.question == question.id) {
                if let Some(answer) = Answer::from_json(&row.answer) {
                    results.replace(None, &answer);
                }
            }
            let posts = shown_posts(session, deck, &question.id);
            let mut table = results.table(question);
            let mut respondents = results.respondents();
            if matches!(question.kind, crate::question::Kind::Open(_)) {
                respondents = distinct_posters(session, &question.id);
                table.headline = format!("{} shown of {} sent", posts.len(), count_posts(session, &question.id));
            }
            QuestionResults { number: at + 1, question: question.clone(), respondents, table, posts }
        })
        .collect()
}

/// The audience's questions the room saw, with their upvotes: the most upvoted first.
pub fn qa(session: &ExportedSession, deck: &Deck) -> Vec<(String, i64, bool)> {
    let mut asked: Vec<(String, i64, bool)> = session
        .posts
        .iter()
        .filter(|post| post.question == QA && seen(post.state) && !deck.filter.blocks(&post.text))
        .map(|post| (post.text.clone(), post.upvotes, post.state == PostState::Answered))
        .collect();
    asked.sort_by_key(|(_, upvotes, _)| std::cmp::Reverse(*upvotes));
    asked
}

/// Posts the projector could show: not waiting for approval, not hidden, not caught by the word filter.
fn shown_posts(session: &ExportedSession, deck: &Deck, question: &str) -> Vec<String> {
    let mut posts: Vec<_> = session
        .posts
        .iter()
        .filter(|post| post.question == question && seen(post.state) && !deck.filter.blocks(&post.text))
        .collect();
    posts.sort_by_key(|post| (post.state != PostState::Pinned, post.at));
    posts.into_iter().map(|post| post.text.clone()).collect()
}

fn seen(state: PostState) -> bool {
    matches!(state, PostState::Shown | PostState::Pinned | PostState::Answered)
}

fn count_posts(session: &ExportedSession, question: &str) -> usize {
    session.posts.iter().filter(|post| post.question == question).count()
}

fn distinct_posters(session: &ExportedSession, question: &str) -> u64 {
    let posters: std::collections::HashSet<i64> =
        session.posts.iter().filter(|post| post.question == question).map(|post| post.participant).collect();
    posters.len() as u64
}
