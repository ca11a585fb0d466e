//! SQLite storage: opening the file, resuming a session, and the writes the writer batches.

pub mod checkpoint;
mod history;
mod portable;
mod posts;
mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::deck::Deck;
use crate::question::Answer;
use crate::session::QuestionState;
pub use history::SessionSummary;
pub use portable::{read_portable, unpack_portable, Portable};
pub use posts::{ExportedPost, StoredPost, StoredQa};
pub use schema::MigrateError;

/// The file name inside `--data`.
pub const DATABASE_FILE: &str = "handsup.sqlite3";
/// Past this size the writer truncates the WAL. Under continuous voting the
/// passive checkpoints never catch up with the writer, so the WAL would
/// otherwise grow for as long as votes keep coming.
pub const WAL_LIMIT: u64 = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("cannot update the database schema: {0}")]
    Migrate(#[from] MigrateError),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database holds something this Handsup cannot read: {0}")]
    Corrupt(String),
}

/// A session as an export reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedSession {
    pub id: i64,
    pub started_at: i64,
    /// The deck's text as this session last ran it, and its file name for messages.
    pub deck_text: String,
    pub deck_name: String,
    pub answers: Vec<ExportedAnswer>,
    /// Open-text posts and Q&A questions, with their moderation state.
    pub posts: Vec<ExportedPost>,
    /// When each question first opened, by id: a quiz answer's points depend on it.
    pub opened: HashMap<String, i64>,
    /// Quiz players' nicknames, by participant number.
    pub nicknames: HashMap<i64, String>,
}

/// One stored answer, with its participant as a number (never the secret id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedAnswer {
    pub question: String,
    /// 1 for the session's first participant to join, 2 for the next…
    pub participant: i64,
    /// The answer's JSON, as stored.
    pub answer: String,
    pub answered_at: i64,
}

/// The settings key of the presenter's blocked words.
const BLOCKLIST_SETTING: &str = "blocklist";

/// One connection to the data file. The writer thread owns the only one that writes.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A session as stored: enough to rebuild its state and tallies.
#[derive(Debug, Default)]
pub struct StoredSession {
    pub id: i64,
    pub slide: usize,
    pub questions: HashMap<String, QuestionState>,
    /// Every stored answer, in storage order.
    pub responses: Vec<StoredAnswer>,
    /// Every participant of the session, with the number exports and leaderboards show.
    pub players: Vec<StoredPlayer>,
    /// Open-text posts and Q&A questions, oldest first.
    pub posts: Vec<StoredPost>,
    pub qa: StoredQa,
}

/// One participant's answer to one question, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub participant: String,
    pub question: String,
    pub answer: Answer,
    /// When it reached the server: a quiz answer's speed.
    pub at: i64,
}

/// A participant: public id, number in the session (`P17`, "Player 17") and nickname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlayer {
    pub participant: String,
    pub number: i64,
    pub nickname: Option<String>,
}

/// The writer's page cache, in KiB.
const CACHE_KIB: i64 = 64 * 1024;

impl Store {
    /// Opens (or creates) the database in `data_dir`, in WAL mode, and migrates it.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::CreateDir { path: data_dir.to_path_buf(), source })?;
        let path = data_dir.join(DATABASE_FILE);
        let mut conn = Connection::open(&path).map_err(|source| StoreError::Open { path: path.clone(), source })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: an acknowledged vote survives a power cut too. Batched commits keep
        // the cost to one fsync per batch, not one per vote.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Checkpoints happen on their own thread (see `checkpoint`), never inside a vote's commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The pages a room's votes touch (its answers and request ids: about 12 MiB
        // for 10,000 phones and 8 questions) stay in memory: with SQLite's default
        // 2 MiB, every batch read back pages it had just written (profiled: ten
        // times the reference server's page reads). A ceiling, not an allocation.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Resumes the latest session of the deck stored under `key`, or starts a new
    /// one when there is none or `fresh` is set. The session keeps `source`, the
    /// deck's text (named `name` in messages), so an export after the file
    /// changed still names what the audience saw. Returns the session as stored.
    pub fn open_session(
        &mut self,
        key: &str,
        deck: &Deck,
        source: &str,
        name: &str,
        fresh: bool,
    ) -> Result<StoredSession, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_millis();
        let deck_id: i64 = tx.query_row(
            "INSERT INTO decks (key, title, source, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key) DO UPDATE SET title = excluded.title, source = excluded.source, updated_at = excluded.updated_at
             RETURNING id",
            params![key, deck.title, source, now],
            |row| row.get(0),
        )?;
        settle_pending_discards(&tx, deck_id, source)?;
        let latest: Option<i64> = if fresh {
            None
        } else {
            tx.query_row("SELECT max(id) FROM sessions WHERE deck_id = ?1", [deck_id], |row| row.get(0))?
        };
        let id = match latest {
            Some(id) => id,
            None => {
                tx.execute("INSERT INTO sessions (deck_id, started_at) VALUES (?1, ?2)", params![deck_id, now])?;
                tx.last_insert_rowid()
            }
        };
        tx.execute("UPDATE sessions SET deck_text = ?2, deck_name = ?3 WHERE id = ?1", params![id, source, name])?;
        tx.commit()?;
        self.load_session(id)
    }

    /// Reads everything stored for one session.
    pub fn load_session(&self, id: i64) -> Result<StoredSession, StoreError> {
        let slide: i64 = self.conn.query_row("SELECT slide FROM sessions WHERE id = ?1", [id], |row| row.get(0))?;
        let mut questions = HashMap::new();
        let mut statement = self
            .conn
            .prepare("SELECT question, voting_open, results_visible, revealed, deadline, opened_at FROM question_states WHERE session_id = ?1")?;
        let rows = statement.query_map([id], |row| {
            let state = QuestionState {
                voting_open: row.get(1)?,
                results_visible: row.get(2)?,
                revealed: row.get(3)?,
                deadline: row.get(4)?,
                opened_at: row.get(5)?,
            };
            Ok((row.get::<_, String>(0)?, state))
        })?;
        for row in rows {
            let (question, state) = row?;
            questions.insert(question, state);
        }
        let mut statement = self.conn.prepare(
            "SELECT p.public_id, r.question, r.answer, r.answered_at FROM responses r
             JOIN participants p ON p.id = r.participant_id WHERE p.session_id = ?1",
        )?;
        let rows = statement.query_map([id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, i64>(3)?))
        })?;
        let mut responses = Vec::new();
        for row in rows {
            let (participant, question, answer, at) = row?;
            // A row this program did not write is skipped, not fatal: the rest still counts.
            match Answer::from_json(&answer) {
                Some(answer) => responses.push(StoredAnswer { participant, question, answer, at }),
                None => tracing::warn!(%participant, %question, %answer, "skipping an unreadable stored answer"),
            }
        }
        let mut statement = self.conn.prepare(
            "SELECT public_id, coalesce(number, id), nickname FROM participants WHERE session_id = ?1 ORDER BY id",
        )?;
        let players = statement
            .query_map([id], |row| {
                Ok(StoredPlayer { participant: row.get(0)?, number: row.get(1)?, nickname: row.get(2)? })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let posts = self.load_posts(id)?;
        let qa = self.load_qa(id)?;
        let slide = usize::try_from(slide).unwrap_or(0);
        Ok(StoredSession { id, slide, questions, responses, players, posts, qa })
    }

    /// Deletes a session's answers to `questions` (the deck editor changed them).
    pub fn discard_answers(&mut self, session: i64, questions: &[String]) -> Result<usize, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = delete_answers(&tx, session, questions)?;
        // The save it was planned for has happened: nothing is left to settle.
        tx.execute("DELETE FROM pending_discards WHERE session_id = ?1", [session])?;
        tx.commit()?;
        Ok(deleted)
    }

    /// Records, before the editor writes `deck_text` to the deck file, that
    /// `session`'s answers to `questions` go with that save. If Handsup stops
    /// before [`Store::discard_answers`] runs, the next open of the deck settles
    /// it: the answers go if the file holds `deck_text`, and stay if it does not.
    pub fn plan_discard(&mut self, session: i64, deck_text: &str, questions: &[String]) -> Result<(), StoreError> {
        let questions = serde_json::to_string(questions).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        self.conn.execute(
            "INSERT INTO pending_discards (session_id, deck_text, questions) VALUES (?1, ?2, ?3)
             ON CONFLICT (session_id) DO UPDATE SET deck_text = excluded.deck_text, questions = excluded.questions",
            params![session, deck_text, questions],
        )?;
        Ok(())
    }

    /// Every participant id a session has seen.
    pub fn participant_ids(&self, session: i64) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare("SELECT public_id FROM participants WHERE session_id = ?1")?;
        let ids = statement.query_map([session], |row| row.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(ids)
    }

    /// The most recently started session of any deck.
    pub fn latest_session(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row("SELECT max(id) FROM sessions", [], |row| row.get(0))?)
    }

    /// The key the session's deck is stored under: its file's full path, or `builtin:demo`.
    pub fn session_deck_key(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT d.key FROM sessions s JOIN decks d ON d.id = s.deck_id WHERE s.id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Everything an export needs of one session; `None` if there is no such session.
    pub fn export_session(&self, id: i64) -> Result<Option<ExportedSession>, StoreError> {
        // Sessions from before decks were kept per session fall back to the deck's last text.
        let head = self
            .conn
            .query_row(
                "SELECT s.started_at, coalesce(s.deck_text, d.source), coalesce(s.deck_name, d.key)
                 FROM sessions s JOIN decks d ON d.id = s.deck_id WHERE s.id = ?1",
                [id],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)),
            )
            .optional()?;
        let Some((started_at, deck_text, deck_name)) = head else { return Ok(None) };
        let mut statement = self.conn.prepare(
            "SELECT r.question, p.number, r.answer, r.answered_at FROM responses r
             JOIN participants p ON p.id = r.participant_id WHERE p.session_id = ?1
             ORDER BY p.number, r.question",
        )?;
        let rows = statement.query_map([id], |row| {
            Ok(ExportedAnswer {
                question: row.get(0)?,
                participant: row.get(1)?,
                answer: row.get(2)?,
                answered_at: row.get(3)?,
            })
        })?;
        let answers = rows.collect::<Result<Vec<_>, _>>()?;
        let posts = self.export_posts(id)?;
        let mut statement = self.conn.prepare(
            "SELECT question, opened_at FROM question_states WHERE session_id = ?1 AND opened_at IS NOT NULL",
        )?;
        let opened = statement
            .query_map([id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?
            .collect::<Result<HashMap<_, _>, _>>()?;
        let mut statement =
            self.conn.prepare("SELECT number, nickname FROM participants WHERE session_id = ?1 ORDER BY id")?;
        let nicknames = statement
            .query_map([id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<String>>(1)?)))?
            .filter_map(|row| row.map(|(number, nickname)| nickname.map(|n| (number, n))).transpose())
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(Some(ExportedSession { id, started_at, deck_text, deck_name, answers, posts, opened, nicknames }))
    }

    /// A stored setting.
    /// The presenter's own blocked words (one a line in the settings), for every deck.
    pub fn presenter_blocklist(&self) -> Result<Vec<String>, StoreError> {
        let words = self.setting(BLOCKLIST_SETTING)?.unwrap_or_default();
        Ok(words.lines().map(str::trim).filter(|w| !w.is_empty()).map(String::from).collect())
    }

    pub fn set_presenter_blocklist(&self, words: &[String]) -> Result<(), StoreError> {
        self.set_setting(BLOCKLIST_SETTING, &words.join("\n"))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?)
    }

    /// Writes a setting unless it already holds `value` (a read needs no write lock).
    pub fn set_setting_if_changed(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if self.setting(key)?.as_deref() == Some(value) {
            return Ok(());
        }
        self.set_setting(key, value)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Truncates the WAL when it is larger than `limit`. Called by the writer
    /// between batches: its own connection holds no transaction then, so the
    /// checkpoint can finish; the votes queued meanwhile wait a few milliseconds.
    pub fn bound_wal(&self, limit: u64) -> Result<(), StoreError> {
        let wal = checkpoint::wal_path(&self.path);
        if std::fs::metadata(&wal).is_ok_and(|meta| meta.len() > limit) {
            let (busy, _, _): (i64, i64, i64) = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            if busy != 0 {
                tracing::warn!("the WAL could not be truncated (a reader holds it); will retry after the next batch");
            }
        }
        Ok(())
    }

    /// Starts a write transaction for one batch.
    pub fn batch(&mut self) -> Result<Batch<'_>, StoreError> {
        Ok(Batch { tx: self.conn.transaction_with_behavior(TransactionBehavior::Immediate)? })
    }
}

/// The writes of one batch; nothing is visible until [`Batch::commit`].
pub struct Batch<'a> {
    tx: Transaction<'a>,
}

impl Batch<'_> {
    /// Writes one of the app's settings (the network the presenter chose, say) with the batch.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The participant's row id, creating the row on first sight.
    pub fn participant(&self, session: i64, public_id: &str) -> Result<i64, StoreError> {
        let mut statement = self.tx.prepare_cached(
            "INSERT INTO participants (session_id, public_id, joined_at, number)
             VALUES (?1, ?2, ?3, (SELECT coalesce(max(number), 0) + 1 FROM participants WHERE session_id = ?1))
             ON CONFLICT (session_id, public_id) DO UPDATE SET public_id = excluded.public_id
             RETURNING id",
        )?;
        Ok(statement.query_row(params![session, public_id, now_millis()], |row| row.get(0))?)
    }

    /// Inserts or replaces a participant's answer to a question, given at `at`.
    pub fn answer(&self, participant: i64, question: &str, answer: &str, at: i64) -> Result<(), StoreError> {
        let mut statement = self.tx.prepare_cached(
            "INSERT INTO responses (participant_id, question, answer, answered_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (participant_id, question) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
        )?;
        statement.execute(params![participant, question, answer, at])?;
        Ok(())
    }

    /// Inserts a final answer (a quiz's); false, and nothing written, when one is stored already.
    pub fn first_answer(&self, participant: i64, question: &str, answer: &str, at: i64) -> Result<bool, StoreError> {
        let mut statement = self.tx.prepare_cached(
            "INSERT INTO responses (participant_id, question, answer, answered_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (participant_id, question) DO NOTHING",
        )?;
        Ok(statement.execute(params![participant, question, answer, at])? == 1)
    }

    /// A participant's number in the session (`P17`, "Player 17"), by row id.
    pub fn participant_number(&self, participant: i64) -> Result<i64, StoreError> {
        let mut statement = self.tx.prepare_cached("SELECT coalesce(number, id) FROM participants WHERE id = ?1")?;
        Ok(statement.query_row([participant], |row| row.get(0))?)
    }

    /// Sets the nickname of the session's participant `number`; `key` (its folded
    /// form) is unique within the session. False, and nothing written, when another
    /// participant holds the key: a clash never fails the batch's other writes.
    pub fn set_nickname(&self, session: i64, number: i64, nickname: &str, key: &str) -> Result<bool, StoreError> {
        let mut statement = self.tx.prepare_cached(
            "UPDATE OR IGNORE participants SET nickname = ?3, nickname_key = ?4 WHERE session_id = ?1 AND number = ?2",
        )?;
        Ok(statement.execute(params![session, number, nickname, key])? == 1)
    }

    /// The question and answer a request already stored, if it was applied before.
    pub fn applied(&self, participant: i64, request: &str) -> Result<Option<(String, Answer)>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT question, answer FROM requests WHERE participant_id = ?1 AND request = ?2")?;
        let found: Option<(String, String)> =
            statement.query_row(params![participant, request], |row| Ok((row.get(0)?, row.get(1)?))).optional()?;
        Ok(found.and_then(|(question, answer)| Answer::from_json(&answer).map(|answer| (question, answer))))
    }

    /// Claims a request id for this answer (as JSON), in the same transaction as the
    /// answer. False when the id was applied before: the caller must not apply it again.
    pub fn claim_request(
        &self,
        participant: i64,
        request: &str,
        question: &str,
        answer: &str,
    ) -> Result<bool, StoreError> {
        let mut statement = self.tx.prepare_cached(
            "INSERT INTO requests (participant_id, request, question, answer, claimed_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (participant_id, request) DO NOTHING",
        )?;
        Ok(statement.execute(params![participant, request, question, answer, now_millis()])? == 1)
    }

    pub fn set_slide(&self, session: i64, slide: usize) -> Result<(), StoreError> {
        let slide = i64::try_from(slide).unwrap_or(i64::MAX);
        self.tx.execute("UPDATE sessions SET slide = ?2 WHERE id = ?1", params![session, slide])?;
        Ok(())
    }

    pub fn set_question(&self, session: i64, question: &str, state: QuestionState) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO question_states (session_id, question, voting_open, results_visible, revealed, deadline, opened_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (session_id, question) DO UPDATE SET voting_open = excluded.voting_open,
               results_visible = excluded.results_visible, revealed = excluded.revealed, deadline = excluded.deadline,
               opened_at = excluded.opened_at",
            params![
                session,
                question,
                state.voting_open,
                state.results_visible,
                state.revealed,
                state.deadline,
                state.opened_at
            ],
        )?;
        Ok(())
    }

    pub fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit()?)
    }
}

/// Deletes one session's answers (and retried requests) to `questions`; returns the answers deleted.
fn delete_answers(tx: &rusqlite::Transaction<'_>, session: i64, questions: &[String]) -> Result<usize, StoreError> {
    let mut deleted = 0;
    for question in questions {
        // Posts to a question whose kind changed go with it, upvotes first.
        tx.execute(
            "DELETE FROM upvotes WHERE post_id IN (SELECT id FROM posts WHERE session_id = ?1 AND question = ?2)",
            params![session, question],
        )?;
        deleted +=
            tx.execute("DELETE FROM posts WHERE session_id = ?1 AND question = ?2", params![session, question])?;
        for table in ["responses", "requests"] {
            let removed = tx.execute(
                &format!(
                    "DELETE FROM {table} WHERE question = ?2
                     AND participant_id IN (SELECT id FROM participants WHERE session_id = ?1)"
                ),
                params![session, question],
            )?;
            if table == "responses" {
                deleted += removed;
            }
        }
    }
    Ok(deleted)
}

/// Settles the discards a save planned for this deck's sessions and never
/// carried out (Handsup stopped between writing the file and discarding): the
/// answers go when the deck being opened is the saved text, and stay otherwise.
fn settle_pending_discards(tx: &rusqlite::Transaction<'_>, deck_id: i64, opened_text: &str) -> Result<(), StoreError> {
    let pending = {
        let mut statement = tx.prepare(
            "SELECT session_id, deck_text, questions FROM pending_discards
             WHERE session_id IN (SELECT id FROM sessions WHERE deck_id = ?1)",
        )?;
        let rows = statement.query_map([deck_id], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    for (session, saved_text, questions) in pending {
        if saved_text == opened_text {
            let questions: Vec<String> =
                serde_json::from_str(&questions).map_err(|error| StoreError::Corrupt(error.to_string()))?;
            let deleted = delete_answers(tx, session, &questions)?;
            tracing::info!(session, deleted, "settled a save that was interrupted: its discarded answers are gone");
        }
        tx.execute("DELETE FROM pending_discards WHERE session_id = ?1", [session])?;
    }
    Ok(())
}

/// Milliseconds since the Unix epoch: the server's clock for timestamps and deadlines.
pub fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

#[cfg(test)]
mod tests;
