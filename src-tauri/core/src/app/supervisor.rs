//! Runs one server at a time, and swaps it when another deck (or the edited one) is opened.

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::edit;
use super::launch::{launch, prepare, prepare_file, Launched, Prepared};
use super::{Config, Control, Controller, DeckFile, Presented, Running};
use crate::error::Error;
use crate::export::Which;
use crate::server::{EditRefusal, SaveDeck};

pub(super) async fn start(mut config: Config) -> Result<Running, Error> {
    let prepared = prepare(&config, &config.deck).await?;
    let file = prepared.file.clone();
    let shutdown = CancellationToken::new();
    // A few queued requests are plenty: they come from one person's menus and editor.
    let (control, inbox) = mpsc::channel(16);
    let controller = Controller { control };
    // Every server this supervisor starts sends the editor's saves here.
    let (saves, saved) = mpsc::channel(4);
    let launched = launch(&config, prepared, shutdown.child_token(), saves.clone()).await?;
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
        controller: controller.clone(),
        shutdown: shutdown.clone(),
        supervisor: tokio::spawn(supervise(
            config,
            launched,
            Inboxes { control: inbox, saved, saves },
            shutdown,
            presented_tx,
        )),
    })
}

/// What the supervisor listens to: the controller's requests and the editor's saves.
struct Inboxes {
    /// Every [`Controller`] clone holds a sender.
    control: mpsc::Receiver<Control>,
    /// Each running server holds a clone of `saves` (its editor API).
    saved: mpsc::Receiver<SaveDeck>,
    saves: mpsc::Sender<SaveDeck>,
}

async fn supervise(
    mut config: Config,
    mut current: Launched,
    mut inboxes: Inboxes,
    shutdown: CancellationToken,
    presented: watch::Sender<Presented>,
) -> Result<(), Error> {
    loop {
        let command = tokio::select! {
            () = shutdown.cancelled() => return current.stop().await,
            command = inboxes.control.recv() => command,
            Some(save) = inboxes.saved.recv() => {
                let counts = current.engine.answer_counts().await.unwrap_or_default();
                let checked = match edit::check(&current.file, &counts, save.request) {
                    Ok(checked) => checked,
                    Err(refusal) => {
                        let _ = save.reply.send(Err(refusal));
                        continue;
                    }
                };
                // Its session is opened before anything is written or stopped: if the
                // store is locked or broken, nothing changes and the editor says why.
                let prepared = match prepare_file(&config, checked.file.clone()).await {
                    Ok(prepared) => prepared,
                    Err(error) => {
                        let message = format!("not saved: Handsup cannot open the deck's session ({error}); the deck on screen stays");
                        let _ = save.reply.send(Err(EditRefusal::Io(message)));
                        continue;
                    }
                };
                if let Err(refusal) = edit::write(&checked).await {
                    let _ = save.reply.send(Err(refusal));
                    continue;
                }
                // The editor hears first: swapping decks stops the server it talks to.
                let _ = save.reply.send(Ok(crate::server::Saved { path: checked.path.clone(), slides: checked.slides }));
                let (next, shown) = swap(&mut config, current, prepared, checked.discard, &shutdown, &inboxes.saves).await?;
                current = next;
                match shown {
                    Ok(file) => show(&presented, file, &current),
                    Err(error) => tracing::error!(%error, "the saved deck could not be put on screen"),
                }
                continue;
            }
        };
        match command {
            // Cannot happen while `controller` is held here; stop cleanly all the same.
            None => return current.stop().await,
            Some(Control::Present { action, reply }) => {
                let engine = current.engine.clone();
                tokio::spawn(async move {
                    let _ = reply.send(engine.present(action).await);
                });
            }
            Some(Control::Export { reply }) => {
                let (data_dir, session) = (config.data_dir.clone(), current.session);
                tokio::spawn(async move {
                    let csv = tokio::task::spawn_blocking(move || crate::export::csv(&data_dir, Which::Id(session)))
                        .await
                        .map_err(|join| Error::Server(std::io::Error::other(join)))
                        .and_then(|csv| csv.map_err(Error::from));
                    let _ = reply.send(csv);
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
                let (next, shown) = swap(&mut config, current, prepared, discard, &shutdown, &inboxes.saves).await?;
                current = next;
                let result = shown.map(|file| show(&presented, file, &current));
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

/// Tells the desktop shell what is on screen now.
fn show(presented: &watch::Sender<Presented>, file: DeckFile, current: &Launched) {
    presented.send_replace(Presented { deck: file.deck, source: file.source, recent: current.recent.clone() });
}

/// Swaps `current` for a server on the prepared deck. A server that cannot start
/// brings the previous deck back; only a failure to bring any server back up is
/// returned as the outer error.
async fn swap(
    config: &mut Config,
    current: Launched,
    prepared: Prepared,
    discard: Vec<String>,
    shutdown: &CancellationToken,
    saves: &mpsc::Sender<SaveDeck>,
) -> Result<(Launched, Result<DeckFile, Error>), Error> {
    let session = current.session;
    // Phones see their socket close with "going away" and come back to the new deck by themselves.
    current.stop().await?;
    // After the old writer stopped: no answer can arrive for a discarded question, and
    // the session is read again with every answer the old server stored.
    let (prepared, settled) = prepared.settle(session, discard).await?;
    match settled {
        Ok(count) => tracing::info!(count, "deck swapped; answers to edited questions discarded"),
        Err(error) => tracing::error!(%error, "cannot settle the session after the swap"),
    }
    let file = prepared.file.clone();
    let source = file.source.clone();
    let previous = std::mem::replace(&mut config.deck, source);
    match launch(config, prepared, shutdown.child_token(), saves.clone()).await {
        Ok(launched) => Ok((launched, Ok(file))),
        Err(error) => {
            config.deck = previous;
            let prepared = prepare(config, &config.deck.clone()).await?;
            let launched = launch(config, prepared, shutdown.child_token(), saves.clone()).await?;
            Ok((launched, Err(error)))
        }
    }
}
