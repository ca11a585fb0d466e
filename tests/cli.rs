//! The `handsup serve` command line: its output lines are a contract, and SIGTERM stops it cleanly.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, Result};
use common::{origin_of, serve_urls, WsClient};
use serde_json::json;

struct Serve {
    child: Child,
    participant: String,
    presenter: String,
}

fn serve(args: &[&str]) -> Result<Serve> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let (participant, presenter) = serve_urls(&mut child)?;
    Ok(Serve { child, participant, presenter })
}

fn terminate(child: &mut Child) -> Result<std::process::ExitStatus> {
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status()?;
    for _ in 0..100 {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill()?;
    Err(anyhow!("handsup serve did not stop within 5 s of SIGTERM"))
}

#[tokio::test]
async fn serve_prints_both_urls_and_stops_cleanly_on_sigterm() -> Result<()> {
    let data = tempfile::tempdir()?;
    let data_arg = data.path().display().to_string();
    let mut server = serve(&["--bind", "127.0.0.1", "--port", "0", "--data", &data_arg])?;
    assert!(server.participant.starts_with("http://127.0.0.1:"), "{}", server.participant);
    assert!(
        server.presenter.starts_with("http://127.0.0.1:") && server.presenter.contains("/?token="),
        "{}",
        server.presenter
    );

    let ws = format!("{}ws", server.participant.replacen("http://", "ws://", 1));
    let mut phone = WsClient::connect(&ws, Some(&origin_of(&server.participant))).await?;
    phone.send(json!({"type": "hello", "participant": "cli-phone-01"})).await?;
    assert_eq!(phone.wait_type("state").await?["title"], "Handsup demo");

    let status = terminate(&mut server.child)?;
    assert!(status.success(), "exit status {status}");
    assert_eq!(phone.closed().await?, tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::Away);
    assert!(data.path().join("handsup.sqlite3").exists());
    let _ = server.presenter;
    Ok(())
}

#[test]
fn a_bad_deck_is_reported_with_file_and_line() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("talk.md");
    std::fs::write(&deck, "# Hello\n\n---\n\n<!-- question: single -->\n# Pick one\n\n- Only option\n")?;
    let output = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["serve", &deck.display().to_string(), "--port", "0", "--data", &dir.path().display().to_string()])
        .output()?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("talk.md:8:") && stderr.contains("at least two options"), "{stderr}");
    Ok(())
}

#[test]
fn a_taken_port_is_a_clear_error() -> Result<()> {
    let taken = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = taken.local_addr()?.port().to_string();
    let dir = tempfile::tempdir()?;
    let output = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["serve", "--bind", "127.0.0.1", "--port", &port, "--data", &dir.path().display().to_string()])
        .output()?;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen on") && stderr.contains("--port"), "{stderr}");
    Ok(())
}

#[test]
fn check_says_ok_with_counts_or_file_line_and_what_was_expected() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let good = dir.path().join("good.md");
    std::fs::write(&good, handsup_core::deck::DEMO_DECK)?;
    let output = Command::new(env!("CARGO_BIN_EXE_handsup")).args(["check", &good.display().to_string()]).output()?;
    assert!(output.status.success());
    let deck = handsup_core::deck::demo_deck();
    let line = format!("ok: {} slides, {} questions\n", deck.slides.len(), deck.questions().count());
    assert_eq!(String::from_utf8_lossy(&output.stdout), line);

    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, "# Hello\n\n---\n\n<!-- question: scale max=30 -->\n# Rate\n")?;
    let output = Command::new(env!("CARGO_BIN_EXE_handsup")).args(["check", &bad.display().to_string()]).output()?;
    assert_eq!(output.status.code(), Some(1));
    let expected = format!("{}:5: a scale has at most 11 points; 1 to 30 has 30\n", bad.display());
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);

    let missing = Command::new(env!("CARGO_BIN_EXE_handsup")).args(["check", "/no/such/deck.md"]).output()?;
    assert_eq!(missing.status.code(), Some(1));
    Ok(())
}

#[test]
fn export_without_data_is_a_clear_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let output = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["export", "--data", &dir.path().display().to_string()])
        .output()?;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no Handsup data"), "{stderr}");
    assert!(!dir.path().join("handsup.sqlite3").exists(), "an export creates nothing");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_presents_a_portable_session_file_read_only_and_leaves_it_as_it_was() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("poll.md");
    std::fs::write(&deck, "# Hi\n\n---\n\n<!-- question: single id=drink -->\n# Coffee or tea?\n- Coffee\n- Tea\n")?;
    let data = dir.path().join("data");
    let mut server = common::TestServer::start_in(&data, handsup_core::DeckSource::File(deck)).await?;
    let (mut presenter, question) = server.presenter_on_first_question().await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    for n in 0..2 {
        let mut phone = server.phone_on(&format!("portable-phone-{n}"), &question).await?;
        phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
        phone.answer(&format!("v{n}"), &question, json!({"choices": [n]})).await?;
    }
    server.stop().await?;
    let file = dir.path().join("poll.handsup");
    let written = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["export", "--format", "handsup", "--data", &data.display().to_string(), "--out"])
        .arg(&file)
        .output()?;
    anyhow::ensure!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let before = std::fs::read(&file)?;

    let mut record = serve(&[&file.display().to_string(), "--port", "0"])?;
    anyhow::ensure!(
        record.participant.starts_with("http://127.0.0.1:"),
        "phones cannot reach a record: {}",
        record.participant
    );
    let ws = record.presenter.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1);
    let mut desk = WsClient::connect(&ws, Some(&origin_of(&record.presenter))).await?;
    let shown = desk.wait_type("deck").await?;
    anyhow::ensure!(shown["review"]["session"].is_i64(), "shown read-only: {}", shown["review"]);
    anyhow::ensure!(shown["review"]["live"] == false, "a session file has no live session to go back to");
    desk.send(json!({"type": "goto", "slide": 1})).await?;
    desk.wait_for("the stored votes", |f| f["type"] == "state" && f["results"]["counts"] == json!([1, 1])).await?;
    let status = terminate(&mut record.child)?;
    anyhow::ensure!(status.success(), "{status}");
    anyhow::ensure!(std::fs::read(&file)? == before, "the file itself is never changed");
    Ok(())
}
