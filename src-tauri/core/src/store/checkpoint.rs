//! Checkpoints the WAL on a thread of its own, so the writer never stalls on one.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

/// How often the WAL is copied back into the database file.
const EVERY: Duration = Duration::from_millis(500);

/// Runs until `stop` is dropped or signalled, then checkpoints once more.
///
/// SQLite's automatic checkpoint runs inside whichever commit crosses the WAL
/// size threshold: a vote would then wait for the database file's fsync. A
/// passive checkpoint on another connection runs beside the writer instead.
pub fn run(path: PathBuf, stop: Receiver<()>) {
    let conn = match Connection::open(&path) {
        Ok(conn) => conn,
        Err(error) => {
            tracing::error!(%error, "cannot open the database for checkpoints; the WAL will grow until restart");
            return;
        }
    };
    let _ = conn.busy_timeout(Duration::from_secs(1));
    loop {
        let stopping = !matches!(stop.recv_timeout(EVERY), Err(RecvTimeoutError::Timeout));
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(%error, "checkpoint failed; will retry");
        }
        if stopping {
            return;
        }
    }
}
