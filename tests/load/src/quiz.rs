//! A quiz question at scale: every phone answers within the countdown, then the
//! reveal sends each phone its own result (correct, points, rank).

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::chatter::join_room;
use crate::phones::{Presenter, Socket};
use crate::server::Server;
use crate::stats::Summary;

/// The deck: a title slide, then one quiz question (A is right) with the given countdown.
fn deck(seconds: u64) -> String {
    format!("# Quiz load\n\n---\n\n<!-- question: quiz id=q time={seconds} -->\n# Which one?\n\n- [x] Alpha\n- [ ] Bravo\n- [ ] Charlie\n- [ ] Delta\n")
}

/// What a quiz run measured, on Handsup and (the same phones, the same way) on the reference.
#[derive(Debug, Clone, Serialize)]
pub struct QuizReport {
    pub phones: usize,
    pub seconds: u64,
    /// Answers acknowledged, and rows in the database afterwards.
    pub acknowledged: usize,
    pub stored: usize,
    pub answer_ack: Summary,
    /// The question reaching every phone: the presenter's `goto` → each phone's state frame.
    pub question_to_phone: Summary,
    /// The presenter's reveal → each phone's own `result` frame.
    pub reveal_to_phone: Summary,
    pub results: usize,
    /// Different result frames sent: each phone's own, not one broadcast.
    pub distinct_results: usize,
    /// Every result's rank agrees with its points (more points, better rank).
    pub ranks_consistent: bool,
    /// The reference server's `goto` → state frame at the same size, for scale.
    pub reference_question_to_phone: Option<Summary>,
    pub server_cpu_s: f64,
    pub errors: Vec<String>,
}

/// What one phone saw.
struct Played {
    question_at: Instant,
    ack: Option<Duration>,
    result: Option<(Instant, String)>,
}

/// One phone: picks a nickname (Handsup only), waits for the question, answers after
/// `delay`, then waits for its result.
async fn play(mut socket: Socket, n: usize, delay: Duration, progress: Progress, reveal: bool) -> Result<Played> {
    if reveal {
        // Every player under its own nickname: each result frame is then one of a kind.
        let name = json!({"type": "name", "request": "n1", "nickname": format!("Player-{n}")});
        socket.send(Message::text(name.to_string())).await?;
        next_frame(&mut socket, "\"n1\"", |f| f["type"] == "nickname").await?;
    }
    // Named before the question comes, so no phone skips it while waiting for its nickname.
    progress.named.fetch_add(1, Ordering::Relaxed);
    let (_, question_at) =
        next_frame(&mut socket, "\"state\"", |f| f["type"] == "state" && f["question"]["id"] == "q").await?;
    tokio::time::sleep(delay).await;
    // A quarter pick the right option.
    let answer = json!({"choices": [n % 4]});
    let sent = Instant::now();
    socket
        .send(Message::text(json!({"type": "vote", "request": "r1", "question": "q", "answer": answer}).to_string()))
        .await?;
    let (ack, _) = next_frame(&mut socket, "\"r1\"", |f| f["request"] == "r1").await?;
    let ack = (ack["type"] == "ack").then(|| sent.elapsed());
    progress.acked.fetch_add(1, Ordering::Relaxed);
    if !reveal {
        return Ok(Played { question_at, ack, result: None });
    }
    let (result, at) = next_frame(&mut socket, "\"result\"", |f| f["type"] == "result").await?;
    Ok(Played { question_at, ack, result: Some((at, result.to_string())) })
}

/// How far the phones are, for the run to wait on.
#[derive(Clone, Default)]
struct Progress {
    named: Arc<AtomicUsize>,
    acked: Arc<AtomicUsize>,
}

/// Reads until a frame holding `needle` satisfies `wanted`; others are skipped unparsed.
async fn next_frame(socket: &mut Socket, needle: &str, wanted: impl Fn(&Value) -> bool) -> Result<(Value, Instant)> {
    tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(frame) = socket.next().await {
            if let Message::Text(text) = frame? {
                if text.contains(needle) {
                    let value: Value = serde_json::from_str(&text)?;
                    if wanted(&value) {
                        return Ok((value, Instant::now()));
                    }
                }
            }
        }
        Err(anyhow!("the socket closed"))
    })
    .await?
}

/// Runs one quiz question for `phones` phones answering within `seconds`, then reveals.
/// With `reference`, drives the reference server the same way up to the answers.
pub async fn quiz(binary: &Path, reference: Option<&Path>, phones: usize, seconds: u64) -> Result<QuizReport> {
    let handsup = round(binary, phones, seconds, true).await?;
    let mut report = handsup;
    if let Some(reference) = reference {
        let yardstick = round(reference, phones, seconds, false).await?;
        report.reference_question_to_phone = Some(yardstick.question_to_phone);
        report.errors.extend(yardstick.errors.into_iter().map(|e| format!("reference: {e}")));
    }
    Ok(report)
}

async fn round(binary: &Path, phones: usize, seconds: u64, reveal: bool) -> Result<QuizReport> {
    let dir = std::env::temp_dir().join(format!("handsup-quiz-{}-{}", std::process::id(), reveal));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let deck_file = dir.join("quiz.md");
    std::fs::write(&deck_file, deck(seconds))?;
    let mut server = Server::spawn(binary, &deck_file, &dir.join("data"))?;
    let sockets = join_room(&server, phones, "quiz-phone").await?;
    let presenter = Presenter::connect(&server.presenter_url).await?;
    let progress = Progress::default();
    let cpu_before = server.cpu_time()?;
    // Answers spread over the first half of the countdown, so none is late.
    let spread_ms = seconds * 1000 / 2;
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(n, socket)| {
            let delay = Duration::from_millis((n as u64 * 7919) % spread_ms.max(1));
            tokio::spawn(play(socket, n, delay, progress.clone(), reveal))
        })
        .collect();
    while progress.named.load(Ordering::Relaxed) < phones {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let goto_at = Instant::now();
    presenter.goto(1)?;
    let mut errors = Vec::new();
    // Every answer acknowledged (or the countdown over), then the reveal.
    let deadline = Instant::now() + Duration::from_secs(seconds + 30);
    while progress.acked.load(Ordering::Relaxed) < phones && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let revealed_at: Arc<OnceLock<Instant>> = Arc::default();
    if reveal {
        revealed_at.get_or_init(Instant::now);
        presenter.send(json!({"type": "reveal_answer", "revealed": true}))?;
    }
    let mut question_to_phone = Vec::new();
    let mut acks = Vec::new();
    let mut reveals = Vec::new();
    let mut frames = HashSet::new();
    let mut results: Vec<(u64, u64)> = Vec::new();
    for task in tasks {
        match task.await? {
            Ok(played) => {
                question_to_phone.push(played.question_at.saturating_duration_since(goto_at));
                acks.extend(played.ack);
                if let (Some((at, frame)), Some(start)) = (played.result, revealed_at.get()) {
                    reveals.push(at.saturating_duration_since(*start));
                    let value: Value = serde_json::from_str(&frame)?;
                    results.push((value["points"].as_u64().unwrap_or(0), value["rank"].as_u64().unwrap_or(0)));
                    frames.insert(frame);
                }
            }
            Err(error) => errors.push(error.to_string()),
        }
    }
    let server_cpu_s = (server.cpu_time()? - cpu_before).as_secs_f64();
    results.sort_unstable_by_key(|&(points, _)| std::cmp::Reverse(points));
    let ranks_consistent = results.windows(2).all(|w| (w[0].0 == w[1].0) == (w[0].1 == w[1].1) && w[0].1 <= w[1].1);
    let data = server.data.clone();
    server.stop()?;
    let stored = count_rows(&data)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(QuizReport {
        phones,
        seconds,
        acknowledged: acks.len(),
        stored,
        answer_ack: Summary::of(&acks),
        question_to_phone: Summary::of(&question_to_phone),
        reveal_to_phone: Summary::of(&reveals),
        results: reveals.len(),
        distinct_results: frames.len(),
        ranks_consistent,
        reference_question_to_phone: None,
        server_cpu_s,
        errors,
    })
}

/// Answers in the file after the run (the reference keeps a `responses` table too).
fn count_rows(data: &Path) -> Result<usize> {
    let path = data.join("handsup.sqlite3");
    if !path.exists() {
        return Ok(0);
    }
    let db = rusqlite::Connection::open(path)?;
    let rows: i64 = db.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    Ok(usize::try_from(rows).unwrap_or(0))
}
