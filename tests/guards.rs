//! Bad input gets a clear refusal and changes nothing; the presenter surface is not on the LAN.

mod common;

use anyhow::Result;
use common::{http_get, origin_of, TestServer, WsClient};
use serde_json::json;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test]
async fn upgrades_need_our_host_and_a_matching_origin() -> Result<()> {
    let mut server = TestServer::start().await?;
    let ws = server.participant_ws();
    let origin = origin_of(&server.participant_url);
    assert!(WsClient::connect(&ws, Some(&origin)).await.is_ok());
    for bad in [None, Some("null"), Some("http://evil.example"), Some("http://127.0.0.1:1")] {
        let refused = WsClient::connect(&ws, bad).await;
        let error = refused.err().map(|e| format!("{e:#}")).unwrap_or_default();
        assert!(error.contains("403"), "origin {bad:?} was not refused: {error}");
    }
    // A DNS name in Host (as in DNS rebinding) is refused even with a matching Origin.
    let port = server.participant_url.rsplit(':').next().unwrap_or("").trim_end_matches('/').to_string();
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws.as_str())?;
    request.headers_mut().insert("Host", format!("rebind.example:{port}").parse()?);
    request.headers_mut().insert("Origin", format!("http://rebind.example:{port}").parse()?);
    let refused = tokio_tungstenite::connect_async(request).await;
    assert!(format!("{:?}", refused.err()).contains("403"));
    server.stop().await
}

#[tokio::test]
async fn the_presenter_needs_the_token_and_is_not_on_the_lan_listener() -> Result<()> {
    let mut server = TestServer::start().await?;
    let presenter_ws = server.presenter_ws();
    let origin = origin_of(&server.presenter_url);
    let no_token = presenter_ws.split('?').next().unwrap_or("").to_string();
    let wrong_token = format!("{no_token}?token=00000000000000000000000000000000");
    for url in [no_token, wrong_token] {
        let error = WsClient::connect(&url, Some(&origin)).await.err().map(|e| format!("{e:#}")).unwrap_or_default();
        assert!(error.contains("403"), "{url}: {error}");
    }
    // The LAN listener serves the phone page and socket only.
    let base = server.participant_url.trim_end_matches('/').to_string();
    let token = server.presenter_url.split("token=").nth(1).unwrap_or("").to_string();
    for path in ["/ui/presenter.js", "/ui/presenter.css", &format!("/?token={token}")] {
        let (head, body) = http_get(&format!("{base}{path}")).await?;
        assert!(!body.contains("presenter.js"), "{path} leaked the presenter page");
        assert!(
            path.starts_with("/?") || head.starts_with("http/1.1 404"),
            "{path}: {}",
            head.lines().next().unwrap_or("")
        );
    }
    // On the LAN socket, presenter commands are just bad messages.
    let mut presenter = server.presenter().await?;
    let before = presenter.wait_type("state").await?;
    let mut phone = server.participant("sneaky-0001").await?;
    phone.wait_type("state").await?;
    phone.send(json!({"type": "next"})).await?;
    assert_eq!(phone.wait_type("error").await?["code"], "bad_message");
    phone.send(json!({"type": "goto", "slide": 3})).await?;
    assert_eq!(phone.wait_type("error").await?["code"], "bad_message");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut fresh = server.presenter().await?;
    assert_eq!(fresh.wait_type("state").await?["slide"], before["slide"]);
    server.stop().await
}

#[tokio::test]
async fn malformed_frames_get_errors_and_change_nothing() -> Result<()> {
    let mut server = TestServer::start().await?;
    let (_presenter, question) = server.presenter_on_first_question().await?;
    let mut phone = server.phone_on("garbage-0001", &question).await?;
    for bad in [
        "not json".to_string(),
        "{}".to_string(),
        json!({"type": "vote", "request": "r", "question": question, "answer": {"choices": [0]}, "extra": 1}).to_string(),
        json!({"type": "vote", "request": "r", "question": question, "answer": {"choices": ["0"]}}).to_string(),
        json!({"type": "vote", "request": "r", "question": question, "answer": {"choices": [99999999999u64]}}).to_string(),
        json!({"type": "vote", "request": "", "question": question, "answer": {"choices": [0]}}).to_string(),
        json!({"type": "hello", "participant": "garbage-0001"}).to_string(),
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]".to_string(),
    ] {
        phone.send_text(&bad).await?;
        let error = phone.wait_type("error").await?;
        assert_eq!(error["code"], "bad_message", "{bad}: {error}");
        phone.latest_clear("error");
    }
    assert_eq!(phone.vote("ok", &question, &[7]).await?["code"], "invalid_choice");
    let rows: i64 = server.database()?.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?;
    assert_eq!(rows, 0);
    // The socket still works after all that.
    assert_eq!(phone.vote("fine", &question, &[1]).await?["type"], "ack");
    server.stop().await
}

#[tokio::test]
async fn oversized_frames_and_missing_hello_close_the_socket() -> Result<()> {
    let mut server = TestServer::start().await?;
    let origin = origin_of(&server.participant_url);

    let mut big = server.participant("big-sender-01").await?;
    big.wait_type("state").await?;
    big.send_text(&format!("{{\"type\":\"vote\",\"request\":\"{}\"}}", "x".repeat(10_000))).await?;
    assert_eq!(big.closed().await?, CloseCode::Size);

    let mut rude = WsClient::connect(&server.participant_ws(), Some(&origin)).await?;
    rude.send(json!({"type": "vote", "request": "r", "question": "q", "answer": {"choices": [0]}})).await?;
    assert_eq!(rude.closed().await?, CloseCode::Policy);

    let mut bad_id = WsClient::connect(&server.participant_ws(), Some(&origin)).await?;
    bad_id.send(json!({"type": "hello", "participant": "<script>"})).await?;
    assert_eq!(bad_id.closed().await?, CloseCode::Policy);
    server.stop().await
}

#[tokio::test]
async fn shutdown_sends_every_phone_a_close_frame() -> Result<()> {
    let mut server = TestServer::start().await?;
    let mut phones = Vec::new();
    for n in 0..20 {
        let mut phone = server.participant(&format!("closing-{n:04}")).await?;
        phone.wait_type("state").await?;
        phones.push(phone);
    }
    let mut presenter = server.presenter().await?;
    presenter.wait_type("state").await?;
    server.stop().await?;
    for phone in &mut phones {
        assert_eq!(phone.closed().await?, CloseCode::Away);
    }
    assert_eq!(presenter.closed().await?, CloseCode::Away);
    Ok(())
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007() -> Result<()> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::Message;
    let mut server = TestServer::start().await?;
    let mut phone = server.participant("utf8-breaker").await?;
    phone.wait_type("state").await?;
    let origin = origin_of(&server.participant_url);
    let mut raw = WsClient::raw(&server.participant_ws(), &origin).await?;
    raw.send(Message::text(json!({"type": "hello", "participant": "utf8-breaker2"}).to_string())).await?;
    raw.send(Message::Frame(Frame::message(vec![0x7b, 0xff, 0xfe, 0x7d], OpCode::Data(Data::Text), true))).await?;
    let mut code = None;
    while let Some(frame) = futures_util::StreamExt::next(&mut raw).await {
        match frame {
            Ok(Message::Close(Some(close))) => {
                code = Some(close.code);
                break;
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
    assert_eq!(code, Some(CloseCode::Invalid), "invalid UTF-8 must close with 1007");
    // Other phones are unaffected.
    phone.send(json!({"type": "vote", "request": "r", "question": "none", "answer": {"choices": [0]}})).await?;
    assert_eq!(phone.wait_type("error").await?["code"], "not_current");
    server.stop().await
}

#[tokio::test]
async fn every_presenter_request_checks_host_not_only_upgrades() -> Result<()> {
    let mut server = TestServer::start().await?;
    let api = server.presenter_url.replacen("/?token=", "/api/deck?token=", 1);
    let (head, _) = common::http_request("GET", &api, &[], None).await?;
    assert!(head.starts_with("http/1.1 200"), "our own Host: {head}");
    let port = server.presenter_url.split(':').nth(2).and_then(|rest| rest.split('/').next()).unwrap_or("");
    // A page on the internet whose name now points at 127.0.0.1 (DNS rebinding) sends its own name.
    for host in [format!("evil.example:{port}"), "127.0.0.1:1".to_string(), String::new()] {
        for url in [api.clone(), server.presenter_url.clone(), api.replacen("/api/deck", "/ui/presenter.js", 1)] {
            let (head, body) = common::http_request("GET", &url, &[("Host", &host)], None).await?;
            assert!(head.starts_with("http/1.1 403") || head.starts_with("http/1.1 400"), "{host} {url}: {head}");
            assert!(!body.contains("slides"), "{host}: the deck leaked");
        }
    }
    server.stop().await
}
