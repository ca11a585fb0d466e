//! One session in a file of its own (`.handsup`): the data file's own schema, holding that session only, with its media.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{Store, StoreError, DATABASE_FILE};
use crate::deck::pdf::MAX_PDF_BYTES;

/// The most pictures a session file may carry, and their total size.
const MAX_MEDIA_FILES: usize = 2_000;
const MAX_MEDIA_BYTES: u64 = 1024 * 1024 * 1024;

/// A `.handsup` file as read back: the deck the session ran and the images it showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portable {
    /// The session's id, kept from the data folder it came from.
    pub session: i64,
    pub deck_name: String,
    pub deck_text: String,
    /// Each image by the reference the deck gives it (`img/map.png`).
    pub media: Vec<(String, Vec<u8>)>,
}

impl Store {
    /// Writes session `session` alone, with `media`, to `out`. Participants keep
    /// their numbers; their secret ids are replaced, so the file cannot be used to
    /// answer as them. Written beside `out` first, then renamed into place.
    pub fn write_portable(&self, session: i64, out: &Path, media: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let staging = staging_path(out);
        let _ = std::fs::remove_file(&staging);
        self.conn.execute("VACUUM INTO ?1", [staging.display().to_string()])?;
        let written = (|| -> Result<(), StoreError> {
            let mut copy = Connection::open(&staging)?;
            copy.pragma_update(None, "foreign_keys", "ON")?;
            let tx = copy.transaction()?;
            // Nothing of the other sessions, and nothing a retry or a save in progress needs.
            tx.execute_batch("DELETE FROM requests; DELETE FROM pending_discards;")?;
            for statement in [
                "DELETE FROM upvotes WHERE post_id IN (SELECT id FROM posts WHERE session_id <> ?1)
                    OR participant_id IN (SELECT id FROM participants WHERE session_id <> ?1)",
                "DELETE FROM posts WHERE session_id <> ?1",
                "DELETE FROM responses WHERE participant_id IN (SELECT id FROM participants WHERE session_id <> ?1)",
                "DELETE FROM participants WHERE session_id <> ?1",
                "DELETE FROM question_states WHERE session_id <> ?1",
                "DELETE FROM sessions WHERE id <> ?1",
            ] {
                tx.execute(statement, [session])?;
            }
            tx.execute("DELETE FROM decks WHERE id NOT IN (SELECT deck_id FROM sessions)", [])?;
            // The presenter's list of recent decks says where their files are; the blocked words stay.
            tx.execute("DELETE FROM settings WHERE key <> 'blocklist'", [])?;
            tx.execute("UPDATE participants SET public_id = 'exported-' || number", [])?;
            tx.execute("CREATE TABLE media (reference TEXT PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID", [])?;
            for (reference, bytes) in media {
                tx.execute(
                    "INSERT OR REPLACE INTO media (reference, bytes) VALUES (?1, ?2)",
                    rusqlite::params![reference, bytes],
                )?;
            }
            tx.commit()?;
            copy.execute_batch("VACUUM")?;
            copy.pragma_update(None, "journal_mode", "DELETE")?;
            drop(copy);
            std::fs::rename(&staging, out)
                .map_err(|error| StoreError::Corrupt(format!("cannot write {}: {error}", out.display())))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&staging);
        }
        written
    }
}

/// Reads a `.handsup` file without changing it: the deck its session ran and its images.
pub fn read_portable(file: &Path) -> Result<Portable, StoreError> {
    let not_ours = |why: &str| StoreError::Corrupt(format!("{} is not a Handsup session file: {why}", file.display()));
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| StoreError::Open { path: file.to_path_buf(), source })?;
    let intact: String = conn
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(|_| not_ours("it is not a readable SQLite file"))?;
    if intact != "ok" {
        return Err(not_ours(&format!("it is damaged ({intact})")));
    }
    let sessions: i64 = conn
        .query_row("SELECT count(*) FROM sessions", [], |row| row.get(0))
        .map_err(|_| not_ours("it holds no sessions table"))?;
    if sessions != 1 {
        return Err(not_ours(&format!("it holds {sessions} sessions, not one")));
    }
    let (session, deck_name, deck_text): (i64, String, String) = conn
        .query_row(
            "SELECT s.id, coalesce(s.deck_name, d.key), coalesce(s.deck_text, d.source) FROM sessions s JOIN decks d ON d.id = s.deck_id",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| not_ours("its session has no deck"))?;
    // Someone else's file: each picture within a PDF's cap, and all of them within a bound,
    // measured before anything is read into memory.
    let mut statement = conn
        .prepare("SELECT reference, bytes FROM media WHERE length(bytes) <= ?1 ORDER BY reference LIMIT ?2")
        .map_err(|_| not_ours("it has no media table"))?;
    let mut media = Vec::new();
    let mut total: u64 = 0;
    let mut rows = statement.query(rusqlite::params![MAX_PDF_BYTES as i64, MAX_MEDIA_FILES as i64])?;
    while let Some(row) = rows.next()? {
        total += row.get_ref(1)?.as_bytes().map_or(0, |bytes| bytes.len() as u64);
        if total > MAX_MEDIA_BYTES {
            return Err(not_ours("its pictures take more than 1 GiB"));
        }
        media.push((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?));
    }
    Ok(Portable { session, deck_name, deck_text, media })
}

/// Copies a `.handsup` file's database into `data_dir` (which must not hold one
/// yet) and keys its deck as `deck_key`, so opening that deck resumes the session.
pub fn unpack_portable(file: &Path, data_dir: &Path, deck_key: &str) -> Result<(), StoreError> {
    std::fs::create_dir_all(data_dir)
        .map_err(|source| StoreError::CreateDir { path: data_dir.to_path_buf(), source })?;
    let copy = data_dir.join(DATABASE_FILE);
    let source = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| StoreError::Open { path: file.to_path_buf(), source })?;
    source.execute("VACUUM INTO ?1", [copy.display().to_string()])?;
    drop(source);
    let store = Store::open(data_dir)?;
    store.conn.execute("UPDATE decks SET key = ?1", [deck_key])?;
    Ok(())
}

fn staging_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}
