//! Runs one server at a time, and swaps it when another deck (or the edited one) is opened.

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::edit;
use super::launch::{launch, prepare, prepare_file, prepare_review, store_blocklist, Launched, Prepared, Shared};
use super::{Config, Control, Controller, DeckFile, Presented, Running};
use crate::error::Error;
use crate::export::Which;
use crate::server::{EditRefusal, EditorCommand, Notice};

pub(super) async fn start(mut config: Config) -> Result<Running, Error> {
    let prepared = match config.review {
        Some(session) => prepare_review(&config, session).await?,
        None => prepare(&config, &config.deck).await?,
    };
    let file = prepared.file.clone();
    let shutdown = CancellationToken::new();
    // A few queued requests are plenty: they come from one person's menus and editor.
    let (control, inbox) = mpsc::channel(16);
    let controller = Controller { control };
    // Every server this supervisor starts sends the editor's saves here.
    let (saves, saved) = mpsc::channel(4);
    let (notices_tx, notices) = watch::channel(None);
    let shared = Shared { saves, notices: notices.clone(), remote: crate::server::RemoteKey::new()? };
    let launched = launch(&config, prepared, shutdown.child_token(), &shared).await?;
    // Later decks come up on the same port (the phones' QR code stays valid) and resume.
    config.port = launched.participant_port;
    config.fresh = false;
    let (presented_tx, presented) =
        watch::channel(Presented { deck: file.deck.clone(), source: file.source, recent: launched.recent.clone() });
    Ok(Running {
        participant_url: launched.participant_url.clone(),
        presenter_url: launched.presenter_url.clone(),
        database: launched.database.clone(),
        presented,
        notices,
        controller: controller.clone(),
        shutdown: shutdown.clone(),
        supervisor: tokio::spawn(supervise(
            config,
            launched,
            Inboxes { control: inbox, saved, shared },
            shutdown,
            Outboxes { presented: presented_tx, notices: notices_tx },
        )),
    })
}

/// What the supervisor listens to: the controller's requests and the editor's saves.
struct Inboxes {
    /// Every [`Controller`] clone holds a sender.
    control: mpsc::Receiver<Control>,
    /// Each running server holds a clone of `shared.saves` (its editor API).
    saved: mpsc::Receiver<EditorCommand>,
    shared: Shared,
}

/// What the supervisor tells the desktop shell and the presenter page.
struct Outboxes {
    /// The desktop shell follows what is on screen (window titles, menus).
    presented: watch::Sender<Presented>,
    /// Presenter sockets and the desktop shell show what went wrong with the app itself.
    notices: watch::Sender<Option<Notice>>,
}

async fn supervise(
    mut config: Config,
    mut current: Launched,
    mut inboxes: Inboxes,
    shutdown: CancellationToken,
    out: Outboxes,
) -> Result<(), Error> {
    loop {
        let command = tokio::select! {
            () = shutdown.cancelled() => return current.stop().await,
            Some(what) = current.ended.recv() => {
                // Nothing cancelled it: the server task or the writer thread died.
                tracing::error!(what, "stopped unexpectedly; bringing the deck back from its file");
                current = restore(&mut config, current, &shutdown, &inboxes.shared).await?;
                let text = format!(
                    "Handsup's {what} stopped unexpectedly and was brought back from the saved answers. Phones reconnect by themselves."
                );
                out.notices.send_replace(Some(Notice { text: text.into(), at: crate::store::now_millis() }));
                continue;
            }
            command = inboxes.control.recv() => command,
            Some(edit) = inboxes.saved.recv() => {
                let set = match edit {
                    EditorCommand::Save(save) => {
                        current = save_deck(&mut config, current, save, &shutdown, &inboxes.shared, &out).await?;
                        continue;
                    }
                    EditorCommand::Blocklist(set) => set,
                    EditorCommand::Review(review) => {
                        current = review_session(&mut config, current, review, &shutdown, &inboxes.shared, &out).await?;
                        continue;
                    }
                };
                // Stored, then the deck goes on screen again: every count and mask follows the new list.
                if let Err(error) = store_blocklist(&config, set.words).await {
                    let _ = set.reply.send(Err(EditRefusal::Io(format!("not saved: {error}"))));
                    continue;
                }
                let prepared = match prepare_file(&config, (*current.file).clone()).await {
                    Ok(prepared) => prepared,
                    Err(error) => {
                        let _ = set.reply.send(Err(EditRefusal::Io(format!("saved, but the deck could not be reloaded: {error}"))));
                        continue;
                    }
                };
                let _ = set.reply.send(Ok(()));
                let (next, shown) = swap(&mut config, current, prepared, Vec::new(), &shutdown, &inboxes.shared).await?;
                current = next;
                if let Ok(file) = shown {
                    show(&out.presented, file, &current);
                }
                continue;
            }
        };
        match command {
            // Cannot happen while `controller` is held here; stop cleanly all the same.
            None => return current.stop().await,
            #[cfg(test)]
            Some(Control::Sabotage(what)) => current.sabotage(what).await,
            Some(Control::Networks { reply }) => {
                let _ = reply.send(current.join.networks());
            }
            Some(Control::ChooseNetwork { interface, reply }) => {
                let (join, engine) = (current.join.clone(), current.engine.clone());
                tokio::spawn(async move {
                    let _ = reply.send(join.choose_and_remember(&engine, interface).await);
                });
            }
            Some(Control::Present { action, reply }) => {
                let engine = current.engine.clone();
                tokio::spawn(async move {
                    let _ = reply.send(engine.present(action).await);
                });
            }
            Some(Control::Export { format, out, reply }) => {
                let (data_dir, session) = (config.data_dir.clone(), current.session);
                tokio::spawn(async move {
                    let written = tokio::task::spawn_blocking(move || {
                        crate::export::write(&data_dir, Which::Id(session), format, &out)
                    })
                    .await
                    .map_err(|join| Error::Server(std::io::Error::other(join)))
                    .and_then(|written| written.map_err(Error::from));
                    let _ = reply.send(written);
                });
            }
            Some(Control::Open { source, discard, reply }) => {
                // Read and open the new deck's session while the current one still serves:
                // a deck that cannot be read, or a store that cannot be written, changes nothing.
                let prepared = match prepare(&config, &source).await {
                    Ok(prepared) => prepared,
                    Err(error) => {
                        if let Some(reply) = reply {
                            let _ = reply.send(Err(error));
                        }
                        continue;
                    }
                };
                let (next, shown) = swap(&mut config, current, prepared, discard, &shutdown, &inboxes.shared).await?;
                current = next;
                let result = shown.map(|file| show(&out.presented, file, &current));
                match reply {
                    Some(reply) => drop(reply.send(result)),
                    None => {
                        if let Err(error) = result {
                            tracing::error!(%error, "the deck could not be opened");
                        }
                    }
                }
            }
        }
    }
}

/// The editor's save: checked against the deck on screen, its session opened and
/// its discards recorded before the file is written, then put on screen.
async fn save_deck(
    config: &mut Config,
    current: Launched,
    save: crate::server::SaveDeck,
    shutdown: &CancellationToken,
    shared: &Shared,
    out: &Outboxes,
) -> Result<Launched, Error> {
    // Without the counts a save could change answered questions unasked: refuse it.
    let Some(counts) = current.engine.answer_counts().await else {
        let message = "not saved: Handsup is restarting its server; try again in a moment".to_string();
        let _ = save.reply.send(Err(EditRefusal::Io(message)));
        return Ok(current);
    };
    let mut checked = match edit::check(&current.file, &counts, save.request) {
        Ok(checked) => checked,
        Err(refusal) => {
            let _ = save.reply.send(Err(refusal));
            return Ok(current);
        }
    };
    // Saved under another name: the deck on screen keeps its file and its answers.
    if current.file.path().is_some_and(|on_screen| on_screen != checked.path) {
        checked.discard.clear();
    }
    // Its session is opened before anything is written or stopped: if the
    // store is locked or broken, nothing changes and the editor says why.
    // The answers this save discards are recorded with it first, so a
    // crash between the file and the discard is settled on the next open.
    let prepared = match prepare_file(config, checked.file.clone()).await {
        Ok(prepared) => prepared.plan_discard(current.session, &checked.discard).await,
        Err(error) => Err(error),
    };
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            let message =
                format!("not saved: Handsup cannot open the deck's session ({error}); the deck on screen stays");
            let _ = save.reply.send(Err(EditRefusal::Io(message)));
            return Ok(current);
        }
    };
    if let Err(refusal) = edit::write(&checked).await {
        let _ = save.reply.send(Err(refusal));
        return Ok(current);
    }
    // The editor hears first: swapping decks stops the server it talks to.
    let _ = save.reply.send(Ok(crate::server::Saved { path: checked.path.clone(), slides: checked.slides }));
    let (next, shown) = swap(config, current, prepared, checked.discard, shutdown, shared).await?;
    match shown {
        Ok(file) => show(&out.presented, file, &next),
        Err(error) => tracing::error!(%error, "the saved deck could not be put on screen"),
    }
    Ok(next)
}

/// Tells the desktop shell what is on screen now.
fn show(presented: &watch::Sender<Presented>, file: DeckFile, current: &Launched) {
    presented.send_replace(Presented { deck: file.deck, source: file.source, recent: current.recent.clone() });
}

/// Puts a past session on screen read-only, or the deck's live session back;
/// the reply says why not when the session or its deck cannot be read.
async fn review_session(
    config: &mut Config,
    current: Launched,
    review: crate::server::ReviewSession,
    shutdown: &CancellationToken,
    shared: &Shared,
    out: &Outboxes,
) -> Result<Launched, Error> {
    if review.session.is_none() && config.review.is_some() {
        let message = "this session was opened from a session file, read-only: there is no live session to go back to";
        let _ = review.reply.send(Err(message.into()));
        return Ok(current);
    }
    // The deck whose live session "back" returns to: never the one a review shows.
    let live = config.deck.clone();
    let prepared = match review.session {
        Some(id) => prepare_review(config, id).await,
        None => prepare(config, &live).await,
    };
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            let _ = review.reply.send(Err(error.to_string()));
            return Ok(current);
        }
    };
    // Answered before the swap, which stops the server the request came through:
    // everything that can fail on the disk has happened by now.
    let _ = review.reply.send(Ok(()));
    let (next, shown) = swap(config, current, prepared, Vec::new(), shutdown, shared).await?;
    if next.review.is_some() {
        config.deck = live;
    }
    match shown {
        Ok(file) => show(&out.presented, file, &next),
        Err(error) => tracing::error!(%error, "the session could not go on screen; the previous one is back"),
    }
    Ok(next)
}

/// Swaps `current` for a server on the prepared deck. A server that cannot start
/// brings the previous deck back (retrying until it is up); only shutting down
/// meanwhile is returned as the outer error.
async fn swap(
    config: &mut Config,
    current: Launched,
    prepared: Prepared,
    discard: Vec<String>,
    shutdown: &CancellationToken,
    shared: &Shared,
) -> Result<(Launched, Result<DeckFile, Error>), Error> {
    let session = current.session;
    let current_review = current.review.map(|review| review.session);
    let current_file = (*current.file).clone();
    // Phones see their socket close with "going away" and come back to the new deck by themselves.
    // A server that died is stopped with an error: the swap goes on all the same.
    if let Err(error) = current.stop().await {
        tracing::warn!(%error, "the previous server stopped with an error");
    }
    // After the old writer stopped: no answer can arrive for a discarded question, and
    // the session is read again with every answer the old server stored.
    let (prepared, settled) = prepared.settle(session, discard).await?;
    match settled {
        Ok(count) => tracing::info!(count, "deck swapped; answers to edited questions discarded"),
        Err(error) => tracing::error!(%error, "cannot settle the session after the swap"),
    }
    let file = prepared.file.clone();
    let source = file.source.clone();
    let previous_file = current_file;
    let previous = std::mem::replace(&mut config.deck, source);
    match launch(config, prepared, shutdown.child_token(), shared).await {
        Ok(launched) => Ok((launched, Ok(file))),
        Err(error) => {
            config.deck = previous;
            let launched = relaunch(config, &previous_file, current_review, shutdown, shared).await?;
            Ok((launched, Err(error)))
        }
    }
}

/// Stops what is left of a server whose task or writer died, and brings its deck back.
async fn restore(
    config: &mut Config,
    dead: Launched,
    shutdown: &CancellationToken,
    shared: &Shared,
) -> Result<Launched, Error> {
    let (file, review) = (dead.file.clone(), dead.review.map(|review| review.session));
    if let Err(error) = dead.stop().await {
        tracing::warn!(%error, "the dead server's remains stopped with an error");
    }
    relaunch(config, &file, review, shutdown, shared).await
}

/// Puts `file` (a deck already read) back on screen from the answers in the
/// store, or past session `review` read-only as it was, trying again with a
/// growing pause until it works or Handsup stops: the room must never be left
/// without a server while the app runs.
async fn relaunch(
    config: &mut Config,
    file: &DeckFile,
    review: Option<i64>,
    shutdown: &CancellationToken,
    shared: &Shared,
) -> Result<Launched, Error> {
    let mut pause = std::time::Duration::from_millis(250);
    loop {
        let prepared = match review {
            Some(session) => prepare_review(config, session).await,
            None => prepare_file(config, file.clone()).await,
        };
        let attempt = match prepared {
            Ok(prepared) => launch(config, prepared, shutdown.child_token(), shared).await,
            Err(error) => Err(error),
        };
        match attempt {
            Ok(launched) => return Ok(launched),
            Err(error) => tracing::error!(%error, ?pause, "cannot bring the deck back yet; trying again"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return Err(Error::Stopped),
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(std::time::Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::app::{DeckSource, Notice};

    async fn page_served(url: &str) -> bool {
        let Some(address) = url.strip_prefix("http://").and_then(|rest| rest.strip_suffix('/')) else { return false };
        let Ok(Ok(mut stream)) =
            tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(address)).await
        else {
            return false;
        };
        let request = format!("GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        if stream.write_all(request.as_bytes()).await.is_err() {
            return false;
        }
        let mut head = [0u8; 12];
        tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut head)).await.is_ok_and(|read| read.is_ok())
            && head.ends_with(b"200")
    }

    async fn brought_back_after(what: &'static str) {
        let data = tempfile::tempdir().expect("tempdir");
        let config = Config {
            deck: DeckSource::Demo,
            bind: Some("127.0.0.1".parse().expect("ip")),
            port: 0,
            data_dir: data.path().to_path_buf(),
            fresh: true,
            limits: crate::server::Limits::default(),
            review: None,
        };
        let running = start(config).await.expect("started");
        let mut notices = running.notices();
        assert!(notices.borrow_and_update().is_none());
        assert!(page_served(&running.participant_url).await, "serving before");

        assert!(running.controller.control.send(Control::Sabotage(what)).await.is_ok());
        tokio::time::timeout(Duration::from_secs(10), notices.changed())
            .await
            .expect("the presenter is told within seconds")
            .expect("the supervisor is alive");
        let notice: Option<Notice> = notices.borrow().clone();
        let text = notice.map(|notice| notice.text.to_string()).unwrap_or_default();
        assert!(text.contains(what) && text.contains("brought back"), "{text}");
        assert!(page_served(&running.participant_url).await, "the same address serves phones again");
        running.controller().present(crate::session::PresenterAction::Next).await.expect("the new writer answers");
        running.stop().await.expect("stops cleanly");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_task_that_dies_is_brought_back_and_the_presenter_told() {
        brought_back_after("server").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_thread_that_dies_is_brought_back_and_the_presenter_told() {
        brought_back_after("writer").await;
    }
}
