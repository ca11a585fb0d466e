//! A full disk: phones are told their answer was not saved, the presenter sees
//! why, nothing panics, and voting resumes by itself when space returns.
//!
//! The server runs on a real 512 KiB tmpfs in a private mount namespace
//! (`unshare`), which the test fills and empties through `/proc/PID/root`.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{anyhow, Result};
use common::{origin_of, serve_urls, WsClient};
use serde_json::json;

#[tokio::test]
async fn a_full_disk_is_reported_and_voting_resumes_when_space_returns() -> Result<()> {
    let mount_point = tempfile::tempdir()?;
    let dir = mount_point.path().display().to_string();
    let script = r#"mount -t tmpfs -o size=512k tmpfs "$0" && exec "$1" serve --bind 127.0.0.1 --port 0 --data "$0""#;
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    if !probe.is_ok_and(|status| status.success()) {
        eprintln!("SKIPPED: this machine cannot create a mount namespace (unshare -rm), so no tmpfs to fill");
        return Ok(());
    }
    let mut child = Command::new("unshare")
        .args(["-rm", "sh", "-c", script, &dir, env!("CARGO_BIN_EXE_handsup")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let (participant, presenter_url) = serve_urls(&mut child)?;
    // The server's view of its data folder, inside its own mount namespace.
    let data = PathBuf::from(format!("/proc/{}/root{}", child.id(), dir));

    let mut presenter = WsClient::connect(
        &presenter_url.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1),
        Some(&origin_of(&presenter_url)),
    )
    .await?;
    let deck = presenter.wait_type("deck").await?;
    let (slide, question) = common::nth_question(&deck, 0)?;
    common::goto(&mut presenter, slide).await?;
    let ws = format!("{}ws", participant.replacen("http://", "ws://", 1));
    let mut phone = WsClient::connect(&ws, Some(&origin_of(&participant))).await?;
    phone.send(json!({"type": "hello", "participant": "disk-full-01"})).await?;
    phone.wait_for("the question", |f| f["question"]["id"] == question.as_str()).await?;
    assert_eq!(phone.vote("before", &question, &[0]).await?["type"], "ack");

    // Fill the disk.
    let filler = data.join("filler");
    {
        let mut file = std::fs::File::create(&filler)?;
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
    }
    let mut refused = None;
    for n in 0..50u16 {
        let reply = phone.vote(&format!("full-{n}"), &question, &[1 + n % 2]).await?;
        if reply["type"] == "error" {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.ok_or_else(|| anyhow!("no vote was refused on a full disk"))?;
    assert_eq!(refused["code"], "storage", "{refused}");
    let alert =
        presenter.wait_for("the storage alert", |f| f["type"] == "state" && f["storage_error"].is_string()).await?;
    assert!(alert["storage_error"].as_str().unwrap_or("").contains("not being saved"), "{alert}");

    // Space returns: the next vote is stored and the alert clears.
    std::fs::remove_file(&filler)?;
    assert_eq!(phone.vote("after", &question, &[3]).await?["type"], "ack");
    presenter.wait_for("the alert cleared", |f| f["type"] == "state" && f["storage_error"].is_null()).await?;

    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status()?;
    let status = child.wait()?;
    assert!(status.success(), "the server exited with {status} after a full disk");
    Ok(())
}
