//! `kill -9` of `handsup serve` at random moments while the editor saves a deck
//! that discards a question's answers: after each restart, either the old deck
//! is on disk with its answers, or the new deck without them — never old
//! answers counted against new options.
//!
//! Iterations: `HANDSUP_SAVE_CRASH_ITERATIONS` (default 16); seed: `HANDSUP_CRASH_SEED`.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use common::{http_request, origin_of, serve_urls, Rng, WsClient};
use serde_json::json;

const DECK: &str = "---\ntitle: Saves\n---\n\n<!-- question: single id=q -->\n# Pick one\n\n- A\n- B\n";

struct Serve {
    child: Child,
    participant: String,
    presenter: String,
}

fn start(port: u16, deck: &Path, data: &Path) -> Result<Serve> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["serve", "--bind", "127.0.0.1", "--port", &port.to_string(), "--data"])
        .arg(data)
        .arg(deck)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let (participant, presenter) = serve_urls(&mut child)?;
    Ok(Serve { child, participant, presenter })
}

fn api(server: &Serve) -> String {
    server.presenter.replacen("/?token=", "/api/deck?token=", 1)
}

fn stored_answers(data: &Path) -> Result<i64> {
    let db = rusqlite::Connection::open(data.join("handsup.sqlite3"))?;
    Ok(db.query_row("SELECT count(*) FROM responses WHERE question = 'q'", [], |row| row.get(0))?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_that_discards_answers_is_all_or_nothing_under_kill_9() -> Result<()> {
    let iterations: usize =
        std::env::var("HANDSUP_SAVE_CRASH_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(16);
    let seed: u64 = std::env::var("HANDSUP_CRASH_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    eprintln!("save crash test: {iterations} iterations, HANDSUP_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("talk.md");
    let data = dir.path().join("data");
    std::fs::write(&deck, DECK)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    // Answers to `q` that must be stored while the deck on disk is the one they were given to.
    let mut expected = 0i64;
    let (mut kept, mut discarded) = (0, 0);

    for iteration in 0..iterations {
        let mut server = start(port, &deck, &data).with_context(|| format!("start {iteration}"))?;
        // What the restart settled: the deck on disk decides.
        let stored = stored_answers(&data)?;
        ensure!(stored == expected, "iteration {iteration}: {stored} answers stored, {expected} expected");

        let presenter_ws = server.presenter.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1);
        let mut presenter = WsClient::connect(&presenter_ws, Some(&origin_of(&server.presenter))).await?;
        presenter.send(json!({"type": "goto", "slide": 0})).await?;
        presenter.send(json!({"type": "open_voting"})).await?;
        presenter.wait_for("voting open", |m| m["type"] == "state" && m["voting"] == "open").await?;
        let phone_ws = server.participant.replacen("http://", "ws://", 1) + "ws";
        let mut phone = WsClient::connect(&phone_ws, Some(&origin_of(&server.participant))).await?;
        phone.send(json!({"type": "hello", "participant": format!("save-crash-phone-{iteration}")})).await?;
        let ack = phone.vote("r", "q", &[0]).await?;
        ensure!(ack["type"] == "ack", "{ack}");
        let before = std::fs::read_to_string(&deck)?;

        // The editor adds an option to the answered question, discarding its answers.
        let (head, body) = http_request("GET", &api(&server), &[], None).await?;
        ensure!(head.starts_with("http/1.1 200"), "{head}");
        let mut form: serde_json::Value = serde_json::from_str(&body)?;
        let options = form["slides"][0]["options"].as_array_mut().context("options")?;
        options.push(json!(format!("Option {iteration}")));
        let request =
            json!({"path": form["path"], "title": form["title"], "slides": form["slides"], "discard_answers": true});
        let url = api(&server);
        let origin = origin_of(&server.presenter);
        let save =
            tokio::spawn(
                async move { http_request("PUT", &url, &[("Origin", &origin)], Some(&request.to_string())).await },
            );
        // Anywhere from before the request is read to after the swap.
        tokio::time::sleep(Duration::from_micros(rng.next(40_000))).await;
        server.child.kill()?;
        server.child.wait()?;
        let _ = save.await;

        let after = std::fs::read_to_string(&deck)?;
        if after == before {
            expected += 1;
            kept += 1;
        } else {
            ensure!(after.contains(&format!("- Option {iteration}")), "a third deck on disk:\n{after}");
            expected = 0;
            discarded += 1;
        }
    }
    let mut server = start(port, &deck, &data)?;
    let stored = stored_answers(&data)?;
    server.child.kill()?;
    server.child.wait()?;
    ensure!(stored == expected, "finally: {stored} answers stored, {expected} expected");
    eprintln!("save crash test: {kept} saves interrupted before the file, {discarded} after");
    Ok(())
}
