//! The word cloud over real sockets: 200 phones send up to three words (some change
//! them), the presenter sees exact counts without the filtered words, SQLite holds
//! one answer per phone, and the export writes the words as normalised, inert.

mod common;

use std::collections::HashMap;

use anyhow::{ensure, Context, Result};
use common::{TestServer, WsClient};
use serde_json::json;

const PHONES: usize = 200;
const DECK: &str = "---\ntitle: Words\nblocklist: marmite\n---\n\n\
<!-- question: wordcloud max=3 id=words -->\n# Three words for today?\n";

/// Words with case variants, hidden characters, hostile text and filtered words mixed in.
const VOCABULARY: [&str; 16] = [
    "Rust",
    "rust",
    " RUST ",
    "fast",
    "Fast\u{200B}",
    "safe",
    "fun",
    "=HYPERLINK(\"http://x\")",
    "<img src=x onerror=alert(1)>",
    "marmite",
    "shit",
    "ﬁne",
    "👩\u{200D}💻",
    "שלום",
    "two words",
    "a\u{202E}b",
];

/// Phone `n`'s words (the `round`th time it answers): three distinct words, by their folded form.
fn words_of(n: usize, round: usize) -> Vec<&'static str> {
    let mut picked: Vec<&str> = Vec::new();
    let mut k = n * 7 + round * 5;
    while picked.len() < 3 {
        let word = VOCABULARY[k % VOCABULARY.len()];
        if !picked.iter().any(|w| normal(w).to_lowercase() == normal(word).to_lowercase()) {
            picked.push(word);
        }
        k += 3;
    }
    picked
}

/// What the server stores for a word, written out by hand for this vocabulary.
fn normal(word: &str) -> String {
    let visible: String = word.chars().filter(|c| !matches!(c, '\u{200B}' | '\u{202E}')).collect();
    visible.trim().replace('ﬁ', "fi")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_phones_fill_a_cloud_with_exact_counts_and_an_inert_export() -> Result<()> {
    let mut server = TestServer::start_on(DECK).await?;
    let mut presenter = server.presenter().await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    let mut tasks = Vec::new();
    for n in 0..PHONES {
        let mut phone: WsClient = server.participant(&format!("cloud-phone-{n:04}")).await?;
        tasks.push(tokio::spawn(async move {
            phone.wait_for("the cloud", |f| f["type"] == "state" && f["voting"] == "open").await?;
            // A quarter change their words once: only the last ones count.
            let rounds = if n % 4 == 0 { 2 } else { 1 };
            for round in 0..rounds {
                let words = words_of(n, round);
                let ack = phone.answer(&format!("w{n}-{round}"), "words", json!({ "words": words })).await?;
                let stored: Vec<String> = words.iter().map(|w| normal(w)).collect();
                ensure!(ack["type"] == "ack" && ack["answer"] == json!({ "words": stored }), "phone {n}: {ack}");
            }
            Ok::<_, anyhow::Error>(phone)
        }));
    }
    let mut phones = Vec::new();
    for task in tasks {
        phones.push(task.await??);
    }

    // Counted again here: by lower-cased form, the first form seen shown, filtered words left out.
    let mut counts: HashMap<String, u64> = HashMap::new();
    for n in 0..PHONES {
        let round = if n % 4 == 0 { 1 } else { 0 };
        for word in words_of(n, round) {
            *counts.entry(normal(word).to_lowercase()).or_default() += 1;
        }
    }
    // Results are coalesced, so a frame sent after the first words but before the changed
    // ones were counted is fine to see on the way: the presenter must end on the exact counts.
    let exact = |results: &serde_json::Value| {
        results["words"].as_array().is_some_and(|shown| {
            shown.iter().all(|word| {
                let text = word["text"].as_str().unwrap_or_default().to_lowercase();
                word["count"].as_u64() == counts.get(&text).copied()
            })
        })
    };
    let state = presenter
        .wait_for("every phone's last words counted", |f| {
            f["type"] == "state" && f["results"]["respondents"] == PHONES && exact(&f["results"])
        })
        .await?;
    let results = &state["results"];
    ensure!(results["total"] == PHONES * 3, "{results}");
    let shown = results["words"].as_array().context("words")?;
    let frame = state.to_string();
    ensure!(!frame.contains("marmite") && !frame.contains("shit"), "a filtered word reached the projector");
    ensure!(results["filtered"] == 2 && shown.len() == counts.len() - 2, "{results}");
    let rust = shown.iter().find(|w| w["text"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("rust")));
    ensure!(rust.is_some_and(|w| w["text"] != "RUST"), "one entry for every case of Rust: {rust:?}");
    drop(phones);
    server.stop().await?;

    let db = server.database()?;
    let rows: i64 = db.query_row("SELECT count(*) FROM responses WHERE question = 'words'", [], |row| row.get(0))?;
    ensure!(rows == PHONES as i64, "{rows} answers stored");
    let csv = handsup_core::export::csv(&server.data, handsup_core::export::Which::Latest)?;
    let lines: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).skip(1).collect();
    ensure!(lines.len() == PHONES, "{} rows", lines.len());
    ensure!(lines.iter().all(|line| line.contains(",words,Three words for today?,wordcloud,")), "{}", lines[0]);
    // Phone 1 answered once: its cell is its words, normalised and joined by "; ".
    let one = words_of(1, 0).iter().map(|w| normal(w)).collect::<Vec<_>>().join("; ");
    // It starts like a formula, so it is prefixed with ' (and quoted, as it holds quotes).
    let cell = format!("\"'{}\"", one.replace('"', "\"\""));
    // Participants are numbered in the order their first answer was stored, which the phones race for.
    let row_for_phone_one = |line: &&str| {
        line.split_once(",wordcloud,P")
            .and_then(|(_, rest)| rest.split_once(','))
            .is_some_and(|(number, rest)| number.parse::<u32>().is_ok() && rest.starts_with(&format!("{cell},")))
    };
    ensure!(lines.iter().any(row_for_phone_one), "no row for {cell}");
    // A cell that starts like a formula is made inert for spreadsheets.
    let formula: Vec<&&str> = lines.iter().filter(|line| line.contains("HYPERLINK")).collect();
    ensure!(
        !formula.is_empty()
            && formula.iter().all(|line| !line.contains(",=HYPERLINK") && !line.contains(",\"=HYPERLINK"))
    );
    Ok(())
}

#[tokio::test]
async fn bad_word_answers_are_refused_with_a_reason() -> Result<()> {
    let mut server = TestServer::start_on(DECK).await?;
    let mut presenter = server.presenter().await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    let mut phone = server.participant("cloud-refused-1").await?;
    phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
    for (n, bad) in [
        json!({"words": ["a", "b", "c", "d"]}),
        json!({"words": ["same", "SAME"]}),
        json!({"words": ["  ", "\u{200B}"]}),
        json!({"words": ["x".repeat(41)]}),
        json!({"choices": [0]}),
    ]
    .into_iter()
    .enumerate()
    {
        let reply = phone.answer(&format!("bad-{n}"), "words", bad.clone()).await?;
        ensure!(reply["type"] == "error", "{bad} was accepted: {reply}");
        ensure!(reply["code"] == "invalid_choice" || reply["code"] == "bad_message", "{reply}");
    }
    let stored: i64 = server.database()?.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    ensure!(stored == 0);
    server.stop().await
}

#[tokio::test]
async fn the_presenters_own_blocklist_applies_to_words_already_sent() -> Result<()> {
    let mut server = TestServer::start_on(DECK).await?;
    let mut presenter = server.presenter().await?;
    presenter.send(json!({"type": "open_voting"})).await?;
    let mut phone = server.participant("cloud-list-1").await?;
    phone.wait_for("open", |f| f["type"] == "state" && f["voting"] == "open").await?;
    let ack = phone.answer("w1", "words", json!({"words": ["pineapple", "pizza"]})).await?;
    ensure!(ack["type"] == "ack", "{ack}");
    presenter.wait_for("counted", |f| f["type"] == "state" && f["results"]["total"] == 2).await?;

    let api = server.presenter_url.replacen("/?token=", "/api/blocklist?token=", 1);
    let origin = common::origin_of(&server.presenter_url);
    let body = json!({"words": ["Pineapple", " "]}).to_string();
    let (head, _) = common::http_request("PUT", &api, &[], Some(&body)).await?;
    ensure!(head.starts_with("http/1.1 403"), "a write without our Origin: {head}");
    let (head, reply) = common::http_request("PUT", &api, &[("Origin", &origin)], Some(&body)).await?;
    ensure!(head.starts_with("http/1.1 200"), "{head} {reply}");
    ensure!(reply.contains("[\"Pineapple\"]"), "{reply}");

    // The deck comes back on screen with the list: the stored word is now kept off the cloud.
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    loop {
        if let Ok(mut again) = server.presenter().await {
            if let Ok(state) = again.wait_for("results", |f| f["type"] == "state").await {
                if state["results"]["filtered"] == 1 {
                    ensure!(state["results"]["words"] == json!([{"text": "pizza", "count": 1}]), "{state}");
                    break;
                }
            }
        }
        ensure!(tokio::time::Instant::now() < deadline, "the list never applied");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, listed) = common::http_request("GET", &api, &[], None).await?;
    ensure!(listed.contains("Pineapple"), "{listed}");
    server.stop().await
}
