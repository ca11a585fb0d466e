//! Simulated phones and the presenter: real WebSocket clients speaking the real protocol.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

pub type Socket = WebSocketStream<TcpStream>;

/// Where a URL's server listens, and the `Origin` a browser would send.
pub fn target(url: &str) -> Result<(SocketAddr, String)> {
    let rest = url.trim_start_matches("http://");
    let host = rest.split('/').next().unwrap_or(rest);
    Ok((host.parse().with_context(|| format!("not an address: {host}"))?, format!("http://{host}")))
}

/// Opens a WebSocket from a chosen loopback source address, so that thousands of
/// clients do not run out of one address's ephemeral ports.
pub async fn connect(server: SocketAddr, source: Ipv4Addr, url: &str, origin: &str) -> Result<Socket> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((source, 0)))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("Origin", HeaderValue::from_str(origin)?);
    // Small client buffers: the default 128 KiB read buffer, zeroed for each of
    // 10,000 clients, would cost the load generator more than the server.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
    Ok(ws)
}

/// A steady-rate round starts voting this long after the presenter advances, so
/// that every phone has the question first and the rate is not a burst.
pub const RATE_LEAD_IN: Duration = Duration::from_secs(1);

/// What the coordinator asks every phone to do in the current round.
#[derive(Debug, Clone)]
pub struct Round {
    pub index: usize,
    pub question: String,
    /// When phone `i` votes, counted from the moment it sees the question.
    pub delay: Delay,
}

#[derive(Debug, Clone, Copy)]
pub enum Delay {
    /// Don't vote (idle rounds, reconnect storms).
    Never,
    /// At once: the herd.
    Immediately,
    /// At a random moment within this window.
    Within(Duration),
    /// Phone `i` votes `i / rate` seconds after the round's lead-in (a steady rate).
    Rate(f64),
}

/// What phones report; the coordinator gathers these.
#[derive(Debug, Clone)]
pub enum Event {
    /// Phone `phone` has the round's question on screen.
    Question { phone: usize, round: usize, at: Instant },
    /// The first state frame on a connection (a phone back after a restart), and its question.
    Back { phone: usize, at: Instant, question: Option<String> },
    /// The server gave phone `phone` back the answer it had stored for the question on its screen.
    OwnAnswer { phone: usize, round: usize, at: Instant },
    /// A vote went out and came back acknowledged.
    Ack { phone: usize, round: usize, choice: u16, sent: Instant, acked: Instant },
    /// A vote came back refused, the socket failed, or an own answer came back wrong.
    Failed { phone: usize, why: String },
}

pub fn choice_for(phone: usize, round: usize, options: usize) -> u16 {
    ((phone + round) % options) as u16
}

/// Where a phone connects from and to, so that it can connect again.
#[derive(Debug, Clone)]
pub struct Dial {
    pub server: SocketAddr,
    pub source: Ipv4Addr,
    pub url: String,
    pub origin: String,
}

/// The coordinator's instructions every phone follows.
#[derive(Clone)]
pub struct Orders {
    pub rounds: watch::Receiver<Round>,
    pub round_started: Arc<Mutex<Instant>>,
    /// While true, a phone whose socket ends connects again, as the page does;
    /// otherwise it stops.
    pub reconnect: watch::Receiver<bool>,
    pub stop: CancellationToken,
}

/// Runs one phone until `stop`: hello, then follow rounds and vote as told;
/// reconnects (with the page's backoff) while the coordinator says a restart is under way.
pub async fn phone(
    index: usize,
    dial: Dial,
    socket: Socket,
    kind: crate::Kind,
    orders: Orders,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut phone = Phone::new(index, kind, &orders, events);
    // The page's reconnect backoff: 500 ms × 2^tries (at most 10 s), jittered to
    // between half and all of it; tries start again at a state frame.
    let mut tries = 0u32;
    let mut socket = socket;
    loop {
        // The connection is let go as soon as it ends (not held open while backing
        // off), or the server waits for it to answer its close.
        let ended = phone.follow(socket, &orders, &mut tries).await;
        if orders.stop.is_cancelled() {
            return;
        }
        if !*orders.reconnect.borrow() {
            // Mid-run, even a clean close is a phone the room lost.
            let why = ended.err().unwrap_or_else(|| "the server closed the socket".to_string());
            phone.report(Event::Failed { phone: index, why });
            return;
        }
        socket = loop {
            let base = (500u64 << tries.min(5)).min(10_000);
            tries = (tries + 1).min(8);
            let wait = Duration::from_millis(base / 2 + phone.random() % (base / 2 + 1));
            tokio::select! {
                () = orders.stop.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            if let Ok(socket) = connect(dial.server, dial.source, &dial.url, &dial.origin).await {
                break socket;
            }
        };
    }
}

/// One phone's memory across its connections.
struct Phone {
    index: usize,
    kind: crate::Kind,
    rounds: watch::Receiver<Round>,
    round_started: Arc<Mutex<Instant>>,
    events: mpsc::UnboundedSender<Event>,
    round: Round,
    seen_round: Option<usize>,
    /// Answers the server acknowledged, by question, as sent: what must come back.
    acked: HashMap<String, String>,
    rng: u64,
}

impl Phone {
    fn new(index: usize, kind: crate::Kind, orders: &Orders, events: mpsc::UnboundedSender<Event>) -> Self {
        let mut rounds = orders.rounds.clone();
        let round = rounds.borrow_and_update().clone();
        let rng = 0x9E37_79B9_7F4A_7C15u64 ^ (index as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let round_started = orders.round_started.clone();
        Phone { index, kind, rounds, round_started, events, round, seen_round: None, acked: HashMap::new(), rng }
    }

    fn report(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    /// Takes the coordinator's latest round, if it changed.
    fn catch_up(&mut self, vote_at: &mut Option<tokio::time::Instant>, sent: &mut Option<(Instant, u16, Value)>) {
        if self.rounds.has_changed().unwrap_or(false) {
            self.round = self.rounds.borrow_and_update().clone();
            *vote_at = None;
            *sent = None;
        }
    }

    /// One connection: hello, then frames, votes and rounds until the socket ends
    /// (`Ok` for a close, `Err` for a failure) or the run stops.
    async fn follow(&mut self, mut socket: Socket, orders: &Orders, tries: &mut u32) -> Result<(), String> {
        let index = self.index;
        let id = format!("load-phone-{index:06}");
        if let Err(error) = socket.send(Message::text(json!({"type": "hello", "participant": id}).to_string())).await {
            return Err(format!("hello: {error}"));
        }
        let mut vote_at: Option<tokio::time::Instant> = None;
        let mut sent: Option<(Instant, u16, Value)> = None;
        // The question of the last state on this connection: an answer frame must be for it.
        let mut showing: Option<String> = None;
        let mut first_state = true;
        self.catch_up(&mut vote_at, &mut sent);
        loop {
            tokio::select! {
                () = orders.stop.cancelled() => return Ok(()),
                Ok(()) = self.rounds.changed() => {
                    self.round = self.rounds.borrow_and_update().clone();
                    vote_at = None;
                    sent = None;
                }
                () = sleep_until(vote_at), if vote_at.is_some() => {
                    vote_at = None;
                    let (answer, choice) = self.kind.answer(index, self.round.index);
                    let vote = json!({"type": "vote", "request": format!("r{}", self.round.index), "question": self.round.question, "answer": answer});
                    sent = Some((Instant::now(), choice, answer));
                    if let Err(error) = socket.send(Message::text(vote.to_string())).await {
                        return Err(format!("send: {error}"));
                    }
                }
                frame = socket.next() => {
                    let text = match frame {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(close))) => {
                            // As a browser does: the read after the close writes our reply.
                            let _ = tokio::time::timeout(Duration::from_millis(500), socket.next()).await;
                            return match close {
                                Some(frame) if !*orders.reconnect.borrow() => Err(format!("closed by the server: {} {}", frame.code, frame.reason)),
                                _ => Ok(()),
                            };
                        }
                        None => return Ok(()),
                        Some(Ok(_)) => continue,
                        Some(Err(error)) => return Err(format!("read: {error}")),
                    };
                    // The round was announced before the presenter moved, but `select!` may read the
                    // frame first when both are ready: take the new round now, or the question is missed.
                    self.catch_up(&mut vote_at, &mut sent);
                    match classify(&text) {
                        Frame::State { question } => {
                            *tries = 0;
                            if showing.as_deref() != question {
                                showing = question.map(str::to_string);
                            }
                            if std::mem::take(&mut first_state) {
                                self.report(Event::Back { phone: index, at: Instant::now(), question: showing.clone() });
                            }
                            if question == Some(self.round.question.as_str()) && self.seen_round != Some(self.round.index) {
                                self.seen_round = Some(self.round.index);
                                vote_at = self.vote_time();
                                self.report(Event::Question { phone: index, round: self.round.index, at: Instant::now() });
                            }
                        }
                        Frame::Answer { question, answer } => {
                            let at = Instant::now();
                            if Some(question) == showing.as_deref() {
                                // The same bytes as sent, or failing that the same JSON value.
                                let same = self.acked.get(question).is_some_and(|acked| {
                                    acked == answer
                                        || serde_json::from_str::<Value>(acked).ok() == serde_json::from_str::<Value>(answer).ok()
                                });
                                if same {
                                    self.report(Event::OwnAnswer { phone: index, round: self.round.index, at });
                                } else {
                                    let had = self.acked.get(question);
                                    self.report(Event::Failed {
                                        phone: index,
                                        why: format!("own answer to {question}: the server says {answer}, the phone had {had:?}"),
                                    });
                                }
                            }
                        }
                        Frame::Ack => {
                            if let Some((at, choice, answer)) = sent.take() {
                                self.acked.insert(self.round.question.clone(), answer.to_string());
                                self.report(Event::Ack { phone: index, round: self.round.index, choice, sent: at, acked: Instant::now() });
                            }
                        }
                        Frame::Error => self.report(Event::Failed { phone: index, why: text.to_string() }),
                        Frame::Other => {}
                    }
                }
            }
        }
    }

    /// When to vote on the question just seen, as the round says.
    fn vote_time(&mut self) -> Option<tokio::time::Instant> {
        match self.round.delay {
            Delay::Never => None,
            Delay::Immediately => Some(tokio::time::Instant::now()),
            Delay::Within(window) => {
                let fraction = (self.random() % 10_000) as f64 / 10_000.0;
                Some(tokio::time::Instant::now() + window.mul_f64(fraction))
            }
            Delay::Rate(rate) => {
                let now = Instant::now();
                let started = self.round_started().unwrap_or(now);
                let due = started + RATE_LEAD_IN + Duration::from_secs_f64(self.index as f64 / rate);
                Some(tokio::time::Instant::from_std(due))
            }
        }
    }

    fn round_started(&self) -> Option<Instant> {
        self.round_started.lock().ok().map(|at| *at)
    }
}

/// The kinds of frame a phone reacts to.
enum Frame<'a> {
    State {
        question: Option<&'a str>,
    },
    /// The server's copy of this phone's answer to a question, as sent.
    Answer {
        question: &'a str,
        answer: &'a str,
    },
    Ack,
    Error,
    Other,
}

/// Classifies a server frame without building a JSON tree: ten thousand phones
/// parsing every frame in full would measure the load generator, not the server.
/// The server writes the `type` tag first; anything else falls back to a full parse.
fn classify(text: &str) -> Frame<'_> {
    if let Some(rest) = text.strip_prefix(r#"{"type":"state""#) {
        let question = rest.find(r#""question":{"id":""#).and_then(|at| {
            let id = &rest[at + r#""question":{"id":""#.len()..];
            id.find('"').map(|end| &id[..end])
        });
        return Frame::State { question };
    }
    // Read in place too: on a revisit every phone gets one, right behind the state.
    if let Some(rest) = text.strip_prefix(r#"{"type":"answer","question":""#) {
        if let Some((question, answer)) = rest.split_once(r#"","answer":"#) {
            return Frame::Answer { question, answer: answer.strip_suffix('}').unwrap_or(answer) };
        }
    }
    if text.starts_with(r#"{"type":"ack""#) {
        return Frame::Ack;
    }
    if text.starts_with(r#"{"type":"error""#) {
        return Frame::Error;
    }
    match serde_json::from_str::<Value>(text).ok().as_ref().and_then(|frame| frame["type"].as_str()) {
        Some("ack") => Frame::Ack,
        Some("error") => Frame::Error,
        _ => Frame::Other,
    }
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A presenter state frame as observed: when, which question, how many answers.
#[derive(Debug, Clone)]
pub struct Observed {
    pub at: Instant,
    /// The frame's size as sent.
    pub bytes: usize,
    pub question: Option<String>,
    pub respondents: u64,
    pub counts: Vec<u64>,
}

/// The presenter: sends commands, records every state frame it receives.
pub struct Presenter {
    commands: mpsc::UnboundedSender<Value>,
    pub log: Arc<Mutex<Vec<Observed>>>,
    /// The latest reactions totals, summed, and how many `reactions` frames came.
    reactions: Arc<Mutex<(u64, usize)>>,
    pub deck: Value,
    pub connected: watch::Receiver<u64>,
}

impl Presenter {
    pub async fn connect(url: &str) -> Result<Presenter> {
        let ws_url = url.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1);
        let (addr, origin) = target(url)?;
        let mut socket = connect(addr, Ipv4Addr::LOCALHOST, &ws_url, &origin).await?;
        let deck = loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text)?;
                    if frame["type"] == "deck" {
                        break frame;
                    }
                }
                Some(Ok(_)) => continue,
                other => return Err(anyhow!("presenter socket ended before the deck: {other:?}")),
            }
        };
        let (commands, mut outbox) = mpsc::unbounded_channel::<Value>();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (connected_tx, connected) = watch::channel(0u64);
        let sink_log = log.clone();
        let reactions: Arc<Mutex<(u64, usize)>> = Arc::default();
        let sink_reactions = reactions.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    command = outbox.recv() => match command {
                        Some(command) => if socket.send(Message::text(command.to_string())).await.is_err() { return },
                        None => return,
                    },
                    frame = socket.next() => {
                        let Some(Ok(Message::Text(text))) = frame else {
                            if matches!(frame, Some(Ok(_))) { continue }
                            return;
                        };
                        let at = Instant::now();
                        let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                        match frame["type"].as_str() {
                            Some("state") => {
                                let observed = Observed {
                                    at,
                                    bytes: text.len(),
                                    question: frame["results"]["question"].as_str().map(str::to_string),
                                    respondents: frame["results"]["respondents"].as_u64().unwrap_or(0),
                                    counts: serde_json::from_value(frame["results"]["counts"].clone()).unwrap_or_default(),
                                };
                                if let Ok(mut log) = sink_log.lock() {
                                    log.push(observed);
                                }
                            }
                            Some("reactions") => {
                                let total = frame["totals"].as_array().map_or(0, |t| t.iter().filter_map(Value::as_u64).sum());
                                if let Ok(mut seen) = sink_reactions.lock() {
                                    *seen = (total, seen.1 + 1);
                                }
                            }
                            Some("participants") => {
                                connected_tx.send_replace(frame["connected"].as_u64().unwrap_or(0));
                            }
                            _ => {}
                        }
                    }
                }
            }
        });
        Ok(Presenter { commands, log, reactions, deck, connected })
    }

    /// The reactions counted so far (the latest totals, summed) and the `reactions` frames received.
    pub fn reactions(&self) -> (u64, usize) {
        self.reactions.lock().map(|seen| *seen).unwrap_or_default()
    }

    pub fn goto(&self, slide: usize) -> Result<()> {
        self.send(json!({"type": "goto", "slide": slide}))
    }

    /// Sends any presenter message.
    pub fn send(&self, message: Value) -> Result<()> {
        self.commands.send(message).map_err(|_| anyhow!("presenter socket closed"))
    }

    /// (slide index, question id, number of options) of every question slide.
    pub fn questions(&self) -> Vec<(usize, String, usize)> {
        self.deck["slides"]
            .as_array()
            .map(|slides| {
                slides
                    .iter()
                    .filter(|s| !s["question"].is_null())
                    .map(|s| {
                        (
                            s["index"].as_u64().unwrap_or(0) as usize,
                            s["question"]["id"].as_str().unwrap_or("").to_string(),
                            s["question"]["options"].as_array().map_or(0, Vec::len),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_servers_frames() {
        let state = r#"{"type":"state","title":"T","slide":1,"slides":3,"question":{"id":"q7","prompt":"P","kind":"single","options":["a","b"],"max":null},"voting":"open"}"#;
        assert!(matches!(classify(state), Frame::State { question: Some("q7") }));
        let waiting = r#"{"type":"state","title":"T","slide":0,"slides":3,"question":null,"voting":"closed"}"#;
        assert!(matches!(classify(waiting), Frame::State { question: None }));
        assert!(matches!(
            classify(r#"{"type":"ack","request":"r","question":"q","answer":{"choices":[0]}}"#),
            Frame::Ack
        ));
        assert!(matches!(classify(r#"{"request":"r","type":"error"}"#), Frame::Error));
        assert!(matches!(
            classify(r#"{"type":"answer","question":"q","answer":{"choices":[0]}}"#),
            Frame::Answer { question: "q", answer: r#"{"choices":[0]}"# }
        ));
        assert!(matches!(classify(r#"{"type":"clock","now":1}"#), Frame::Other));
    }
}
