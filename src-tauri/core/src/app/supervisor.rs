//! Runs one server at a time, and swaps it when another deck (or the edited one) is opened.

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::edit;
use super::launch::{launch, Launched};
use super::{load_deck, Config, Control, Controller, DeckFile, DeckSource, Presented, Running};
use crate::error::Error;
use crate::export::Which;
use crate::server::SaveDeck;
use crate::store::Store;

pub(super) async fn start(mut config: Config) -> Result<Running, Error> {
    let file = load_deck(&config.deck)?;
    let shutdown = CancellationToken::new();
    // A few queued requests are plenty: they come from one person's menus and editor.
    let (control, inbox) = mpsc::channel(16);
    let controller = Controller { control };
    // Every server this supervisor starts sends the editor's saves here.
    let (saves, saved) = mpsc::channel(4);
    let launched = launch(&config, &file, shutdown.child_token(), saves.clone()).await?;
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
                match edit::save(&current.file, &counts, save.request).await {
                    Ok(saved) => {
                        // The editor hears first: swapping decks stops the server it talks to.
                        let _ = save.reply.send(Ok(crate::server::Saved { path: saved.path.clone(), slides: saved.slides }));
                        Some(Control::Open { source: DeckSource::File(saved.path), discard: saved.discard, reply: None })
                    }
                    Err(refusal) => {
                        let _ = save.reply.send(Err(refusal));
                        continue;
                    }
                }
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
                let (next, opened) = reopen(&mut config, current, source, discard, &shutdown, &inboxes.saves).await?;
                current = next;
                let result = opened.map(|file| {
                    presented.send_replace(Presented {
                        deck: file.deck,
                        source: file.source,
                        recent: current.recent.clone(),
                    });
                });
                match reply {
                    Some(reply) => drop(reply.send(result)),
                    None => {
                        if let Err(error) = result {
                            tracing::error!(%error, "the saved deck could not be opened");
                        }
                    }
                }
            }
        }
    }
}

/// Swaps `current` for a server on `source`. A deck that cannot be read leaves
/// `current` running; a server that cannot start brings the previous deck back.
/// Only a failure to bring any server back up is returned as the outer error.
async fn reopen(
    config: &mut Config,
    current: Launched,
    source: DeckSource,
    discard: Vec<String>,
    shutdown: &CancellationToken,
    saves: &mpsc::Sender<SaveDeck>,
) -> Result<(Launched, Result<DeckFile, Error>), Error> {
    let file = match load_deck(&source) {
        Ok(file) => file,
        Err(error) => return Ok((current, Err(error.into()))),
    };
    let session = current.session;
    // Phones see their socket close with "going away" and come back to the new deck by themselves.
    current.stop().await?;
    if !discard.is_empty() {
        let data_dir = config.data_dir.clone();
        let discarded = tokio::task::spawn_blocking(move || Store::open(&data_dir)?.discard_answers(session, &discard))
            .await
            .map_err(|join| Error::Server(std::io::Error::other(join)))?;
        match discarded {
            Ok(count) => tracing::info!(count, "answers to edited questions discarded"),
            Err(error) => tracing::error!(%error, "cannot discard the answers to edited questions"),
        }
    }
    let previous = std::mem::replace(&mut config.deck, source);
    match launch(config, &file, shutdown.child_token(), saves.clone()).await {
        Ok(launched) => Ok((launched, Ok(file))),
        Err(error) => {
            config.deck = previous;
            let file = load_deck(&config.deck)?;
            let launched = launch(config, &file, shutdown.child_token(), saves.clone()).await?;
            Ok((launched, Err(error)))
        }
    }
}
