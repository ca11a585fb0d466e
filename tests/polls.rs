//! End to end over real sockets: phones vote, the presenter sees exact tallies, SQLite holds exactly those rows.

mod common;

use anyhow::Result;
use common::{goto, nth_question, TestServer};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_participants_vote_and_the_presenter_sees_exact_tallies() -> Result<()> {
    let mut server = TestServer::start().await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let (slide, question) = nth_question(&deck, 0)?;
    let options = deck["slides"][slide]["question"]["options"].as_array().map_or(0, Vec::len);
    assert!(options >= 2);
    goto(&mut presenter, slide).await?;

    let phones = 200;
    let mut tasks = Vec::new();
    for n in 0..phones {
        let mut phone = server.participant(&format!("phone-{n:04}")).await?;
        let question = question.clone();
        tasks.push(tokio::spawn(async move {
            phone
                .wait_for("the question", |f| f["type"] == "state" && f["question"]["id"] == question.as_str())
                .await?;
            let choice = (n % options) as u16;
            let ack = phone.vote(&format!("r{n}"), &question, &[choice]).await?;
            anyhow::ensure!(ack["type"] == "ack", "phone {n}: {ack}");
            Ok::<_, anyhow::Error>(phone)
        }));
    }
    let mut connected = Vec::new();
    for task in tasks {
        connected.push(task.await??);
    }

    let mut expected = vec![0u64; options];
    for n in 0..phones {
        expected[n % options] += 1;
    }
    let state = presenter
        .wait_for("the full tally", |f| f["type"] == "state" && f["results"]["respondents"] == phones as u64)
        .await?;
    let counts: Vec<u64> = serde_json::from_value(state["results"]["counts"].clone())?;
    assert_eq!(counts, expected);
    presenter.wait_for("200 connected", |f| f["type"] == "participants" && f["connected"] == phones as u64).await?;

    // The file holds exactly one row per phone, with its choice.
    let db = server.database()?;
    let mut statement = db.prepare(
        "SELECT p.public_id, json_extract(r.answer, '$.choices') FROM responses r JOIN participants p ON p.id = r.participant_id WHERE r.question = ?1",
    )?;
    let mut rows: Vec<(String, String)> =
        statement.query_map([&question], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    rows.sort();
    let wanted: Vec<(String, String)> =
        (0..phones).map(|n| (format!("phone-{n:04}"), format!("[{}]", n % options))).collect();
    assert_eq!(rows, wanted);

    drop(connected);
    server.stop().await
}

#[tokio::test]
async fn an_ack_means_the_vote_is_already_in_the_file() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("ack-check-01", &question).await?;
    for round in 0..20u16 {
        let choice = round % 2;
        let ack = phone.vote(&format!("r{round}"), &question, &[choice]).await?;
        assert_eq!(ack["type"], "ack", "{ack}");
        // Read on another connection right after the ack: the commit must already be visible.
        let stored: String = server.database()?.query_row(
            "SELECT json_extract(answer, '$.choices') FROM responses WHERE question = ?1",
            [&question],
            |row| row.get(0),
        )?;
        assert_eq!(stored, format!("[{choice}]"));
    }
    server.stop().await
}

#[tokio::test]
async fn changing_a_vote_moves_the_count_and_keeps_one_row() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (mut presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("changer-0001", &question).await?;
    assert_eq!(phone.vote("a", &question, &[0]).await?["type"], "ack");
    assert_eq!(phone.vote("b", &question, &[1]).await?["type"], "ack");
    presenter
        .wait_for("the changed tally", |f| {
            f["type"] == "state" && f["results"]["counts"][0] == 0 && f["results"]["counts"][1] == 1
        })
        .await
        .map(|state| assert_eq!(state["results"]["respondents"], 1))?;
    let rows: i64 = server.database()?.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    assert_eq!(rows, 1);
    server.stop().await
}

#[tokio::test]
async fn multiple_choice_counts_each_option_and_enforces_max() -> Result<()> {
    let mut server = TestServer::start().await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let slides = deck["slides"].as_array().cloned().unwrap_or_default();
    let multiple =
        slides.iter().find(|s| s["question"]["kind"] == "multiple").expect("a multiple-choice question in the demo");
    let slide = multiple["index"].as_u64().unwrap_or(0) as usize;
    let question = multiple["question"]["id"].as_str().unwrap_or("").to_string();
    let max = multiple["question"]["max"].as_u64().expect("the demo's multiple-choice question has a max") as u16;
    goto(&mut presenter, slide).await?;

    let mut phone = server.participant("multi-0001").await?;
    phone.wait_for("the question", |f| f["question"]["id"] == question.as_str()).await?;
    let too_many: Vec<u16> = (0..=max).collect();
    let refused = phone.vote("x", &question, &too_many).await?;
    assert_eq!(refused["code"], "invalid_choice", "{refused}");
    assert_eq!(phone.vote("y", &question, &[max - 1, 0]).await?["answer"]["choices"], json!([0, max - 1]));
    let state = presenter.wait_for("the tally", |f| f["type"] == "state" && f["results"]["respondents"] == 1).await?;
    assert_eq!(state["results"]["counts"][0], 1);
    assert_eq!(state["results"]["counts"][usize::from(max - 1)], 1);
    server.stop().await
}

#[tokio::test]
async fn phones_follow_the_presenter_and_closed_voting_refuses_votes() -> Result<()> {
    let mut server = TestServer::start().await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let (slide, question) = nth_question(&deck, 0)?;
    let (_, second) = nth_question(&deck, 1)?;

    let mut phone = server.participant("follower-01").await?;
    let first = phone.wait_type("state").await?;
    assert_eq!(first["question"], json!(null), "the demo opens on a content slide");
    assert_eq!(phone.vote("early", &question, &[0]).await?["code"], "not_current");

    goto(&mut presenter, slide).await?;
    let state =
        phone.wait_for("the question", |f| f["type"] == "state" && f["question"]["id"] == question.as_str()).await?;
    assert_eq!(state["voting"], "open");
    assert_eq!(phone.vote("wrong", &second, &[0]).await?["code"], "not_current");

    presenter.send(json!({"type": "close_voting"})).await?;
    phone.wait_for("voting closed", |f| f["type"] == "state" && f["voting"] == "closed").await?;
    assert_eq!(phone.vote("late", &question, &[0]).await?["code"], "voting_closed");
    presenter.send(json!({"type": "open_voting"})).await?;
    phone.wait_for("voting open", |f| f["type"] == "state" && f["voting"] == "open").await?;
    assert_eq!(phone.vote("again", &question, &[0]).await?["type"], "ack");

    presenter.send(json!({"type": "hide_results"})).await?;
    presenter.wait_for("results hidden", |f| f["type"] == "state" && f["results_visible"] == false).await?;
    presenter.send(json!({"type": "goto", "slide": 999})).await?;
    let error = presenter.wait_type("error").await?;
    assert!(error["message"].as_str().unwrap_or("").contains("does not exist"), "{error}");

    let rows: i64 = server.database()?.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    assert_eq!(rows, 1, "refused votes are not stored");
    server.stop().await
}
