//! The presenter's phone as a remote, through real sockets on the LAN listener:
//! pairing, commands, what it may not do, revocation, wrong secrets and flooding.

mod common;

use anyhow::{ensure, Context, Result};
use common::{http_get, origin_of, TestServer, WsClient};
use serde_json::{json, Value};

fn remote_ws(server: &TestServer) -> String {
    format!("{}remote/ws", server.participant_url.replacen("http://", "ws://", 1))
}

/// The secret after `#k=` in the presenter view's remote address.
fn secret_of(frame: &Value) -> Result<String> {
    let url = frame["url"].as_str().context("remote url")?;
    Ok(url.split_once("#k=").context("no secret in the fragment")?.1.to_string())
}

async fn remote(server: &TestServer, secret: &str) -> Result<WsClient> {
    let mut remote = WsClient::connect(&remote_ws(server), Some(&origin_of(&server.participant_url))).await?;
    remote.send(json!({"type": "pair", "secret": secret})).await?;
    Ok(remote)
}

#[tokio::test]
async fn a_paired_phone_moves_the_talk_and_a_revoked_or_guessed_one_cannot() -> Result<()> {
    let mut server = TestServer::start().await?;
    let view_ws = format!("{}&moderation=1", server.presenter_ws());
    let mut view = WsClient::connect(&view_ws, Some(&origin_of(&server.presenter_url))).await?;
    let offered = view.wait_type("remote").await?;
    let url = offered["url"].as_str().context("url")?;
    ensure!(url.starts_with(&format!("{}remote#k=", server.participant_url)), "{url}");
    ensure!(offered["paired"] == 0 && offered["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")), "{offered}");
    let secret = secret_of(&offered)?;
    ensure!(secret.len() == 32, "128 random bits");
    ensure!(!server.presenter_url.contains(&secret), "never the presenter token");

    // The projector's socket is never told the remote's secret.
    let mut projector = server.presenter().await?;
    projector.wait_type("state").await?;
    projector.catch_up().await;
    ensure!(projector.latest("remote").is_none(), "the projector got the remote's code");

    // The page holds no secret.
    let (head, page) = http_get(&format!("{}remote", server.participant_url)).await?;
    ensure!(head.to_ascii_lowercase().contains("content-security-policy: default-src 'none'"), "{head}");
    ensure!(page.contains("Handsup remote") && !page.contains(&secret), "the page");

    // Paired: the talk with its notes, and the presenter view counts it.
    let mut phone = remote(&server, &secret).await?;
    let first = phone.wait_type("state").await?;
    ensure!(first["slide"] == 0 && first["slides"].as_u64().is_some_and(|n| n > 2), "{first}");
    ensure!(first["notes"].as_str().is_some(), "{first}");
    phone.wait_type("clock").await?;
    view.wait_for("one paired", |f| f["type"] == "remote" && f["paired"] == 1).await?;

    // Next: both the remote and the presenter see slide 2, with its notes.
    phone.send(json!({"type": "next"})).await?;
    phone.wait_for("slide 2 on the remote", |f| f["type"] == "state" && f["slide"] == 1).await?;
    view.wait_for("slide 2 on the presenter", |f| f["type"] == "state" && f["slide"] == 1).await?;
    phone.send(json!({"type": "set_black", "black": true})).await?;
    view.wait_for("black", |f| f["type"] == "state" && f["black"] == true).await?;
    phone.wait_for("black on the remote", |f| f["type"] == "state" && f["black"] == true).await?;

    // What only the presenter's laptop may do is refused, and changes nothing.
    for forbidden in [
        json!({"type": "goto", "slide": 5}),
        json!({"type": "moderate", "entry": 1, "state": "hidden"}),
        json!({"type": "choose_network", "interface": "eth0"}),
        json!({"type": "revoke_remote"}),
        json!({"type": "hello", "participant": "abcdefgh"}),
    ] {
        phone.send(forbidden.clone()).await?;
        let refused = phone.wait_type("error").await?;
        ensure!(refused["code"] == "bad_message", "{forbidden}: {refused}");
        phone.latest_clear("error");
    }
    view.catch_up().await;
    ensure!(view.latest("state").is_some_and(|s| s["slide"] == 1), "nothing moved");

    // A flood is cut to the rate: a burst of 20, then 5 a second.
    for _ in 0..40 {
        phone.send(json!({"type": "set_black", "black": false})).await?;
    }
    let limited = phone.wait_for("rate limited", |f| f["type"] == "error" && f["code"] == "rate_limited").await?;
    ensure!(limited["message"].as_str().is_some(), "{limited}");

    // Revoked: the paired phone is closed, the old secret refused, a new one offered.
    view.latest_clear("remote");
    view.send(json!({"type": "revoke_remote"})).await?;
    let code = phone.closed().await?;
    ensure!(u16::from(code) == 4003, "closed with {code:?}");
    let renewed =
        view.wait_for("a new code", |f| f["type"] == "remote" && secret_of(f).is_ok_and(|s| s != secret)).await?;
    let new_secret = secret_of(&renewed)?;
    let mut old = remote(&server, &secret).await?;
    let refused = old.wait_type("error").await?;
    ensure!(refused["code"] == "wrong_secret", "{refused}");
    ensure!(u16::from(old.closed().await?) == 1008, "the old secret's socket is closed");
    let mut paired_again = remote(&server, &new_secret).await?;
    ensure!(paired_again.wait_type("state").await?["slide"] == 1, "the new code pairs");
    drop(paired_again);

    // Guessing: after five wrong secrets in a minute an address is refused, even with the right one.
    for guess in 0..4 {
        let mut guesser = remote(&server, &format!("{guess:032x}")).await?;
        ensure!(guesser.wait_type("error").await?["code"] == "wrong_secret", "guess {guess}");
    }
    let mut locked = remote(&server, &new_secret).await?;
    let refused = locked.wait_type("error").await?;
    ensure!(refused["code"] == "rate_limited", "{refused}");
    server.stop().await
}
