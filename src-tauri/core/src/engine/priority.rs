//! The database threads give way to the socket tasks when both want the processor.

/// How far below normal the writer and checkpoint threads run: the Linux nice
/// value, on which a thread at 10 gets about a tenth of a core that a thread at 0
/// also wants, and all of one that nobody else wants.
#[cfg(target_os = "linux")]
const NICENESS: i32 = 10;

/// Lowers the calling thread's priority, so that when the sockets and the
/// database want the same cores (a slide going out to ten thousand phones while
/// their first votes come in), the slide goes first. A commit waits, it is never
/// skipped: the votes that queue meanwhile go into one larger batch, and each
/// acknowledgement still follows its commit. Elsewhere than Linux, a no-op.
pub(crate) fn give_way_to_sockets() {
    #[cfg(target_os = "linux")]
    {
        // On Linux a nice value belongs to one thread: this one, by its id.
        if let Err(error) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), NICENESS) {
            tracing::debug!(%error, "the writer keeps its normal priority");
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn only_the_calling_thread_gives_way() {
        let own = || rustix::process::getpriority_process(Some(rustix::thread::gettid()));
        let before = own().ok();
        let lowered = std::thread::spawn(move || {
            give_way_to_sockets();
            own().ok()
        })
        .join()
        .ok()
        .flatten();
        // An unprivileged process can lower priority but never raise it back.
        assert_eq!(lowered, before.map(|nice| (nice + NICENESS).min(19)));
        assert_eq!(own().ok(), before, "the other threads keep theirs");
    }
}
