//! The history in the running app: a past session shown again read-only (phones
//! turned away, voting refused, its results as they were), the live one back,
//! deletions that never touch the session on screen, and the report.

mod common;

use anyhow::{ensure, Context, Result};
use common::{goto, http_request, nth_question, origin_of, TestServer, WsClient};
use handsup_core::DeckSource;
use serde_json::{json, Value};

const DECK: &str = "---\ntitle: Team review\n---\n\n# Welcome\n\n---\n\n\
<!-- question: single id=drink -->\n# Coffee or tea?\n- Coffee\n- Tea\n";

/// A call to the presenter's API: (status line, JSON body).
async fn api(server: &TestServer, method: &str, path: &str, body: Option<Value>) -> Result<(String, Value)> {
    let token = server.presenter_url.split("token=").nth(1).context("token")?;
    let origin = origin_of(&server.presenter_url);
    let separator = if path.contains('?') { '&' } else { '?' };
    let url = format!("{origin}{path}{separator}token={token}");
    let body = body.map(|body| body.to_string());
    let (head, text) = http_request(method, &url, &[("Origin", origin.as_str())], body.as_deref()).await?;
    let status = head.lines().next().unwrap_or("").to_string();
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

/// A presenter socket on the server that came up after a swap, once its `deck`
/// frame shows `review` as wanted: the swap stops the old server first.
async fn presenter_showing(server: &TestServer, review: Value) -> Result<(WsClient, Value)> {
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    loop {
        if let Ok(mut presenter) = server.presenter().await {
            if let Ok(deck) = presenter.wait_type("deck").await {
                if deck["review"] == review {
                    return Ok((presenter, deck));
                }
            }
        }
        ensure!(tokio::time::Instant::now() < deadline, "the presenter never saw review {review}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn vote_three(server: &TestServer) -> Result<()> {
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let (slide, question) = nth_question(&deck, 0)?;
    goto(&mut presenter, slide).await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    for n in 0..3 {
        let mut phone = server.phone_on(&format!("history-phone-{n}"), &question).await?;
        phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
        let ack = phone.answer(&format!("v{n}"), &question, json!({"choices": [usize::from(n == 2)]})).await?;
        ensure!(ack["type"] == "ack", "{ack}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_past_session_is_shown_again_read_only_and_the_history_deletes_around_the_one_on_screen() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("review.md");
    std::fs::write(&deck, DECK)?;
    let data = dir.path().join("data");
    let mut first = TestServer::start_in(&data, DeckSource::File(deck.clone())).await?;
    vote_three(&first).await?;
    first.stop().await?;
    let mut server = TestServer::start_new_session(&data, DeckSource::File(deck.clone())).await?;

    let (status, listed) = api(&server, "GET", "/api/sessions", None).await?;
    ensure!(status.contains("200"), "{status}");
    let rows = listed["sessions"].as_array().context("sessions")?.clone();
    ensure!(rows.len() == 2 && listed["review"].is_null(), "{listed}");
    let (live, past) = (rows[0]["id"].as_i64().context("id")?, rows[1]["id"].as_i64().context("id")?);
    ensure!(rows[0]["on_screen"] == true && rows[1]["on_screen"] == false, "{listed}");
    ensure!(rows[1]["answers"] == 3 && rows[1]["participants"] == 3 && rows[1]["title"] == "Team review", "{listed}");

    // The session on screen cannot be deleted, nor its participants.
    let (status, refused) = api(&server, "DELETE", &format!("/api/sessions/{live}"), None).await?;
    ensure!(status.contains("409") && refused["error"].as_str().unwrap_or("").contains("on screen"), "{refused}");
    let (status, _) = api(&server, "DELETE", &format!("/api/sessions/{live}/participants/1"), None).await?;
    ensure!(status.contains("409"), "{status}");

    // Shown again: the presenter sees its results and that it is a past session.
    let (status, shown) = api(&server, "POST", "/api/review", Some(json!({"session": past}))).await?;
    ensure!(status.contains("200"), "{status} {shown}");
    let started = rows[1]["started_at"].clone();
    let review = json!({"session": past, "started_at": started, "live": true});
    let (mut presenter, frame) = presenter_showing(&server, review).await?;
    let (slide, _) = nth_question(&frame, 0)?;
    goto(&mut presenter, slide).await?;
    presenter.wait_for("the stored votes", |f| f["type"] == "state" && f["results"]["counts"] == json!([2, 1])).await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    let error = presenter.wait_type("error").await?;
    ensure!(error["message"].as_str().unwrap_or("").contains("past session"), "{error}");
    let origin = origin_of(&server.participant_url);
    let phone = WsClient::connect(&server.participant_ws(), Some(&origin)).await;
    let refusal = format!("{:#}", phone.err().context("a phone joined a past session")?);
    ensure!(refusal.contains("410"), "{refusal}");
    let (_, listed) = api(&server, "GET", "/api/sessions", None).await?;
    ensure!(listed["review"]["session"] == past && listed["sessions"][1]["on_screen"] == true, "{listed}");
    // The join address says the session has ended; the deck and the word list stay as they are.
    let (head, page) = http_request("GET", &server.participant_url, &[], None).await?;
    ensure!(head.starts_with("http/1.1 200") && page.contains("This session has ended"), "{head}");
    let (head, page) =
        http_request("GET", &server.participant_url, &[("Accept-Language", "nl-BE, en;q=0.5")], None).await?;
    ensure!(
        head.contains("content-language: nl") && page.contains("Deze sessie is afgelopen"),
        "in the phone's language"
    );
    let (status, refused) = api(&server, "PUT", "/api/blocklist", Some(json!({"words": ["kale"]}))).await?;
    ensure!(status.contains("422") && refused["error"].as_str().unwrap_or("").contains("past session"), "{refused}");
    let form = json!({"path": deck, "title": "Team review", "slides": [], "discard_answers": true});
    let (status, refused) = api(&server, "PUT", "/api/deck", Some(form)).await?;
    ensure!(status.contains("422") && refused["error"].as_str().unwrap_or("").contains("past session"), "{refused}");
    ensure!(std::fs::read_to_string(&deck)? == DECK, "the deck file is untouched");

    // The report of the session on screen, with a way back to the Sessions window.
    let (status, report) = api(&server, "GET", "/report", None).await?;
    let report = report.as_str().unwrap_or("");
    ensure!(status.contains("200") && report.contains("Coffee: 2 of 3 (67%)"), "{status}");
    ensure!(report.contains("<nav class=\"back\"><a href=\"/sessions?token="), "a link back");

    // Back to the live session; then the past one can lose a participant, and go.
    let (status, _) = api(&server, "POST", "/api/review", Some(json!({"session": null}))).await?;
    ensure!(status.contains("200"), "{status}");
    presenter_showing(&server, Value::Null).await?;
    let (status, gone) = api(&server, "DELETE", &format!("/api/sessions/{past}/participants/1"), None).await?;
    ensure!(status.contains("200") && gone["deleted"] == 1 && gone["participant"] == "P1", "{gone}");
    let (status, missing) = api(&server, "DELETE", &format!("/api/sessions/{past}/participants/9"), None).await?;
    ensure!(status.contains("404") && missing["error"].as_str().unwrap_or("").contains("P9"), "{missing}");
    let (_, listed) = api(&server, "GET", "/api/sessions", None).await?;
    ensure!(listed["sessions"][1]["answers"] == 2, "{listed}");
    let (status, _) = api(&server, "DELETE", &format!("/api/sessions/{past}"), None).await?;
    ensure!(status.contains("200"), "{status}");
    let (_, listed) = api(&server, "GET", "/api/sessions", None).await?;
    ensure!(listed["sessions"].as_array().map(Vec::len) == Some(1), "{listed}");
    let (status, _) = api(&server, "POST", "/api/review", Some(json!({"session": past}))).await?;
    ensure!(status.contains("409"), "a deleted session cannot be shown: {status}");

    // A page on another site can neither read nor change the history.
    let token = server.presenter_url.split("token=").nth(1).context("token")?;
    let url = format!("{}/api/sessions/{live}?token={token}", origin_of(&server.presenter_url));
    let (head, _) = http_request("DELETE", &url, &[("Origin", "http://evil.example")], None).await?;
    ensure!(head.starts_with("http/1.1 403"), "{head}");
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_from_another_decks_session_returns_to_the_deck_that_was_live() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    // Deck B was presented before, and has a question it never reached.
    let other = dir.path().join("other.md");
    std::fs::write(
        &other,
        "---\ntitle: Other deck\n---\n\n# Hi\n\n---\n\n<!-- question: single id=never -->\n# Never asked?\n- A\n- B\n",
    )?;
    let mut first = TestServer::start_in(&data, DeckSource::File(other.clone())).await?;
    first.stop().await?;
    // Deck A is live now.
    let deck = dir.path().join("review.md");
    std::fs::write(&deck, DECK)?;
    let mut server = TestServer::start_in(&data, DeckSource::File(deck)).await?;
    let (_, listed) = api(&server, "GET", "/api/sessions", None).await?;
    let past = listed["sessions"][1].clone();
    ensure!(past["title"] == "Other deck", "{listed}");
    let (status, _) = api(&server, "POST", "/api/review", Some(json!({"session": past["id"]}))).await?;
    ensure!(status.contains("200"), "{status}");
    let review = json!({"session": past["id"], "started_at": past["started_at"], "live": true});
    let (mut presenter, shown) = presenter_showing(&server, review).await?;
    ensure!(shown["title"] == "Other deck", "{}", shown["title"]);
    // Reaching a question the session never reached does not open it.
    let (slide, _) = nth_question(&shown, 0)?;
    let state = goto(&mut presenter, slide).await?;
    ensure!(state["voting"] == "closed" && state["deadline"].is_null(), "{state}");
    let (status, _) = api(&server, "POST", "/api/review", Some(json!({"session": null}))).await?;
    ensure!(status.contains("200"), "{status}");
    let (_, live) = presenter_showing(&server, Value::Null).await?;
    ensure!(live["title"] == "Team review", "back to the deck that was live, not the reviewed one: {}", live["title"]);
    let db = rusqlite::Connection::open(data.join("handsup.sqlite3"))?;
    let rows: i64 =
        db.query_row("SELECT count(*) FROM question_states WHERE question = 'never'", [], |row| row.get(0))?;
    ensure!(rows == 0, "the past session was not written to");
    server.stop().await
}
