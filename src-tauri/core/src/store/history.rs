//! Every session the data folder holds, for `handsup sessions` and the app's history.

use rusqlite::{params, OptionalExtension};

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

impl Store {
    /// Deletes a session and everything it holds; false if there was no such session.
    pub fn delete_session(&mut self, session: i64) -> Result<bool, StoreError> {
        self.erase_for_good()?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for statement in [
            "DELETE FROM upvotes WHERE post_id IN (SELECT id FROM posts WHERE session_id = ?1)
                OR participant_id IN (SELECT id FROM participants WHERE session_id = ?1)",
            "DELETE FROM posts WHERE session_id = ?1",
            "DELETE FROM responses WHERE participant_id IN (SELECT id FROM participants WHERE session_id = ?1)",
            "DELETE FROM requests WHERE participant_id IN (SELECT id FROM participants WHERE session_id = ?1)",
            "DELETE FROM participants WHERE session_id = ?1",
            "DELETE FROM question_states WHERE session_id = ?1",
            "DELETE FROM pending_discards WHERE session_id = ?1",
        ] {
            tx.execute(statement, [session])?;
        }
        let deleted = tx.execute("DELETE FROM sessions WHERE id = ?1", [session])? > 0;
        tx.commit()?;
        self.checkpoint_deleted();
        Ok(deleted)
    }

    /// Deletes one participant's answers, posts and upvotes in a session (`P7` is
    /// number 7): the session keeps its other answers. The number stays taken, so
    /// no one else becomes `P7`. Returns how many answers and posts went.
    pub fn delete_participant(&mut self, session: i64, number: i64) -> Result<Option<usize>, StoreError> {
        self.erase_for_good()?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let id: Option<i64> = tx
            .query_row("SELECT id FROM participants WHERE session_id = ?1 AND number = ?2", [session, number], |row| {
                row.get(0)
            })
            .optional()?;
        let Some(id) = id else { return Ok(None) };
        tx.execute(
            "DELETE FROM upvotes WHERE participant_id = ?1 OR post_id IN (SELECT id FROM posts WHERE participant_id = ?1)",
            [id],
        )?;
        let mut gone = tx.execute("DELETE FROM posts WHERE participant_id = ?1", [id])?;
        gone += tx.execute("DELETE FROM responses WHERE participant_id = ?1", [id])?;
        tx.execute("DELETE FROM requests WHERE participant_id = ?1", [id])?;
        // The nickname goes too: it may be a name.
        tx.execute("UPDATE participants SET nickname = NULL, nickname_key = NULL WHERE id = ?1", [id])?;
        tx.commit()?;
        self.checkpoint_deleted();
        Ok(Some(gone))
    }

    /// Deleted rows are overwritten with zeros, not left in free pages (a privacy request means gone).
    fn erase_for_good(&self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        Ok(())
    }

    /// Moves the deletion out of the write-ahead log into the file, so the old
    /// pages in the log are overwritten too; best effort while the app is writing.
    fn checkpoint_deleted(&self) {
        if let Err(error) = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
            tracing::warn!(%error, "the deletion stays in the write-ahead log until the next checkpoint");
        }
    }
}
