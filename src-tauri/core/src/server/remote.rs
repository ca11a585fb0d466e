//! The presenter's phone as a remote: its page and socket on the LAN listener, under a secret of its own.
//!
//! The secret is not the presenter token (which also unlocks the editor's file
//! writes): it can only move the slides, open and close voting, show results,
//! black the screen, run the timer and read the speaker notes. It is made anew
//! each time the app starts, survives deck swaps, and the presenter view revokes
//! it (a new secret; paired remotes are closed).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::watch;

use super::limits::RateLimit;
use super::presenter::constant_time_eq;
use super::socket::{self, close, SocketError};
use super::{guard, ServerState};
use crate::protocol::{encode, ErrorCode, PresenterMessage, ToRemote, Voting};
use crate::session::PresenterAction;

/// Wrong secrets an address may send in [`FAILURE_WINDOW`] before it is refused outright.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Remotes paired at once: the speaker's phone and a spare, a co-presenter's.
const MAX_REMOTES: usize = 3;
/// Closed because the presenter revoked the secret: the page asks to scan the new code.
pub const REVOKED: u16 = 4003;

/// The remote's secret, who failed to guess it, and who is paired. Cheap to clone;
/// the supervisor makes one per app run and hands it to every server it starts.
#[derive(Clone)]
pub struct RemoteKey {
    inner: Arc<Inner>,
}

struct Inner {
    /// Std mutexes: held to read or replace, never across an await.
    secret: Mutex<String>,
    failures: Mutex<HashMap<IpAddr, Vec<Instant>>>,
    /// Bumped on every revocation: remote sockets watch it and close; presenter
    /// views watch it and draw the new code.
    generation: watch::Sender<u64>,
    /// Paired remotes now; presenter views show the count.
    paired: watch::Sender<usize>,
}

/// A remote counted as paired until dropped.
struct Paired(RemoteKey);

impl Drop for Paired {
    fn drop(&mut self) {
        self.0.inner.paired.send_modify(|paired| *paired = paired.saturating_sub(1));
    }
}

/// Why a pairing was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    WrongSecret,
    TooManyTries,
    TooManyRemotes,
}

impl RemoteKey {
    pub fn new() -> Result<Self, crate::Error> {
        Ok(RemoteKey {
            inner: Arc::new(Inner {
                secret: Mutex::new(super::random_secret()?),
                failures: Mutex::default(),
                generation: watch::Sender::new(0),
                paired: watch::Sender::new(0),
            }),
        })
    }

    /// The secret the presenter view's QR code carries.
    pub fn secret(&self) -> String {
        lock(&self.inner.secret).clone()
    }

    /// A new secret: the old one stops working and every paired remote is closed.
    pub fn revoke(&self) -> Result<(), crate::Error> {
        *lock(&self.inner.secret) = super::random_secret()?;
        self.inner.generation.send_modify(|generation| *generation += 1);
        Ok(())
    }

    /// The revocation count, now and on every change.
    pub fn generations(&self) -> watch::Receiver<u64> {
        self.inner.generation.subscribe()
    }

    /// Paired remotes, now and on every change.
    pub fn paired(&self) -> watch::Receiver<usize> {
        self.inner.paired.subscribe()
    }

    /// Checks a pairing from `peer`. Too many wrong secrets from one address in a
    /// minute and it is refused without a look, so guessing costs a minute per five.
    fn pair(&self, peer: IpAddr, secret: &str) -> Result<Paired, Refused> {
        let now = Instant::now();
        {
            let mut failures = lock(&self.inner.failures);
            failures.retain(|_, times| {
                times.retain(|at| now.duration_since(*at) < FAILURE_WINDOW);
                !times.is_empty()
            });
            if failures.get(&peer).is_some_and(|times| times.len() >= MAX_FAILURES) {
                return Err(Refused::TooManyTries);
            }
            if !constant_time_eq(secret.as_bytes(), lock(&self.inner.secret).as_bytes()) {
                failures.entry(peer).or_default().push(now);
                return Err(Refused::WrongSecret);
            }
        }
        let mut admitted = false;
        self.inner.paired.send_if_modified(|paired| {
            admitted = *paired < MAX_REMOTES;
            *paired += usize::from(admitted);
            admitted
        });
        if admitted {
            Ok(Paired(self.clone()))
        } else {
            Err(Refused::TooManyRemotes)
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a remote sends first: `{"type": "pair", "secret": "…"}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum Pairing {
    Pair { secret: String },
}

/// What a remote sends: its pairing first, then the presenter's own commands (those it may use).
#[derive(Debug)]
enum FromRemote {
    Pair(String),
    Command(PresenterMessage),
}

fn decode(text: &str) -> Option<FromRemote> {
    if let Ok(Pairing::Pair { secret }) = serde_json::from_str(text) {
        return Some(FromRemote::Pair(secret));
    }
    crate::protocol::decode_presenter(text).ok().map(FromRemote::Command)
}

/// The session action a remote may take; `None` for everything else the presenter
/// socket accepts (moderation, Q&A, renaming, the network, the remote itself).
fn allowed(message: PresenterMessage) -> Option<PresenterAction> {
    use PresenterMessage as M;
    let remote_may = matches!(
        message,
        M::Next {}
            | M::Previous {}
            | M::OpenVoting {}
            | M::CloseVoting {}
            | M::ShowResults {}
            | M::HideResults {}
            | M::SetBlack { .. }
            | M::StartTimer { .. }
            | M::AddTime { .. }
            | M::StopTimer {}
    );
    remote_may.then(|| super::presenter::action(message)).flatten()
}

/// `GET /remote`: the remote's page. It holds no secret; the QR code's fragment does.
pub async fn page(headers: HeaderMap) -> Response {
    super::assets::remote_page(&headers)
}

/// `GET /remote/ws`: the remote's socket. The secret comes in its first frame, never in a URL.
pub async fn upgrade(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Err(refusal) = guard::same_origin(&headers, state.participant_port) {
        return (StatusCode::FORBIDDEN, refusal.to_string()).into_response();
    }
    let tasks = state.tasks.clone();
    socket::limited(upgrade, socket::MAX_PHONE_FRAME).on_upgrade(move |socket| {
        tasks.track_future(async move {
            match run(socket, state, peer.ip()).await {
                Ok(()) => tracing::debug!("remote socket closed"),
                Err(error) => tracing::debug!(%error, "remote socket ended"),
            }
        })
    })
}

fn error(code: ErrorCode, message: &str) -> String {
    encode(&ToRemote::Error { code, message })
}

async fn run(mut socket: WebSocket, state: ServerState, peer: IpAddr) -> Result<(), SocketError> {
    let key = state.remote.clone();
    // Subscribed before pairing: a revocation from here on closes this socket.
    let mut generations = key.generations();
    generations.borrow_and_update();
    let secret = match tokio::time::timeout(state.limits.hello_deadline, first_text(&mut socket)).await {
        Ok(Some(text)) => match decode(&text) {
            Some(FromRemote::Pair(secret)) => secret,
            _ => {
                socket::close(&mut socket, close::POLICY, "pair expected").await;
                return Err(SocketError::Refused("pair expected"));
            }
        },
        Ok(None) => return Ok(()),
        Err(_) => {
            socket::close(&mut socket, close::POLICY, "pair expected").await;
            return Err(SocketError::Refused("no pairing in time"));
        }
    };
    let _paired = match key.pair(peer, &secret) {
        Ok(paired) => paired,
        Err(refused) => {
            let (code, message) = match refused {
                Refused::WrongSecret => (
                    ErrorCode::WrongSecret,
                    "This remote code is not valid (any more): scan the one in the presenter view.",
                ),
                Refused::TooManyTries => {
                    (ErrorCode::RateLimited, "Too many wrong codes from this address: wait a minute.")
                }
                Refused::TooManyRemotes => (
                    ErrorCode::TooManyRemotes,
                    "Three remotes are paired already: revoke them in the presenter view first.",
                ),
            };
            socket::send_text(&mut socket, error(code, message)).await?;
            socket::close(&mut socket, close::POLICY, "pairing refused").await;
            return Err(SocketError::Refused("pairing refused"));
        }
    };

    let mut views = state.views.presenter.clone();
    let frame = remote_frame(&state, &views.borrow_and_update());
    socket::feed(&mut socket, frame.into()).await?;
    socket::send_text(&mut socket, encode(&ToRemote::Clock { now: crate::store::now_millis() })).await?;
    let mut rate = RateLimit::new(&state.limits);
    let mut heartbeat = tokio::time::interval(state.limits.ping_every);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => {
                socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
                return Ok(());
            }
            Ok(()) = generations.changed() => {
                socket::close(&mut socket, REVOKED, "the presenter revoked this remote").await;
                return Ok(());
            }
            _ = heartbeat.tick() => socket::heartbeat(&mut socket, last_heard, state.limits.silence_limit).await?,
            changed = views.changed() => {
                if changed.is_err() {
                    socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
                    return Ok(());
                }
                let frame = remote_frame(&state, &views.borrow_and_update());
                socket::send_text(&mut socket, frame).await?;
            }
            read = socket.recv() => {
                last_heard = tokio::time::Instant::now();
                let message = match socket::message_or_end(&mut socket, read).await {
                    Ok(message) => message,
                    Err(end) => return end,
                };
                match message {
                    Message::Text(_) | Message::Binary(_) if !rate.allow() => {
                        socket::send_text(&mut socket, error(ErrorCode::RateLimited, "Too many commands: slow down.")).await?;
                    }
                    Message::Text(text) => {
                        let action = match decode(&text) {
                            Some(FromRemote::Command(message)) => allowed(message),
                            _ => None,
                        };
                        let refused = match action {
                            Some(action) => state.engine.present(action).await.err(),
                            None => Some("a remote can move the slides, voting, results, the black screen and the timer only".to_string()),
                        };
                        if let Some(message) = refused {
                            socket::send_text(&mut socket, error(ErrorCode::BadMessage, &message)).await?;
                        }
                    }
                    Message::Binary(_) => {
                        socket::send_text(&mut socket, error(ErrorCode::BadMessage, "frames must be JSON text")).await?;
                    }
                    Message::Ping(_) | Message::Pong(_) | Message::Close(_) => {}
                }
            }
        }
    }
}

/// The first text frame, or `None` when the socket ends first.
async fn first_text(socket: &mut WebSocket) -> Option<String> {
    loop {
        match socket.recv().await? {
            Ok(Message::Text(text)) => return Some(text.to_string()),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(_) | Err(_) => return None,
        }
    }
}

/// The remote's view of the session, from the presenter's `state` frame and the deck.
fn remote_frame(state: &ServerState, presenter_state: &str) -> String {
    let parsed: Value = serde_json::from_str(presenter_state).unwrap_or(Value::Null);
    let deck = &state.deck_file.deck;
    let slide = parsed["slide"].as_u64().and_then(|s| usize::try_from(s).ok()).unwrap_or(0);
    let on_screen = deck.slides.get(slide);
    let voting = match parsed["voting"].as_str() {
        Some("open") => Some(Voting::Open),
        Some("closed") => Some(Voting::Closed),
        _ => None,
    };
    encode(&ToRemote::State {
        title: &deck.title,
        slide,
        slides: deck.slides.len(),
        notes: on_screen.map_or("", |s| s.notes.as_str()),
        question: on_screen.and_then(|s| s.question.as_ref()).map(|q| q.prompt.as_str()),
        voting,
        results_visible: parsed["results_visible"].as_bool().unwrap_or(true),
        black: parsed["black"].as_bool().unwrap_or(false),
        deadline: parsed["deadline"].as_i64(),
        read_only: state.review.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairing_takes_the_secret_limits_guesses_and_remotes_and_revoking_ends_it() {
        let key = RemoteKey::new().expect("random");
        let secret = key.secret();
        assert_eq!(secret.len(), 32);
        let (phone, guesser): (IpAddr, IpAddr) =
            ("192.168.1.30".parse().expect("ip"), "192.168.1.66".parse().expect("ip"));
        for _ in 0..MAX_FAILURES {
            assert_eq!(key.pair(guesser, "0123456789abcdef0123456789abcdef").err(), Some(Refused::WrongSecret));
        }
        assert_eq!(
            key.pair(guesser, &secret).err(),
            Some(Refused::TooManyTries),
            "locked out, even with the right one"
        );
        let paired: Vec<Paired> = (0..MAX_REMOTES).map(|_| key.pair(phone, &secret).expect("paired")).collect();
        assert_eq!(*key.paired().borrow(), MAX_REMOTES);
        assert_eq!(key.pair(phone, &secret).err(), Some(Refused::TooManyRemotes));
        drop(paired);
        assert_eq!(*key.paired().borrow(), 0);
        let generations = key.generations();
        key.revoke().expect("random");
        assert_eq!(*generations.borrow(), 1);
        assert_ne!(key.secret(), secret);
        assert_eq!(key.pair(phone, &secret).err(), Some(Refused::WrongSecret), "the old secret is refused");
    }

    #[test]
    fn a_remote_moves_the_talk_and_nothing_else() {
        assert_eq!(allowed(PresenterMessage::Next {}), Some(PresenterAction::Next));
        assert_eq!(allowed(PresenterMessage::SetBlack { black: true }), Some(PresenterAction::SetBlack(true)));
        assert_eq!(allowed(PresenterMessage::RevokeRemote {}), None);
        assert_eq!(allowed(PresenterMessage::ChooseNetwork { interface: "eth0".into() }), None);
        let text = r#"{"type":"moderate","entry":1,"state":"hidden"}"#;
        assert!(matches!(decode(text), Some(FromRemote::Command(m)) if allowed(m.clone()).is_none()));
        assert!(matches!(decode(r#"{"type":"pair","secret":"s3"}"#), Some(FromRemote::Pair(s)) if s == "s3"));
        assert!(decode(r#"{"type":"pair","secret":"x","extra":1}"#).is_none());
        assert!(decode(r#"{"type":"format_disk"}"#).is_none());
    }
}
