//! Every session the data folder holds, for `handsup sessions` and the app's history.

use rusqlite::params;

use super::{Store, StoreError};

/// One session in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: i64,
    pub started_at: i64,
    /// The deck's title as that session ran it.
    pub title: String,
    pub participants: u64,
    /// Stored answers, posts and Q&A questions together.
    pub answers: u64,
}

impl Store {
    /// Every session, the newest first.
    pub fn sessions(&self) -> Result<Vec<SessionSummary>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT s.id, s.started_at, d.title,
                    (SELECT count(*) FROM participants p WHERE p.session_id = s.id),
                    (SELECT count(*) FROM responses r JOIN participants p ON p.id = r.participant_id
                       WHERE p.session_id = s.id)
                    + (SELECT count(*) FROM posts o WHERE o.session_id = s.id)
             FROM sessions s JOIN decks d ON d.id = s.deck_id
             ORDER BY s.id DESC",
        )?;
        let rows = statement.query_map(params![], |row| {
            Ok(SessionSummary {
                id: row.get(0)?,
                started_at: row.get(1)?,
                title: row.get(2)?,
                participants: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                answers: u64::try_from(row.get::<_, i64>(4)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
