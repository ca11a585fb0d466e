//! Protective limits: one live socket per participant, heartbeats, rate limits, socket caps.

mod common;

use std::time::Duration;

use anyhow::Result;
use common::{fast_heartbeat, origin_of, TestServer, WsClient};
use handsup_core::server::Limits;
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test]
async fn a_newer_socket_replaces_the_older_one_of_the_same_participant() -> Result<()> {
    let mut server = TestServer::start().await?;
    let mut presenter = server.presenter().await?;
    let mut first = server.participant("same-person-01").await?;
    first.wait_type("state").await?;
    let mut second = server.participant("same-person-01").await?;
    second.wait_type("state").await?;
    assert_eq!(first.closed().await?, CloseCode::Library(4001));
    presenter.wait_for("one participant", |f| f["type"] == "participants" && f["connected"] == 1).await?;
    // The newer socket still works.
    second.send(json!({"type": "vote", "request": "r", "question": "nope", "answer": {"choices": [0]}})).await?;
    assert_eq!(second.wait_type("error").await?["code"], "not_current");
    server.stop().await
}

#[tokio::test]
async fn a_phone_that_vanished_is_dropped_after_the_silence_limit() -> Result<()> {
    let mut server = TestServer::start_with(fast_heartbeat()).await?;
    let mut presenter = server.presenter().await?;
    let mut phone = server.participant("vanishing-01").await?;
    phone.wait_type("state").await?;
    presenter.wait_for("the phone", |f| f["type"] == "participants" && f["connected"] == 1).await?;
    // This client stops reading, so it never answers the server's pings: like a
    // phone whose Wi-Fi dropped without a goodbye.
    presenter.wait_for("the phone dropped", |f| f["type"] == "participants" && f["connected"] == 0).await?;
    drop(phone);
    server.stop().await
}

#[tokio::test]
async fn a_live_phone_answering_pings_stays() -> Result<()> {
    let mut server = TestServer::start_with(fast_heartbeat()).await?;
    let mut presenter = server.presenter().await?;
    let mut phone = server.participant("staying-01").await?;
    phone.wait_type("state").await?;
    // The server's clock follows the state on every connect.
    phone.wait_type("clock").await?;
    // Reading makes the client answer pings; stay well past the silence limit.
    let reading = tokio::time::timeout(Duration::from_millis(3000), phone.recv()).await;
    assert!(reading.is_err(), "no frame expected while idle, got {reading:?}");
    presenter.wait_for("still connected", |f| f["type"] == "participants" && f["connected"] == 1).await?;
    server.stop().await
}

#[tokio::test]
async fn floods_are_refused_then_closed() -> Result<()> {
    let limits = Limits { burst: 3, per_second: 1.0, ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let mut phone = server.participant("flooder-0001").await?;
    phone.wait_type("state").await?;
    for n in 0..5 {
        phone
            .send(json!({"type": "vote", "request": format!("r{n}"), "question": "x", "answer": {"choices": [0]}}))
            .await?;
    }
    phone.wait_for("a rate-limit error", |f| f["type"] == "error" && f["code"] == "rate_limited").await?;
    for n in 0..60 {
        if phone
            .send(json!({"type": "vote", "request": format!("f{n}"), "question": "x", "answer": {"choices": [0]}}))
            .await
            .is_err()
        {
            break;
        }
    }
    assert_eq!(phone.closed().await?, CloseCode::Policy);
    server.stop().await
}

#[tokio::test]
async fn socket_caps_turn_away_the_extra_connection() -> Result<()> {
    let limits = Limits { max_sockets_per_address: 2, ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let origin = origin_of(&server.participant_url);
    let a = WsClient::connect(&server.participant_ws(), Some(&origin)).await?;
    let b = WsClient::connect(&server.participant_ws(), Some(&origin)).await?;
    let refused = WsClient::connect(&server.participant_ws(), Some(&origin)).await;
    let error = refused.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(error.contains("503"), "a third socket from one address was not refused: {error}");
    drop(a);
    // The freed place is reusable once the server has noticed the close.
    let deadline = tokio::time::Instant::now() + common::PATIENCE;
    let mut retried = None;
    while retried.is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        retried = WsClient::connect(&server.participant_ws(), Some(&origin)).await.ok();
    }
    assert!(retried.is_some(), "the place of a closed socket was never freed");
    drop(b);
    server.stop().await
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let limits = Limits { header_read_timeout: Duration::from_millis(300), ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let host = server.participant_url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut slow = tokio::net::TcpStream::connect(&host).await?;
    slow.write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\nX-Slow: ").as_bytes()).await?;
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "the server kept a half-sent request open for 5 s");
    // A normal request on another connection is still served.
    let mut fine = tokio::net::TcpStream::connect(&host).await?;
    fine.write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut page = String::new();
    fine.read_to_string(&mut page).await?;
    assert!(page.starts_with("HTTP/1.1 200"), "{}", page.lines().next().unwrap_or(""));
    server.stop().await
}

#[tokio::test]
async fn a_socket_that_never_says_hello_is_closed() -> Result<()> {
    let limits = Limits { hello_deadline: Duration::from_millis(300), ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let origin = origin_of(&server.participant_url);
    let mut silent = WsClient::connect(&server.participant_ws(), Some(&origin)).await?;
    assert_eq!(silent.closed().await?, CloseCode::Policy);
    server.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_machine_with_two_addresses_cannot_keep_a_new_phone_out() -> Result<()> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    // Scaled down: the same rule holds at any cap.
    let limits = Limits { max_sockets: 6, max_sockets_per_address: 4, ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let (addr, origin) = handsup_load::phones::target(&server.participant_url)?;
    let url = server.participant_ws();
    let hello = |id: String| Message::text(serde_json::json!({"type": "hello", "participant": id}).to_string());
    // The hostile laptop fills the room from two addresses, answering pings like a live phone.
    let mut hog = Vec::new();
    for (n, source) in [
        (0, [127, 0, 0, 2]),
        (1, [127, 0, 0, 2]),
        (2, [127, 0, 0, 2]),
        (3, [127, 0, 0, 2]),
        (4, [127, 0, 0, 3]),
        (5, [127, 0, 0, 3]),
    ] {
        let mut socket = handsup_load::phones::connect(addr, source.into(), &url, &origin).await?;
        socket.send(hello(format!("hog-socket-{n:04}"))).await?;
        hog.push(socket);
    }
    // A phone from a third address still gets in...
    let mut phone = handsup_load::phones::connect(addr, [127, 0, 0, 4].into(), &url, &origin).await?;
    phone.send(hello("room-phone-0001".into())).await?;
    let first = tokio::time::timeout(common::PATIENCE, phone.next()).await?;
    assert!(matches!(first, Some(Ok(Message::Text(ref t))) if t.contains("\"type\":\"state\"")), "{first:?}");
    // ...and the newest socket of the address holding the most was closed with 1013 to make room.
    let evicted = tokio::time::timeout(common::PATIENCE, async {
        loop {
            match hog[3].next().await {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await?;
    assert_eq!(evicted, Some(1013));
    // The laptop cannot win its place back by reconnecting: its address still holds the most.
    let again = handsup_load::phones::connect(addr, [127, 0, 0, 2].into(), &url, &origin).await;
    assert!(again.err().is_some_and(|e| format!("{e:#}").contains("503")), "the biggest address grew");
    drop(hog);
    server.stop().await
}

#[tokio::test]
async fn one_address_cannot_invent_a_room_of_respondents() -> Result<()> {
    let limits = Limits { join_burst: 3, joins_per_minute: 0.01, ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let mut admitted = Vec::new();
    for n in 0..3 {
        let mut phone = server.participant(&format!("invented-{n:04}")).await?;
        phone.wait_type("state").await?;
        admitted.push(phone);
    }
    let mut fourth = server.participant("invented-0003").await?;
    let refused = fourth.wait_type("error").await?;
    assert_eq!(refused["code"], "too_many_participants", "{refused}");
    assert_eq!(fourth.closed().await?, CloseCode::Policy);
    // A participant the session knows comes back freely.
    drop(admitted);
    let mut again = server.participant("invented-0001").await?;
    again.wait_type("state").await?;
    server.stop().await
}

/// Reads a raw socket until a text frame of `kind` arrives.
async fn next_of(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    kind: &str,
) -> Result<serde_json::Value> {
    use futures_util::StreamExt;
    tokio::time::timeout(common::PATIENCE, async {
        loop {
            match socket.next().await {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                    let message: serde_json::Value = serde_json::from_str(&text)?;
                    if message["type"] == kind {
                        return Ok(message);
                    }
                }
                Some(Ok(_)) => continue,
                other => anyhow::bail!("the socket ended waiting for {kind}: {other:?}"),
            }
        }
    })
    .await?
}

#[tokio::test]
async fn a_vote_that_matters_takes_one_participant_per_address() -> Result<()> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let deck = "<!-- question: single id=board voters=one-per-address -->\n# Who chairs the board?\n\n- Ada\n- Grace\n";
    let mut server = TestServer::start_on(deck).await?;
    let mut presenter = server.presenter().await?;
    presenter.send(serde_json::json!({"type": "open_voting"})).await?;
    presenter.wait_for("voting open", |m| m["type"] == "state" && m["voting"] == "open").await?;
    let (addr, origin) = handsup_load::phones::target(&server.participant_url)?;
    let url = server.participant_ws();
    let vote_from = |source: [u8; 4], id: &'static str, pick: u16| {
        let (url, origin) = (url.clone(), origin.clone());
        async move {
            let mut socket = handsup_load::phones::connect(addr, source.into(), &url, &origin).await?;
            socket.send(Message::text(serde_json::json!({"type": "hello", "participant": id}).to_string())).await?;
            next_of(&mut socket, "state").await?;
            let vote = serde_json::json!({"type": "vote", "request": format!("{id}-r"), "question": "board", "answer": {"choices": [pick]}});
            socket.send(Message::text(vote.to_string())).await?;
            let reply = tokio::time::timeout(common::PATIENCE, async {
                use futures_util::StreamExt;
                while let Some(frame) = socket.next().await {
                    if let Message::Text(text) = frame? {
                        let message: serde_json::Value = serde_json::from_str(&text)?;
                        if message["type"] == "ack" || message["type"] == "error" {
                            return Ok(message);
                        }
                    }
                }
                anyhow::bail!("the socket ended before a reply")
            })
            .await??;
            Ok::<_, anyhow::Error>(reply)
        }
    };
    let first = vote_from([127, 0, 0, 2], "office-laptop-1", 0).await?;
    assert_eq!(first["type"], "ack", "{first}");
    let changed = vote_from([127, 0, 0, 2], "office-laptop-1", 1).await?;
    assert_eq!(changed["type"], "ack", "the first voter may change its answer: {changed}");
    let second = vote_from([127, 0, 0, 2], "office-laptop-2", 0).await?;
    assert_eq!(second["code"], "one_per_address", "{second}");
    let elsewhere = vote_from([127, 0, 0, 3], "other-desk-1", 0).await?;
    assert_eq!(elsewhere["type"], "ack", "another address votes: {elsewhere}");
    let stored: i64 = server.database()?.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    assert_eq!(stored, 2);
    server.stop().await
}

#[tokio::test]
async fn the_presenter_sees_when_one_address_holds_unusually_many_participants() -> Result<()> {
    let limits = Limits { crowd_warning: 3, ..Limits::default() };
    let mut server = TestServer::start_with(limits).await?;
    let mut presenter = server.presenter().await?;
    let quiet = presenter.wait_type("participants").await?;
    assert!(quiet["crowded"].is_null(), "{quiet}");
    let mut phones = Vec::new();
    for n in 0..3 {
        let mut phone = server.participant(&format!("crowd-phone-{n:04}")).await?;
        phone.wait_type("state").await?;
        phones.push(phone);
    }
    let crowded = presenter.wait_for("a crowd", |m| m["type"] == "participants" && !m["crowded"].is_null()).await?;
    assert_eq!(crowded["crowded"], serde_json::json!({"address": "127.0.0.1", "participants": 3}), "{crowded}");
    drop(phones);
    server.stop().await
}
