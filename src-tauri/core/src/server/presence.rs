//! Who is connected right now: one live socket per participant, counted once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The live socket of each participant. A newer socket replaces an older one:
/// the older is told to close, so a phone that reconnected never leaves a
/// ghost behind, and two tabs cannot both vote.
#[derive(Clone)]
pub struct Presence {
    sockets: Arc<Mutex<HashMap<Arc<str>, Live>>>,
    generations: Arc<AtomicU64>,
    /// Presenter sockets hold the receivers; the latest count wins.
    connected: watch::Sender<usize>,
}

struct Live {
    generation: u64,
    replaced: CancellationToken,
}

/// Marks a participant connected until dropped.
pub struct PresenceGuard {
    presence: Presence,
    participant: Arc<str>,
    generation: u64,
    /// Cancelled when a newer socket of the same participant arrives.
    pub replaced: CancellationToken,
}

impl Presence {
    pub fn new() -> Self {
        Presence { sockets: Arc::default(), generations: Arc::default(), connected: watch::Sender::new(0) }
    }

    pub fn subscribe(&self) -> watch::Receiver<usize> {
        self.connected.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, Live>> {
        self.sockets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn join(&self, participant: Arc<str>) -> PresenceGuard {
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        let replaced = CancellationToken::new();
        {
            let mut sockets = self.lock();
            let live = Live { generation, replaced: replaced.clone() };
            if let Some(older) = sockets.insert(participant.clone(), live) {
                older.replaced.cancel();
            }
            self.publish(&sockets);
        }
        PresenceGuard { presence: self.clone(), participant, generation, replaced }
    }

    /// Every participant connected right now.
    pub fn participants(&self) -> Vec<Arc<str>> {
        self.lock().keys().cloned().collect()
    }

    /// Takes the map as its lock gives it, so a count is published before the lock
    /// is let go: one published after could land behind a newer one, and the
    /// presenter would show a stale count until the next phone came or went.
    fn publish(&self, sockets: &HashMap<Arc<str>, Live>) {
        let count = sockets.len();
        self.connected.send_if_modified(|current| std::mem::replace(current, count) != count);
    }
}

impl Default for Presence {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        let mut sockets = self.presence.lock();
        // A replaced socket leaves the newer one's entry alone.
        if sockets.get(&self.participant).is_some_and(|live| live.generation == self.generation) {
            sockets.remove(&self.participant);
        }
        self.presence.publish(&sockets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_participants_and_a_newer_socket_replaces_the_older() {
        let presence = Presence::new();
        let watcher = presence.subscribe();
        let first = presence.join("aaaaaaaa".into());
        let b = presence.join("bbbbbbbb".into());
        assert_eq!(*watcher.borrow(), 2);
        assert!(!first.replaced.is_cancelled());

        let second = presence.join("aaaaaaaa".into());
        assert!(first.replaced.is_cancelled(), "the older socket is told to go");
        assert!(!second.replaced.is_cancelled());
        assert_eq!(*watcher.borrow(), 2);
        drop(first);
        assert_eq!(*watcher.borrow(), 2, "the replaced socket leaving does not remove the live one");
        drop(second);
        drop(b);
        assert_eq!(*watcher.borrow(), 0);
    }
}
