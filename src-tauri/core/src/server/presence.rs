//! Who is connected right now: live participants, not sockets.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// Counts connected participants. A participant with two tabs open counts once.
#[derive(Clone)]
pub struct Presence {
    sockets: Arc<Mutex<HashMap<Arc<str>, usize>>>,
    /// Presenter sockets hold the receivers; latest count wins.
    connected: watch::Sender<usize>,
}

/// Marks a participant connected until dropped.
pub struct PresenceGuard {
    presence: Presence,
    participant: Arc<str>,
}

impl Presence {
    pub fn new() -> Self {
        Presence { sockets: Arc::default(), connected: watch::Sender::new(0) }
    }

    pub fn subscribe(&self) -> watch::Receiver<usize> {
        self.connected.subscribe()
    }

    pub fn join(&self, participant: Arc<str>) -> PresenceGuard {
        self.update(|sockets| *sockets.entry(participant.clone()).or_default() += 1);
        PresenceGuard { presence: self.clone(), participant }
    }

    fn update(&self, change: impl FnOnce(&mut HashMap<Arc<str>, usize>)) {
        let count = {
            let mut sockets = self.sockets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            change(&mut sockets);
            sockets.len()
        };
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
        let participant = self.participant.clone();
        self.presence.update(|sockets| {
            if let Some(count) = sockets.get_mut(&participant) {
                *count -= 1;
                if *count == 0 {
                    sockets.remove(&participant);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_participants_not_sockets() {
        let presence = Presence::new();
        let watcher = presence.subscribe();
        let a1 = presence.join("aaaaaaaa".into());
        let a2 = presence.join("aaaaaaaa".into());
        let b = presence.join("bbbbbbbb".into());
        assert_eq!(*watcher.borrow(), 2);
        drop(a1);
        assert_eq!(*watcher.borrow(), 2);
        drop(a2);
        drop(b);
        assert_eq!(*watcher.borrow(), 0);
    }
}
