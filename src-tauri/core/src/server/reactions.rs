//! Live reactions: counted in memory, sent to presenter sockets a few times a second, never stored.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::protocol::{encode, ToPresenter};

/// How often the presenter hears the totals (when they changed): a flourish
/// needs no more, and ten thousand phones reacting cost one frame per tick.
pub const PUBLISH_EVERY: Duration = Duration::from_millis(250);
/// The least time between two reactions of one phone; faster ones are dropped.
pub const MIN_GAP: Duration = Duration::from_millis(900);

/// Reactions since this server started, per emoji of the deck. Cheap to clone.
#[derive(Clone)]
pub struct Reactions {
    totals: Arc<[AtomicU64]>,
    /// The publisher task sends; every presenter socket holds a receiver.
    frames: watch::Sender<Option<Utf8Bytes>>,
}

impl Reactions {
    pub fn new(emoji: usize) -> Reactions {
        // Zeros from the start: a page takes its first totals as the baseline, so the
        // first reaction of a talk must arrive as a change, not as that baseline.
        let zeros = vec![0u64; emoji];
        let first = (emoji > 0).then(|| encode(&ToPresenter::Reactions { totals: &zeros }).into());
        Reactions { totals: (0..emoji).map(|_| AtomicU64::new(0)).collect(), frames: watch::Sender::new(first) }
    }

    /// Counts one reaction; false for an index the deck does not have.
    pub fn add(&self, index: usize) -> bool {
        match self.totals.get(index) {
            Some(total) => {
                total.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// The latest `reactions` frame (`None` before the first reaction).
    pub fn subscribe(&self) -> watch::Receiver<Option<Utf8Bytes>> {
        self.frames.subscribe()
    }

    /// Publishes the totals every [`PUBLISH_EVERY`] while they change, until `shutdown`.
    pub async fn publish(self, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(PUBLISH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last: Vec<u64> = vec![0; self.totals.len()];
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            let now: Vec<u64> = self.totals.iter().map(|total| total.load(Ordering::Relaxed)).collect();
            if now != last {
                self.frames.send_replace(Some(encode(&ToPresenter::Reactions { totals: &now }).into()));
                last = now;
            }
        }
    }
}

/// One phone's allowance: a reaction at most every [`MIN_GAP`].
#[derive(Default)]
pub struct ReactionGate {
    last: Option<tokio::time::Instant>,
}

impl ReactionGate {
    pub fn allow(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        if self.last.is_some_and(|last| now - last < MIN_GAP) {
            return false;
        }
        self.last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn totals_are_published_when_they_change_and_a_phone_reacts_once_a_second() {
        let reactions = Reactions::new(3);
        let mut frames = reactions.subscribe();
        assert_eq!(
            frames.borrow_and_update().as_ref().map(|f| f.as_str()),
            Some(r#"{"type":"reactions","totals":[0,0,0]}"#)
        );
        let shutdown = CancellationToken::new();
        let publisher = tokio::spawn(reactions.clone().publish(shutdown.clone()));
        assert!(reactions.add(0) && reactions.add(2) && reactions.add(2));
        assert!(!reactions.add(3), "no such emoji");
        frames.changed().await.expect("published");
        let frame = frames.borrow_and_update().clone().expect("a frame");
        assert_eq!(frame.as_str(), r#"{"type":"reactions","totals":[1,0,2]}"#);
        tokio::time::advance(PUBLISH_EVERY * 4).await;
        assert!(!frames.has_changed().expect("open"), "nothing new, nothing sent");

        let mut gate = ReactionGate::default();
        assert!(gate.allow());
        assert!(!gate.allow());
        tokio::time::advance(MIN_GAP).await;
        assert!(gate.allow());
        shutdown.cancel();
        publisher.await.expect("publisher ends");
    }
}
