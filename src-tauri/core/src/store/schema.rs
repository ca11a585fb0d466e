//! Schema migrations, numbered by SQLite's `user_version`.

use rusqlite::Connection;

/// Each entry moves the schema from version `i` to `i + 1`. Append only: a file
/// written by an older Handsup is brought up to date on open.
const MIGRATIONS: &[&str] = &[
    // 1: decks, sessions, per-question switches, participants, responses.
    "CREATE TABLE decks (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        deck_id INTEGER NOT NULL REFERENCES decks(id),
        started_at INTEGER NOT NULL,
        slide INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sessions_by_deck ON sessions(deck_id, id);
    CREATE TABLE question_states (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        question TEXT NOT NULL,
        voting_open INTEGER NOT NULL,
        results_visible INTEGER NOT NULL,
        PRIMARY KEY (session_id, question)
    ) WITHOUT ROWID;
    CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        public_id TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        UNIQUE (session_id, public_id)
    );
    -- One response per participant per question: the primary key enforces it,
    -- and a changed vote updates the row.
    CREATE TABLE responses (
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        question TEXT NOT NULL,
        choices TEXT NOT NULL,
        answered_at INTEGER NOT NULL,
        PRIMARY KEY (participant_id, question)
    ) WITHOUT ROWID;",
    // 2: every applied vote request, so a retried request is applied at most once.
    "CREATE TABLE requests (
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        request TEXT NOT NULL,
        question TEXT NOT NULL,
        choices TEXT NOT NULL,
        PRIMARY KEY (participant_id, request)
    ) WITHOUT ROWID;",
    // 3: small settings that outlive a restart (the presenter's token and port).
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
    // 4: typed answers (`{"choices":[…]}`, `{"values":[…]}`…) instead of bare
    // choices; timers and revealed answers; the deck text each session ran.
    "ALTER TABLE responses RENAME COLUMN choices TO answer;
    UPDATE responses SET answer = json_object('choices', json(answer));
    ALTER TABLE requests RENAME COLUMN choices TO answer;
    UPDATE requests SET answer = json_object('choices', json(answer));
    ALTER TABLE question_states ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE question_states ADD COLUMN deadline INTEGER;
    ALTER TABLE sessions ADD COLUMN deck_text TEXT;
    ALTER TABLE sessions ADD COLUMN deck_name TEXT;",
    // 5: when each request id was claimed, so ids too old to be retried are forgotten.
    "ALTER TABLE requests ADD COLUMN claimed_at INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX requests_by_age ON requests(claimed_at);",
    // 6: answers the editor's save will discard, written before the deck file, so
    // that a crash between the file and the discard is settled on the next open.
    "CREATE TABLE pending_discards (
        session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
        deck_text TEXT NOT NULL,
        questions TEXT NOT NULL
    );",
    // 7: participants' posts (open text, audience Q&A) with their moderation
    // state, Q&A upvotes, and each session's Q&A switches.
    "CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        question TEXT NOT NULL,
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        request TEXT NOT NULL,
        text TEXT NOT NULL,
        state TEXT NOT NULL,
        posted_at INTEGER NOT NULL,
        UNIQUE (participant_id, request)
    );
    CREATE INDEX posts_by_session ON posts(session_id, id);
    CREATE TABLE upvotes (
        post_id INTEGER NOT NULL REFERENCES posts(id),
        participant_id INTEGER NOT NULL REFERENCES participants(id),
        PRIMARY KEY (post_id, participant_id)
    ) WITHOUT ROWID;
    ALTER TABLE sessions ADD COLUMN qa_open INTEGER;
    ALTER TABLE sessions ADD COLUMN qa_highlight INTEGER;",
    // 8: quizzes: when each question first opened (answers are scored by their
    // speed from it); each participant's number in the session (`P17`, "Player 17"),
    // numbered in joining order as exports always did; players' nicknames, unique
    // per session by their folded form.
    "ALTER TABLE question_states ADD COLUMN opened_at INTEGER;
    ALTER TABLE participants ADD COLUMN number INTEGER;
    UPDATE participants SET number = n.number
        FROM (SELECT id, row_number() OVER (PARTITION BY session_id ORDER BY id) AS number FROM participants) n
        WHERE n.id = participants.id;
    CREATE UNIQUE INDEX participants_by_number ON participants(session_id, number);
    ALTER TABLE participants ADD COLUMN nickname TEXT;
    ALTER TABLE participants ADD COLUMN nickname_key TEXT;
    CREATE UNIQUE INDEX participants_by_nickname ON participants(session_id, nickname_key)
        WHERE nickname_key IS NOT NULL;",
];

pub const CURRENT_VERSION: usize = MIGRATIONS.len();

#[cfg(test)]
pub const MIGRATIONS_FOR_TESTS: &[&str] = MIGRATIONS;

/// Brings the schema to [`CURRENT_VERSION`], each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > CURRENT_VERSION {
        return Err(MigrateError::TooNew { found: version, known: CURRENT_VERSION });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i64::try_from(index + 1).unwrap_or(i64::MAX))?;
        tx.commit()?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("the data file was written by a newer Handsup (schema {found}; this one knows up to {known})")]
    TooNew { found: usize, known: usize },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}
