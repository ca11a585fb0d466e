//! Starting and stopping a whole Handsup server: deck, store, writer, listeners.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::deck::{self, Deck};
use crate::engine::Engine;
use crate::error::Error;
use crate::protocol::{encode, JoinView, QuestionView, SlideView, ToPresenter};
use crate::server::{self, Limits, Presence, ServerState, SocketCounter};
use crate::store::Store;
use crate::{net, qr};

/// The LAN port when `--port` is not given.
pub const DEFAULT_PORT: u16 = 7070;

/// Which deck to present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeckSource {
    Demo,
    File(PathBuf),
}

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
}

/// A running server. Dropping it does not stop it: call [`Running::stop`].
pub struct Running {
    /// What the QR code encodes: the participant page on the LAN.
    pub participant_url: String,
    /// The presenter page on loopback, with the secret token.
    pub presenter_url: String,
    pub database: PathBuf,
    pub deck: Arc<Deck>,
    shutdown: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    writer: std::thread::JoinHandle<()>,
}

impl Running {
    /// A token that stops the server when cancelled (for signal handlers and windows).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Waits until the server stops (after [`Running::shutdown_token`] is cancelled),
    /// every socket has closed, and the writer has committed its last batch.
    pub async fn wait(self) -> Result<(), Error> {
        let served = self.server.await.map_err(|join| Error::Server(std::io::Error::other(join)));
        // The writer ends once the last engine handle (held by the server) is gone.
        let writer = self.writer;
        let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        served??;
        Ok(())
    }

    /// Stops the server and waits for it.
    pub async fn stop(self) -> Result<(), Error> {
        self.shutdown.cancel();
        self.wait().await
    }
}

/// The platform's app-data folder for Handsup (falls back to the current folder).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().map(|dir| dir.join("handsup")).unwrap_or_else(|| PathBuf::from("handsup-data"))
}

/// Loads the deck named by `source`, with the key its sessions are stored under.
pub fn load_deck(source: &DeckSource) -> Result<(Deck, String, String), Error> {
    match source {
        DeckSource::Demo => Ok((deck::demo_deck(), "builtin:demo".to_string(), deck::DEMO_DECK.to_string())),
        DeckSource::File(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|source| Error::ReadDeck { path: path.clone(), source })?;
            let deck = deck::parse_deck(&path.display().to_string(), &text)?;
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()).display().to_string();
            Ok((deck, key, text))
        }
    }
}

/// Starts a server: both listeners are accepting when this returns.
pub async fn start(config: Config) -> Result<Running, Error> {
    let (deck, key, source) = load_deck(&config.deck)?;
    let deck = Arc::new(deck);
    let data_dir = config.data_dir.clone();
    let fresh = config.fresh;
    let opened_deck = deck.clone();
    let (store, stored) =
        tokio::task::spawn_blocking(move || open_store(&data_dir, &key, &opened_deck, &source, fresh))
            .await
            .map_err(|join| Error::Server(std::io::Error::other(join)))??;
    let database = store.path().to_path_buf();

    let lan_ip = config.bind.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let lan_addr = SocketAddr::new(lan_ip, config.port);
    let participants = net::bind(lan_addr).map_err(|source| Error::Bind {
        addr: lan_addr,
        hint: if source.kind() == std::io::ErrorKind::AddrInUse {
            " (another program, or another Handsup, uses this port: choose another with --port)"
        } else {
            ""
        },
        source,
    })?;
    // The presenter's token and port outlive a restart, so a presenter page left
    // open in a browser reconnects by itself after a crash, like the phones.
    let previous_port = store.setting("presenter_port")?.and_then(|port| port.parse::<u16>().ok()).unwrap_or(0);
    let presenter = net::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, previous_port))).or_else(|_| {
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        net::bind(loopback).map_err(|source| Error::Bind { addr: loopback, source, hint: "" })
    })?;
    let participant_port = participants.local_addr()?.port();
    let presenter_port = presenter.local_addr()?.port();
    let token = match store.setting("presenter_token")? {
        Some(token) if token.len() == 32 => token,
        _ => random_token()?,
    };
    store.set_setting("presenter_token", &token)?;
    store.set_setting("presenter_port", &presenter_port.to_string())?;

    let participant_url = format!("http://{}/", url_host(config.bind, participant_port));
    let presenter_url = format!("http://127.0.0.1:{presenter_port}/?token={token}");
    let qr_svg = qr::qr_svg(&participant_url).map_err(|error| Error::Qr(error.to_string()))?;

    let (engine, views, writer) = Engine::start(store, deck.clone(), stored);
    let shutdown = CancellationToken::new();
    let state = ServerState {
        engine,
        views,
        presence: Presence::new(),
        sockets: SocketCounter::default(),
        limits: config.limits.clone(),
        deck_frame: deck_frame(&deck, &participant_url, &qr_svg).into(),
        token: token.into(),
        participant_port,
        presenter_port,
        shutdown: shutdown.clone(),
        tasks: TaskTracker::new(),
    };
    let server = tokio::spawn(server::run(participants, presenter, state));
    Ok(Running { participant_url, presenter_url, database, deck, shutdown, server, writer })
}

fn open_store(
    data_dir: &Path,
    key: &str,
    deck: &Deck,
    source: &str,
    fresh: bool,
) -> Result<(Store, crate::store::StoredSession), Error> {
    let mut store = Store::open(data_dir)?;
    let stored = store.open_session(key, deck, source, fresh)?;
    Ok((store, stored))
}

/// The host part of the participant URL: the bound address, or the best LAN address.
fn url_host(bind: Option<IpAddr>, port: u16) -> String {
    let ip = match bind {
        Some(ip) if !ip.is_unspecified() => ip,
        _ => match net::lan_address() {
            Some(ip) => IpAddr::V4(ip),
            None => {
                tracing::warn!(
                    "no network interface found: phones cannot join until the laptop is on the room's Wi-Fi"
                );
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            }
        },
    };
    SocketAddr::new(ip, port).to_string()
}

fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| Error::Random(error.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn deck_frame(deck: &Deck, url: &str, qr_svg: &str) -> String {
    let slides = deck
        .slides
        .iter()
        .enumerate()
        .map(|(index, slide)| SlideView {
            index,
            html: deck::markdown_to_html(&slide.body),
            notes: &slide.notes,
            question: slide.question.as_ref().map(QuestionView::from),
        })
        .collect();
    encode(&ToPresenter::Deck { title: &deck.title, slides, join: JoinView { url, qr_svg, network: None } })
}
