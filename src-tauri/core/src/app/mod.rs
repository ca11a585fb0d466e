//! Starting and stopping Handsup: a supervisor that runs one server at a time and swaps decks.

mod edit;
mod launch;
mod supervisor;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::deck::Deck;
pub use crate::deck::{load_deck, DeckFile, DeckSource};
use crate::error::Error;
use crate::server::Limits;
pub use crate::server::Notice;
use crate::session::PresenterAction;

/// The LAN port when `--port` is not given.
pub const DEFAULT_PORT: u16 = 7070;

/// How to start a server.
#[derive(Debug, Clone)]
pub struct Config {
    pub deck: DeckSource,
    /// The LAN address to listen on; `None` listens on every interface and picks
    /// the best one for the QR code.
    pub bind: Option<IpAddr>,
    /// The LAN port; 0 picks a free one.
    pub port: u16,
    /// Where the SQLite file lives.
    pub data_dir: PathBuf,
    /// Start a new session instead of resuming the deck's last one.
    pub fresh: bool,
    pub limits: Limits,
    /// Show this past session of the data folder read-only instead of the deck's
    /// live one (a portable session file opened to present its results).
    pub review: Option<i64>,
}

/// What is on screen now; the desktop shell follows it for window titles and menus.
#[derive(Debug, Clone)]
pub struct Presented {
    pub deck: Arc<Deck>,
    pub source: DeckSource,
    /// Deck files opened before, most recent first.
    pub recent: Vec<PathBuf>,
}

/// Requests to the supervisor.
enum Control {
    /// `reply` is `None` for a save from the editor, which was answered already.
    Open {
        source: DeckSource,
        discard: Vec<String>,
        reply: Option<oneshot::Sender<Result<(), Error>>>,
    },
    Present {
        action: PresenterAction,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Export {
        format: crate::export::Format,
        out: PathBuf,
        reply: oneshot::Sender<Result<(), Error>>,
    },
    Networks {
        reply: oneshot::Sender<crate::server::Networks>,
    },
    ChooseNetwork {
        interface: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Ends the server task (`"server"`) or the writer thread, as a bug would.
    #[cfg(test)]
    Sabotage(&'static str),
}

/// A cloneable handle that steers the running presentation: the editor's save,
/// the desktop menus and dropped files all go through it.
#[derive(Clone)]
pub struct Controller {
    /// The supervisor task holds the receiver for as long as Handsup runs.
    control: mpsc::Sender<Control>,
}

impl Controller {
    /// Presents another deck (or the same file again after an edit). Answers to
    /// the question ids in `discard` are deleted from the current session first.
    /// A deck that cannot be read is refused and the current one stays up.
    pub async fn open(&self, source: DeckSource, discard: Vec<String>) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        self.control.send(Control::Open { source, discard, reply: Some(reply) }).await.map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)?
    }

    /// Writes the session on screen to `out` as `format` (CSV, workbook, report or portable file).
    pub async fn export(&self, format: crate::export::Format, out: PathBuf) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        self.control.send(Control::Export { format, out, reply }).await.map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)?
    }

    /// The addresses phones might use and the one shown, for the desktop menu.
    pub async fn networks(&self) -> Result<crate::server::Networks, Error> {
        let (reply, answer) = oneshot::channel();
        self.control.send(Control::Networks { reply }).await.map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)
    }

    /// Phones join on this interface's address from now on, as the presenter view's picker does.
    pub async fn choose_network(&self, interface: String) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Error::Stopped.to_string();
        self.control.send(Control::ChooseNetwork { interface, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Moves the slide, opens voting… as the presenter page would.
    pub async fn present(&self, action: PresenterAction) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Error::Stopped.to_string();
        self.control.send(Control::Present { action, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// A running Handsup. Dropping it does not stop it: call [`Running::stop`].
pub struct Running {
    /// What the QR code encodes: the participant page on the LAN.
    pub participant_url: String,
    /// The presenter page on loopback, with the secret token.
    pub presenter_url: String,
    pub database: PathBuf,
    /// Published by the supervisor whenever a deck goes on screen.
    presented: watch::Receiver<Presented>,
    /// Published by the supervisor when the app itself had trouble (a server brought back).
    notices: watch::Receiver<Option<Notice>>,
    controller: Controller,
    shutdown: CancellationToken,
    supervisor: JoinHandle<Result<(), Error>>,
}

impl Running {
    /// The deck on screen now.
    pub fn deck(&self) -> Arc<Deck> {
        self.presented.borrow().deck.clone()
    }

    /// Follows what is on screen (a new deck, an edited one).
    pub fn presented(&self) -> watch::Receiver<Presented> {
        self.presented.clone()
    }

    /// Follows what the presenter must know about the app itself (a server that
    /// died and was brought back), for a dialog in the desktop shell.
    pub fn notices(&self) -> watch::Receiver<Option<Notice>> {
        self.notices.clone()
    }

    pub fn controller(&self) -> Controller {
        self.controller.clone()
    }

    /// A token that stops the server when cancelled (for signal handlers and windows).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until Handsup stops (after [`Running::shutdown_token`] is cancelled),
    /// every socket has closed, and the writer has committed its last batch.
    pub async fn wait(self) -> Result<(), Error> {
        self.supervisor.await.map_err(|join| Error::Server(std::io::Error::other(join)))?
    }

    /// Stops Handsup and waits for it.
    pub async fn stop(self) -> Result<(), Error> {
        self.shutdown.cancel();
        self.wait().await
    }
}

/// The platform's app-data folder for Handsup (falls back to the current folder).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().map(|dir| dir.join("handsup")).unwrap_or_else(|| PathBuf::from("handsup-data"))
}

/// The key a deck's sessions are stored under: its full path, or `builtin:demo`.
fn deck_key(source: &DeckSource) -> String {
    match source {
        DeckSource::Demo => "builtin:demo".to_string(),
        DeckSource::File(path) => std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()).display().to_string(),
    }
}

/// Starts Handsup: both listeners are accepting when this returns.
pub async fn start(config: Config) -> Result<Running, Error> {
    supervisor::start(config).await
}
