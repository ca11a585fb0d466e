//! Live reactions over real sockets: counted exactly, at most one a second per
//! phone, sent to the presenter in totals, and never written to the database.

mod common;

use std::time::Duration;

use anyhow::{ensure, Result};
use common::TestServer;
use serde_json::json;

const PHONES: usize = 50;

/// The database file and its WAL, byte for byte.
fn files(server: &TestServer) -> Result<Vec<Vec<u8>>> {
    ["handsup.sqlite3", "handsup.sqlite3-wal"]
        .iter()
        .map(|name| Ok(std::fs::read(server.data.join(name)).unwrap_or_default()))
        .collect()
}

/// The database files once the joins are stored and checkpointed: unchanged
/// across more than two checkpoint intervals.
async fn settled_files(server: &TestServer) -> Result<Vec<Vec<u8>>> {
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    let mut before = files(server)?;
    loop {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let now = files(server)?;
        if now == before {
            return Ok(now);
        }
        ensure!(tokio::time::Instant::now() < deadline, "the database kept changing after the joins");
        before = now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_reach_the_presenter_in_totals_and_never_touch_the_database() -> Result<()> {
    let mut server = TestServer::start_on("# Welcome\n").await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    ensure!(deck["reactions"] == json!(["👏", "❤️", "😂", "😮", "🤔"]), "{}", deck["reactions"]);
    let mut phones = Vec::new();
    for n in 0..PHONES {
        let mut phone = server.participant(&format!("react-phone-{n:04}")).await?;
        let state = phone.wait_type("state").await?;
        ensure!(state["reactions"].as_array().map(Vec::len) == Some(5), "{state}");
        phones.push(phone);
    }
    // Joining writes the participants; after that, reactions write nothing.
    let before = settled_files(&server).await?;

    for (n, phone) in phones.iter_mut().enumerate() {
        phone.send(json!({"type": "react", "reaction": n % 5})).await?;
        // Faster than once a second: dropped.
        phone.send(json!({"type": "react", "reaction": n % 5})).await?;
        // No such emoji: ignored.
        phone.send(json!({"type": "react", "reaction": 99})).await?;
    }
    let want = json!([10, 10, 10, 10, 10]);
    let totals = presenter.wait_for("every reaction", |f| f["type"] == "reactions" && f["totals"] == want).await?;
    ensure!(totals["totals"] == want, "{totals}");
    // A phone a second later counts again.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    phones[0].send(json!({"type": "react", "reaction": 0})).await?;
    presenter.wait_for("one more", |f| f["type"] == "reactions" && f["totals"][0] == 11).await?;
    // Nothing was answered to the phones, and nothing was written.
    for phone in phones.iter_mut().take(3) {
        phone.catch_up().await;
        let error = tokio::time::timeout(Duration::from_millis(300), phone.wait_type("error")).await;
        ensure!(!matches!(error, Ok(Ok(_))), "a reaction got an error: {error:?}");
    }
    ensure!(files(&server)? == before, "a reaction changed the database");
    drop(phones);
    server.stop().await
}

#[tokio::test]
async fn a_deck_can_turn_reactions_off() -> Result<()> {
    let mut server = TestServer::start_on("---\nreactions: off\n---\n\n# Serious talk\n").await?;
    let mut phone = server.participant("react-off-0001").await?;
    let state = phone.wait_type("state").await?;
    ensure!(state["reactions"] == json!([]), "{state}");
    phone.send(json!({"type": "react", "reaction": 0})).await?;
    let mut presenter = server.presenter().await?;
    presenter.wait_type("deck").await?;
    presenter.catch_up().await;
    let counted = tokio::time::timeout(Duration::from_millis(600), presenter.wait_type("reactions")).await;
    ensure!(!matches!(counted, Ok(Ok(_))), "a reaction with none offered was counted: {counted:?}");
    server.stop().await
}
