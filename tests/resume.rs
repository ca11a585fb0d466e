//! Restarting on the same data folder resumes the session: same slide, same tallies, same phones.

mod common;

use anyhow::Result;
use common::{goto, nth_question, TestServer};
use handsup_core::DeckSource;

#[tokio::test]
async fn a_restart_resumes_tallies_slide_and_identity() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (slide, question, presenter_url);
    {
        let mut server = TestServer::start_in(dir.path(), DeckSource::Demo).await?;
        presenter_url = server.presenter_url.clone();
        let mut presenter = server.presenter().await?;
        let deck = presenter.wait_type("deck").await?;
        (slide, question) = nth_question(&deck, 0)?;
        goto(&mut presenter, slide).await?;
        for (n, choice) in [(1, 0u16), (2, 1), (3, 1)] {
            let mut phone = server.participant(&format!("resume-phone-{n}")).await?;
            phone.wait_for("the question", |f| f["question"]["id"] == question.as_str()).await?;
            assert_eq!(phone.vote("r", &question, &[choice]).await?["type"], "ack");
        }
        presenter.send(serde_json::json!({"type": "close_voting"})).await?;
        presenter.wait_for("closed", |f| f["type"] == "state" && f["voting"] == "closed").await?;
        server.stop().await?;
    }

    let mut server = TestServer::start_in(dir.path(), DeckSource::Demo).await?;
    // Same token and port: a presenter page left open reconnects by itself.
    assert_eq!(server.presenter_url, presenter_url);
    let mut presenter = server.presenter().await?;
    let state = presenter.wait_type("state").await?;
    assert_eq!(state["slide"], slide);
    assert_eq!(state["voting"], "closed");
    assert_eq!(state["results"]["counts"], serde_json::json!([1, 2, 0, 0]));
    assert_eq!(state["results"]["respondents"], 3);

    // The same phone comes back and is shown its own stored answer.
    let mut phone = server.participant("resume-phone-2").await?;
    let answer = phone.wait_type("answer").await?;
    assert_eq!(answer["question"], question.as_str());
    assert_eq!(answer["answer"]["choices"], serde_json::json!([1]));
    server.stop().await
}
