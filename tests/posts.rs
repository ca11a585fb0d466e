//! Open text and audience Q&A over real sockets: posts stored before they are
//! acknowledged, moderation from the presenter's queue, upvote rules, bounded
//! feeds, masked words kept off the projector, a restart, and the export.

mod common;

use std::collections::HashMap;

use anyhow::{ensure, Context, Result};
use common::{origin_of, TestServer, WsClient};
use serde_json::{json, Value};

const PHONES: usize = 200;

/// The presenter view's socket, which also gets the moderation queue.
async fn moderator(server: &TestServer) -> Result<WsClient> {
    let url = format!("{}&moderation=1", server.presenter_ws());
    WsClient::connect(&url, Some(&origin_of(&server.presenter_url))).await
}

/// Sends a frame with a `request` and waits for its `ack` or `error`.
async fn request(client: &mut WsClient, frame: Value) -> Result<Value> {
    let request = frame["request"].as_str().context("request")?.to_string();
    client.latest_clear("ack");
    client.latest_clear("error");
    client.send(frame).await?;
    client.wait_for("ack or error", |f| (f["type"] == "ack" || f["type"] == "error") && f["request"] == request).await
}

/// Keeps a moderation queue's posts up to date from `board` and `board_changes` until `done` holds.
async fn follow_board(
    queue: &mut WsClient,
    board: &mut HashMap<i64, Value>,
    done: impl Fn(&HashMap<i64, Value>) -> bool,
) -> Result<()> {
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    while !done(board) {
        ensure!(tokio::time::Instant::now() < deadline, "the queue never got there: {} posts", board.len());
        let frame = queue.recv().await.with_context(|| format!("the queue stopped at {} posts", board.len()))?;
        if frame["type"] == "board" {
            board.clear();
        }
        if frame["type"] == "board" || frame["type"] == "board_changes" {
            for post in frame["posts"].as_array().context("posts")? {
                board.insert(post["id"].as_i64().context("id")?, post.clone());
            }
        }
    }
    Ok(())
}

fn text_of(n: usize, k: usize) -> String {
    match n % 5 {
        0 => format!("<img src=x onerror=alert({n})> idea {k}"),
        1 => format!("=HYPERLINK(\"x\") {n}-{k}"),
        2 if k == 0 && n == 2 => "more marmite please".to_string(),
        _ => format!("Idea {n}-{k}: shorter meetings"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderated_wall_of_two_hundred_phones_with_pins_masks_a_restart_and_an_export() -> Result<()> {
    let deck =
        "---\ntitle: Wall\nblocklist: marmite\n---\n\n<!-- question: open max=2 moderate id=ideas -->\n# Ideas?\n";
    let mut server = TestServer::start_on(deck).await?;
    let mut queue = moderator(&server).await?;
    let mut projector = server.presenter().await?;
    queue.send(json!({"type": "open_voting"})).await?;
    let mut tasks = Vec::new();
    for n in 0..PHONES {
        let mut phone = server.participant(&format!("wall-phone-{n:04}")).await?;
        tasks.push(tokio::spawn(async move {
            phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
            let posts = if n < 20 { 3 } else { 1 };
            let mut entries = Vec::new();
            for k in 0..posts {
                let ack = phone.answer(&format!("p{n}-{k}"), "ideas", json!({"text": text_of(n, k)})).await?;
                if k < 2 {
                    ensure!(ack["type"] == "ack" && ack["state"] == "pending" && ack["entry"].is_i64(), "{ack}");
                    entries.push(ack["entry"].as_i64().unwrap_or(0));
                } else {
                    ensure!(ack["code"] == "too_many_posts", "a third post: {ack}");
                }
            }
            // A retried request gets the same entry, not a second post.
            let again = phone.answer(&format!("p{n}-0"), "ideas", json!({"text": text_of(n, 0)})).await?;
            ensure!(again["entry"] == entries[0], "retry: {again}");
            Ok::<_, anyhow::Error>((phone, entries))
        }));
    }
    let mut phones = Vec::new();
    for task in tasks {
        phones.push(task.await??);
    }
    let expected = PHONES + 20;
    let mut board = HashMap::new();
    follow_board(&mut queue, &mut board, |b| b.len() == expected).await?;
    ensure!(board.values().all(|p| p["state"] == "pending"), "moderated posts wait");
    let marmite = board.values().find(|p| p["text"] == "more marmite please").context("the filtered post")?;
    ensure!(marmite["flagged"] == true && marmite["masked"] == "more ••• please", "{marmite}");
    let marmite = marmite["id"].as_i64().context("id")?;

    // Approve the first 100 (the filtered one among them), hide 10, pin one.
    let mut ids: Vec<i64> = board.keys().copied().collect();
    ids.sort_unstable();
    for id in ids.iter().take(100).chain([&marmite]) {
        queue.send(json!({"type": "moderate", "entry": id, "state": "shown"})).await?;
    }
    for id in &ids[100..110] {
        queue.send(json!({"type": "moderate", "entry": id, "state": "hidden"})).await?;
    }
    queue.send(json!({"type": "moderate", "entry": ids[5], "state": "pinned"})).await?;
    // Followed before anything else is read: a frame read while waiting for another is gone.
    follow_board(&mut queue, &mut board, |b| {
        b.get(&ids[5]).is_some_and(|p| p["state"] == "pinned")
            && b.get(&ids[109]).is_some_and(|p| p["state"] == "hidden")
    })
    .await?;
    queue.send(json!({"type": "moderate", "entry": ids[5], "state": "answered"})).await?;
    let refused = queue.wait_type("error").await?;
    ensure!(refused["message"].as_str().is_some_and(|m| m.contains("Q&A")), "{refused}");

    // The projector's wall: the pin first, then at most 60 newest shown posts, masked, nothing waiting or hidden.
    let count = |state: &str| board.values().filter(|p| p["state"] == state).count();
    let (shown, pending) = (count("shown") + count("pinned"), count("pending"));
    ensure!(
        count("pinned") == 1 && count("hidden") == 10 && shown >= 100,
        "the queue holds {shown} shown (with the pin), {} pinned, {} hidden, {pending} pending",
        count("pinned"),
        count("hidden")
    );
    // Coalesced results may trail the moderation queue: wait for the wall that matches it.
    let state = projector
        .wait_for("the wall", |f| {
            let wall = &f["results"]["posts"];
            f["type"] == "state"
                && f["results"]["shown"] == shown
                && f["results"]["pending"] == pending
                && wall[0]["pinned"] == true
                && wall.as_array().map(Vec::len) == Some(61)
        })
        .await?;
    let wall = state["results"]["posts"].as_array().context("posts")?;
    ensure!(wall.len() == 61 && wall[0]["id"] == ids[5] && wall[0]["pinned"] == true, "{}", state["results"]);
    ensure!(state["results"]["pending"] == pending, "{}", state["results"]);
    let frame = state.to_string();
    ensure!(!frame.contains("marmite"), "a filtered word reached the projector");
    let on_wall: std::collections::HashSet<i64> = wall.iter().filter_map(|p| p["id"].as_i64()).collect();
    ensure!(ids[100..110].iter().all(|id| !on_wall.contains(id)), "a hidden post is on the wall");
    ensure!(
        tokio::time::timeout(std::time::Duration::from_millis(500), projector.wait_type("board")).await.is_err(),
        "the projector got the moderation queue"
    );
    drop(phones);
    drop(queue);
    drop(projector);

    // A restart keeps every post and its state.
    server.stop().await?;
    let data = server.data.clone();
    let deck_path = data.parent().context("folder")?.join("talk.md");
    let mut again = TestServer::start_in(&data, handsup_core::DeckSource::File(deck_path)).await?;
    let mut queue = moderator(&again).await?;
    let mut after = HashMap::new();
    follow_board(&mut queue, &mut after, |b| b.len() == expected).await?;
    for (id, post) in &board {
        ensure!(
            after[id]["state"] == post["state"] && after[id]["text"] == post["text"],
            "{post} became {}",
            after[id]
        );
    }
    drop(queue);
    again.stop().await?;

    let csv = handsup_core::export::csv(&data, handsup_core::export::Which::Latest)?;
    let rows: Vec<&str> = csv.split("\r\n").skip(1).filter(|r| !r.is_empty()).collect();
    ensure!(rows.len() == expected, "{} rows", rows.len());
    ensure!(rows.iter().all(|r| r.contains(",ideas,Ideas?,open,")), "{}", rows[0]);
    for (state, count) in [("pinned", 1), ("hidden", 10), ("pending", pending), ("shown", shown - 1)] {
        let found = rows.iter().filter(|r| r.contains(&format!(",{state},,,"))).count();
        ensure!(found == count, "{found} rows {state}, expected {count}");
    }
    ensure!(rows.iter().all(|r| !r.contains(",=HYPERLINK")), "a formula cell was left live");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audience_qa_counts_one_upvote_per_person_never_ones_own_and_exports_the_counts() -> Result<()> {
    let mut server = TestServer::start_on("---\nqa: true\n---\n\n# Questions welcome\n\n<!-- qa -->\n").await?;
    let mut presenter = moderator(&server).await?;
    let deck = presenter.wait_type("deck").await?;
    ensure!(deck["slides"][0]["qa"] == true, "{}", deck["slides"][0]);
    let mut phones = Vec::new();
    for n in 0..PHONES {
        let mut phone = server.participant(&format!("qa-phone-{n:04}")).await?;
        let state = phone.wait_type("state").await?;
        ensure!(state["qa"] == json!({"open": true, "moderated": false}), "{}", state["qa"]);
        phones.push(phone);
    }
    // Ten phones ask; an empty question is refused.
    let mut asked = Vec::new();
    for (n, phone) in phones.iter_mut().enumerate().take(10) {
        let ack = request(phone, json!({"type": "ask", "request": "a1", "text": format!("Question {n}?")})).await?;
        ensure!(ack["type"] == "ack" && ack["question"] == "qa" && ack["state"] == "shown", "{ack}");
        asked.push(ack["entry"].as_i64().context("entry")?);
        phone.wait_for("its own question", |f| f["type"] == "mine" && f["asked"] == json!([asked[n]])).await?;
    }
    let empty = request(&mut phones[0], json!({"type": "ask", "request": "a2", "text": " \u{200B} "})).await?;
    ensure!(empty["code"] == "invalid_choice", "{empty}");
    // Question k gets one upvote from each of phones 10..10+5k; phone 0 cannot upvote its own.
    let own =
        request(&mut phones[0], json!({"type": "upvote", "request": "u0", "entry": asked[0], "on": true})).await?;
    ensure!(own["code"] == "own_entry", "{own}");
    let missing =
        request(&mut phones[0], json!({"type": "upvote", "request": "u1", "entry": 99_999, "on": true})).await?;
    ensure!(missing["code"] == "no_such_entry", "{missing}");
    for (k, entry) in asked.iter().enumerate() {
        for phone in phones.iter_mut().skip(10).take(5 * k) {
            let ack =
                request(phone, json!({"type": "upvote", "request": format!("u{entry}"), "entry": entry, "on": true}))
                    .await?;
            ensure!(ack["type"] == "ack" && ack["on"] == true, "{ack}");
            // Twice is still one.
            request(phone, json!({"type": "upvote", "request": format!("v{entry}"), "entry": entry, "on": true}))
                .await?;
        }
    }
    // One taken back.
    request(&mut phones[10], json!({"type": "upvote", "request": "back", "entry": asked[9], "on": false})).await?;
    let list = phones[PHONES - 1]
        .wait_for("the counts", |f| {
            f["type"] == "qa"
                && f["entries"].as_array().is_some_and(|e| e.iter().any(|x| x["id"] == asked[9] && x["upvotes"] == 44))
        })
        .await?;
    for (k, entry) in asked.iter().enumerate() {
        let want = if k == 9 { 44 } else { 5 * k };
        let got = list["entries"].as_array().context("entries")?.iter().find(|x| x["id"] == *entry).context("entry")?;
        ensure!(got["upvotes"] == want, "question {k}: {got}");
    }
    // The presenter marks one answered and highlights another; phones and the projector see it.
    presenter.send(json!({"type": "moderate", "entry": asked[9], "state": "answered"})).await?;
    presenter.send(json!({"type": "highlight", "entry": asked[8]})).await?;
    phones[PHONES - 1]
        .wait_for("answered and highlighted", |f| {
            f["type"] == "qa"
                && f["entries"].as_array().is_some_and(|e| {
                    e.iter().any(|x| x["id"] == asked[9] && x["answered"] == true)
                        && e.iter().any(|x| x["id"] == asked[8] && x["highlighted"] == true)
                })
        })
        .await?;
    // Closed: no more questions or upvotes.
    presenter.send(json!({"type": "set_qa", "open": false})).await?;
    phones[20].wait_for("closed", |f| f["type"] == "state" && f["qa"]["open"] == false).await?;
    let closed = request(&mut phones[20], json!({"type": "ask", "request": "late", "text": "Too late?"})).await?;
    ensure!(closed["code"] == "qa_closed", "{closed}");
    drop(phones);
    drop(presenter);
    server.stop().await?;

    let csv = handsup_core::export::csv(&server.data, handsup_core::export::Which::Latest)?;
    let rows: Vec<&str> = csv.split("\r\n").skip(1).filter(|r| !r.is_empty()).collect();
    ensure!(rows.len() == 10, "{} rows", rows.len());
    ensure!(rows.iter().all(|r| r.contains(",qa,Audience Q&A,qa,")), "{}", rows[0]);
    ensure!(rows[9].contains("Question 9?,answered,44,,"), "{}", rows[9]);
    ensure!(rows[3].contains("Question 3?,shown,15,,"), "{}", rows[3]);
    Ok(())
}

#[tokio::test]
async fn the_editor_counts_posts_so_changing_an_open_question_asks_first() -> Result<()> {
    let mut server = TestServer::start_on("<!-- question: open id=ideas -->\n# Ideas?\n").await?;
    let mut presenter = server.presenter().await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    let mut phone = server.participant("count-phone-1").await?;
    phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
    let ack = phone.answer("p1", "ideas", json!({"text": "More breaks"})).await?;
    ensure!(ack["type"] == "ack", "{ack}");
    let api = server.presenter_url.replacen("/?token=", "/api/deck?token=", 1);
    let (_, body) = common::http_request("GET", &api, &[], None).await?;
    let deck: Value = serde_json::from_str(&body)?;
    let slide = deck["slides"].as_array().and_then(|s| s.iter().find(|s| s["id"] == "ideas")).cloned();
    ensure!(slide.as_ref().map(|s| s["answers"].clone()) == Some(json!(1)), "{slide:?}");
    server.stop().await
}

#[tokio::test]
async fn with_results_on_phones_a_closed_wall_reaches_phones_shown_posts_only() -> Result<()> {
    let deck = "<!-- question: open max=2 moderate results=phones id=ideas -->\n# Ideas?\n";
    let mut server = TestServer::start_on(deck).await?;
    let mut queue = moderator(&server).await?;
    queue.send(json!({"type": "open_voting"})).await?;
    let mut phone = server.participant("wall-phone-results").await?;
    phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
    let shown = phone.answer("p1", "ideas", json!({"text": "Shown to everyone"})).await?;
    phone.answer("p2", "ideas", json!({"text": "Still waiting"})).await?;
    queue.send(json!({"type": "moderate", "entry": shown["entry"], "state": "shown"})).await?;
    let mut board = HashMap::new();
    follow_board(&mut queue, &mut board, |b| b.values().any(|p| p["state"] == "shown")).await?;
    queue.send(json!({"type": "close_voting"})).await?;
    let state = phone
        .wait_for("the wall", |f| f["type"] == "state" && f["voting"] == "closed" && !f["results"].is_null())
        .await?;
    let posts = state["results"]["posts"].as_array().context("posts")?;
    ensure!(posts.len() == 1 && posts[0]["text"] == "Shown to everyone", "{}", state["results"]);
    server.stop().await
}
