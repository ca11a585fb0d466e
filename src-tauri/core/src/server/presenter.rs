//! The presenter's page and socket, behind the secret token.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::socket::{self, close, SocketError};
use super::{assets, guard, Crowd, ServerState};
use crate::protocol::{self, encode, ErrorCode, PresenterMessage, ToPresenter};
use crate::session::PresenterAction;
use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, watch};

#[derive(Deserialize)]
pub struct TokenQuery {
    pub(super) token: Option<String>,
    /// `1` on the presenter view's socket: it gets the moderation queue. The projector never asks.
    #[serde(default)]
    pub(super) moderation: Option<String>,
}

pub(super) fn authorised(state: &ServerState, query: &TokenQuery) -> bool {
    query.token.as_deref().is_some_and(|token| constant_time_eq(token.as_bytes(), state.token.as_bytes()))
}

/// Compares without an early exit, so timing says nothing about the token.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(super) fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "This is the presenter's page: open the presenter URL that Handsup printed.")
        .into_response()
}

pub async fn page(State(state): State<ServerState>, Query(query): Query<TokenQuery>) -> Response {
    if authorised(&state, &query) {
        assets::presenter_page()
    } else {
        forbidden()
    }
}

pub async fn sessions_page(State(state): State<ServerState>, Query(query): Query<TokenQuery>) -> Response {
    if authorised(&state, &query) {
        assets::sessions_page()
    } else {
        forbidden()
    }
}

pub async fn editor_page(State(state): State<ServerState>, Query(query): Query<TokenQuery>) -> Response {
    if authorised(&state, &query) {
        assets::editor_page()
    } else {
        forbidden()
    }
}

pub async fn upgrade(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !authorised(&state, &query) {
        return forbidden();
    }
    if let Err(refusal) = guard::same_origin(&headers, state.presenter_port) {
        return (StatusCode::FORBIDDEN, refusal.to_string()).into_response();
    }
    let tasks = state.tasks.clone();
    // The deck frame holds every slide: the one large frame, sized at launch.
    let moderation = query.moderation.as_deref() == Some("1");
    socket::limited(upgrade, state.deck_frame.len()).on_upgrade(move |socket| {
        tasks.track_future(async move {
            match run(socket, state, moderation).await {
                Ok(()) => tracing::debug!("presenter socket closed"),
                Err(error) => tracing::debug!(%error, "presenter socket ended"),
            }
        })
    })
}

async fn run(mut socket: WebSocket, state: ServerState, moderation: bool) -> Result<(), SocketError> {
    // Subscribe before the snapshot, so no change between the two is missed.
    let mut views = state.views.presenter.clone();
    let mut connected = state.presence.subscribe();
    let mut notices = state.notices.clone();
    let mut crowd = state.identities.crowd();
    let mut reactions = state.reactions.subscribe();
    let mut qa_list = state.feeds.qa();
    let mut join = state.join.subscribe();
    let mut room = state.room.subscribe();
    // The remote's code is the presenter view's alone: the projector's socket never hears of it.
    let mut remote = moderation.then(|| (state.remote.generations(), state.remote.paired()));
    // Only the presenter view's queue hears of posts, and it subscribes before its snapshot.
    let mut changes = moderation.then(|| state.feeds.changes());
    socket::send(&mut socket, state.deck_frame.clone()).await?;
    let frame = join.borrow_and_update().clone();
    socket::send(&mut socket, frame).await?;
    let frame = room.borrow_and_update().clone();
    socket::send(&mut socket, frame).await?;
    if let Some((generations, paired)) = &mut remote {
        generations.borrow_and_update();
        let paired = *paired.borrow_and_update();
        socket::send_text(&mut socket, remote_frame(&state, paired)).await?;
    }
    let frame = views.borrow_and_update().clone();
    socket::send(&mut socket, frame).await?;
    let participants_frame = |connected: &mut watch::Receiver<usize>, crowd: &mut watch::Receiver<Option<Crowd>>| {
        encode(&ToPresenter::Participants {
            connected: *connected.borrow_and_update(),
            crowded: *crowd.borrow_and_update(),
        })
    };
    socket::send_text(&mut socket, participants_frame(&mut connected, &mut crowd)).await?;
    socket::send_text(&mut socket, encode(&ToPresenter::Clock { now: crate::store::now_millis() })).await?;
    let notice = notices.borrow_and_update().clone();
    socket::send_text(&mut socket, notice_frame(notice.as_ref())).await?;
    let list = qa_list.borrow_and_update().clone();
    if let Some(list) = list {
        socket::send(&mut socket, list).await?;
    }
    if moderation {
        socket::send(&mut socket, state.views.board.moderation_frame()).await?;
    }
    // The totals so far: pages take the first as their baseline, not as a burst.
    let totals = reactions.borrow_and_update().clone();
    if let Some(frame) = totals {
        socket::send(&mut socket, frame).await?;
    }

    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => {
                socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
                return Ok(());
            }
            changed = views.changed() => {
                if changed.is_err() {
                    socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
                    return Ok(());
                }
                let frame = views.borrow_and_update().clone();
                socket::send(&mut socket, frame).await?;
            }
            Ok(()) = connected.changed() => {
                socket::send_text(&mut socket, participants_frame(&mut connected, &mut crowd)).await?;
            }
            Ok(()) = crowd.changed() => {
                socket::send_text(&mut socket, participants_frame(&mut connected, &mut crowd)).await?;
            }
            Ok(()) = qa_list.changed() => {
                let list = qa_list.borrow_and_update().clone();
                if let Some(list) = list {
                    socket::send(&mut socket, list).await?;
                }
            }
            Some(changed) = next_change(&mut changes) => match changed {
                Ok(frame) => socket::send(&mut socket, frame).await?,
                // Fell behind the feed: start again from the whole board.
                Err(_) => socket::send(&mut socket, state.views.board.moderation_frame()).await?,
            },
            Ok(()) = reactions.changed() => {
                let frame = reactions.borrow_and_update().clone();
                if let Some(frame) = frame {
                    socket::send(&mut socket, frame).await?;
                }
            }
            Ok(()) = join.changed() => {
                let frame = join.borrow_and_update().clone();
                socket::send(&mut socket, frame).await?;
                // The remote's address is the join address too.
                let paired = remote.as_ref().map(|(_, paired)| *paired.borrow());
                if let Some(paired) = paired {
                    socket::send_text(&mut socket, remote_frame(&state, paired)).await?;
                }
            }
            Some(paired) = remote_changed(&mut remote) => {
                socket::send_text(&mut socket, remote_frame(&state, paired)).await?;
            }
            Ok(()) = room.changed() => {
                let frame = room.borrow_and_update().clone();
                socket::send(&mut socket, frame).await?;
            }
            Ok(()) = notices.changed() => {
                let notice = notices.borrow_and_update().clone();
                socket::send_text(&mut socket, notice_frame(notice.as_ref())).await?;
            }
            read = socket.recv() => match socket::message_or_end(&mut socket, read).await {
                Err(end) => return end,
                Ok(Message::Text(text)) => {
                    let refused = match protocol::decode_presenter(&text) {
                        Ok(message) => command(&state, message).await.err().map(|m| (ErrorCode::BadMessage, m)),
                        Err(message) => Some((ErrorCode::BadMessage, message)),
                    };
                    if let Some((code, message)) = refused {
                        socket::send_text(&mut socket, encode(&ToPresenter::Error { code, message: &message })).await?;
                    }
                }
                Ok(Message::Binary(_)) => {
                    let reply = encode(&ToPresenter::Error { code: ErrorCode::BadMessage, message: "frames must be JSON text" });
                    socket::send_text(&mut socket, reply).await?;
                }
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_)) => {}
            }
        }
    }
}

/// The `remote` frame: the remote's address with its secret (after `#`, so it never
/// reaches a server log or a Referer), as a QR code, and how many are paired.
fn remote_frame(state: &ServerState, paired: usize) -> String {
    let url = format!("{}remote#k={}", state.join.url(), state.remote.secret());
    let qr_svg = crate::qr::qr_svg(&url).unwrap_or_default();
    encode(&ToPresenter::Remote { url: &url, qr_svg: &qr_svg, paired })
}

/// The paired count after a revocation or a pairing; never resolves for the projector's socket.
async fn remote_changed(remote: &mut Option<(watch::Receiver<u64>, watch::Receiver<usize>)>) -> Option<usize> {
    let Some((generations, paired)) = remote else { return std::future::pending().await };
    tokio::select! {
        changed = generations.changed() => changed.ok()?,
        changed = paired.changed() => changed.ok()?,
    }
    generations.borrow_and_update();
    Some(*paired.borrow_and_update())
}

fn notice_frame(notice: Option<&super::Notice>) -> String {
    encode(&ToPresenter::Notice { text: notice.map(|n| &*n.text), at: notice.map(|n| n.at) })
}

/// The next `board_changes` frame for a moderation socket; never resolves for the projector's.
async fn next_change(
    changes: &mut Option<broadcast::Receiver<Utf8Bytes>>,
) -> Option<Result<Utf8Bytes, broadcast::error::RecvError>> {
    match changes {
        Some(changes) => match changes.recv().await {
            Err(broadcast::error::RecvError::Closed) => None,
            other => Some(other),
        },
        None => std::future::pending().await,
    }
}

/// Carries out a presenter's message: moderation and Q&A on the board, the rest on the session.
async fn command(state: &ServerState, message: PresenterMessage) -> Result<(), String> {
    match message {
        PresenterMessage::Moderate { entry, state: target } => state.engine.moderate(entry, target).await,
        PresenterMessage::SetQa { open } => state.engine.set_qa(Some(open), None).await,
        PresenterMessage::Highlight { entry } => state.engine.set_qa(None, Some(entry)).await,
        PresenterMessage::Rename { player, nickname } => state.engine.rename(player, nickname).await,
        PresenterMessage::RevokeRemote {} => state.remote.revoke().map_err(|error| error.to_string()),
        PresenterMessage::ChooseNetwork { interface } => state.join.choose_and_remember(&state.engine, interface).await,
        other => match action(other) {
            Some(action) => state.engine.present(action).await,
            None => Ok(()),
        },
    }
}

/// The session action a message asks for; `None` for those `command` sends elsewhere.
pub(super) fn action(message: PresenterMessage) -> Option<PresenterAction> {
    Some(match message {
        PresenterMessage::Next {} => PresenterAction::Next,
        PresenterMessage::Previous {} => PresenterAction::Previous,
        PresenterMessage::Goto { slide } => PresenterAction::Goto(slide),
        PresenterMessage::OpenVoting {} => PresenterAction::SetVoting(true),
        PresenterMessage::CloseVoting {} => PresenterAction::SetVoting(false),
        PresenterMessage::ShowResults {} => PresenterAction::SetResultsVisible(true),
        PresenterMessage::HideResults {} => PresenterAction::SetResultsVisible(false),
        PresenterMessage::SetBlack { black } => PresenterAction::SetBlack(black),
        PresenterMessage::StartTimer { seconds } => PresenterAction::StartTimer(seconds),
        PresenterMessage::AddTime { seconds } => PresenterAction::AddTime(seconds),
        PresenterMessage::StopTimer {} => PresenterAction::StopTimer,
        PresenterMessage::RevealAnswer { revealed } => PresenterAction::Reveal(revealed),
        PresenterMessage::Moderate { .. }
        | PresenterMessage::SetQa { .. }
        | PresenterMessage::Highlight { .. }
        | PresenterMessage::Rename { .. }
        | PresenterMessage::ChooseNetwork { .. }
        | PresenterMessage::RevokeRemote {} => return None,
    })
}
