//! The largest legal deck reaches every client: its frames fit the sockets' caps.

mod common;

use anyhow::{ensure, Context, Result};
use common::{goto, TestServer};
use handsup_core::deck::{parse_deck, MAX_DECK_BYTES};

/// A deck at every cap, made of characters that grow when escaped (`<` becomes
/// `&lt;` in slide HTML, `"` becomes `\"` and a control character `\u0001` in JSON).
fn largest_deck() -> String {
    let control = "\u{1}".repeat(200);
    let mut deck = format!(
        "---\ntitle: {control}\n---\n\n# Start\n\n---\n\n<!-- question: single -->\n# {}\n\n",
        "\"".repeat(300)
    );
    for n in 0..26 {
        deck.push_str(&format!("- {n}{}\n", "\"".repeat(190)));
    }
    let slide = format!("\n---\n\n# {}\n\n{}\n", "\"".repeat(300), "<".repeat(1700));
    while deck.len() + slide.len() < MAX_DECK_BYTES && deck.matches("\n---\n").count() < 999 {
        deck.push_str(&slide);
    }
    deck
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_legal_deck_reaches_the_presenter_and_phones() -> Result<()> {
    let text = largest_deck();
    let parsed = parse_deck("largest.md", &text).context("the largest deck is legal")?;
    ensure!(parsed.slides.len() >= 900, "{} slides", parsed.slides.len());
    let mut server = TestServer::start_on(&text).await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let size = deck.to_string().len();
    // Far past the 256 KiB that used to be every socket's cap.
    ensure!(size > 6 * 1024 * 1024, "the deck frame is only {size} bytes: not near the worst case");
    ensure!(deck["slides"].as_array().map(Vec::len) == Some(parsed.slides.len()));
    goto(&mut presenter, 1).await?;
    let mut phone = server.participant("largest-phone").await?;
    let state = phone
        .wait_for("the question", |f| {
            f["type"] == "state" && f["question"]["options"].as_array().is_some_and(|o| o.len() == 26)
        })
        .await?;
    ensure!(state["title"].as_str().is_some_and(|t| t.chars().count() == 200), "{}", state["title"]);
    server.stop().await
}

#[test]
fn over_the_caps_is_a_clear_error_with_the_line() {
    let long_title = format!("---\ntitle: {}\n---\n# A\n", "t".repeat(201));
    let error = parse_deck("t.md", &long_title).expect_err("a long title");
    assert_eq!((error.line, error.message.contains("longer than 200")), (2, true), "{error}");
    let long_heading = format!("# A\n\n---\n\n## {}\n", "h".repeat(301));
    let error = parse_deck("t.md", &long_heading).expect_err("a long heading");
    assert_eq!((error.line, error.message.contains("longer than 300")), (5, true), "{error}");
    let long_notes = format!("# A\n\n<!-- {} -->\n", "n".repeat(10_001));
    let error = parse_deck("t.md", &long_notes).expect_err("long notes");
    assert!(error.message.contains("longer than 10000"), "{error}");
}
