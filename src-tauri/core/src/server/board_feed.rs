//! The board's feeds: changed posts to moderation queues, and the room's Q&A list, bounded and paced.

use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use crate::engine::SharedBoard;

/// Moderation queues hear of changed posts this often: a room posting at once
/// costs one frame per tick, holding only what changed.
pub const CHANGES_EVERY: Duration = Duration::from_millis(250);
/// Phones and the projector get the Q&A list at most this often: ten thousand
/// phones on one Wi-Fi share its air time.
pub const QA_EVERY: Duration = Duration::from_secs(2);

/// Frames built from the committed board. Cheap to clone.
#[derive(Clone)]
pub struct BoardFeeds {
    /// `board_changes` frames; each moderation socket holds a receiver (a lagging one starts again from a full `board`).
    changes: broadcast::Sender<Utf8Bytes>,
    /// The latest `qa` frame; every phone and presenter socket holds a receiver.
    qa: watch::Sender<Option<Utf8Bytes>>,
}

impl BoardFeeds {
    pub fn new() -> BoardFeeds {
        BoardFeeds { changes: broadcast::Sender::new(64), qa: watch::Sender::new(None) }
    }

    pub fn changes(&self) -> broadcast::Receiver<Utf8Bytes> {
        self.changes.subscribe()
    }

    pub fn qa(&self) -> watch::Receiver<Option<Utf8Bytes>> {
        self.qa.subscribe()
    }

    /// Takes the board's changes every [`CHANGES_EVERY`] and its Q&A list every
    /// [`QA_EVERY`] (when they changed), until `shutdown`.
    pub async fn publish(self, board: SharedBoard, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(CHANGES_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_qa: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            if let Some(changes) = board.take_changes() {
                let _ = self.changes.send(changes);
            }
            if last_qa.is_none_or(|last| last.elapsed() >= QA_EVERY) {
                if let Some(frame) = board.qa_frame_if_changed() {
                    self.qa.send_replace(Some(frame));
                    last_qa = Some(tokio::time::Instant::now());
                }
            }
        }
    }
}

impl Default for BoardFeeds {
    fn default() -> Self {
        BoardFeeds::new()
    }
}
