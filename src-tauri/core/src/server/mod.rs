//! The two HTTP listeners: participant pages and sockets on the LAN, the presenter on loopback.

mod assets;
mod board_feed;
mod editor;
mod guard;
mod history;
mod http;
mod join;
mod language;
mod limits;
mod media;
mod pages;
mod participant;
mod presence;
mod presenter;
mod quiz_close;
mod reactions;
mod remote;
mod room;
mod socket;

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::deck::DeckFile;
use crate::engine::{Engine, Subscriptions};
pub use board_feed::BoardFeeds;
pub use editor::{Answered, EditRefusal, EditorCommand, SaveDeck, SaveRequest, Saved, SetBlocklist};
pub use guard::Refusal;
pub use history::ReviewSession;
pub use join::{JoinAddress, Moved, Networks, NoSuchNetwork, REMEMBERED_INTERFACE};
pub use limits::{Crowd, Identities, Limits, SocketCounter};
pub use media::media_prefix;
pub use pages::PageCache;
pub use presence::Presence;
pub use reactions::Reactions;
pub use remote::RemoteKey;
pub use room::RoomCheck;

/// Something the presenter must know about the app itself, and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: Arc<str>,
    pub at: crate::session::Millis,
}

/// Everything a request handler or socket task needs. Cheap to clone.
#[derive(Clone)]
pub struct ServerState {
    /// The single writer; every socket holds a handle, the writer thread the receiver.
    pub engine: Engine,
    /// Published by the writer after each commit; each socket holds its own receiver.
    pub views: Subscriptions,
    /// Connected participants; presenter sockets watch the count.
    pub presence: Presence,
    /// Where phones join (the QR code's address), followed as the laptop's networks change.
    pub join: JoinAddress,
    /// Phones per address of this computer, and their heartbeat round trips.
    pub room: RoomCheck,
    /// The presenter remote's secret, kept across deck swaps by the supervisor.
    pub remote: RemoteKey,
    /// Open participant sockets, against `limits`.
    pub sockets: SocketCounter,
    /// Participant ids this session knows, and each address's allowance of new ones.
    pub identities: Identities,
    /// The questions that take one participant per address (`voters=one-per-address`),
    /// looked up once per vote.
    pub one_per_address: Arc<std::collections::HashSet<String>>,
    /// Live reactions, counted in memory only.
    pub reactions: Reactions,
    /// Changed posts for moderation queues, and the room's Q&A list.
    pub feeds: BoardFeeds,
    pub limits: Limits,
    /// The presenter's `deck` frame: serialised once at start, sent on every connect.
    pub deck_frame: Utf8Bytes,
    /// The deck file as read, for the editor to write back.
    pub deck_file: Arc<DeckFile>,
    /// The deck's PDF pages, drawn once each and kept in the data folder.
    pub pages: PageCache,
    /// A past session shown again read-only: phones are turned away.
    pub review: Option<crate::protocol::Review>,
    /// The session on screen, and the data folder that holds it and every other.
    pub session: i64,
    pub data_dir: std::path::PathBuf,
    /// The editor's saves, to the app's supervisor, which holds the receiver: it
    /// writes the file and puts the saved deck on screen (stopping this server).
    pub saves: tokio::sync::mpsc::Sender<EditorCommand>,
    /// The presenter's own blocked words, as stored when this server started.
    pub blocklist: Arc<[String]>,
    /// What the presenter must know about the app itself (a server brought back
    /// after it died); the supervisor holds the sender. `None` when all is well.
    pub notices: tokio::sync::watch::Receiver<Option<Notice>>,
    /// The secret in the presenter URL; the presenter listener refuses requests without it.
    pub token: Arc<str>,
    /// Ports the `Host` check accepts on each listener.
    pub participant_port: u16,
    pub presenter_port: u16,
    /// Cancelled once to stop everything; every socket task selects on it.
    pub shutdown: CancellationToken,
    /// Every socket task, so shutdown waits until each has sent its close frame.
    pub tasks: TaskTracker,
}

/// 128 random bits as 32 hex digits: the presenter token and the remote's secret.
pub fn random_secret() -> Result<String, crate::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| crate::Error::Random(error.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The LAN listener's routes: the participant page and socket, and the presenter's remote under its own secret.
pub fn participant_router(state: ServerState) -> Router {
    Router::new()
        .route("/", get(participant_page))
        .route("/ws", get(participant::upgrade))
        .route("/slide/{index}", get(media::phone_slide))
        .route("/remote", get(remote::page))
        .route("/remote/ws", get(remote::upgrade))
        .with_state(state)
}

/// `GET /` on the LAN listener: the phone page, or while a past session is on screen, a line saying so.
async fn participant_page(
    axum::extract::State(state): axum::extract::State<ServerState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let deck_lang = state.deck_file.deck.lang.as_deref();
    if state.review.is_some() {
        assets::ended_page(&headers, deck_lang)
    } else {
        assets::participant_page(&headers, deck_lang)
    }
}

/// The loopback listener's routes: the presenter and editor pages, their files, the editor's API, the socket.
pub fn presenter_router(state: ServerState) -> Router {
    Router::new()
        .route("/", get(presenter::page))
        .route("/ui/{*path}", get(assets::ui))
        .route("/media/{token}/{*path}", get(media::image))
        .route("/editor", get(presenter::editor_page))
        .route("/api/deck", get(editor::read).put(editor::save))
        .route("/api/preview", post(editor::preview))
        .route("/api/kinds", get(editor::kinds))
        .route("/api/check", post(editor::check_deck))
        .route("/api/blocklist", get(editor::blocklist).put(editor::set_blocklist))
        .route("/sessions", get(presenter::sessions_page))
        .route("/api/sessions", get(history::list))
        .route("/api/sessions/{id}", axum::routing::delete(history::delete))
        .route("/api/sessions/{id}/participants/{number}", axum::routing::delete(history::delete_participant))
        .route("/api/sessions/{id}/report", get(history::report))
        .route("/report", get(history::report_on_screen))
        .route("/api/review", post(history::review))
        .route("/ws", get(presenter::upgrade))
        // Every request, not only upgrades: a rebinding page must not read the editor's API.
        .layer(axum::middleware::from_fn_with_state(state.clone(), presenter_host))
        .with_state(state)
}

async fn presenter_host(
    axum::extract::State(state): axum::extract::State<ServerState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match guard::our_host(request.headers(), state.presenter_port) {
        Ok(()) => next.run(request).await,
        Err(refusal) => (axum::http::StatusCode::FORBIDDEN, refusal.to_string()).into_response(),
    }
}

/// Serves both listeners until `state.shutdown` is cancelled, then waits for
/// every socket to close.
pub async fn run(participants: TcpListener, presenter: TcpListener, state: ServerState) -> std::io::Result<()> {
    let shutdown = state.shutdown.clone();
    let tasks = state.tasks.clone();
    let header_timeout = state.limits.header_read_timeout;
    tasks.spawn(state.reactions.clone().publish(shutdown.clone()));
    tasks.spawn(state.feeds.clone().publish(state.views.board.clone(), shutdown.clone()));
    tasks.spawn(quiz_close::run(state.clone()));
    tasks.spawn(state.join.clone().follow(shutdown.clone()));
    tasks.spawn(state.room.clone().publish(shutdown.clone()));
    let lan = http::serve(participants, participant_router(state.clone()), header_timeout, shutdown.clone());
    let local = http::serve(presenter, presenter_router(state), header_timeout, shutdown.clone());
    tokio::join!(lan, local);
    shutdown.cancel();
    // Upgraded sockets outlive their HTTP connection; wait for their close frames.
    tasks.close();
    tasks.wait().await;
    Ok(())
}
