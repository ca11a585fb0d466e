//! Posts (open text and Q&A), their upvotes and the session's Q&A switches, in the store.

use rusqlite::{params, OptionalExtension};

use super::{Batch, Store, StoreError};
use crate::session::PostState;

/// A post as stored, with its upvoters' public ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPost {
    pub id: i64,
    pub question: String,
    pub participant: String,
    pub text: String,
    pub state: PostState,
    pub at: i64,
    pub upvoters: Vec<String>,
}

/// A post as an export reads it: its participant as a number, never the secret id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedPost {
    pub question: String,
    pub participant: i64,
    pub text: String,
    pub state: PostState,
    pub upvotes: i64,
    pub at: i64,
}

/// The Q&A switches a session stored (`None`: as the deck says).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoredQa {
    pub open: Option<bool>,
    pub highlight: Option<i64>,
}

fn state_of(name: &str) -> PostState {
    // A state this program did not write is kept out of sight rather than shown.
    PostState::parse(name).unwrap_or(PostState::Hidden)
}

impl Batch<'_> {
    /// Stores a new post; `None` when this participant's `request` stored one
    /// before (a retry): the caller acknowledges that one instead.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_post(
        &self,
        session: i64,
        question: &str,
        participant: i64,
        request: &str,
        text: &str,
        state: PostState,
        at: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut statement = self.tx.prepare_cached(
            "INSERT INTO posts (session_id, question, participant_id, request, text, state, posted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (participant_id, request) DO NOTHING RETURNING id",
        )?;
        Ok(statement
            .query_row(params![session, question, participant, request, text, state.name(), at], |row| row.get(0))
            .optional()?)
    }

    /// The post a participant's request stored before: (id, question, text, state).
    pub fn post_by_request(
        &self,
        participant: i64,
        request: &str,
    ) -> Result<Option<(i64, String, String, PostState)>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT id, question, text, state FROM posts WHERE participant_id = ?1 AND request = ?2")?;
        let found = statement
            .query_row(params![participant, request], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, state_of(&row.get::<_, String>(3)?)))
            })
            .optional()?;
        Ok(found)
    }

    pub fn set_post_state(&self, post: i64, state: PostState) -> Result<(), StoreError> {
        self.tx.execute("UPDATE posts SET state = ?2 WHERE id = ?1", params![post, state.name()])?;
        Ok(())
    }

    pub fn set_upvote(&self, post: i64, participant: i64, on: bool) -> Result<(), StoreError> {
        if on {
            let mut statement = self.tx.prepare_cached(
                "INSERT INTO upvotes (post_id, participant_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?;
            statement.execute(params![post, participant])?;
        } else {
            let mut statement =
                self.tx.prepare_cached("DELETE FROM upvotes WHERE post_id = ?1 AND participant_id = ?2")?;
            statement.execute(params![post, participant])?;
        }
        Ok(())
    }

    pub fn set_qa(&self, session: i64, open: bool, highlight: Option<i64>) -> Result<(), StoreError> {
        self.tx.execute(
            "UPDATE sessions SET qa_open = ?2, qa_highlight = ?3 WHERE id = ?1",
            params![session, open, highlight],
        )?;
        Ok(())
    }
}

impl Store {
    /// Every post of a session, oldest first, with upvoters.
    pub fn load_posts(&self, session: i64) -> Result<Vec<StoredPost>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT po.id, po.question, p.public_id, po.text, po.state, po.posted_at FROM posts po
             JOIN participants p ON p.id = po.participant_id WHERE po.session_id = ?1 ORDER BY po.id",
        )?;
        let rows = statement.query_map([session], |row| {
            Ok(StoredPost {
                id: row.get(0)?,
                question: row.get(1)?,
                participant: row.get(2)?,
                text: row.get(3)?,
                state: state_of(&row.get::<_, String>(4)?),
                at: row.get(5)?,
                upvoters: Vec::new(),
            })
        })?;
        let mut posts: Vec<StoredPost> = rows.collect::<Result<_, _>>()?;
        let mut statement = self.conn.prepare(
            "SELECT u.post_id, p.public_id FROM upvotes u JOIN posts po ON po.id = u.post_id
             JOIN participants p ON p.id = u.participant_id WHERE po.session_id = ?1",
        )?;
        let votes = statement.query_map([session], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?;
        let index: std::collections::HashMap<i64, usize> = posts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        for vote in votes {
            let (post, voter) = vote?;
            if let Some(&i) = index.get(&post) {
                posts[i].upvoters.push(voter);
            }
        }
        Ok(posts)
    }

    pub fn load_qa(&self, session: i64) -> Result<StoredQa, StoreError> {
        let (open, highlight): (Option<bool>, Option<i64>) =
            self.conn.query_row("SELECT qa_open, qa_highlight FROM sessions WHERE id = ?1", [session], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
        Ok(StoredQa { open, highlight })
    }

    /// A session's posts for an export, oldest first, participants as numbers.
    pub fn export_posts(&self, session: i64) -> Result<Vec<ExportedPost>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT po.question, n.number, po.text, po.state, po.posted_at,
                    (SELECT count(*) FROM upvotes u WHERE u.post_id = po.id)
             FROM posts po
             JOIN (SELECT id, row_number() OVER (ORDER BY id) AS number FROM participants WHERE session_id = ?1) n
               ON n.id = po.participant_id
             WHERE po.session_id = ?1 ORDER BY po.id",
        )?;
        let rows = statement.query_map([session], |row| {
            Ok(ExportedPost {
                question: row.get(0)?,
                participant: row.get(1)?,
                text: row.get(2)?,
                state: state_of(&row.get::<_, String>(3)?),
                at: row.get(4)?,
                upvotes: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
