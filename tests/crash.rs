//! `kill -9` of `handsup serve` at random moments under a voting load: after each
//! restart every acknowledged vote is stored, nothing unsent is, the database is
//! intact, the session resumes on the same port and the phones get the current question.
//!
//! Iterations: `HANDSUP_CRASH_ITERATIONS` (default 24); seed: `HANDSUP_CRASH_SEED`.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use common::{origin_of, serve_urls, Rng, WsClient};
use serde_json::json;

const PHONES: usize = 30;

struct Serve {
    child: Child,
    participant: String,
    presenter: String,
}

fn start(port: u16, data: &Path) -> Result<Serve> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["serve", "--bind", "127.0.0.1", "--port", &port.to_string(), "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let (participant, presenter) = serve_urls(&mut child)?;
    Ok(Serve { child, participant, presenter })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_votes_survive_kill_9_and_the_session_resumes() -> Result<()> {
    let iterations: usize = std::env::var("HANDSUP_CRASH_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(24);
    let seed: u64 = std::env::var("HANDSUP_CRASH_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    eprintln!("crash test: {iterations} iterations, HANDSUP_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let data = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    // (participant, request) pairs: every one sent, and every one acknowledged.
    let sent: Arc<Mutex<HashSet<(String, String)>>> = Arc::default();
    let acked: Arc<Mutex<HashSet<(String, String)>>> = Arc::default();
    let mut question = String::new();

    for iteration in 0..iterations {
        let mut server = start(port, data.path()).with_context(|| format!("restart {iteration} on port {port}"))?;
        assert!(server.participant.ends_with(&format!(":{port}/")), "not the same port: {}", server.participant);
        if iteration == 0 {
            let presenter_ws = server.presenter.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1);
            let mut presenter = WsClient::connect(&presenter_ws, Some(&origin_of(&server.presenter))).await?;
            let deck = presenter.wait_type("deck").await?;
            let slide;
            (slide, question) = common::nth_question(&deck, 0)?;
            common::goto(&mut presenter, slide).await?;
        }

        let ws = format!("{}ws", server.participant.replacen("http://", "ws://", 1));
        let origin = origin_of(&server.participant);
        let mut phones = Vec::new();
        for phone in 0..PHONES {
            let (ws, origin, question) = (ws.clone(), origin.clone(), question.clone());
            let (sent, acked) = (sent.clone(), acked.clone());
            phones.push(tokio::spawn(async move {
                let id = format!("crash-phone-{phone:03}");
                let mut client = WsClient::connect(&ws, Some(&origin)).await?;
                client.send(json!({"type": "hello", "participant": id})).await?;
                // After every restart the phone is back on the current question.
                client.wait_for("the current question", |f| f["question"]["id"] == question.as_str()).await?;
                'votes: for n in 0.. {
                    let request = format!("i{iteration}-n{n}");
                    let choice = ((phone + n) % 4) as u16;
                    sent.lock().map_err(|_| anyhow!("poisoned"))?.insert((id.clone(), request.clone()));
                    loop {
                        client.latest_clear("ack");
                        client.latest_clear("error");
                        let vote =
                            json!({"type": "vote", "request": request, "question": question, "answer": {"choices": [choice]}});
                        if client.send(vote).await.is_err() {
                            break 'votes;
                        }
                        match client.wait_for("ack", |f| f["request"] == request.as_str()).await {
                            Ok(reply) if reply["type"] == "ack" => {
                                acked.lock().map_err(|_| anyhow!("poisoned"))?.insert((id.clone(), request));
                                break;
                            }
                            // Over the per-phone rate: wait and send the same request again, as the page does.
                            Ok(reply) if reply["code"] == "rate_limited" => {
                                tokio::time::sleep(Duration::from_millis(200)).await;
                            }
                            Ok(reply) => return Err(anyhow!("vote refused: {reply}")),
                            Err(_) => break 'votes, // the server died mid-vote
                        }
                    }
                }
                Ok::<_, anyhow::Error>(())
            }));
        }
        tokio::time::sleep(Duration::from_millis(150 + rng.next(500))).await;
        server.child.kill()?; // SIGKILL: no shutdown, no flush, no close frames
        server.child.wait()?;
        for phone in phones {
            phone.await??;
        }

        let sent = sent.lock().map_err(|_| anyhow!("poisoned"))?.clone();
        let acked = acked.lock().map_err(|_| anyhow!("poisoned"))?.clone();
        let database = data.path().join("handsup.sqlite3");
        let stored = common::acknowledged_within_stored_within_sent(&database, &sent, &acked)
            .with_context(|| format!("iteration {iteration}"))?;
        let db = rusqlite::Connection::open(&database)?;
        // One answer per phone, and it is the last stored request's choice.
        let answers: i64 = db.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
        ensure!(answers as usize <= PHONES, "iteration {iteration}: {answers} answers from {PHONES} phones");
        eprintln!("iteration {iteration}: {} sent, {} acknowledged, {} stored", sent.len(), acked.len(), stored.len());
    }
    Ok(())
}
