//! One task per phone: hello, the current state, votes in, acknowledgements out.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::limits::{RateLimit, SocketSlot};
use super::reactions::ReactionGate;
use super::room::LocalAddr;
use super::socket::{self, close, SocketError};
use super::{guard, ServerState};
use crate::engine::{ParticipantView, VoteError};
use crate::protocol::{self, encode, ErrorCode, ParticipantMessage, ToParticipant};
use crate::question::Answer;
use crate::session::{NameRefusal, PostRefusal, VoteRefusal};
use crate::store::now_millis;

/// Frames refused by the rate limit in a row before the socket is closed as a flood.
const FLOOD_STRIKES: u32 = 50;

pub async fn upgrade(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    local: Option<Extension<LocalAddr>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The address of this computer the phone reached, for "12 phones via 192.168.1.23".
    let reached = local.map_or(peer.ip(), |Extension(LocalAddr(local))| local.ip());
    if let Err(refusal) = guard::same_origin(&headers, state.participant_port) {
        return (StatusCode::FORBIDDEN, refusal.to_string()).into_response();
    }
    if state.review.is_some() {
        return (StatusCode::GONE, "this session has ended: the presenter is showing its results again")
            .into_response();
    }
    let slot = match state.sockets.acquire(peer.ip(), &state.limits) {
        Ok(slot) => slot,
        Err(reason) => return (StatusCode::SERVICE_UNAVAILABLE, reason).into_response(),
    };
    let tasks = state.tasks.clone();
    socket::limited(upgrade, socket::MAX_PHONE_FRAME).on_upgrade(move |socket| {
        tasks.track_future(async move {
            match run(socket, state, slot, peer.ip(), reached).await {
                Ok(()) => tracing::debug!("participant socket closed"),
                Err(error) => tracing::debug!(%error, "participant socket ended"),
            }
        })
    })
}

async fn run(
    mut socket: WebSocket,
    state: ServerState,
    slot: SocketSlot,
    peer: IpAddr,
    reached: IpAddr,
) -> Result<(), SocketError> {
    let participant = tokio::select! {
        hello = tokio::time::timeout(state.limits.hello_deadline, wait_for_hello(&mut socket)) => match hello {
            Ok(Ok(participant)) => participant,
            Ok(Err((code, reason))) => {
                socket::close(&mut socket, code, reason).await;
                return Err(SocketError::Refused(reason));
            }
            Err(_) => {
                socket::close(&mut socket, close::POLICY, "hello expected").await;
                return Err(SocketError::Refused("no hello in time"));
            }
        },
        () = state.shutdown.cancelled() => {
            socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
            return Ok(());
        }
    };
    if !state.identities.admit(&participant, peer, &state.limits) {
        let reply = error(
            ErrorCode::TooManyParticipants,
            "Too many new participants from this network at once. Try again in a minute.",
            None,
        );
        socket::send_text(&mut socket, reply).await?;
        socket::close(&mut socket, close::POLICY, "too many new participants from this address").await;
        return Err(SocketError::Refused("too many new participants"));
    }
    let present = state.presence.join(participant.clone());
    let _arrival = state.room.arrive(reached);
    state.engine.join(participant.clone());
    let mut rate = RateLimit::new(&state.limits);
    let mut reacting = ReactionGate::default();
    let mut strikes = 0u32;
    let mut heartbeat = tokio::time::interval(state.limits.ping_every);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = tokio::time::Instant::now();
    // When the unanswered heartbeat went out: its pong is the phone's round trip.
    let mut pinged: Option<tokio::time::Instant> = None;

    // Subscribe before the snapshot, so no change between the two is missed.
    let mut views = state.views.participant.clone();
    let mut current = views.borrow_and_update().clone();
    // This participant's answers, kept by this task from now on: a slide change
    // then costs ten thousand sockets no lock on a shared map.
    let mut mine = OwnAnswers::new(state.views.answers.of(&participant));
    let mut qa_list = state.feeds.qa();
    let mut standings = state.views.standings.clone();
    let shown = standings.borrow_and_update().clone();
    // The snapshot goes out in one write: queued with `feed`, flushed by the last `send`.
    socket::feed(&mut socket, current.frame.clone()).await?;
    if let Some(answer) = mine.frame_for(&current) {
        socket::feed(&mut socket, answer).await?;
    }
    if state.views.nicknames.asked {
        let nickname = state.views.nicknames.of(&participant);
        let frame = ToParticipant::Nickname { request: None, nickname: nickname.as_deref() };
        socket::feed(&mut socket, encode(&frame).into()).await?;
    }
    // A phone back after the reveal sees its result again.
    if let Some(result) = shown.and_then(|standings| standings.result_frame(&participant)) {
        socket::feed(&mut socket, result.into()).await?;
    }
    // The room's Q&A list and this phone's own posts and upvotes.
    let list = qa_list.borrow_and_update().clone();
    if let Some(list) = list.filter(|_| state.views.board.qa().open) {
        socket::feed(&mut socket, list).await?;
    }
    socket::feed(&mut socket, state.views.board.mine(&participant)).await?;
    // The phone's clock may be minutes off: countdowns run on the server's.
    socket::send_text(&mut socket, encode(&ToParticipant::Clock { now: now_millis() })).await?;

    // Made once, not per loop turn: each turn would otherwise register and
    // unregister with the shared shutdown token, a lock ten thousand sockets share.
    // And a token of this socket's own, cancelled with the server's: every poll of a
    // token's future locks that token, so polling the shared one at each wake-up
    // (every slide change) would still have ten thousand sockets take one lock.
    let stopping = state.shutdown.child_token();
    let shutdown = stopping.cancelled();
    let replaced = present.replaced.cancelled();
    let evicted = slot.evicted();
    tokio::pin!(shutdown, replaced, evicted);
    loop {
        tokio::select! {
            () = &mut evicted => {
                socket::close(&mut socket, close::MAKING_ROOM, "the room is full: making room for another phone").await;
                return Ok(());
            }
            () = &mut shutdown => {
                socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
                return Ok(());
            }
            () = &mut replaced => {
                socket::close(&mut socket, close::REPLACED, "replaced by a newer connection").await;
                return Ok(());
            }
            _ = heartbeat.tick() => {
                socket::heartbeat(&mut socket, last_heard, state.limits.silence_limit).await?;
                pinged = Some(tokio::time::Instant::now());
            }
            Ok(()) = standings.changed() => {
                // Ranked once by the writer; each socket only sends its own line.
                let shown = standings.borrow_and_update().clone();
                if let Some(result) = shown.and_then(|standings| standings.result_frame(&participant)) {
                    socket::send_text(&mut socket, result).await?;
                }
            }
            Ok(()) = qa_list.changed() => {
                let list = qa_list.borrow_and_update().clone();
                if let Some(list) = list {
                    socket::send(&mut socket, list).await?;
                }
            }
            changed = views.changed() => {
                if changed.is_err() {
                    socket::close(&mut socket, close::GOING_AWAY, "server shutting down").await;
                    return Ok(());
                }
                let next = views.borrow_and_update().clone();
                // A new question: the phone's own stored answer follows its state, in the same write.
                match (next.question != current.question).then(|| mine.frame_for(&next)).flatten() {
                    Some(answer) => {
                        socket::feed(&mut socket, next.frame.clone()).await?;
                        socket::send(&mut socket, answer).await?;
                    }
                    None => socket::send(&mut socket, next.frame.clone()).await?,
                }
                current = next;
            }
            read = socket.recv() => {
                last_heard = tokio::time::Instant::now();
                let message = match socket::message_or_end(&mut socket, read).await {
                    Ok(message) => message,
                    Err(end) => return end,
                };
                match message {
                    frame @ (Message::Text(_) | Message::Binary(_)) if !rate.allow() => {
                        strikes += 1;
                        if strikes >= FLOOD_STRIKES {
                            socket::close(&mut socket, close::POLICY, "too many messages").await;
                            return Err(SocketError::Refused("flood"));
                        }
                        // Name the dropped vote, so the phone knows which tap to send again.
                        let request = match &frame {
                            Message::Text(text) => match protocol::decode_participant(text) {
                                Ok(
                                    ParticipantMessage::Vote { request, .. }
                                    | ParticipantMessage::Ask { request, .. }
                                    | ParticipantMessage::Upvote { request, .. }
                                    | ParticipantMessage::Name { request, .. },
                                ) => Some(request),
                                _ => None,
                            },
                            _ => None,
                        };
                        let reply = error(ErrorCode::RateLimited, "Too many messages: slow down.", request.as_deref());
                        socket::send_text(&mut socket, reply).await?;
                }
                Message::Text(text) => {
                    strikes = 0;
                    if let Ok(ParticipantMessage::React { reaction }) = protocol::decode_participant(&text) {
                        // Ephemeral: counted in memory, never answered, faster than once a second dropped.
                        if reacting.allow() {
                            state.reactions.add(reaction);
                        }
                        continue;
                    }
                    handle(&mut socket, &state, (&participant, peer), &mut mine, &text).await?;
                }
                Message::Binary(_) => {
                    let reply = error(ErrorCode::BadMessage, "frames must be JSON text", None);
                    socket::send_text(&mut socket, reply).await?;
                }
                Message::Pong(_) => {
                    if let Some(sent) = pinged.take() {
                        state.room.round_trip(sent.elapsed());
                    }
                }
                Message::Ping(_) | Message::Close(_) => {}
                }
            }
        }
    }
}

/// Reads frames until a valid `hello`; anything else first is a protocol error.
async fn wait_for_hello(socket: &mut WebSocket) -> Result<Arc<str>, (u16, &'static str)> {
    loop {
        match socket.recv().await {
            Some(Ok(Message::Text(text))) => {
                return match protocol::decode_participant(&text) {
                    Ok(ParticipantMessage::Hello { participant }) if protocol::valid_participant_id(&participant) => {
                        Ok(Arc::from(participant))
                    }
                    Ok(ParticipantMessage::Hello { .. }) => Err((close::POLICY, "invalid participant id")),
                    _ => Err((close::POLICY, "hello expected")),
                };
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Binary(_))) => return Err((close::POLICY, "hello expected")),
            Some(Err(error)) => return Err(socket::close_for_read_error(error)),
            None | Some(Ok(Message::Close(_))) => return Err((close::NORMAL, "closed")),
        }
    }
}

async fn handle(
    socket: &mut WebSocket,
    state: &ServerState,
    (participant, peer): (&Arc<str>, IpAddr),
    mine: &mut OwnAnswers,
    text: &str,
) -> Result<(), SocketError> {
    let reply = match protocol::decode_participant(text) {
        Ok(ParticipantMessage::Vote { request, question, answer }) => {
            if !protocol::valid_request_id(&request) {
                error(ErrorCode::BadMessage, "request ids are 1 to 64 printable characters", None).into()
            } else if state.one_per_address.contains(&question) && !state.identities.claim(&question, peer, participant)
            {
                let why =
                    "Someone on this network address has already answered: this vote takes one answer per device.";
                error(ErrorCode::OnePerAddress, why, Some(&request)).into()
            } else {
                // A claim for an address holds only once a vote is stored.
                let claimed = state.one_per_address.contains(&question).then(|| question.clone());
                let voted = state.engine.vote(participant.clone(), request.clone(), question, answer).await;
                match (&voted, claimed) {
                    (Err(_), Some(question)) => state.identities.release(&question, peer, participant),
                    (Ok(_), Some(question)) => state.identities.stored(&question, peer),
                    _ => {}
                }
                match voted {
                    Ok(stored) if stored.entry.is_some() => {
                        // An open-text post: acknowledged with its entry, then the phone's own list.
                        socket::send_text(socket, post_ack(&request, &stored)).await?;
                        state.views.board.mine(participant)
                    }
                    Ok(stored) => {
                        let ack = encode(&ToParticipant::Ack {
                            request: &request,
                            question: &stored.question,
                            answer: Some(&stored.answer),
                            entry: None,
                            state: None,
                            on: None,
                        });
                        mine.keep(stored.question, &stored.answer);
                        ack.into()
                    }
                    Err(refused) => vote_error(&refused, &request).into(),
                }
            }
        }
        Ok(ParticipantMessage::Ask { request, text }) if protocol::valid_request_id(&request) => {
            match state.engine.ask(participant.clone(), request.clone(), text).await {
                Ok(stored) => {
                    socket::send_text(socket, post_ack(&request, &stored)).await?;
                    state.views.board.mine(participant)
                }
                Err(refused) => vote_error(&refused, &request).into(),
            }
        }
        Ok(ParticipantMessage::Upvote { request, entry, on }) if protocol::valid_request_id(&request) => {
            match state.engine.upvote(participant.clone(), entry, on).await {
                Ok(()) => {
                    let ack = ToParticipant::Ack {
                        request: &request,
                        question: crate::session::board::QA,
                        answer: None,
                        entry: Some(entry),
                        state: None,
                        on: Some(on),
                    };
                    socket::send_text(socket, encode(&ack)).await?;
                    state.views.board.mine(participant)
                }
                Err(refused) => vote_error(&refused, &request).into(),
            }
        }
        Ok(ParticipantMessage::Name { request, nickname }) if protocol::valid_request_id(&request) => {
            match state.engine.name(participant.clone(), nickname).await {
                Ok(Ok(nickname)) => {
                    encode(&ToParticipant::Nickname { request: Some(&request), nickname: Some(&nickname) }).into()
                }
                Ok(Err(refusal)) => {
                    let (code, message) = match refusal {
                        NameRefusal::Taken => {
                            (ErrorCode::NicknameTaken, "Someone already plays under that name.".into())
                        }
                        NameRefusal::Refused => (ErrorCode::NicknameRefused, "Please choose another name.".into()),
                        NameRefusal::Invalid(why) => (ErrorCode::BadNickname, format!("Not a valid nickname: {why}.")),
                    };
                    error(code, &message, Some(&request)).into()
                }
                Err(refused) => vote_error(&refused, &request).into(),
            }
        }
        Ok(ParticipantMessage::Ask { .. } | ParticipantMessage::Upvote { .. } | ParticipantMessage::Name { .. }) => {
            error(ErrorCode::BadMessage, "request ids are 1 to 64 printable characters", None).into()
        }
        Ok(ParticipantMessage::Hello { .. }) => error(ErrorCode::BadMessage, "already said hello", None).into(),
        Ok(ParticipantMessage::React { .. }) => return Ok(()),
        Err(message) => error(ErrorCode::BadMessage, &message, None).into(),
    };
    socket::send(socket, reply).await
}

/// The acknowledgement of a post or Q&A question: what was stored, its entry and state.
fn post_ack(request: &str, stored: &crate::engine::Stored) -> String {
    encode(&ToParticipant::Ack {
        request,
        question: &stored.question,
        answer: Some(&stored.answer),
        entry: stored.entry,
        state: stored.state.map(crate::session::PostState::name),
        on: None,
    })
}

fn vote_error(refused: &VoteError, request: &str) -> String {
    let (code, message) = match refused {
        VoteError::Refused(VoteRefusal::NotCurrent) => {
            (ErrorCode::NotCurrent, "This question is no longer on screen.".to_string())
        }
        VoteError::Refused(VoteRefusal::VotingClosed) => {
            (ErrorCode::VotingClosed, "Voting on this question is closed.".to_string())
        }
        VoteError::Refused(VoteRefusal::InvalidChoice(why)) => {
            (ErrorCode::InvalidChoice, format!("Not a valid answer: {why}."))
        }
        VoteError::Refused(VoteRefusal::AlreadyAnswered) => {
            (ErrorCode::AlreadyAnswered, "You already answered: a quiz answer is final.".to_string())
        }
        VoteError::Refused(VoteRefusal::Post(refusal)) => match refusal {
            PostRefusal::TooMany(max) => {
                (ErrorCode::TooManyPosts, format!("You have sent {max}: that is as many as this allows."))
            }
            PostRefusal::QaClosed => (ErrorCode::QaClosed, "Questions are closed for now.".to_string()),
            PostRefusal::NoSuchEntry => (ErrorCode::NoSuchEntry, "That question is no longer shown.".to_string()),
            PostRefusal::OwnEntry => (ErrorCode::OwnEntry, "You cannot upvote your own question.".to_string()),
        },
        VoteError::Storage(_) => (ErrorCode::Storage, "Your answer could not be saved. Please try again.".to_string()),
        VoteError::Unavailable => (ErrorCode::Unavailable, "The presenter's app is shutting down.".to_string()),
    };
    error(code, &message, Some(request))
}

fn error(code: ErrorCode, message: &str, request: Option<&str>) -> String {
    encode(&ToParticipant::Error { code, message, request })
}

/// This phone's stored answers, each kept as the `answer` frame it goes out as:
/// encoded when the answer is stored, so that a slide change, when ten thousand
/// sockets wake at once, only copies a pointer.
struct OwnAnswers(HashMap<String, Utf8Bytes>);

impl OwnAnswers {
    fn new(stored: HashMap<String, Answer>) -> Self {
        let mut mine = OwnAnswers(HashMap::with_capacity(stored.len()));
        for (question, answer) in stored {
            mine.keep(question, &answer);
        }
        mine
    }

    fn keep(&mut self, question: String, answer: &Answer) {
        let frame = encode(&ToParticipant::Answer { question: &question, answer }).into();
        self.0.insert(question, frame);
    }

    /// The phone's own answer to the question `view` shows, if it has one.
    fn frame_for(&self, view: &ParticipantView) -> Option<Utf8Bytes> {
        self.0.get(view.question.as_ref()?).cloned()
    }
}
