//! Storage trouble is said as such: a vote refused because another process holds the
//! database's lock gets `storage` (not "shutting down"), and the same request goes through once freed.

mod common;

use anyhow::{ensure, Result};
use common::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_answers_storage_and_the_same_vote_is_stored_once_after() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (mut presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("locked-phone", &question).await?;
    ensure!(phone.vote("before", &question, &[0]).await?["type"] == "ack");

    let locker = rusqlite::Connection::open(server.data.join("handsup.sqlite3"))?;
    locker.execute_batch("BEGIN IMMEDIATE")?;
    let refused = phone.vote("during", &question, &[1]).await?;
    ensure!(refused["type"] == "error" && refused["code"] == "storage", "{refused}");
    presenter.wait_for("the storage alert", |f| f["type"] == "state" && f["storage_error"].is_string()).await?;

    locker.execute_batch("ROLLBACK")?;
    // The page sends the same request again: stored once, acknowledged, the alert gone.
    let stored = phone.vote("during", &question, &[1]).await?;
    ensure!(stored["type"] == "ack" && stored["answer"]["choices"] == serde_json::json!([1]), "{stored}");
    presenter.wait_for("the alert cleared", |f| f["type"] == "state" && f["storage_error"].is_null()).await?;
    let again = phone.vote("during", &question, &[1]).await?;
    ensure!(again["type"] == "ack", "a retry of a stored request is acknowledged again: {again}");
    let rows: i64 =
        server.database()?.query_row("SELECT count(*) FROM requests WHERE request = 'during'", [], |r| r.get(0))?;
    ensure!(rows == 1, "{rows} rows for one request");
    server.stop().await
}
