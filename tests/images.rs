//! Slide images served from the deck's own folder, to the presenter only; and the session history.

mod common;

use std::process::Command;

use anyhow::{ensure, Context, Result};
use common::{http_get_bytes, http_request, TestServer};
use handsup_core::DeckSource;

/// A deck folder with two images, one in a subfolder and one whose name holds a space,
/// and beside it (outside the folder) a file that must never be served.
fn deck_folder() -> Result<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir()?;
    let folder = dir.path().join("talk");
    std::fs::create_dir_all(folder.join("img"))?;
    std::fs::write(folder.join("img/map.png"), b"\x89PNG\r\n\x1a\nmap")?;
    std::fs::write(folder.join("team photo.jpg"), b"\xff\xd8\xffjpeg")?;
    std::fs::write(dir.path().join("secret.png"), b"\x89PNG secret")?;
    let deck = folder.join("talk.md");
    std::fs::write(
        &deck,
        "# Where we are\n\n![The map](img/map.png)\n\n---\n\n# The team\n\n![Us](team%20photo.jpg)\n",
    )?;
    Ok((dir, deck))
}

fn media_url(server: &TestServer, src: &str) -> String {
    let origin = server.presenter_url.split("/?").next().unwrap_or_default().to_string();
    format!("{origin}{src}")
}

#[tokio::test]
async fn slide_images_come_from_the_decks_folder_only_and_only_to_the_presenter() -> Result<()> {
    let (dir, deck) = deck_folder()?;
    let mut server = TestServer::start_in(&dir.path().join("data"), DeckSource::File(deck)).await?;
    let mut presenter = server.presenter().await?;
    let frame = presenter.wait_type("deck").await?;
    let html = frame["slides"][0]["html"].as_str().context("html")?;
    let src = html.split("src=\"").nth(1).and_then(|rest| rest.split('"').next()).context("an image")?;
    ensure!(src.starts_with("/media/") && src.ends_with("/img/map.png"), "{html}");
    let bytes = http_get_bytes(&media_url(&server, src), &[]).await?;
    ensure!(bytes.ends_with(b"\x89PNG\r\n\x1a\nmap"), "the map as stored");
    let head = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    ensure!(head.contains("content-type: image/png") && head.contains("x-content-type-options: nosniff"), "{head}");
    let spaced = frame["slides"][1]["html"].as_str().context("html")?;
    ensure!(spaced.contains("team%20photo.jpg"), "{spaced}");

    // The secret in the path is the presenter's; nothing outside the folder, whatever the spelling.
    let token_path = src.trim_end_matches("img/map.png");
    for (path, code) in [
        ("/media/not-the-token/img/map.png".to_string(), "403"),
        (format!("{token_path}..%2Fsecret.png"), "404"),
        (format!("{token_path}%2E%2E/secret.png"), "404"),
        (format!("{token_path}img/..%2F..%2Fsecret.png"), "404"),
        (format!("{token_path}talk.md"), "404"),
        (format!("{token_path}%2Fetc%2Fpasswd"), "404"),
    ] {
        let (head, body) = http_request("GET", &media_url(&server, &path), &[], None).await?;
        ensure!(head.starts_with(&format!("http/1.1 {code}")), "{path}: {head}");
        ensure!(!body.contains("PNG secret"), "{path} served the file outside the folder");
    }
    // The LAN listener has no such route: phones never read the presenter's files.
    let phone_side = format!("{}{}", server.participant_url.trim_end_matches('/'), src);
    let (head, _) = http_request("GET", &phone_side, &[], None).await?;
    ensure!(head.starts_with("http/1.1 404"), "{head}");
    server.stop().await
}

#[test]
fn a_deck_whose_image_is_missing_outside_or_too_big_is_an_error_with_its_line() -> Result<()> {
    let (dir, deck) = deck_folder()?;
    let folder = deck.parent().context("folder")?.to_path_buf();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.png"), folder.join("link.png"))?;
    std::fs::File::create(folder.join("huge.png"))?.set_len(21 * 1024 * 1024)?;
    for (image, says) in [
        ("img/gone.png", "no such file"),
        ("../secret.png", "no `..`"),
        ("/etc/hostname.png", "absolute"),
        ("link.png", "outside the deck's folder"),
        ("huge.png", "at most 20 MiB"),
        ("https://example.org/x.png", "without internet"),
    ] {
        let bad = folder.join("bad.md");
        std::fs::write(&bad, format!("# Fine\n\n---\n\n# Broken\n\nLook:\n\n![x]({image})\n"))?;
        let output =
            Command::new(env!("CARGO_BIN_EXE_handsup")).args(["check", &bad.display().to_string()]).output()?;
        let said = String::from_utf8_lossy(&output.stdout);
        ensure!(!output.status.success(), "{image}: {said}");
        ensure!(said.contains("bad.md:9:") && said.contains(says), "{image}: {said}");
    }
    let good = Command::new(env!("CARGO_BIN_EXE_handsup")).args(["check", &deck.display().to_string()]).output()?;
    ensure!(String::from_utf8_lossy(&good.stdout).trim() == "ok: 2 slides, 0 questions");
    Ok(())
}

#[tokio::test]
async fn handsup_sessions_lists_every_session_newest_first() -> Result<()> {
    let (dir, deck) = deck_folder()?;
    let data = dir.path().join("data");
    let empty = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["sessions", "--data", &data.display().to_string()])
        .output()?;
    ensure!(!empty.status.success() && String::from_utf8_lossy(&empty.stderr).contains("no Handsup data"));
    let poll = dir.path().join("poll.md");
    std::fs::write(&poll, "---\ntitle: Tab\there\n---\n\n<!-- question: single id=q -->\n# Q?\n\n- A\n- B\n")?;
    let mut server = TestServer::start_in(&data, DeckSource::File(poll.clone())).await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    for n in 0..3 {
        let mut phone = server.phone_on(&format!("history-phone-{n}"), &question).await?;
        ensure!(phone.vote("r", &question, &[n % 2]).await?["type"] == "ack");
    }
    server.stop().await?;
    let mut second = TestServer::start_in(&data, DeckSource::File(deck)).await?;
    second.stop().await?;
    let output = Command::new(env!("CARGO_BIN_EXE_handsup"))
        .args(["sessions", "--data", &data.display().to_string()])
        .output()?;
    ensure!(output.status.success());
    let text = String::from_utf8(output.stdout)?;
    let lines: Vec<Vec<&str>> = text.lines().map(|line| line.split('\t').collect()).collect();
    ensure!(lines[0] == ["id", "started", "deck", "participants", "answers"], "{text}");
    ensure!(lines.len() == 3 && lines.iter().all(|line| line.len() == 5), "{text}");
    ensure!(lines[1][2] == "Where we are" && lines[1][4] == "0", "the newest first: {text}");
    ensure!(lines[2][2] == "Tab here" && lines[2][3] == "3" && lines[2][4] == "3", "{text}");
    ensure!(lines[2][1].ends_with('Z') && lines[2][1].contains('T'), "{text}");
    Ok(())
}
