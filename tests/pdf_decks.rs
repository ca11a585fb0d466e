//! PDF decks: a PDF's pages as slides, a question between pages from its
//! companion Markdown deck, pages drawn by the server at the asked width, and
//! clear errors for protected, damaged and short PDFs.

mod common;

use anyhow::{ensure, Context, Result};
use common::{goto, http_get_bytes, TestServer};
use handsup_core::app::load_deck;
use handsup_core::DeckSource;
use handsup_load::pdf::slides;

/// A GET's status line and body.
async fn fetch(url: &str) -> Result<(String, Vec<u8>)> {
    let response = http_get_bytes(url, &[]).await?;
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").context("no header end")?;
    let status = String::from_utf8_lossy(&response[..end]).lines().next().unwrap_or("").to_string();
    Ok((status, response[end + 4..].to_vec()))
}

/// A PNG's width, from its header.
fn png_width(png: &[u8]) -> Result<u32> {
    ensure!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {:?}", &png[..png.len().min(16)]);
    Ok(u32::from_be_bytes(png[16..20].try_into()?))
}

/// A baseline JPEG's width, from its start-of-frame segment.
fn jpeg_width(jpeg: &[u8]) -> Result<u16> {
    let mut at = 2;
    while at + 9 < jpeg.len() {
        let (marker, length) = (jpeg[at + 1], usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]])));
        if marker == 0xC0 || marker == 0xC2 {
            return Ok(u16::from_be_bytes([jpeg[at + 7], jpeg[at + 8]]));
        }
        at += 2 + length;
    }
    anyhow::bail!("no frame header in the JPEG")
}

/// The first `src` of a PDF page image in a slide's HTML.
fn page_src(html: &str) -> Result<String> {
    let at = html.find("class=\"pdf-page\" src=\"").context("no PDF page in the slide")? + 22;
    Ok(html[at..].split('"').next().unwrap_or("").replace("&amp;", "&"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_is_a_deck_of_its_pages_drawn_at_the_windows_width() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("Quarterly review.pdf");
    std::fs::write(&pdf, slides(3, false))?;
    let file = load_deck(&DeckSource::File(pdf.clone()))?;
    ensure!(file.deck.slides.len() == 3 && file.deck.title == "Quarterly review", "{:?}", file.deck.title);
    ensure!(
        file.markdown_path() == Some(std::fs::canonicalize(&pdf)?.with_extension("md")),
        "the editor writes the companion"
    );

    let mut server = TestServer::start_in(&dir.path().join("data"), DeckSource::File(pdf.clone())).await?;
    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let origin = server.presenter_url.split("/?").next().context("origin")?.to_string();
    for (index, slide) in deck["slides"].as_array().context("slides")?.iter().enumerate() {
        let src = page_src(slide["html"].as_str().context("html")?)?;
        ensure!(src.ends_with(&format!("Quarterly%20review.pdf?page={}", index + 1)), "{src}");
        let (status, png) = fetch(&format!("{origin}{src}")).await?;
        ensure!(status.contains("200") && png_width(&png)? == 1920, "drawn for a 1080p projector by default: {status}");
        let (_, small) = fetch(&format!("{origin}{src}&width=600")).await?;
        ensure!(png_width(&small)? == 640, "a small window gets a small page");
    }
    // Each page and width is drawn once, then kept in the data folder.
    let cached = std::fs::read_dir(dir.path().join("data/page-cache"))?.count();
    ensure!(cached == 6, "{cached} pages in the cache");
    // The token guards the pages as it guards the images.
    let src = page_src(deck["slides"][0]["html"].as_str().context("html")?)?;
    let forged = src.replacen("/media/", "/media/0000", 1);
    let (status, _) = fetch(&format!("{origin}{forged}")).await?;
    ensure!(status.contains("403"), "a page without the secret: {status}");
    goto(&mut presenter, 2).await?;
    server.stop().await?;
    Ok(())
}

#[test]
fn a_companion_deck_puts_a_question_between_pages() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("talk.pdf");
    std::fs::write(&pdf, slides(4, false))?;
    let companion = "# Before\n\n![](talk.pdf#page=1)\n\n---\n\n![](talk.pdf#page=2)\n\n---\n\n\
        <!-- question: single -->\n# Ready for part two?\n- Yes\n- No\n\n---\n\n![](talk.pdf#page=3)\n";
    std::fs::write(dir.path().join("talk.md"), companion)?;
    let file = load_deck(&DeckSource::File(pdf.clone()))?;
    ensure!(file.deck.slides.len() == 4 && file.deck.questions().count() == 1, "the companion deck is presented");
    ensure!(file.source == DeckSource::File(dir.path().join("talk.md")), "{:?}", file.source);

    let too_far = companion.replace("talk.pdf#page=3", "talk.pdf#page=9");
    std::fs::write(dir.path().join("talk.md"), &too_far)?;
    let error = load_deck(&DeckSource::File(pdf)).expect_err("page 9 of 4").to_string();
    ensure!(error.contains("talk.md:18:") && error.contains("the PDF has 4 pages; there is no page 9"), "{error}");
    Ok(())
}

#[test]
fn protected_and_damaged_pdfs_are_refused_by_name() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let protected = dir.path().join("secret.pdf");
    std::fs::write(&protected, slides(2, true))?;
    let error = load_deck(&DeckSource::File(protected)).expect_err("protected").to_string();
    ensure!(error.contains("secret.pdf") && error.contains("password-protected"), "{error}");

    let whole = slides(3, false);
    let truncated = dir.path().join("cut.pdf");
    std::fs::write(&truncated, &whole[..whole.len() / 8])?;
    let error = load_deck(&DeckSource::File(truncated)).expect_err("cut short").to_string();
    ensure!(error.contains("cut.pdf") && error.contains("damaged or cut short"), "{error}");

    let not_pdf = dir.path().join("notes.pdf");
    std::fs::write(&not_pdf, b"just text")?;
    ensure!(load_deck(&DeckSource::File(not_pdf)).is_err());
    // A page of a PDF that is not there is a deck error with its line.
    std::fs::write(dir.path().join("deck.md"), "# Hi\n\n![](gone.pdf#page=1)\n")?;
    let error = load_deck(&DeckSource::File(dir.path().join("deck.md"))).expect_err("missing").to_string();
    ensure!(error.contains("deck.md:3:") && error.contains("no such file"), "{error}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_follow_the_slides_only_when_the_deck_says_so_and_only_the_one_on_screen() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("talk.pdf"), slides(2, false))?;
    let deck = "---\nphones: slides\n---\n\n![](talk.pdf#page=1)\n\n---\n\n\
        <!-- question: single id=ready -->\n# Ready?\n- Yes\n- No\n\n---\n\n![](talk.pdf#page=2)\n";
    std::fs::write(dir.path().join("talk.md"), deck)?;
    let mut server =
        TestServer::start_in(&dir.path().join("data"), DeckSource::File(dir.path().join("talk.md"))).await?;
    let mut presenter = server.presenter().await?;
    presenter.wait_type("deck").await?;
    let mut phone = server.participant("follow-phone").await?;
    let state = phone.wait_for("the first slide", |f| f["type"] == "state" && f["slide"] == 0).await?;
    let image = state["image"].as_str().context("the first page for phones")?.to_string();
    ensure!(image.starts_with("slide/0?v="), "{image}");
    let (status, jpeg) = fetch(&format!("{}{image}", server.participant_url)).await?;
    ensure!(status.contains("200") && jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG for the phone: {status}");
    ensure!(jpeg_width(&jpeg)? == 960, "drawn for a phone held upright");
    // The room cannot read ahead: only the slide on screen is served.
    let (status, _) = fetch(&format!("{}slide/2?v=x", server.participant_url)).await?;
    ensure!(status.contains("404"), "{status}");
    // A question shows itself, not a picture; the next page comes with its slide.
    goto(&mut presenter, 1).await?;
    let state = phone.wait_for("the question", |f| f["type"] == "state" && f["slide"] == 1).await?;
    ensure!(state.get("image").is_none(), "{state}");
    goto(&mut presenter, 2).await?;
    let state = phone.wait_for("the second page", |f| f["type"] == "state" && f["slide"] == 2).await?;
    ensure!(state["image"].as_str().is_some_and(|u| u.starts_with("slide/2?v=")), "{state}");
    // A blacked-out projector blacks out the phones' copy too.
    presenter.send(serde_json::json!({"type": "set_black", "black": true})).await?;
    let state = phone.wait_for("the blackout", |f| f["type"] == "state" && f.get("image").is_none()).await?;
    ensure!(state["slide"] == 2, "{state}");
    server.stop().await?;

    // A session file carries the PDF once, however many pages the deck shows.
    let out = dir.path().join("talk.handsup");
    handsup_core::export::portable(&dir.path().join("data"), handsup_core::export::Which::Latest, &out)?;
    let pdf_size = std::fs::metadata(dir.path().join("talk.pdf"))?.len() as i64;
    let carried: (String, i64, i64) = rusqlite::Connection::open(&out)?.query_row(
        "SELECT group_concat(reference), count(*), sum(length(bytes)) FROM media",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    ensure!(carried == ("talk.pdf".to_string(), 1, pdf_size), "one copy of the PDF: {carried:?}");
    let unpacked = handsup_core::export::unpack(&out, &dir.path().join("elsewhere"))?;
    let copied = std::fs::read(unpacked.deck.with_file_name("talk.pdf"))?;
    ensure!(copied == std::fs::read(dir.path().join("talk.pdf"))?, "the PDF travels whole");

    // Without `phones: slides`, phones get no picture and the address serves nothing.
    std::fs::write(dir.path().join("talk.md"), deck.replace("phones: slides\n", "title: Talk\n"))?;
    let mut server =
        TestServer::start_in(&dir.path().join("data"), DeckSource::File(dir.path().join("talk.md"))).await?;
    let mut phone = server.participant("plain-phone").await?;
    let state = phone.wait_type("state").await?;
    ensure!(state.get("image").is_none(), "{state}");
    let (status, _) = fetch(&format!("{}slide/{}?v=x", server.participant_url, state["slide"])).await?;
    ensure!(status.contains("404"), "{status}");
    server.stop().await
}
