//! A retried request is applied at most once and gets its original acknowledgement.

mod common;

use anyhow::Result;
use common::TestServer;
use serde_json::json;

#[tokio::test]
async fn a_retried_request_is_applied_once_even_after_a_newer_vote() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("retrying-001", &question).await?;
    let first = phone.vote("first", &question, &[0]).await?;
    assert_eq!(first["answer"]["choices"], json!([0]));
    assert_eq!(phone.vote("second", &question, &[1]).await?["answer"]["choices"], json!([1]));

    // The first request arrives again, late (its ack was lost, say), on a new socket.
    drop(phone);
    let mut phone = server.participant("retrying-001").await?;
    phone.wait_type("answer").await?;
    let again = phone.vote("first", &question, &[0]).await?;
    assert_eq!(again, first, "a duplicate gets the original acknowledgement");

    // A presenter connecting now sees the state after the retry.
    let mut fresh = server.presenter().await?;
    let state = fresh.wait_type("state").await?;
    assert_eq!(state["results"]["counts"], json!([0, 1, 0, 0]), "the late retry did not undo the newer vote");
    assert_eq!(state["results"]["respondents"], 1);
    let stored: String =
        server
            .database()?
            .query_row("SELECT json_extract(answer, '$.choices') FROM responses", [], |row| row.get(0))?;
    assert_eq!(stored, "[1]");
    let requests: i64 = server.database()?.query_row("SELECT count(*) FROM requests", [], |row| row.get(0))?;
    assert_eq!(requests, 2);
    server.stop().await
}
