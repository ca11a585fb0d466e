//! The deck editor's API against a real server: save, reload, the answers question, and refusals.

mod common;

use std::path::PathBuf;

use anyhow::{ensure, Context, Result};
use common::{http_request, origin_of, TestServer};
use handsup_core::DeckSource;
use serde_json::{json, Value};

/// A server on a copy of the demo deck in its own folder: (server, deck path, folder guard).
async fn server_on_a_deck_file() -> Result<(TestServer, PathBuf, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("talk.md");
    std::fs::write(&deck, handsup_core::deck::DEMO_DECK)?;
    let server = TestServer::start_in(&dir.path().join("data"), DeckSource::File(deck.clone())).await?;
    Ok((server, deck, dir))
}

fn api(server: &TestServer, route: &str) -> String {
    server.presenter_url.replacen("/?token=", &format!("/api/{route}?token="), 1)
}

async fn get_deck(server: &TestServer) -> Result<Value> {
    let (head, body) = http_request("GET", &api(server, "deck"), &[], None).await?;
    ensure!(head.starts_with("http/1.1 200"), "GET /api/deck: {head}\n{body}");
    Ok(serde_json::from_str(&body)?)
}

/// PUT /api/deck: (status, body).
async fn save(server: &TestServer, deck: &Value, discard: bool) -> Result<(u16, Value)> {
    let body =
        json!({"path": deck["path"], "title": deck["title"], "slides": deck["slides"], "discard_answers": discard});
    let origin = origin_of(&server.presenter_url);
    let (head, body) =
        http_request("PUT", &api(server, "deck"), &[("Origin", &origin)], Some(&body.to_string())).await?;
    let status = head.get(9..12).and_then(|code| code.parse().ok()).context("status line")?;
    Ok((status, serde_json::from_str(&body).unwrap_or(Value::String(body))))
}

/// A new presenter connection's view of the deck: the old socket closed when the deck was swapped.
async fn slides_on_screen(server: &TestServer, wanted: usize) -> Result<Value> {
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    loop {
        if let Ok(mut presenter) = server.presenter().await {
            if let Ok(deck) = presenter.wait_type("deck").await {
                if deck["slides"].as_array().map(Vec::len) == Some(wanted) {
                    return Ok(deck);
                }
            }
        }
        ensure!(tokio::time::Instant::now() < deadline, "the presenter never saw {wanted} slides");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_saved_edit_goes_on_screen_and_phones_keep_their_answers() -> Result<()> {
    let (mut server, path, _dir) = server_on_a_deck_file().await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("editor-phone-1", &question).await?;
    let ack = phone.vote("r1", &question, &[1]).await?;
    ensure!(ack["type"] == "ack", "{ack}");

    let before = std::fs::read_to_string(&path)?;
    let mut deck = get_deck(&server).await?;
    let answered = deck["slides"].as_array().and_then(|s| s.iter().find(|s| s["id"] == question)).cloned();
    ensure!(answered.as_ref().map(|s| s["answers"].clone()) == Some(json!(1)), "answer count shown: {answered:?}");
    let slides = deck["slides"].as_array_mut().context("slides")?;
    slides.push(json!({"kind": "single", "title": "One more?", "options": ["Yes", "No"]}));
    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 200, "save: {status} {body}");

    let after = std::fs::read_to_string(&path)?;
    ensure!(after.starts_with(before.trim_end()), "the untouched slides changed:\n{after}");
    ensure!(after.ends_with("<!-- question: single -->\n# One more?\n\n- Yes\n- No\n"), "{after}");
    slides_on_screen(&server, 7).await?;

    // The phone comes back to the same question and sees its own answer.
    let mut again = server.participant("editor-phone-1").await?;
    let answer = again.wait_type("answer").await?;
    ensure!(answer["choices"] == json!([1]), "{answer}");
    server.stop().await
}

#[tokio::test]
async fn changing_an_answered_question_asks_first_then_discards_its_answers() -> Result<()> {
    let (mut server, path, _dir) = server_on_a_deck_file().await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("editor-phone-2", &question).await?;
    phone.vote("r1", &question, &[0]).await?;

    let before = std::fs::read_to_string(&path)?;
    let mut deck = get_deck(&server).await?;
    let slides = deck["slides"].as_array_mut().context("slides")?;
    let slide = slides.iter_mut().find(|s| s["id"] == question).context("the question's form")?;
    slide["options"].as_array_mut().context("options")?.push(json!("By rocket"));

    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 409, "expected a question first: {status} {body}");
    ensure!(body["confirm"][0]["id"] == question && body["confirm"][0]["answers"] == 1, "{body}");
    ensure!(std::fs::read_to_string(&path)? == before, "nothing is written before the answer");

    let (status, body) = save(&server, &deck, true).await?;
    ensure!(status == 200, "save after confirming: {status} {body}");
    ensure!(std::fs::read_to_string(&path)?.contains("- By rocket"));
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    loop {
        let left: i64 =
            server
                .database()?
                .query_row("SELECT count(*) FROM responses WHERE question = ?1", [&question], |row| row.get(0))?;
        if left == 0 {
            break;
        }
        ensure!(tokio::time::Instant::now() < deadline, "{left} answers were kept");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.stop().await
}

#[tokio::test]
async fn the_editor_refuses_what_it_cannot_save_and_strangers() -> Result<()> {
    let (mut server, path, _dir) = server_on_a_deck_file().await?;
    let origin = origin_of(&server.presenter_url);
    let no_token = server.presenter_url.replacen("/?token=", "/api/deck?nothing=", 1);
    let (head, _) = http_request("GET", &no_token, &[], None).await?;
    ensure!(head.starts_with("http/1.1 403"), "{head}");

    let deck = get_deck(&server).await?;
    let body = json!({"path": deck["path"], "title": deck["title"], "slides": deck["slides"]}).to_string();
    let (head, _) =
        http_request("PUT", &api(&server, "deck"), &[("Origin", "http://evil.example")], Some(&body)).await?;
    ensure!(head.starts_with("http/1.1 403"), "a foreign page saved: {head}");

    let (head, text) = http_request("PUT", &api(&server, "deck"), &[("Origin", &origin)], Some("{not json")).await?;
    ensure!(head.starts_with("http/1.1 4"), "malformed body: {head}");
    ensure!(!text.is_empty(), "a malformed body gets a reason");

    let mut one_option = deck.clone();
    one_option["slides"]
        .as_array_mut()
        .context("slides")?
        .push(json!({"kind": "single", "title": "Lonely?", "options": ["Yes"]}));
    let (status, body) = save(&server, &one_option, false).await?;
    ensure!(status == 422 && body["slide"] == 6, "{status} {body}");
    ensure!(body["error"].as_str().is_some_and(|e| e.contains("two options")), "{body}");

    let mut relative = deck.clone();
    relative["path"] = json!("talk.md");
    let (status, body) = save(&server, &relative, false).await?;
    ensure!(status == 422, "a relative path: {status} {body}");

    // Someone changed the file in another editor: saving over it would lose their work.
    std::fs::write(&path, format!("{}\n\n---\n\n# Added elsewhere\n", handsup_core::deck::DEMO_DECK))?;
    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 409 && body["error"].as_str().is_some_and(|e| e.contains("changed on disk")), "{status} {body}");
    server.stop().await
}
