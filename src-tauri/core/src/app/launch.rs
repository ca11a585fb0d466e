//! One run of the server on one deck: store, writer thread, both listeners.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{deck_key, load_deck, Config, DeckFile, DeckSource};
use crate::deck::{self, Deck};
use crate::engine::Engine;
use crate::error::Error;
use crate::net;
use crate::protocol::{encode, Review, SlideView, ToPresenter};
use crate::question::Audience;
use crate::server::{self, EditorCommand, Identities, Notice, Presence, ServerState, SocketCounter};
use crate::store::{Store, StoredSession};

/// How many deck files the recent list keeps.
const RECENT_DECKS: usize = 8;

/// A server running on one deck. The supervisor owns it and stops it to swap decks.
pub(super) struct Launched {
    pub participant_url: String,
    pub presenter_url: String,
    pub database: PathBuf,
    /// The LAN port actually bound, so the next deck comes up on the same one.
    pub participant_port: u16,
    pub session: i64,
    /// Set when `session` is a past one shown again read-only.
    pub review: Option<Review>,
    pub recent: Vec<PathBuf>,
    /// The deck on screen, as read: the editor's saves are checked against it.
    pub file: Arc<DeckFile>,
    /// For presenter actions from the desktop menus; dropped before the writer is joined.
    pub engine: Engine,
    /// Where phones join, for the desktop menu's network list.
    pub join: server::JoinAddress,
    /// Each of the server task and the writer thread says here when it ends, by
    /// its name. While the server runs, a message means one of them died.
    pub ended: mpsc::Receiver<&'static str>,
    shutdown: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    writer: std::thread::JoinHandle<()>,
}

#[cfg(test)]
impl Launched {
    /// Ends the server task or the writer thread as a bug would, to test the supervisor.
    pub async fn sabotage(&self, what: &str) {
        match what {
            "server" => self.server.abort(),
            _ => self.engine.kill_writer().await,
        }
    }
}

/// Sends its name on `ended` when dropped: at the end of a task or thread, a panic included.
struct EndNotice {
    /// The supervisor holds the receiver ([`Launched::ended`]).
    ended: mpsc::Sender<&'static str>,
    what: &'static str,
}

impl Drop for EndNotice {
    fn drop(&mut self) {
        let _ = self.ended.try_send(self.what);
    }
}

impl Launched {
    /// Closes every socket (each with its close frame), then waits for the writer's last commit.
    pub async fn stop(self) -> Result<(), Error> {
        self.shutdown.cancel();
        let served = self.server.await.map_err(|join| Error::Server(std::io::Error::other(join)));
        drop(self.ended);
        // The writer ends once the last engine handle is gone: the server's are, now ours.
        drop(self.engine);
        let writer = self.writer;
        let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        served??;
        Ok(())
    }
}

/// What every server the supervisor starts shares with it.
pub(super) struct Shared {
    /// The supervisor reads the editor's saves from the other end.
    pub saves: mpsc::Sender<EditorCommand>,
    /// The supervisor publishes what the presenter must know (a server brought
    /// back after it died); presenter sockets and the desktop shell watch it.
    pub notices: watch::Receiver<Option<Notice>>,
    /// The presenter remote's secret: one per app run, so a deck swap keeps the remote paired.
    pub remote: server::RemoteKey,
}

/// A deck ready to go on screen: its file read, its store open and its session
/// written. Everything that can fail on the disk happens here, before any
/// running server is stopped for it.
pub(super) struct Prepared {
    pub file: DeckFile,
    /// A past session shown again read-only (`None`: the deck's live session).
    pub review: Option<Review>,
    store: Store,
    stored: StoredSession,
    recent: Vec<PathBuf>,
}

impl Prepared {
    /// Called once the old server has stopped: deletes `session`'s answers to
    /// `discard` (questions the editor changed), then reads this deck's session
    /// again, which may have taken answers since it was prepared. The deck is
    /// handed back whatever happens, so it can still go on screen.
    pub async fn settle(
        mut self,
        session: i64,
        discard: Vec<String>,
    ) -> Result<(Prepared, Result<usize, Error>), Error> {
        tokio::task::spawn_blocking(move || {
            // Another program holding the lock usually lets go: three tries (each waits
            // out the 5 s busy timeout). The plan recorded with the save stays until a
            // discard succeeds, so old answers never meet the new options, even across
            // a restart.
            let mut discarded = Ok(0);
            if !discard.is_empty() {
                for attempt in 0..3 {
                    discarded = self.store.discard_answers(session, &discard);
                    if discarded.is_ok() {
                        break;
                    }
                    tracing::warn!(attempt, "cannot discard the edited questions' answers yet; trying again");
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
            }
            // Read again whatever happened: answers stored since the deck was prepared count.
            let reloaded = self.store.load_session(self.stored.id).map(|stored| self.stored = stored);
            let settled = discarded.and_then(|count| reloaded.map(|()| count));
            (self, settled.map_err(Error::from))
        })
        .await
        .map_err(|join| Error::Server(std::io::Error::other(join)))
    }
}

impl Prepared {
    /// Records in the store, before the editor writes the deck file, that
    /// `session`'s answers to `discard` go with this save (see [`Store::plan_discard`]).
    /// On failure the save must not go ahead.
    pub async fn plan_discard(mut self, session: i64, discard: &[String]) -> Result<Prepared, Error> {
        if discard.is_empty() {
            return Ok(self);
        }
        let discard = discard.to_vec();
        tokio::task::spawn_blocking(move || {
            self.store.plan_discard(session, &self.file.text, &discard)?;
            Ok(self)
        })
        .await
        .map_err(|join| Error::Server(std::io::Error::other(join)))?
    }
}

/// Reads `source` and opens its session (blocking work, off the async threads).
pub(super) async fn prepare(config: &Config, source: &DeckSource) -> Result<Prepared, Error> {
    prepare_file(config, load_deck(source)?).await
}

/// Opens the session of a deck already read (or about to be written).
pub(super) async fn prepare_file(config: &Config, file: DeckFile) -> Result<Prepared, Error> {
    let data_dir = config.data_dir.clone();
    let fresh = config.fresh;
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        let (store, stored, recent) = open_store(&data_dir, &mut file, fresh)?;
        Ok(Prepared { file, review: None, store, stored, recent })
    })
    .await
    .map_err(|join| Error::Server(std::io::Error::other(join)))?
}

/// Opens session `id` of the data folder read-only, on the deck text it ran: the
/// file it came from keeps its folder (for images and PDF pages) but not its
/// text, which may have changed since.
pub(super) async fn prepare_review(config: &Config, id: i64) -> Result<Prepared, Error> {
    let data_dir = config.data_dir.clone();
    let live_session = config.review.is_none();
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&data_dir)?;
        let missing = || Error::Review(format!("there is no session {id} in this data folder"));
        let session = store.export_session(id)?.ok_or_else(missing)?;
        let key = store.session_deck_key(id)?.ok_or_else(missing)?;
        let source =
            if key == deck_key(&DeckSource::Demo) { DeckSource::Demo } else { DeckSource::File(PathBuf::from(&key)) };
        let mut deck = deck::parse_deck(&session.deck_name, &session.deck_text)
            .map_err(|error| Error::Review(format!("session {id}'s deck no longer reads: {error}")))?;
        deck.add_blocklist(&store.presenter_blocklist()?);
        let file = DeckFile { source, text: session.deck_text, deck: Arc::new(deck) };
        let stored = store.load_session(id)?;
        let recent = store.setting("recent_decks")?.unwrap_or_default().lines().map(PathBuf::from).collect();
        // A session file opened to show its results has no live session to go back to.
        let review = Some(Review { session: id, started_at: session.started_at, live: live_session });
        Ok(Prepared { file, review, store, stored, recent })
    })
    .await
    .map_err(|join| Error::Server(std::io::Error::other(join)))?
}

/// Starts a server on a prepared deck: both listeners are accepting when this returns.
/// `shutdown` stops it; the editor's saves go to the supervisor through `shared`.
pub(super) async fn launch(
    config: &Config,
    prepared: Prepared,
    shutdown: CancellationToken,
    shared: &Shared,
) -> Result<Launched, Error> {
    let Prepared { file, review, store, mut stored, recent } = prepared;
    if review.is_some() {
        // A question the past session never reached stays closed: reaching it now would open voting.
        for question in file.deck.questions() {
            let closed = crate::session::QuestionState { voting_open: false, ..Default::default() };
            stored.questions.entry(question.id.clone()).or_insert(closed);
        }
    }
    let file = &file;
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
        _ => server::random_secret()?,
    };
    // Written only when they change, so that a deck swap needs no write here.
    store.set_setting_if_changed("presenter_token", &token)?;
    store.set_setting_if_changed("presenter_port", &presenter_port.to_string())?;

    let remembered = store.setting(server::REMEMBERED_INTERFACE)?;
    let join = server::JoinAddress::new(participant_port, config.bind, remembered, net::list());
    let participant_url = join.url();
    if !join.on_a_network() {
        // Not fatal: the address is looked at again every few seconds, and the QR code follows.
        tracing::warn!("no network interface found: phones can join once the laptop is on the room's Wi-Fi");
    }
    let presenter_url = format!("http://127.0.0.1:{presenter_port}/?token={token}");

    let session = stored.id;
    // Phones the session already knows come back freely after a restart or a deck swap.
    let identities = Identities::new(store.participant_ids(session)?);
    let presenter_words = store.presenter_blocklist()?;
    // The deck's PDF pages are drawn ahead, from the slide on screen on, and kept.
    let pages = server::PageCache::new(config.data_dir.join("page-cache"));
    if let Some(folder) = file.folder() {
        let (pages, deck, first, stop) = (pages.clone(), file.deck.clone(), stored.slide, shutdown.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = pages.prepare(&deck, &folder, first) => {}
            }
        });
    }
    let (engine, views, writer) = Engine::start(store, file.deck.clone(), stored);
    // A past session takes no answers: the engine refuses to open it, and phones are turned away.
    let engine = if review.is_some() { engine.read_only() } else { engine };
    let state = ServerState {
        engine: engine.clone(),
        views,
        presence: Presence::new(),
        join: join.clone(),
        room: server::RoomCheck::new(),
        remote: shared.remote.clone(),
        sockets: SocketCounter::default(),
        identities,
        one_per_address: Arc::new(file.deck.questions().filter(|q| q.one_per_address).map(|q| q.id.clone()).collect()),
        reactions: server::Reactions::new(file.deck.reactions.len()),
        feeds: server::BoardFeeds::new(),
        limits: config.limits.clone(),
        deck_frame: deck_frame(&file.deck, &token, review).into(),
        review,
        session,
        data_dir: config.data_dir.clone(),
        deck_file: Arc::new(file.clone()),
        pages: pages.clone(),
        saves: shared.saves.clone(),
        blocklist: presenter_words.into(),
        notices: shared.notices.clone(),
        token: token.into(),
        participant_port,
        presenter_port,
        shutdown: shutdown.clone(),
        tasks: TaskTracker::new(),
    };
    let (notify, ended) = mpsc::channel(2);
    let server_notice = EndNotice { ended: notify.clone(), what: "server" };
    let server = tokio::spawn(async move {
        let _notice = server_notice;
        server::run(participants, presenter, state).await
    });
    // The writer thread is joined by a small thread of its own, so that its end
    // (a panic past the writer's own recovery included) is heard at once.
    let writer_notice = EndNotice { ended: notify, what: "writer" };
    let writer = std::thread::Builder::new()
        .name("handsup-writer-watch".into())
        .spawn(move || {
            let _notice = writer_notice;
            let _ = writer.join();
        })
        .map_err(Error::Server)?;
    Ok(Launched {
        participant_url,
        presenter_url,
        database,
        participant_port,
        session,
        review,
        recent,
        file: Arc::new(file.clone()),
        engine,
        join,
        ended,
        shutdown,
        server,
        writer,
    })
}

/// Stores the presenter's blocked words.
pub(super) async fn store_blocklist(config: &Config, words: Vec<String>) -> Result<(), Error> {
    let data_dir = config.data_dir.clone();
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&data_dir)?;
        store.set_presenter_blocklist(&words)?;
        Ok(())
    })
    .await
    .map_err(|join| Error::Server(std::io::Error::other(join)))?
}

/// Opens the store and the deck's session, and puts the deck first in the recent list.
fn open_store(
    data_dir: &Path,
    file: &mut DeckFile,
    fresh: bool,
) -> Result<(Store, StoredSession, Vec<PathBuf>), Error> {
    let mut store = Store::open(data_dir)?;
    // The presenter's own words join the deck's filter before anything is counted.
    // Always rebuilt, so a list emptied since the deck was read takes its words away too.
    let words = store.presenter_blocklist()?;
    let mut deck = (*file.deck).clone();
    deck.add_blocklist(&words);
    file.deck = Arc::new(deck);
    let stored = store.open_session(&deck_key(&file.source), &file.deck, &file.text, &file.name(), fresh)?;
    let mut recent: Vec<PathBuf> =
        store.setting("recent_decks")?.unwrap_or_default().lines().map(PathBuf::from).collect();
    if let DeckSource::File(path) = &file.source {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        recent.retain(|known| *known != path);
        recent.insert(0, path);
        recent.truncate(RECENT_DECKS);
        let lines: Vec<String> = recent.iter().map(|path| path.display().to_string()).collect();
        store.set_setting("recent_decks", &lines.join("\n"))?;
    }
    Ok((store, stored, recent))
}

fn deck_frame(deck: &Deck, token: &str, review: Option<Review>) -> String {
    let media = crate::server::media_prefix(token);
    let slides = deck
        .slides
        .iter()
        .enumerate()
        .map(|(index, slide)| SlideView {
            index,
            html: deck::markdown_to_html(&slide.body, &media),
            notes: &slide.notes,
            question: slide.question.as_ref().map(|question| question.view(Audience::Presenter)),
            qa: slide.qa,
            scores: slide.scores,
        })
        .collect();
    encode(&ToPresenter::Deck { title: &deck.title, slides, reactions: &deck.reactions, review })
}
