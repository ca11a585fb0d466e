//! Another program holds the database's write lock at random moments (sometimes
//! past the busy timeout) while phones vote and the editor saves the deck. At
//! the end every acknowledged vote is stored, nothing unsent is, every phone's
//! last vote got through, and the server still listens.
//!
//! Length: `HANDSUP_LOCK_SOAK_SECONDS` (default 20); seed: `HANDSUP_CRASH_SEED`.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure, Result};
use common::{http_request, origin_of, serve_urls, Rng, WsClient};
use serde_json::json;

const PHONES: usize = 12;
const DECK: &str = "---\ntitle: Lock soak\n---\n\n<!-- question: single id=q -->\n# Pick one\n\n- A\n- B\n- C\n- D\n";

type Requests = Arc<Mutex<HashSet<(String, String)>>>;

/// Holds `BEGIN IMMEDIATE` for random spells until `done`; returns how many spells.
fn hold_the_lock_at_random(database: &Path, seed: u64, done: Arc<AtomicBool>) -> Result<usize> {
    let mut rng = Rng(seed);
    let locker = rusqlite::Connection::open(database)?;
    locker.busy_timeout(Duration::from_secs(30))?;
    let mut spells = 0;
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200 + rng.next(1500)));
        locker.execute_batch("BEGIN IMMEDIATE")?;
        spells += 1;
        // Up to 6.5 s: some spells outlast the server's 5 s busy timeout.
        std::thread::sleep(Duration::from_millis(300 + rng.next(6200)));
        locker.execute_batch("ROLLBACK")?;
    }
    Ok(spells)
}

/// One phone: votes one request after another; each is sent again (same id)
/// after `storage`, a rate limit or a lost socket, until it is acknowledged.
async fn phone(n: usize, ws: String, origin: String, until: Instant, sent: Requests, acked: Requests) -> Result<usize> {
    let id = format!("lock-soak-phone-{n:03}");
    let mut client: Option<WsClient> = None;
    let mut votes = 0;
    while Instant::now() < until {
        let request = format!("v{votes}");
        let choice = ((n + votes) % 4) as u16;
        sent.lock().map_err(|_| anyhow!("poisoned"))?.insert((id.clone(), request.clone()));
        let mut pause = Duration::from_millis(100);
        // The end of the soak does not stop a vote in flight: it must get through.
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            ensure!(Instant::now() < give_up, "{id} {request} never acknowledged");
            if client.is_none() {
                match WsClient::connect(&ws, Some(&origin)).await {
                    Ok(mut fresh) => {
                        fresh.send(json!({"type": "hello", "participant": id})).await?;
                        client = Some(fresh);
                    }
                    Err(_) => {
                        tokio::time::sleep(pause).await;
                        continue;
                    }
                }
            }
            let Some(socket) = client.as_mut() else { continue };
            match socket.vote(&request, "q", &[choice]).await {
                Ok(reply) if reply["type"] == "ack" => {
                    acked.lock().map_err(|_| anyhow!("poisoned"))?.insert((id.clone(), request.clone()));
                    break;
                }
                Ok(reply) if reply["code"] == "storage" || reply["code"] == "rate_limited" => {}
                Ok(reply) if reply["code"] == "unavailable" => client = None,
                Ok(reply) => return Err(anyhow!("{id}: vote refused: {reply}")),
                // The deck was swapped (going away) or the socket stalled: reconnect, send again.
                Err(_) => client = None,
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
        votes += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(votes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_and_saves_survive_a_lock_held_at_random_moments() -> Result<()> {
    let seconds: u64 = std::env::var("HANDSUP_LOCK_SOAK_SECONDS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let seed: u64 = std::env::var("HANDSUP_CRASH_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    eprintln!("lock soak: {seconds} s, HANDSUP_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("talk.md");
    let data = dir.path().join("data");
    std::fs::write(&deck, DECK)?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--data"])
        .arg(&data)
        .arg(&deck)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let (participant, presenter) = serve_urls(&mut child)?;
    let result = soak(&participant, &presenter, &data, seconds, &mut rng).await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

async fn soak(participant: &str, presenter: &str, data: &Path, seconds: u64, rng: &mut Rng) -> Result<()> {
    let presenter_ws = presenter.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1);
    let mut control = WsClient::connect(&presenter_ws, Some(&origin_of(presenter))).await?;
    control.send(json!({"type": "open_voting"})).await?;
    control.wait_for("voting open", |m| m["type"] == "state" && m["voting"] == "open").await?;
    drop(control);

    let until = Instant::now() + Duration::from_secs(seconds);
    let (sent, acked): (Requests, Requests) = Default::default();
    let ws = format!("{}ws", participant.replacen("http://", "ws://", 1));
    let origin = origin_of(participant);
    let phones: Vec<_> = (0..PHONES)
        .map(|n| tokio::spawn(phone(n, ws.clone(), origin.clone(), until, sent.clone(), acked.clone())))
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let locker = {
        let (database, seed, done) = (data.join("handsup.sqlite3"), rng.next(u64::MAX) | 1, done.clone());
        std::thread::spawn(move || hold_the_lock_at_random(&database, seed, done))
    };

    // The editor saves a new title every second or two; a save refused under the lock changes nothing.
    let api = presenter.replacen("/?token=", "/api/deck?token=", 1);
    let saves = AtomicUsize::new(0);
    let mut refused = 0;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(700 + rng.next(1300))).await;
        let Ok((head, body)) = http_request("GET", &api, &[], None).await else { continue };
        if !head.starts_with("http/1.1 200") {
            continue;
        }
        let form: serde_json::Value = serde_json::from_str(&body)?;
        let title = format!("Lock soak {}", saves.load(Ordering::Relaxed) + refused + 1);
        let request = json!({"path": form["path"], "title": title, "slides": form["slides"], "discard_answers": false});
        // A save that lands while the previous one swaps the deck finds the listener restarting: try later.
        let put = http_request("PUT", &api, &[("Origin", &origin_of(presenter))], Some(&request.to_string())).await;
        let Ok((head, body)) = put else { continue };
        if head.starts_with("http/1.1 200") {
            saves.fetch_add(1, Ordering::Relaxed);
        } else {
            ensure!(body.contains("not saved"), "a refused save says so: {head} {body}");
            refused += 1;
        }
    }
    done.store(true, Ordering::Relaxed);
    let spells = locker.join().map_err(|_| anyhow!("the locker panicked"))??;
    let mut votes = 0;
    for phone in phones {
        votes += phone.await??;
    }

    let sent = sent.lock().map_err(|_| anyhow!("poisoned"))?.clone();
    let acked = acked.lock().map_err(|_| anyhow!("poisoned"))?.clone();
    common::acknowledged_within_stored_within_sent(&data.join("handsup.sqlite3"), &sent, &acked)?;
    ensure!(acked.len() == sent.len(), "every vote got through in the end: {} of {}", acked.len(), sent.len());

    // Still listening (a save in its last moment may still be swapping the deck: a moment's grace).
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut phone = loop {
        if let (Ok((head, _)), Ok(phone)) =
            (common::http_get(participant).await, WsClient::connect(&ws, Some(&origin)).await)
        {
            ensure!(head.starts_with("http/1.1 200"), "{head}");
            break phone;
        }
        ensure!(Instant::now() < deadline, "nothing listens after the soak");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    phone.send(json!({"type": "hello", "participant": "lock-soak-late-1"})).await?;
    let state = phone.wait_type("state").await?;
    ensure!(state["question"]["id"] == "q", "{state}");
    eprintln!(
        "lock soak: {spells} lock spells, {} saves ({refused} refused under the lock), {votes} votes, {} acknowledged and stored",
        saves.load(Ordering::Relaxed),
        acked.len()
    );
    Ok(())
}
