//! Audience chatter at scale: Q&A questions and upvotes, and live reactions, from thousands of phones.

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::phones::{self, Socket};
use crate::server::Server;
use crate::stats::Summary;

/// What a Q&A run measured.
#[derive(Debug, Clone, Serialize)]
pub struct QaReport {
    pub phones: usize,
    pub questions: usize,
    pub upvotes: usize,
    /// Ask → ack, and upvote → ack, for the first and the last tenth of upvotes
    /// (per-upvote cost must not grow with the number of entries).
    pub ask_ack: Summary,
    pub upvote_ack_first: Summary,
    pub upvote_ack_last: Summary,
    /// `qa` frames one phone received while the room asked and upvoted, the
    /// largest in bytes, and how many a second on average.
    pub qa_frames: usize,
    pub qa_frame_max_bytes: usize,
    pub qa_frames_per_second: f64,
    pub server_cpu_s: f64,
    pub wall_s: f64,
    pub errors: Vec<String>,
}

/// What a reactions run measured.
#[derive(Debug, Clone, Serialize)]
pub struct ReactionsReport {
    pub phones: usize,
    pub seconds: u64,
    pub reactions_sent: usize,
    /// The presenter's last totals, summed.
    pub reactions_counted: u64,
    pub presenter_frames: usize,
    /// Server CPU over the run, in cores (1.0 = one core busy the whole time).
    pub server_cores: f64,
    /// The database file and its WAL did not change while the room reacted.
    pub database_unchanged: bool,
    pub errors: Vec<String>,
}

pub(crate) async fn join_room(server: &Server, phones: usize, prefix: &str) -> Result<Vec<Socket>> {
    let (addr, origin) = phones::target(&server.participant_url)?;
    let url = format!("{}ws", server.participant_url.replacen("http://", "ws://", 1));
    let gate = Arc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(phones);
    for n in 0..phones {
        let (url, origin, gate) = (url.clone(), origin.clone(), gate.clone());
        let id = format!("{prefix}-{n:06}");
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            // Spread over loopback addresses: one source address has about 28k ports.
            let source = Ipv4Addr::new(127, 0, 1, 2 + (n % 16) as u8);
            let mut socket = phones::connect(addr, source, &url, &origin).await?;
            socket.send(Message::text(json!({"type": "hello", "participant": id}).to_string())).await?;
            Ok::<_, anyhow::Error>(socket)
        }));
    }
    let mut sockets = Vec::with_capacity(phones);
    for task in tasks {
        sockets.push(task.await??);
    }
    Ok(sockets)
}

/// Reads frames until one holding `needle` satisfies `wanted`; returns it with
/// its arrival. Other frames are skipped unparsed: ten thousand phones parsing
/// every Q&A list would measure the load generator, not the server.
async fn wait_for(socket: &mut Socket, needle: &str, wanted: impl Fn(&Value) -> bool) -> Result<(Value, Instant)> {
    let deadline = Duration::from_secs(60);
    tokio::time::timeout(deadline, async {
        while let Some(frame) = socket.next().await {
            if let Message::Text(text) = frame? {
                if !text.contains(needle) {
                    continue;
                }
                let value: Value = serde_json::from_str(&text)?;
                if wanted(&value) {
                    return Ok((value, Instant::now()));
                }
            }
        }
        Err(anyhow!("the socket closed"))
    })
    .await?
}

/// `questions` phones each ask once over about five seconds; then every phone upvotes
/// others' questions until `upvotes` were given, over about ten seconds.
pub async fn qa(binary: &std::path::Path, phones: usize, questions: usize, upvotes: usize) -> Result<QaReport> {
    let dir = std::env::temp_dir().join(format!("handsup-qa-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let deck = dir.join("qa.md");
    std::fs::write(&deck, "---\ntitle: Q&A load\nqa: true\n---\n\n# Questions\n\n<!-- qa -->\n")?;
    let mut server = Server::spawn(binary, &deck, &dir.join("data"))?;
    let mut sockets = join_room(&server, phones, "qa-phone").await?;
    for socket in sockets.iter_mut() {
        wait_for(socket, "\"mine\"", |f| f["type"] == "mine").await?;
    }
    // One phone (not asking, not upvoting) records the room's list.
    let mut watcher = sockets.pop().ok_or_else(|| anyhow!("no phones"))?;
    let frames: Arc<Mutex<Vec<(Instant, usize)>>> = Arc::default();
    let watch_log = frames.clone();
    let watching = tokio::spawn(async move {
        while let Some(Ok(frame)) = watcher.next().await {
            if let Message::Text(text) = frame {
                if text.contains("\"type\":\"qa\"") {
                    if let Ok(mut log) = watch_log.lock() {
                        log.push((Instant::now(), text.len()));
                    }
                }
            }
        }
    });
    let cpu_before = server.cpu_time()?;
    let started = Instant::now();
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();

    // Asks, spread over five seconds.
    let spread = Duration::from_secs(5);
    let mut tasks = Vec::new();
    for (n, mut socket) in sockets.drain(..).enumerate() {
        let errors = errors.clone();
        let asks = n < questions;
        tasks.push(tokio::spawn(async move {
            let mut latency = None;
            let mut entry = None;
            if asks {
                tokio::time::sleep(spread.mul_f64((n as f64) / (questions as f64))).await;
                let sent = Instant::now();
                let ask = json!({"type": "ask", "request": "ask", "text": format!("Question number {n}: why?")});
                socket.send(Message::text(ask.to_string())).await?;
                let (ack, at) = wait_for(&mut socket, "\"request\":\"ask\"", |f| f["request"] == "ask").await?;
                if ack["type"] == "ack" {
                    latency = Some(at - sent);
                    entry = ack["entry"].as_i64();
                } else if let Ok(mut e) = errors.lock() {
                    e.push(format!("ask {n}: {ack}"));
                }
            }
            Ok::<_, anyhow::Error>((socket, latency, entry))
        }));
    }
    let mut ask_latency = Vec::new();
    let mut entries = Vec::new();
    let mut sockets = Vec::new();
    for task in tasks {
        let (socket, latency, entry) = task.await??;
        ask_latency.extend(latency);
        entries.extend(entry);
        sockets.push(socket);
    }
    entries.sort_unstable();

    // Upvotes, in order of issue, over ten seconds: each phone upvotes a few others' questions.
    let per_phone = upvotes.div_ceil(sockets.len().max(1));
    let spread = Duration::from_secs(10);
    let total = per_phone * sockets.len();
    let mut tasks = Vec::new();
    for (n, mut socket) in sockets.into_iter().enumerate() {
        let (entries, errors) = (entries.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for k in 0..per_phone {
                let order = k * (total / per_phone.max(1)) + n;
                tokio::time::sleep_until(
                    (started + Duration::from_secs(5) + spread.mul_f64(order as f64 / total as f64)).into(),
                )
                .await;
                // Another phone's question: entries were asked by phones 0..questions, in order.
                let pick = entries[(n * 31 + k * 17 + 1) % entries.len()];
                let request = format!("up{k}");
                let sent = Instant::now();
                socket
                    .send(Message::text(
                        json!({"type": "upvote", "request": request, "entry": pick, "on": true}).to_string(),
                    ))
                    .await?;
                let needle = format!("\"request\":\"{request}\"");
                let (ack, at) = wait_for(&mut socket, &needle, |f| f["request"] == request.as_str()).await?;
                match ack["type"].as_str() {
                    Some("ack") => latencies.push((order, at - sent)),
                    // Its own question: refused as it must be; not a failure.
                    _ if ack["code"] == "own_entry" => {}
                    _ => {
                        if let Ok(mut e) = errors.lock() {
                            e.push(format!("upvote {n}/{k}: {ack}"));
                        }
                    }
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut upvote_latency = Vec::new();
    for task in tasks {
        upvote_latency.extend(task.await??);
    }
    upvote_latency.sort_by_key(|(order, _)| *order);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let wall = started.elapsed();
    let server_cpu = server.cpu_time()? - cpu_before;
    watching.abort();
    server.stop()?;
    let tenth = (upvote_latency.len() / 10).max(1);
    let first: Vec<Duration> = upvote_latency.iter().take(tenth).map(|(_, d)| *d).collect();
    let last: Vec<Duration> = upvote_latency.iter().rev().take(tenth).map(|(_, d)| *d).collect();
    let log = frames.lock().map(|log| log.clone()).unwrap_or_default();
    let errors = errors.lock().map(|e| e.clone()).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(QaReport {
        phones,
        questions: entries.len(),
        upvotes: upvote_latency.len(),
        ask_ack: Summary::of(&ask_latency),
        upvote_ack_first: Summary::of(&first),
        upvote_ack_last: Summary::of(&last),
        qa_frames: log.len(),
        qa_frame_max_bytes: log.iter().map(|(_, bytes)| *bytes).max().unwrap_or(0),
        qa_frames_per_second: log.len() as f64 / wall.as_secs_f64(),
        server_cpu_s: server_cpu.as_secs_f64(),
        wall_s: wall.as_secs_f64(),
        errors,
    })
}

/// Every phone reacts once a second (phases spread over the second) for `seconds`.
pub async fn reactions(binary: &std::path::Path, phones: usize, seconds: u64) -> Result<ReactionsReport> {
    let dir = std::env::temp_dir().join(format!("handsup-reactions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let deck = dir.join("talk.md");
    std::fs::write(&deck, "---\ntitle: Reactions load\n---\n\n# Applause, please\n")?;
    let mut server = Server::spawn(binary, &deck, &dir.join("data"))?;
    let presenter = crate::phones::Presenter::connect(&server.presenter_url).await?;
    let mut sockets = join_room(&server, phones, "react-phone").await?;
    for socket in sockets.iter_mut() {
        wait_for(socket, "\"mine\"", |f| f["type"] == "mine").await?;
    }
    // Joining writes participants; give the writer a moment, then the files must not change.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let files = |dir: &std::path::Path| -> Vec<Vec<u8>> {
        ["handsup.sqlite3", "handsup.sqlite3-wal"]
            .iter()
            .map(|name| std::fs::read(dir.join("data").join(name)).unwrap_or_default())
            .collect()
    };
    let before = files(&dir);
    let cpu_before = server.cpu_time()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, mut socket) in sockets.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let phase = Duration::from_secs(1).mul_f64((n % 1000) as f64 / 1000.0);
            let mut sent = 0usize;
            for second in 0..seconds {
                tokio::time::sleep_until((started + phase + Duration::from_secs(second)).into()).await;
                let reaction = json!({"type": "react", "reaction": (n + second as usize) % 5});
                socket.send(Message::text(reaction.to_string())).await?;
                sent += 1;
            }
            Ok::<_, anyhow::Error>((socket, sent))
        }));
    }
    let mut sent = 0;
    let mut sockets = Vec::new();
    for task in tasks {
        let (socket, count) = task.await??;
        sent += count;
        sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let wall = started.elapsed();
    let server_cpu = server.cpu_time()? - cpu_before;
    let after = files(&dir);
    let (counted, frames) = presenter.reactions();
    drop(sockets);
    server.stop()?;
    let _ = std::fs::remove_dir_all(&dir);
    let mut errors = Vec::new();
    if counted != sent as u64 {
        errors.push(format!("{sent} reactions sent, {counted} counted"));
    }
    Ok(ReactionsReport {
        phones,
        seconds,
        reactions_sent: sent,
        reactions_counted: counted,
        presenter_frames: frames,
        server_cores: server_cpu.as_secs_f64() / wall.as_secs_f64(),
        database_unchanged: before == after,
        errors,
    })
}
