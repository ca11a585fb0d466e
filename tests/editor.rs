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

/// How many slides the demo deck has: an edit adds to these.
fn demo_slides() -> usize {
    handsup_core::deck::demo_deck().slides.len()
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
    slides_on_screen(&server, demo_slides() + 1).await?;

    // The phone comes back to the same question and sees its own answer.
    let mut again = server.participant("editor-phone-1").await?;
    let answer = again.wait_type("answer").await?;
    ensure!(answer["answer"]["choices"] == json!([1]), "{answer}");
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
    ensure!(status == 422 && body["slide"] == demo_slides(), "{status} {body}");
    ensure!(body["error"].as_str().is_some_and(|e| e.contains("two options")), "{body}");
    ensure!(body["problems"][0]["field"] == "options", "the problem names its field: {body}");

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

async fn post(server: &TestServer, route: &str, body: &Value) -> Result<(u16, Value)> {
    let origin = origin_of(&server.presenter_url);
    let (head, text) =
        http_request("POST", &api(server, route), &[("Origin", &origin)], Some(&body.to_string())).await?;
    let status = head.get(9..12).and_then(|code| code.parse().ok()).context("status line")?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

#[tokio::test]
async fn the_editor_learns_the_kinds_and_their_problems_from_the_server() -> Result<()> {
    let (mut server, path, _dir) = server_on_a_deck_file().await?;
    let (head, body) = http_request("GET", &api(&server, "kinds"), &[], None).await?;
    ensure!(head.starts_with("http/1.1 200"), "{head}");
    let kinds: Value = serde_json::from_str(&body)?;
    let names: Vec<&str> = kinds.as_array().context("kinds")?.iter().filter_map(|k| k["kind"].as_str()).collect();
    let all = ["single", "multiple", "scale", "number", "ranking", "points", "wordcloud", "open", "quiz", "quiz-text"];
    ensure!(names == all, "{names:?}");
    ensure!(kinds[8]["marks"] == true && kinds[0]["marks"] == false, "a quiz's options take [x] marks");
    let scale = &kinds[2];
    ensure!(scale["options"]["label"] == "Statements" && scale["options"]["min"] == 0, "{scale}");
    ensure!(scale["settings"].as_array().is_some_and(|s| s.iter().any(|s| s["name"] == "labels")), "{scale}");
    ensure!(kinds[3]["options"].is_null(), "a number question takes no list");
    ensure!(scale["common"].as_array().is_some_and(|c| c.iter().any(|s| s["name"] == "time")), "{scale}");

    let slides = json!([
        {"kind": "scale", "title": "Rate it", "options": ["Talk"], "settings": {"min": "1", "max": "30"}},
        {"kind": "points", "title": "Spend", "options": ["A", "A"], "settings": {"total": "100"}},
        {"kind": "number", "title": "", "settings": {"answer": "x"}},
    ]);
    let (status, body) = post(&server, "check", &json!({"title": "T", "slides": slides})).await?;
    ensure!(status == 200, "{status} {body}");
    let problems: Vec<(u64, &str)> = body["problems"]
        .as_array()
        .context("problems")?
        .iter()
        .map(|p| (p["slide"].as_u64().unwrap_or(99), p["field"].as_str().unwrap_or("")))
        .collect();
    ensure!(problems == [(0, "settings.max"), (1, "options.1"), (2, "title"), (2, "settings.answer")], "{problems:?}");
    // Beside each English sentence, the code and values the editor says in its own language.
    let codes: Vec<(&str, &Value)> = body["problems"]
        .as_array()
        .context("problems")?
        .iter()
        .filter_map(|p| Some((p["code"].as_str()?, &p["vars"])))
        .collect();
    ensure!(
        codes
            == [
                ("scale.too_many_points", &json!({"n": "11"})),
                ("option.twice", &json!({"option": "A"})),
                ("question.no_title", &Value::Null),
                ("setting.not_number", &Value::Null)
            ],
        "{codes:?}"
    );

    let (status, body) =
        post(&server, "preview", &json!({"kind": "number", "title": "Guess", "settings": {"answer": "42"}})).await?;
    ensure!(
        status == 200 && body["question"]["answer"] == 42.0 && body["question"]["kind"] == "number",
        "{status} {body}"
    );

    // A scale, a ranking and a points question go into the file with their settings.
    let mut deck = get_deck(&server).await?;
    let slides = deck["slides"].as_array_mut().context("slides")?;
    slides
        .push(json!({"kind": "scale", "title": "Rate the venue", "settings": {"labels": "Poor|Great", "time": "30"}}));
    slides.push(json!({"kind": "ranking", "title": "Order these", "options": ["A", "B", "C"]}));
    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 200, "save: {status} {body}");
    let written = std::fs::read_to_string(&path)?;
    ensure!(written.contains("<!-- question: scale labels=Poor|Great time=30 -->\n# Rate the venue"), "{written}");
    let deck = slides_on_screen(&server, demo_slides() + 2).await?;
    let last = &deck["slides"][demo_slides() + 1]["question"];
    ensure!(last["kind"] == "ranking" && last["options"] == json!(["A", "B", "C"]), "{last}");
    server.stop().await
}

#[cfg(unix)]
#[tokio::test]
async fn a_planted_link_cannot_redirect_a_save_and_a_linked_deck_stays_a_link() -> Result<()> {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir()?;
    let real = dir.path().join("real");
    std::fs::create_dir(&real)?;
    std::fs::write(real.join("talk.md"), handsup_core::deck::DEMO_DECK)?;
    std::fs::set_permissions(real.join("talk.md"), std::fs::Permissions::from_mode(0o640))?;
    // The deck is opened through a link; someone also planted the old temporary name as a link.
    let deck = dir.path().join("talk.md");
    symlink(real.join("talk.md"), &deck)?;
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious")?;
    symlink(&victim, real.join(".talk.md.saving"))?;
    symlink(&victim, dir.path().join(".talk.md.saving"))?;

    let mut server = TestServer::start_in(&dir.path().join("data"), DeckSource::File(deck.clone())).await?;
    let mut form = get_deck(&server).await?;
    form["path"] = json!(deck);
    form["slides"]
        .as_array_mut()
        .context("slides")?
        .push(json!({"kind": "single", "title": "Linked?", "options": ["Yes", "No"]}));
    let (status, body) = save(&server, &form, false).await?;
    ensure!(status == 200, "save: {status} {body}");
    ensure!(std::fs::read_to_string(&victim)? == "precious", "the planted link was followed");
    ensure!(std::fs::symlink_metadata(&deck)?.file_type().is_symlink(), "the deck's link was replaced");
    let written = std::fs::read_to_string(real.join("talk.md"))?;
    ensure!(written.contains("# Linked?"), "the save went to the link's target");
    let mode = std::fs::metadata(real.join("talk.md"))?.permissions().mode() & 0o777;
    ensure!(mode == 0o640, "the file's permissions changed to {mode:o}");
    let leftovers: Vec<_> = std::fs::read_dir(&real)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".saving") && n != ".talk.md.saving")
        .collect();
    ensure!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    server.stop().await
}

#[tokio::test]
async fn a_refused_save_creates_no_folder() -> Result<()> {
    let (mut server, _path, dir) = server_on_a_deck_file().await?;
    let mut deck = get_deck(&server).await?;
    let folder = dir.path().join("new").join("folder");
    deck["path"] = json!(folder.join("talk.md"));
    deck["slides"]
        .as_array_mut()
        .context("slides")?
        .push(json!({"kind": "single", "title": "Lonely?", "options": ["Yes"]}));
    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 422, "{status} {body}");
    ensure!(!dir.path().join("new").exists(), "a folder was made for a save that was refused");
    server.stop().await
}

#[tokio::test]
async fn a_save_while_another_process_locks_the_database_changes_nothing_and_the_room_stays_served() -> Result<()> {
    let (mut server, path, _dir) = server_on_a_deck_file().await?;
    let before = std::fs::read_to_string(&path)?;
    let mut deck = get_deck(&server).await?;
    deck["slides"]
        .as_array_mut()
        .context("slides")?
        .push(json!({"kind": "single", "title": "Locked?", "options": ["Yes", "No"]}));
    // Another process (a backup tool, a second copy) holds the write lock past the busy timeout.
    let locker = rusqlite::Connection::open(server.data.join("handsup.sqlite3"))?;
    locker.execute_batch("BEGIN IMMEDIATE")?;
    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 500, "{status} {body}");
    ensure!(body["error"].as_str().is_some_and(|e| e.starts_with("not saved") && e.contains("locked")), "{body}");
    ensure!(std::fs::read_to_string(&path)? == before, "the file was written although the deck cannot be shown");

    // Both listeners still serve the deck that was on screen.
    let (head, _) = common::http_get(&server.participant_url).await?;
    ensure!(head.starts_with("http/1.1 200"), "{head}");
    slides_on_screen(&server, demo_slides()).await?;

    // Once the lock is gone, the same save goes through.
    locker.execute_batch("ROLLBACK")?;
    let (status, body) = save(&server, &deck, false).await?;
    ensure!(status == 200, "{status} {body}");
    slides_on_screen(&server, demo_slides() + 1).await?;
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_goes_between_the_pages_of_a_pdf_into_the_deck_beside_it() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("talk.pdf");
    std::fs::write(&pdf, handsup_load::pdf::slides(3, false))?;
    let mut server = TestServer::start_in(&dir.path().join("data"), DeckSource::File(pdf.clone())).await?;
    let mut deck = get_deck(&server).await?;
    let companion = std::fs::canonicalize(&pdf)?.with_extension("md");
    ensure!(deck["path"] == json!(companion), "the editor writes beside the PDF: {}", deck["path"]);
    let slides = deck["slides"].as_array_mut().context("slides")?;
    ensure!(slides.len() == 3 && slides[0]["kind"] == "content", "{slides:?}");
    ensure!(slides[1]["text"].as_str().unwrap_or("").contains("talk.pdf#page=2"), "{}", slides[1]);
    // A question after page 1.
    slides.insert(
        1,
        json!({"original": null, "kind": "single", "title": "Ready for part two?", "text": "", "notes": "",
               "options": ["Yes", "Not yet"], "settings": {}, "id": null}),
    );
    let (status, saved) = save(&server, &deck, false).await?;
    ensure!(status == 200 && saved["path"] == json!(companion), "{status} {saved}");
    let written = std::fs::read_to_string(&companion)?;
    ensure!(written.contains("talk.pdf#page=1") && written.contains("# Ready for part two?"), "{written}");
    let shown = slides_on_screen(&server, 4).await?;
    ensure!(shown["slides"][1]["question"]["prompt"] == "Ready for part two?", "{}", shown["slides"][1]);
    ensure!(shown["slides"][2]["html"].as_str().unwrap_or("").contains("pdf-page"), "{}", shown["slides"][2]);
    ensure!(std::fs::read(&pdf)? == handsup_load::pdf::slides(3, false), "the PDF itself is untouched");
    server.stop().await?;
    // Opening the PDF again presents the deck beside it.
    let file = handsup_core::app::load_deck(&DeckSource::File(pdf))?;
    ensure!(file.deck.slides.len() == 4 && file.deck.questions().count() == 1, "the companion deck opens");
    Ok(())
}
