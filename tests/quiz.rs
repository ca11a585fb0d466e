//! A quiz played by 200 real WebSocket players: nicknames, final answers, points for
//! speed, early close, per-phone results, a restart between questions, leaderboard and export.

mod common;

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use common::{goto, TestServer, WsClient};
use handsup_core::DeckSource;
use serde_json::{json, Value};

const PLAYERS: usize = 200;

const DECK: &str = r#"# Quiz night

---

<!-- question: quiz id=q1 time=20 points=1000 -->
# 2 + 2?

- [ ] 3
- [x] 4
- [ ] 5

---

<!-- question: quiz id=q2 time=20 points=500 -->
# The largest planet?

- [x] Jupiter
- [ ] Mars

---

<!-- question: quiz-text id=q3 answer="Paris|Paris, France" -->
# The capital of France?

---

<!-- leaderboard -->
# Scores

---

<!-- podium -->
# Winners
"#;

/// The scoring rule written out again, independently of the server's.
fn expected_points(points: f64, time_s: f64, t_ms: i64, right: bool) -> u64 {
    if !right {
        return 0;
    }
    let t = (t_ms as f64).clamp(0.0, time_s * 1000.0);
    (points * (1.0 - t / (2.0 * time_s * 1000.0))).round() as u64
}

/// What phone `n` answers to each question, or `None` when it lets the question pass.
fn answer_of(n: usize, question: &str) -> Option<(Value, bool)> {
    match question {
        "q1" if n % 10 == 9 => None,
        "q1" if n.is_multiple_of(3) => Some((json!({"choices": [0]}), false)),
        "q1" => Some((json!({"choices": [1]}), true)),
        "q2" if n.is_multiple_of(4) => Some((json!({"choices": [1]}), false)),
        "q2" => Some((json!({"choices": [0]}), true)),
        "q3" => Some(match n % 5 {
            0 => (json!({"text": "Lyon"}), false),
            1 => (json!({"text": "  PARIS, france "}), true),
            2 => (json!({"text": "parís"}), true),
            _ => (json!({"text": "Paris"}), true),
        }),
        _ => None,
    }
}

fn phone_id(n: usize) -> String {
    format!("quiz-player-{n:04}")
}

/// Every player's total so far, worked out from what the file holds: answer times and openings.
fn expected_totals(server: &TestServer) -> Result<(HashMap<String, u64>, HashMap<String, u64>)> {
    let db = server.database()?;
    let mut opened: HashMap<String, i64> = HashMap::new();
    let mut statement = db.prepare("SELECT question, opened_at FROM question_states WHERE opened_at IS NOT NULL")?;
    for row in statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))? {
        let (question, at) = row?;
        opened.insert(question, at);
    }
    let mut statement = db.prepare(
        "SELECT p.public_id, r.question, r.answered_at FROM responses r JOIN participants p ON p.id = r.participant_id",
    )?;
    let mut totals: HashMap<String, u64> = HashMap::new();
    let mut last: HashMap<String, u64> = HashMap::new();
    for row in statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?)))?
    {
        let (who, question, at) = row?;
        let n: usize = who.trim_start_matches("quiz-player-").parse()?;
        let (_, right) = answer_of(n, &question).context("an answer the phone never gave")?;
        let (points, time) = match question.as_str() {
            "q1" => (1000.0, 20.0),
            "q2" => (500.0, 20.0),
            _ => (1000.0, 30.0),
        };
        let gained = expected_points(points, time, at - opened[&question], right);
        *totals.entry(who.clone()).or_default() += gained;
        if question == "q3" {
            last.insert(who, gained);
        }
    }
    Ok((totals, last))
}

/// Competition rank: one more than the players with strictly more points.
fn rank_of(totals: &HashMap<String, u64>, points: u64) -> u64 {
    1 + totals.values().filter(|&&other| other > points).count() as u64
}

/// Connects every phone, concurrently, each waiting for the first state.
async fn connect_all(server: &TestServer, range: std::ops::Range<usize>) -> Result<Vec<(usize, WsClient)>> {
    let mut phones = Vec::new();
    for n in range {
        let mut phone = server.participant(&phone_id(n)).await?;
        phone.wait_type("state").await?;
        phones.push((n, phone));
    }
    Ok(phones)
}

/// Every phone answers the question on screen at once; each acknowledgement is checked.
async fn play(phones: Vec<(usize, WsClient)>, question: &'static str) -> Result<Vec<(usize, WsClient)>> {
    let tasks: Vec<_> = phones
        .into_iter()
        .map(|(n, mut phone)| {
            tokio::spawn(async move {
                phone.wait_for("the question", |f| f["type"] == "state" && f["question"]["id"] == question).await?;
                if let Some((answer, _)) = answer_of(n, question) {
                    let ack = phone.answer(&format!("{question}-{n}"), question, answer).await?;
                    ensure!(ack["type"] == "ack", "phone {n} on {question}: {ack}");
                }
                Ok::<_, anyhow::Error>((n, phone))
            })
        })
        .collect();
    let mut phones = Vec::new();
    for task in tasks {
        phones.push(task.await??);
    }
    Ok(phones)
}

/// Each phone's own result after a reveal: right or wrong, points gained, total and rank.
async fn check_results(phones: &mut [(usize, WsClient)], server: &TestServer, question: &str) -> Result<()> {
    let (totals, _) = expected_totals(server)?;
    let db = server.database()?;
    for (n, phone) in phones.iter_mut() {
        let result = phone.wait_for("the result", |f| f["type"] == "result" && f["question"] == question).await?;
        let who = phone_id(*n);
        let total = totals.get(&who).copied().unwrap_or(0);
        let answered: Option<i64> = db
            .query_row(
                "SELECT r.answered_at FROM responses r JOIN participants p ON p.id = r.participant_id
                 WHERE p.public_id = ?1 AND r.question = ?2",
                [&who, question],
                |row| row.get(0),
            )
            .ok();
        let right = answer_of(*n, question).is_some_and(|(_, right)| right);
        ensure!(result["answered"] == answered.is_some(), "phone {n}: {result}");
        ensure!(result["correct"] == (answered.is_some() && right), "phone {n}: {result}");
        ensure!(result["points"] == total, "phone {n}: {result}, expected {total} in all");
        ensure!(result["rank"] == rank_of(&totals, total), "phone {n}: {result}");
        ensure!(result["players"].as_u64() >= Some(PLAYERS as u64), "{result}");
    }
    Ok(())
}

async fn reveal(presenter: &mut WsClient) -> Result<Value> {
    presenter.send(json!({"type": "reveal_answer", "revealed": true})).await?;
    presenter
        .wait_for("the reveal", |f| f["type"] == "state" && f["revealed"] == true && !f["standings"].is_null())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_players_play_three_questions_through_a_restart_with_exact_scores() -> Result<()> {
    let mut first = TestServer::start_on(DECK).await?;
    let deck_file = first.data.parent().context("deck folder")?.join("talk.md");
    let mut presenter = first.presenter().await?;
    let mut phones = connect_all(&first, 0..PLAYERS).await?;
    ensure!(phones[0].1.latest_state_says("nicknames", &json!(true)), "a quiz deck asks for nicknames");

    // Nicknames: unique, filtered, short; a few players keep none ("Player N").
    for (n, phone) in phones.iter_mut() {
        if *n % 50 == 7 {
            continue;
        }
        phone.send(json!({"type": "name", "request": format!("name-{n}"), "nickname": format!("Ada {n}")})).await?;
        let named = phone.wait_for("named", |f| f["request"] == format!("name-{n}")).await?;
        ensure!(named["type"] == "nickname" && named["nickname"] == format!("Ada {n}"), "{named}");
    }
    let (_, phone) = &mut phones[1];
    for (wanted, code) in [
        ("ADA 0", "nickname_taken"),
        ("shit", "nickname_refused"),
        ("x".repeat(21).as_str(), "bad_nickname"),
        ("Player 3", "bad_nickname"),
    ] {
        phone.send(json!({"type": "name", "request": "again", "nickname": wanted})).await?;
        let refused = phone.wait_for("refused", |f| f["type"] == "error" && f["request"] == "again").await?;
        ensure!(refused["code"] == code, "{wanted}: {refused}");
        phone.latest_clear("error");
    }

    // Question 1: 10% let it pass, so only the presenter's reveal ends it.
    goto(&mut presenter, 1).await?;
    let mut phones = play(phones, "q1").await?;
    let (_, phone) = &mut phones[0];
    let again = phone.answer("q1-again", "q1", json!({"choices": [1]})).await?;
    ensure!(again["type"] == "error" && again["code"] == "already_answered", "a quiz answer is final: {again}");
    let retried = phone.answer("q1-0", "q1", json!({"choices": [0]})).await?;
    ensure!(
        retried["type"] == "ack" && retried["answer"] == json!({"choices": [0]}),
        "a retry gets its ack: {retried}"
    );
    let state = reveal(&mut presenter).await?;
    ensure!(state["voting"] == "closed", "the reveal closes the question: {state}");
    ensure!(
        state["results"]["right"] == phones.iter().filter(|(n, _)| answer_of(*n, "q1").is_some_and(|a| a.1)).count(),
        "{state}"
    );
    check_results(&mut phones, &first, "q1").await?;

    // The app restarts between questions: every score comes back from the file.
    drop(phones);
    drop(presenter);
    first.stop().await?;
    let mut server = TestServer::start_in(&first.data, DeckSource::File(deck_file)).await?;
    let mut presenter = server.presenter().await?;
    let mut phones = connect_all(&server, 0..PLAYERS + 1).await?;
    let (_, phone) = &mut phones[2];
    let kept = phone.wait_type("nickname").await?;
    ensure!(kept["nickname"] == "Ada 2", "the nickname survives the restart: {kept}");

    // Question 2: everyone connected answers, so it closes before its 20 s.
    goto(&mut presenter, 2).await?;
    let started = Instant::now();
    let mut phones = play(phones, "q2").await?;
    presenter.wait_for("the early close", |f| f["type"] == "state" && f["voting"] == "closed").await?;
    ensure!(started.elapsed().as_secs() < 15, "closed early, not by the 20 s timer");
    reveal(&mut presenter).await?;
    check_results(&mut phones, &server, "q2").await?;
    let (_, late) = &phones[PLAYERS];
    ensure!(late.latest_state_says("type", &json!("state")));

    // Question 3, typed: case, accents and spaces do not matter.
    goto(&mut presenter, 3).await?;
    let mut phones = play(phones, "q3").await?;
    let state = reveal(&mut presenter).await?;
    let typed_right = (0..=PLAYERS).filter(|n| n % 5 != 0).count();
    ensure!(state["results"]["right"] == typed_right, "{state}");
    check_results(&mut phones, &server, "q3").await?;

    // The leaderboard: the top ten, with what the last question gave them; every phone its own line again.
    presenter.latest_clear("state");
    for (_, phone) in phones.iter_mut() {
        phone.latest_clear("result");
    }
    goto(&mut presenter, 4).await?;
    for (n, phone) in phones.iter_mut() {
        let result = phone.wait_for("the result again", |f| f["type"] == "result").await?;
        ensure!(result["question"] == "q3", "phone {n}: {result}");
    }
    let state = presenter.wait_for("the leaderboard", |f| f["type"] == "state" && f["slide"] == 4).await?;
    let (totals, last) = expected_totals(&server)?;
    let db = server.database()?;
    let number_of = |who: &str| -> Result<i64> {
        Ok(db.query_row("SELECT number FROM participants WHERE public_id = ?1", [who], |row| row.get(0))?)
    };
    let mut ranked: Vec<(u64, i64, String)> =
        totals.iter().map(|(who, &points)| Ok((points, number_of(who)?, who.clone()))).collect::<Result<_>>()?;
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let top = state["standings"]["top"].as_array().context("top")?;
    ensure!(top.len() == 10 && state["standings"]["players"] == PLAYERS + 1, "{state}");
    for (shown, (points, number, who)) in top.iter().zip(&ranked) {
        ensure!(shown["player"] == *number && shown["points"] == *points, "{shown} vs {who}");
        ensure!(shown["gained"] == last.get(who).copied().unwrap_or(0), "{shown}");
        ensure!(shown["rank"] == rank_of(&totals, *points), "{shown}");
    }
    // The presenter renames an unkind nickname to "Player N".
    let renamed = top[0]["player"].as_i64().context("player")?;
    presenter.send(json!({"type": "rename", "player": renamed, "nickname": null})).await?;
    presenter
        .wait_for("the rename", |f| {
            f["type"] == "state" && f["standings"]["top"][0]["nickname"] == format!("Player {renamed}")
        })
        .await?;

    drop(phones);
    drop(presenter);
    server.stop().await?;
    // The final ranking as the export writes it, and the quiz rows' points.
    let board = handsup_core::export::leaderboard_csv(&server.data, handsup_core::export::Which::Latest)?;
    let lines: Vec<&str> = board.split("\r\n").filter(|line| !line.is_empty()).collect();
    ensure!(lines[0] == "\u{feff}rank,participant,nickname,points,correct,answered", "{}", lines[0]);
    ensure!(lines.len() == PLAYERS + 2, "{} lines", lines.len());
    let (points, number, _) = &ranked[0];
    ensure!(lines[1] == format!("1,P{number},Player {number},{points},3,3"), "{}", lines[1]);
    let answers = handsup_core::export::csv(&server.data, handsup_core::export::Which::Latest)?;
    let quiz_rows: Vec<&str> =
        answers.lines().filter(|line| line.contains(",quiz,") || line.contains(",quiz-text,")).collect();
    let scored: u64 = quiz_rows
        .iter()
        .map(|line| line.rsplit(',').nth(1).and_then(|cell| cell.parse::<u64>().ok()).unwrap_or(0))
        .sum();
    ensure!(scored == totals.values().sum::<u64>(), "the CSV's points add up to every score");
    Ok(())
}

trait LatestState {
    fn latest_state_says(&self, key: &str, value: &Value) -> bool;
}

impl LatestState for WsClient {
    fn latest_state_says(&self, key: &str, value: &Value) -> bool {
        self.latest("state").is_some_and(|state| state[key] == *value)
    }
}
