//! The pages as a phone and a browser receive them: small, self-contained, locked down.

mod common;

use std::io::Read;

use anyhow::{Context, Result};
use common::{http_get, http_get_bytes, TestServer};

#[tokio::test]
async fn the_phone_page_is_one_small_self_contained_request() -> Result<()> {
    let mut server = TestServer::start().await?;
    // What a phone's browser gets: it always says it takes gzip.
    let wire = http_get_bytes(&server.participant_url, &[("Accept-Encoding", "gzip, deflate")]).await?;
    // 14 KiB arrives in TCP's first round trip: every byte sent counts, headers included.
    eprintln!("the phone page: {} bytes on the wire", wire.len());
    assert!(wire.len() <= 14 * 1024, "the phone page is {} bytes on the wire", wire.len());
    let end = wire.windows(4).position(|w| w == b"\r\n\r\n").context("no header end")?;
    let head = String::from_utf8_lossy(&wire[..end]).to_ascii_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let mut page = String::new();
    flate2::read::GzDecoder::new(&wire[end + 4..]).read_to_string(&mut page)?;
    let (plain_head, body) = http_get(&server.participant_url).await?;
    assert_eq!(page, body, "compressed and plain are the same page");
    assert!(!plain_head.contains("content-encoding"), "a client without gzip gets the plain page");
    for kind in ["scale", "number", "ranking", "points"] {
        assert!(body.contains(&format!("'{kind}'")), "the page answers {kind} questions");
    }
    assert!(head.contains("content-security-policy: default-src 'none'"), "{head}");
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!body.contains(external), "the phone page loads something from elsewhere: {external}");
    }
    assert!(!body.contains("innerHTML"), "participant-facing markup must be built with textContent");
    server.stop().await
}

/// Each language's page, asked for as a phone's browser asks, within TCP's first round trip.
#[tokio::test]
async fn every_language_comes_in_one_round_trip_and_the_phone_or_deck_may_choose() -> Result<()> {
    let mut server = TestServer::start().await?;
    for code in ["en", "de", "fr", "es", "it", "nl", "pt", "pl"] {
        let browser = format!("{code}-XX,{code};q=0.9,en;q=0.1");
        let wire = http_get_bytes(
            &server.participant_url,
            &[("Accept-Encoding", "gzip, deflate, br"), ("Accept-Language", browser.as_str())],
        )
        .await?;
        eprintln!("the phone page in {code}: {} bytes on the wire", wire.len());
        assert!(wire.len() <= 14 * 1024, "{code}: {} bytes on the wire", wire.len());
        let end = wire.windows(4).position(|w| w == b"\r\n\r\n").context("no header end")?;
        let head = String::from_utf8_lossy(&wire[..end]).to_ascii_lowercase();
        assert!(head.contains(&format!("content-language: {code}\r\n")), "{head}");
        let mut page = String::new();
        flate2::read::GzDecoder::new(&wire[end + 4..]).read_to_string(&mut page)?;
        assert!(page.contains(&format!("<html lang=\"{code}\">")), "{code}");
    }
    // The phone's own choice, from its menu, beats the browser's.
    let (head, _) = http_get(&server.participant_url).await?;
    assert!(head.to_ascii_lowercase().contains("content-language: en"), "{head}");
    let chosen =
        http_get_bytes(&server.participant_url, &[("Accept-Language", "de"), ("Cookie", "handsup-lang=pl")]).await?;
    assert!(String::from_utf8_lossy(&chosen).contains("<html lang=\"pl\">"));
    server.stop().await?;

    // The deck's `lang:` beats the browser's, and the phone's choice beats the deck's.
    let mut server = TestServer::start_on("---\nlang: fr\n---\n# Bonjour\n").await?;
    let french = http_get_bytes(&server.participant_url, &[("Accept-Language", "de")]).await?;
    assert!(String::from_utf8_lossy(&french).contains("<html lang=\"fr\">"));
    let chosen =
        http_get_bytes(&server.participant_url, &[("Accept-Language", "de"), ("Cookie", "handsup-lang=it")]).await?;
    assert!(String::from_utf8_lossy(&chosen).contains("<html lang=\"it\">"));
    server.stop().await
}

#[tokio::test]
async fn the_presenter_page_loads_only_its_own_files() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (head, body) = http_get(&server.presenter_url).await?;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("referrer-policy: no-referrer"), "the token must not leak in a Referer: {head}");
    assert!(body.contains("/ui/presenter.js") && body.contains("/ui/presenter.css"));
    let base = server.presenter_url.split("/?").next().unwrap_or("").to_string();
    for file in ["/ui/presenter.js", "/ui/presenter.css"] {
        let (head, body) = http_get(&format!("{base}{file}")).await?;
        assert!(head.starts_with("http/1.1 200") && !body.is_empty(), "{file}: {head}");
        assert!(!body.contains("http://") && !body.contains("https://"), "{file} names an external address");
    }
    server.stop().await
}
