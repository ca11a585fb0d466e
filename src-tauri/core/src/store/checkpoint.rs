//! Keeps the files bounded on a thread of its own, so the writer never stalls on it:
//! WAL checkpoints, and forgetting request ids too old to be retried.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How often the WAL is copied back into the database file.
const EVERY: Duration = Duration::from_millis(500);
/// Request ids are kept this long: a phone re-sends an unacknowledged vote
/// within seconds of reconnecting, never an hour later.
pub const REQUEST_MEMORY_MS: i64 = 60 * 60 * 1000;
/// How often old request ids are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Runs until `stop` is dropped or signalled, then checkpoints once more.
///
/// SQLite's automatic checkpoint runs inside whichever commit crosses the WAL
/// size threshold: a vote would then wait for the database file's fsync. A
/// passive checkpoint on another connection runs beside the writer instead
/// (the writer itself truncates the WAL when it grows too large: see
/// [`super::Store::bound_wal`]).
pub fn run(path: PathBuf, stop: Receiver<()>) {
    let conn = match Connection::open(&path) {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(%error, "cannot open the database for checkpoints; the WAL will grow until restart");
            return;
        }
    };
    let _ = conn.busy_timeout(Duration::from_secs(1));
    let mut pruned = Instant::now();
    loop {
        let stopping = !matches!(stop.recv_timeout(EVERY), Err(RecvTimeoutError::Timeout));
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "checkpoint failed; will retry");
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = Instant::now();
            if let Err(error) = forget_old_requests(&conn, super::now_millis()) {
                tracing::warn!(%error, "cannot forget old request ids; will retry");
            }
        }
        if stopping {
            return;
        }
    }
}

/// Deletes request ids claimed more than [`REQUEST_MEMORY_MS`] before `now`, so the
/// table holds about an hour of votes however long a session runs.
fn forget_old_requests(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM requests WHERE claimed_at < ?1", [now - REQUEST_MEMORY_MS])
}

pub(super) fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::demo_deck;
    use crate::question::Answer;
    use crate::store::Store;

    #[test]
    fn request_ids_are_forgotten_after_an_hour() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path()).expect("store");
        let session = store.open_session("k", &demo_deck(), "", "demo.md", false).expect("session").id;
        let batch = store.batch().expect("batch");
        let phone = batch.participant(session, "old-phone-1").expect("participant");
        assert!(batch.claim_request(phone, "r1", "q", "{}").expect("claim"));
        batch.commit().expect("commit");
        let conn = Connection::open(store.path()).expect("second connection");
        let claimed = super::super::now_millis();
        assert_eq!(forget_old_requests(&conn, claimed + REQUEST_MEMORY_MS - 1000).expect("prune"), 0);
        assert_eq!(forget_old_requests(&conn, claimed + REQUEST_MEMORY_MS + 1000).expect("prune"), 1);
    }

    #[test]
    fn the_wal_stays_bounded_under_continuous_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(dir.path()).expect("store");
        let session = store.open_session("k", &demo_deck(), "", "demo.md", false).expect("session").id;
        let limit = 256 * 1024;
        let (stop, signal) = std::sync::mpsc::channel();
        let database = store.path().to_path_buf();
        let checkpointer = std::thread::spawn(move || run(database, signal));
        let wal = wal_path(store.path());
        let answer = Answer::Choices(vec![1]).to_json();
        let (mut largest, mut round) = (0, 0);
        // Never a pause: the passive checkpoint alone would never catch up. A
        // count of batches, not a time, so a busy machine cannot make it pass emptily.
        while round < 120 {
            let batch = store.batch().expect("batch");
            for n in 0..200 {
                let participant = batch.participant(session, &format!("wal-phone-{round}-{n}")).expect("participant");
                batch.answer(participant, "q", &answer, 0).expect("answer");
            }
            batch.commit().expect("commit");
            // As the writer does after every batch.
            store.bound_wal(limit).expect("bounded");
            round += 1;
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        drop(stop);
        checkpointer.join().expect("checkpointer");
        // One truncation interval's writes over the limit at most.
        assert!(largest < 16 * limit, "the WAL reached {largest} bytes with a limit of {limit}");
    }
}
