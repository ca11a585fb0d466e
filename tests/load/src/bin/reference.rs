//! `handsup-reference`: the least server that speaks Handsup's wire protocol, as a yardstick.
//!
//! The load generator drives it exactly as it drives `handsup serve`, in the same
//! run, so every broadcast and acknowledgement figure of Handsup can be put beside
//! what a bare axum fan-out server achieves on the same machine. It keeps what
//! any honest server must do — one writer batching votes into SQLite with
//! `synchronous=FULL`, an acknowledgement only after the commit, one state frame
//! serialised once and shared by every socket, the accept settings that matter
//! at 10,000 sockets (a 4,096 backlog, `TCP_NODELAY`) — and leaves out
//! everything else: no checks of answers, origins or rates, no heartbeats, no
//! per-phone answer frames, no reconnect identity, no Markdown.
//!
//! Usage (the same as `handsup serve`): `handsup-reference serve DECK.md --bind IP --port N --data DIR`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context, Result};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};

/// One question slide of the deck: its id and how many options it lists.
struct Question {
    slide: usize,
    id: String,
    options: usize,
}

/// A vote on its way to the writer thread, which replies after the commit.
struct Vote {
    participant: String,
    question: String,
    answer: String,
    choices: Vec<usize>,
    reply: oneshot::Sender<()>,
}

#[derive(Clone)]
struct Shared {
    /// The phones' state frame; the presenter's `goto` replaces it.
    phones: watch::Sender<Utf8Bytes>,
    /// The presenter's state frame with the current question's counts; the writer replaces it.
    presenter: watch::Sender<Utf8Bytes>,
    /// How many phones are connected; presenter sockets follow it.
    connected: watch::Sender<u64>,
    /// Votes to the writer thread, which holds the receiver.
    votes: mpsc::Sender<Vote>,
    deck_frame: Utf8Bytes,
    questions: Arc<Vec<Question>>,
    slide: Arc<AtomicU64>,
    /// Counts per question, shared by the writer (after commits) and `goto`.
    counts: Arc<Mutex<HashMap<String, Counts>>>,
}

#[derive(Default, Clone)]
struct Counts {
    respondents: u64,
    choices: Vec<u64>,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|at| args.get(at + 1)).cloned();
    let deck = args.iter().skip(1).find(|a| !a.starts_with("--")).context("usage: serve DECK.md")?;
    let bind = value("--bind").unwrap_or_else(|| "127.0.0.1".into());
    let port = value("--port").unwrap_or_else(|| "0".into());
    let data = PathBuf::from(value("--data").context("--data DIR")?);
    let questions = read_deck(&std::fs::read_to_string(deck)?);
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(serve(questions, &bind, &port, data))
}

/// The questions of a generated deck: slides split on `---`, a `question:` comment, an `id=`, `- ` options.
fn read_deck(text: &str) -> Vec<Question> {
    // Front matter first (`---` … `---`), then slides split on `---` lines: slide 0 is the title.
    let body = match text.strip_prefix("---\n") {
        Some(rest) => rest.split_once("\n---\n").map_or(rest, |(_, body)| body),
        None => text,
    };
    body.split("\n---\n")
        .enumerate()
        .filter_map(|(slide, chunk)| {
            let directive = chunk.lines().find(|line| line.contains("question:"))?;
            let id = directive.split_whitespace().find_map(|word| word.strip_prefix("id="))?.to_string();
            let options = chunk.lines().filter(|line| line.starts_with("- ")).count();
            Some(Question { slide, id, options })
        })
        .collect()
}

async fn serve(questions: Vec<Question>, bind: &str, port: &str, data: PathBuf) -> Result<()> {
    std::fs::create_dir_all(&data)?;
    let db = rusqlite::Connection::open(data.join("handsup.sqlite3"))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS responses (participant TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
         PRIMARY KEY (participant, question)) WITHOUT ROWID;",
    )?;
    let slides = questions.iter().map(|q| q.slide).max().unwrap_or(0) + 1;
    let deck_slides: Vec<Value> = (0..slides)
        .map(|slide| {
            let question = questions
                .iter()
                .find(|q| q.slide == slide)
                .map(|q| json!({"id": q.id, "kind": "single", "options": vec!["option"; q.options]}));
            json!({"index": slide, "question": question})
        })
        .collect();
    let deck_frame = json!({"type": "deck", "title": "Load test", "slides": deck_slides}).to_string();
    let (votes, inbox) = mpsc::channel(16 * 1024);
    let shared = Shared {
        phones: watch::Sender::new(Utf8Bytes::from(state_frame(None))),
        presenter: watch::Sender::new(Utf8Bytes::from(
            json!({"type": "state", "slide": 0, "results": null}).to_string(),
        )),
        connected: watch::Sender::new(0),
        votes,
        deck_frame: deck_frame.into(),
        questions: Arc::new(questions),
        slide: Arc::new(AtomicU64::new(0)),
        counts: Arc::default(),
    };
    let writer = shared.clone();
    // Named as Handsup's is, so a profiler can wait for it alike.
    std::thread::Builder::new().name("reference-writer".into()).spawn(move || write_votes(db, inbox, writer))?;

    let participants = listen(&format!("{bind}:{port}"))?;
    let presenter = listen("127.0.0.1:0")?;
    let (lan, local) = (participants.local_addr()?, presenter.local_addr()?);
    println!("participant: http://{lan}/");
    println!("presenter: http://{local}/?token=reference");
    let phones_app = Router::new().route("/ws", get(phone_upgrade)).with_state(shared.clone());
    let presenter_app = Router::new().route("/ws", get(presenter_upgrade)).with_state(shared);
    let nodelay = |tcp: &mut tokio::net::TcpStream| {
        let _ = tcp.set_nodelay(true);
    };
    tokio::select! {
        served = axum::serve(participants.tap_io(nodelay), phones_app) => served?,
        served = axum::serve(presenter.tap_io(nodelay), presenter_app) => served?,
        _ = terminated() => {}
    }
    // Every acknowledged vote is already committed.
    Ok(())
}

fn listen(addr: &str) -> Result<tokio::net::TcpListener> {
    let addr: SocketAddr = addr.parse()?;
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    // The default backlog of 1,024 overflows when 10,000 phones connect at once.
    Ok(socket.listen(4096)?)
}

async fn terminated() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Written by hand so that `type` comes first, as Handsup writes it (serde_json sorts map keys).
fn state_frame(question: Option<&Question>) -> String {
    let view = question.map(|q| json!({"id": q.id, "kind": "single", "options": vec!["option"; q.options]}));
    let slide = question.map_or(0, |q| q.slide);
    format!(r#"{{"type":"state","slide":{slide},"question":{},"voting":"open"}}"#, view.unwrap_or(Value::Null))
}

fn presenter_frame(slide: u64, question: Option<(&str, &Counts)>) -> Utf8Bytes {
    let results = question
        .map(|(id, counts)| json!({"question": id, "respondents": counts.respondents, "counts": counts.choices}));
    json!({"type": "state", "slide": slide, "results": results}).to_string().into()
}

/// The one writer: whatever queued during the last commit goes into the next transaction.
fn write_votes(mut db: rusqlite::Connection, mut inbox: mpsc::Receiver<Vote>, shared: Shared) {
    let mut batch = Vec::with_capacity(4096);
    let mut answers: HashMap<(String, String), Vec<usize>> = HashMap::new();
    while inbox.blocking_recv_many(&mut batch, 4096) > 0 {
        let committed = (|| -> rusqlite::Result<()> {
            let tx = db.transaction()?;
            {
                let mut insert = tx.prepare_cached("INSERT OR REPLACE INTO responses VALUES (?1, ?2, ?3)")?;
                for vote in &batch {
                    insert.execute([&vote.participant, &vote.question, &vote.answer])?;
                }
            }
            tx.commit()
        })();
        if committed.is_err() {
            batch.clear();
            continue;
        }
        if let Ok(mut counts) = shared.counts.lock() {
            for vote in &batch {
                let entry = counts.entry(vote.question.clone()).or_default();
                let options = shared.questions.iter().find(|q| q.id == vote.question).map_or(0, |q| q.options);
                entry.choices.resize(options, 0);
                match answers.insert((vote.participant.clone(), vote.question.clone()), vote.choices.clone()) {
                    Some(previous) => previous.iter().for_each(|&c| {
                        if let Some(n) = entry.choices.get_mut(c) {
                            *n = n.saturating_sub(1);
                        }
                    }),
                    None => entry.respondents += 1,
                }
                vote.choices.iter().for_each(|&c| {
                    if let Some(n) = entry.choices.get_mut(c) {
                        *n += 1;
                    }
                });
            }
            let slide = shared.slide.load(Ordering::Relaxed);
            let current = shared.questions.iter().find(|q| q.slide as u64 == slide);
            let frame = presenter_frame(
                slide,
                current
                    .map(|q| (q.id.as_str(), counts.get(&q.id).cloned().unwrap_or_default()))
                    .as_ref()
                    .map(|(id, c)| (*id, c)),
            );
            shared.presenter.send_replace(frame);
        }
        for vote in batch.drain(..) {
            let _ = vote.reply.send(());
        }
    }
}

async fn phone_upgrade(State(shared): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.read_buffer_size(4096).write_buffer_size(0).on_upgrade(move |socket| phone(socket, shared))
}

async fn phone(mut socket: WebSocket, shared: Shared) {
    let participant = match socket.recv().await {
        Some(Ok(Message::Text(text))) => serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|hello| hello["participant"].as_str().map(str::to_string))
            .unwrap_or_default(),
        _ => return,
    };
    shared.connected.send_modify(|n| *n += 1);
    let mut views = shared.phones.subscribe();
    let frame = views.borrow_and_update().clone();
    if socket.send(Message::Text(frame)).await.is_ok() {
        let _ = phone_loop(&mut socket, &shared, &participant, &mut views).await;
    }
    shared.connected.send_modify(|n| *n = n.saturating_sub(1));
}

async fn phone_loop(
    socket: &mut WebSocket,
    shared: &Shared,
    participant: &str,
    views: &mut watch::Receiver<Utf8Bytes>,
) -> Result<()> {
    loop {
        tokio::select! {
            Ok(()) = views.changed() => {
                let frame = views.borrow_and_update().clone();
                socket.send(Message::Text(frame)).await?;
            }
            frame = socket.recv() => {
                let Some(Ok(Message::Text(text))) = frame else {
                    return match frame { Some(Ok(_)) => Ok(()), _ => Err(anyhow!("closed")) };
                };
                let vote: Value = serde_json::from_str(&text)?;
                let (request, question) = (vote["request"].clone(), vote["question"].as_str().unwrap_or("").to_string());
                let choices: Vec<usize> = vote["answer"]["choices"]
                    .as_array()
                    .map(|c| c.iter().filter_map(|n| n.as_u64().map(|n| n as usize)).collect())
                    .unwrap_or_default();
                let (reply, stored) = oneshot::channel();
                let answer = vote["answer"].to_string();
                shared.votes.send(Vote { participant: participant.to_string(), question: question.clone(), answer, choices, reply }).await?;
                stored.await?;
                let ack = format!(r#"{{"type":"ack","request":{request},"question":{},"answer":{}}}"#, json!(question), vote["answer"]);
                socket.send(Message::Text(ack.into())).await?;
            }
        }
    }
}

async fn presenter_upgrade(State(shared): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| presenter(socket, shared))
}

async fn presenter(mut socket: WebSocket, shared: Shared) {
    let _ = presenter_loop(&mut socket, &shared).await;
}

async fn presenter_loop(socket: &mut WebSocket, shared: &Shared) -> Result<()> {
    let mut states = shared.presenter.subscribe();
    let mut connected = shared.connected.subscribe();
    socket.send(Message::Text(shared.deck_frame.clone())).await?;
    loop {
        tokio::select! {
            Ok(()) = states.changed() => {
                let frame = states.borrow_and_update().clone();
                socket.send(Message::Text(frame)).await?;
            }
            Ok(()) = connected.changed() => {
                let n = *connected.borrow_and_update();
                socket.send(Message::Text(json!({"type": "participants", "connected": n}).to_string().into())).await?;
            }
            frame = socket.recv() => {
                let Some(Ok(Message::Text(text))) = frame else { return Ok(()) };
                let command: Value = serde_json::from_str(&text)?;
                if let Some(slide) = command["slide"].as_u64() {
                    shared.slide.store(slide, Ordering::Relaxed);
                    let question = shared.questions.iter().find(|q| q.slide as u64 == slide);
                    // The presenter first, then one frame serialised once for every phone.
                    let counts = question.and_then(|q| shared.counts.lock().ok().map(|c| c.get(&q.id).cloned().unwrap_or_default()));
                    let results = question.zip(counts.as_ref()).map(|(q, c)| (q.id.as_str(), c));
                    shared.presenter.send_replace(presenter_frame(slide, results));
                    shared.phones.send_replace(state_frame(question).into());
                }
            }
        }
    }
}
