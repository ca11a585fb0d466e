//! Every question kind over real sockets: 200 phones answer, the presenter sees exact
//! results, SQLite holds the answers, and `handsup export` writes exactly those rows.

mod common;

use std::collections::HashMap;
use std::process::Command;

use anyhow::{ensure, Context, Result};
use common::{goto, TestServer, WsClient};
use handsup_core::export::Format;
use serde_json::{json, Value};

const PHONES: usize = 200;

const DECK: &str = "# Kinds\n\n---\n\n\
<!-- question: multiple max=2 id=topics -->\n# Which topics?\n\n- Rust\n- Go\n- Zig\n- C\n\n---\n\n\
<!-- question: scale labels=\"Poor|Great\" id=rate -->\n# Rate the talk\n\n- Content\n- Delivery\n\n---\n\n\
<!-- question: number min=0 max=1000 answer=206 id=bones -->\n# How many bones?\n\n---\n\n\
<!-- question: ranking id=order -->\n# Order these\n\n- Alpha\n- Beta\n- Gamma\n\n---\n\n\
<!-- question: points total=100 id=spend -->\n# Spend 100 points\n\n- Speed\n- Features\n- Docs\n";

const PERMUTATIONS: [[u16; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/// Phone `n`'s answer to each question: varied, valid, and easy to count again.
fn answer_of(question: &str, n: usize) -> Value {
    match question {
        "topics" => {
            let mut picked = [n % 4, (n + 1 + n / 4 % 3) % 4];
            picked.sort_unstable();
            json!({ "choices": picked })
        }
        "rate" => json!({ "values": [1 + n % 5, 1 + n / 5 % 5] }),
        "bones" => json!({ "number": (n * 37 % 1000) as f64 / 2.0 }),
        "order" => json!({ "order": PERMUTATIONS[n % 6] }),
        _ => json!({ "values": [n % 50 + 1, n * 3 % 50, n % 2] }),
    }
}

fn mean_median(mut values: Vec<f64>) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
    ((mean * 100.0).round() / 100.0, (median * 100.0).round() / 100.0)
}

/// The presenter's `results` for `question`, counted here from scratch.
fn expected_results(question: &str) -> Value {
    let answers: Vec<Value> = (0..PHONES).map(|n| answer_of(question, n)).collect();
    let ints = |a: &Value, key: &str| -> Vec<u64> { serde_json::from_value(a[key].clone()).unwrap_or_default() };
    match question {
        "topics" => {
            let mut counts = vec![0u64; 4];
            answers.iter().flat_map(|a| ints(a, "choices")).for_each(|c| counts[c as usize] += 1);
            json!({ "counts": counts })
        }
        "rate" => {
            let rows: Vec<Value> = (0..2)
                .map(|row| {
                    let values: Vec<u64> = answers.iter().map(|a| ints(a, "values")[row]).collect();
                    let mut counts = vec![0u64; 5];
                    values.iter().for_each(|v| counts[*v as usize - 1] += 1);
                    let (mean, median) = mean_median(values.iter().map(|v| *v as f64).collect());
                    json!({ "counts": counts, "mean": mean, "median": median })
                })
                .collect();
            json!({ "rows": rows })
        }
        "bones" => {
            let (mean, median) = mean_median(answers.iter().filter_map(|a| a["number"].as_f64()).collect());
            json!({ "mean": mean, "median": median, "answer": 206.0 })
        }
        "order" => {
            let (mut scores, mut firsts) = (vec![0u64; 3], vec![0u64; 3]);
            for order in answers.iter().map(|a| ints(a, "order")) {
                order.iter().enumerate().for_each(|(rank, &item)| scores[item as usize] += 2 - rank as u64);
                firsts[order[0] as usize] += 1;
            }
            json!({ "scores": scores, "firsts": firsts })
        }
        _ => {
            let mut totals = vec![0u64; 3];
            answers.iter().for_each(|a| ints(a, "values").iter().enumerate().for_each(|(i, v)| totals[i] += v));
            let means: Vec<f64> =
                totals.iter().map(|t| ((*t as f64 / PHONES as f64) * 100.0).round() / 100.0).collect();
            json!({ "totals": totals, "means": means })
        }
    }
}

/// The export's `answer` cell for phone `n`, written out by hand.
fn expected_cell(question: &str, n: usize) -> String {
    let answer = answer_of(question, n);
    let names = |options: &[&str], key: &str, join: &str| {
        answer[key].as_array().map_or(String::new(), |items| {
            items.iter().map(|i| options[i.as_u64().unwrap_or(0) as usize]).collect::<Vec<_>>().join(join)
        })
    };
    match question {
        "topics" => names(&["Rust", "Go", "Zig", "C"], "choices", "; "),
        "rate" => format!("Content={}; Delivery={}", answer["values"][0], answer["values"][1]),
        "bones" => format!("{}", answer["number"].as_f64().unwrap_or(0.0)),
        "order" => names(&["Alpha", "Beta", "Gamma"], "order", " > "),
        _ => format!("Speed={}; Features={}; Docs={}", answer["values"][0], answer["values"][1], answer["values"][2]),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_phones_answer_every_kind_with_exact_results_and_csv() -> Result<()> {
    let mut server = TestServer::start_on(DECK).await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let mut phones: Vec<WsClient> = Vec::with_capacity(PHONES);
    for n in 0..PHONES {
        phones.push(server.participant(&format!("kind-phone-{n:04}")).await?);
    }
    let questions = ["topics", "rate", "bones", "order", "spend"];
    for (slide, question) in questions.iter().enumerate().map(|(i, q)| (i + 1, *q)) {
        ensure!(deck["slides"][slide]["question"]["id"] == question, "{}", deck["slides"][slide]);
        goto(&mut presenter, slide).await?;
        let mut tasks = Vec::new();
        for (n, mut phone) in phones.drain(..).enumerate() {
            tasks.push(tokio::spawn(async move {
                phone.wait_for("the question", |f| f["type"] == "state" && f["question"]["id"] == question).await?;
                let ack = phone.answer(&format!("{question}-{n}"), question, answer_of(question, n)).await?;
                ensure!(ack["type"] == "ack" && ack["answer"] == answer_of(question, n), "phone {n}: {ack}");
                Ok::<_, anyhow::Error>(phone)
            }));
        }
        for task in tasks {
            phones.push(task.await??);
        }
        let state = presenter
            .wait_for("every answer counted", |f| f["type"] == "state" && f["results"]["respondents"] == PHONES)
            .await?;
        let results = &state["results"];
        ensure!(results["question"] == question && results["kind"] == deck["slides"][slide]["question"]["kind"]);
        for (key, want) in expected_results(question).as_object().context("object")? {
            ensure!(results[key] == *want, "{question}.{key}: got {} want {want}", results[key]);
        }
    }
    // The histogram holds every number once.
    goto(&mut presenter, 3).await?;
    let state = presenter.wait_for("bones", |f| f["type"] == "state" && f["results"]["question"] == "bones").await?;
    let binned: u64 =
        state["results"]["bins"].as_array().context("bins")?.iter().filter_map(|b| b["count"].as_u64()).sum();
    ensure!(binned == PHONES as u64, "{} in the bins", binned);
    drop(phones);
    server.stop().await?;

    // The export, through the real command line: one row per answer, pseudonyms in joining order.
    let out = server.data.join("results.csv");
    let status = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["export", "--data", &server.data.display().to_string(), "--out", &out.display().to_string()])
        .status()?;
    ensure!(status.success(), "export: {status}");
    let csv = std::fs::read_to_string(&out)?;
    let stdout = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["export", "--data", &server.data.display().to_string(), "--session", "latest"])
        .output()?;
    ensure!(String::from_utf8(stdout.stdout)? == csv, "stdout and --out differ");
    ensure!(csv.starts_with(
        "\u{feff}session,started,question_id,question,kind,participant,answer,state,upvotes,points,answered_at\r\n"
    ));

    let db = server.database()?;
    let mut statement = db.prepare("SELECT public_id FROM participants ORDER BY id")?;
    let joined: Vec<String> = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
    let pseudonym: HashMap<String, String> =
        joined.iter().enumerate().map(|(i, id)| (id.clone(), format!("P{}", i + 1))).collect();
    let prompts = [
        ("topics", "Which topics?", "multiple"),
        ("rate", "Rate the talk", "scale"),
        ("bones", "How many bones?", "number"),
        ("order", "Order these", "ranking"),
        ("spend", "Spend 100 points", "points"),
    ];
    let mut expected = Vec::new();
    for (question, prompt, kind) in prompts {
        let mut rows: Vec<(usize, String)> = (0..PHONES)
            .map(|n| {
                let who = &pseudonym[&format!("kind-phone-{n:04}")];
                let cell = expected_cell(question, n);
                // A cell with a separator is quoted, as spreadsheets expect.
                let cell = if cell.contains(',') { format!("\"{cell}\"") } else { cell };
                (who[1..].parse().unwrap_or(0), format!("{question},{prompt},{kind},{who},{cell},,,"))
            })
            .collect();
        rows.sort();
        expected.extend(rows.into_iter().map(|(_, row)| row));
    }
    let got: Vec<String> = csv
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.splitn(3, ',').collect();
            // Leave out the session and start time (checked below) and the answer time at the end.
            let rest = cells.get(2).copied().unwrap_or("");
            rest.rsplit_once(',').map_or(rest, |(before, _)| before).to_string()
        })
        .collect();
    ensure!(got.len() == expected.len(), "{} rows, expected {}", got.len(), expected.len());
    for (got, want) in got.iter().zip(&expected) {
        ensure!(got == want, "row {got:?}, expected {want:?}");
    }
    let first: Vec<&str> = csv.split("\r\n").nth(1).context("a row")?.split(',').collect();
    ensure!(first[0] == "1" && first[1].ends_with('Z') && first.last().is_some_and(|t| t.ends_with('Z')), "{first:?}");
    Ok(())
}

/// A deck whose second slide is a question with a timer of `seconds`.
fn timed_deck(seconds: u32, settings: &str) -> String {
    format!("# Start\n\n---\n\n<!-- question: single time={seconds} {settings} -->\n# Quick!\n\n- Yes\n- No\n")
}

#[tokio::test]
async fn a_timer_closes_voting_on_the_server_and_late_votes_are_refused() -> Result<()> {
    let mut server = TestServer::start_on(&timed_deck(1, "")).await?;
    let (mut presenter, question) = server.presenter_on_first_question().await?;
    let opened = presenter.wait_for("the timer", |f| f["type"] == "state" && f["deadline"].is_i64()).await?;
    let mut phone = server.phone_on("timer-phone-1", &question).await?;
    let state = phone.wait_type("state").await?;
    ensure!(state["deadline"] == opened["deadline"] && state["question"]["time"] == 1, "{state}");
    let clock = phone.wait_type("clock").await?;
    let left = opened["deadline"].as_i64().unwrap_or(0) - clock["now"].as_i64().unwrap_or(0);
    ensure!((0..=1000).contains(&left), "the phone's countdown starts from {left} ms");
    ensure!(phone.vote("early", &question, &[0]).await?["type"] == "ack");

    // Nobody touches anything: the server closes voting by itself at zero.
    let closed = presenter.wait_for("voting closed", |f| f["type"] == "state" && f["voting"] == "closed").await?;
    ensure!(closed["deadline"].is_null(), "{closed}");
    phone.wait_for("closed on the phone", |f| f["type"] == "state" && f["voting"] == "closed").await?;
    let late = phone.vote("late", &question, &[1]).await?;
    ensure!(late["type"] == "error" && late["code"] == "voting_closed", "{late}");
    let stored: i64 = server.database()?.query_row("SELECT voting_open FROM question_states", [], |row| row.get(0))?;
    ensure!(stored == 0, "the closing is stored");
    server.stop().await
}

#[tokio::test]
async fn a_restart_mid_timer_keeps_the_deadline() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let deck = dir.path().join("talk.md");
    std::fs::write(&deck, timed_deck(3, ""))?;
    let data = dir.path().join("data");
    let source = handsup_core::DeckSource::File(deck);
    let mut server = TestServer::start_in(&data, source.clone()).await?;
    let (mut presenter, question) = server.presenter_on_first_question().await?;
    let opened = presenter.wait_for("the timer", |f| f["type"] == "state" && f["deadline"].is_i64()).await?;
    server.stop().await?;

    let mut server = TestServer::start_in(&data, source).await?;
    let mut presenter = server.presenter().await?;
    let resumed = presenter.wait_type("state").await?;
    ensure!(resumed["deadline"] == opened["deadline"] && resumed["voting"] == "open", "{resumed} after {opened}");
    let mut phone = server.phone_on("restart-phone", &question).await?;
    ensure!(phone.vote("in-time", &question, &[1]).await?["type"] == "ack");
    presenter.wait_for("closed at the old deadline", |f| f["type"] == "state" && f["voting"] == "closed").await?;
    let closed_at = handsup_core::store::now_millis();
    ensure!(closed_at >= opened["deadline"].as_i64().unwrap_or(i64::MAX), "closed early");
    server.stop().await?;

    // Down past the deadline: it is closed when Handsup comes back.
    std::fs::write(dir.path().join("talk.md"), timed_deck(1, "id=again"))?;
    let mut server = TestServer::start_in(&data, handsup_core::DeckSource::File(dir.path().join("talk.md"))).await?;
    let (_, question) = server.presenter_on_first_question().await?;
    server.stop().await?;
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let mut server = TestServer::start_in(&data, handsup_core::DeckSource::File(dir.path().join("talk.md"))).await?;
    let mut phone = server.participant("late-phone").await?;
    phone
        .wait_for("closed", |f| {
            f["type"] == "state" && f["question"]["id"] == question.as_str() && f["voting"] == "closed"
        })
        .await?;
    server.stop().await
}

#[tokio::test]
async fn results_reach_phones_only_after_voting_closes_and_the_answer_only_once_revealed() -> Result<()> {
    let deck = "# Start\n\n---\n\n<!-- question: number answer=42 results=phones -->\n# Guess\n";
    let mut server = TestServer::start_on(deck).await?;
    let (mut presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("results-phone", &question).await?;
    let state = phone.wait_type("state").await?;
    ensure!(state["results"].is_null() && state["question"].get("answer").is_none(), "{state}");
    ensure!(phone.answer("g", &question, json!({"number": 40})).await?["type"] == "ack");
    let mut other = server.phone_on("results-phone-2", &question).await?;
    ensure!(other.answer("g", &question, json!({"number": 50})).await?["type"] == "ack");

    presenter.send(json!({"type": "close_voting"})).await?;
    let closed = phone.wait_for("results", |f| f["type"] == "state" && f["voting"] == "closed").await?;
    let results = &closed["results"];
    ensure!(results["respondents"] == 2 && results["mean"] == 45.0 && results["answer"].is_null(), "{closed}");

    presenter.send(json!({"type": "reveal_answer", "revealed": true})).await?;
    let revealed = phone.wait_for("the answer", |f| f["type"] == "state" && f["results"]["answer"] == 42.0).await?;
    ensure!(revealed["question"].get("answer").is_none(), "the answer comes with the results only");
    let state = presenter.wait_for("revealed", |f| f["type"] == "state" && f["revealed"] == true).await?;
    ensure!(state["results"]["answer"] == 42.0, "{state}");

    // A question without results=phones never sends them.
    presenter.send(json!({"type": "reveal_answer", "revealed": false})).await?;
    presenter.wait_for("hidden", |f| f["type"] == "state" && f["revealed"] == false).await?;
    phone.wait_for("hidden again", |f| f["type"] == "state" && f["results"]["answer"].is_null()).await?;
    server.stop().await
}

#[tokio::test]
async fn the_presenter_starts_extends_and_stops_a_timer() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (mut presenter, _) = server.presenter_on_first_question().await?;
    presenter.send(json!({"type": "start_timer", "seconds": 60})).await?;
    let started = presenter.wait_for("a timer", |f| f["type"] == "state" && f["deadline"].is_i64()).await?;
    let deadline = started["deadline"].as_i64().unwrap_or(0);
    presenter.send(json!({"type": "add_time", "seconds": 30})).await?;
    presenter.wait_for("30 s more", |f| f["type"] == "state" && f["deadline"] == deadline + 30_000).await?;
    presenter.send(json!({"type": "stop_timer"})).await?;
    let stopped = presenter.wait_for("no timer", |f| f["type"] == "state" && f["deadline"].is_null()).await?;
    ensure!(stopped["voting"] == "open", "{stopped}");
    presenter.send(json!({"type": "start_timer", "seconds": 0})).await?;
    let refused = presenter.wait_type("error").await?;
    ensure!(refused["message"].as_str().is_some_and(|m| m.contains("1 to 3600")), "{refused}");
    server.stop().await
}

#[tokio::test]
async fn answers_of_the_wrong_shape_or_range_are_refused_and_nothing_is_stored() -> Result<()> {
    let mut server = TestServer::start_on(DECK).await?;
    let mut presenter = server.presenter().await?;
    presenter.wait_type("deck").await?;
    for (slide, question, bad) in [
        (2, "rate", json!({"values": [6, 1]})),
        (2, "rate", json!({"values": [3]})),
        (2, "rate", json!({"choices": [1]})),
        (3, "bones", json!({"number": 1001})),
        (4, "order", json!({"order": [0, 0, 1]})),
        (5, "spend", json!({"values": [60, 41, 0]})),
        (5, "spend", json!({"values": [0, 0, 0]})),
    ] {
        goto(&mut presenter, slide).await?;
        let mut phone = server.phone_on(&format!("bad-{slide}-{}", bad.to_string().len()), question).await?;
        let refused = phone.answer("r", question, bad.clone()).await?;
        ensure!(refused["type"] == "error" && refused["code"] == "invalid_choice", "{bad}: {refused}");
    }
    let rows: i64 = server.database()?.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    ensure!(rows == 0, "{rows} answers stored");
    server.stop().await
}

#[tokio::test]
async fn the_app_exports_the_session_on_screen() -> Result<()> {
    let mut server = TestServer::start_on(DECK).await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("export-phone", &question).await?;
    ensure!(phone.answer("r", &question, json!({"choices": [2, 0]})).await?["type"] == "ack");
    // File → Export Results… in the desktop app goes through this, by the file's extension.
    let out = tempfile::tempdir()?;
    let controller = server.running.as_ref().context("running")?.controller();
    for name in ["results.csv", "results.xlsx", "report.html", "session.handsup"] {
        let path = out.path().join(name);
        let format = Format::of_file(&path).context("a format")?;
        controller.export(format, path.clone()).await?;
        ensure!(std::fs::metadata(&path)?.len() > 0, "{name} is written");
    }
    let csv = std::fs::read_to_string(out.path().join("results.csv"))?;
    ensure!(csv.starts_with("\u{feff}session,started,"), "{csv}");
    ensure!(csv.contains(",topics,Which topics?,multiple,P1,Rust; Zig,,,,"), "{csv}");
    ensure!(!csv.contains("export-phone"), "never the participant's id");
    ensure!(Format::of_file(std::path::Path::new("results.pdf")).is_none(), "no format for a PDF");
    server.stop().await
}
