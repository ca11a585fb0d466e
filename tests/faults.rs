//! Fault injection: phones vote through a proxy that cuts connections, delays
//! and drops their frames and swallows acknowledgements, while the presenter
//! moves between questions and opens and closes voting. Afterwards the stored
//! answers equal a reference model exactly, and every phone's view equals the server's.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, ensure, Result};
use common::{goto, nth_question, origin_of, Rng, TestServer, WsClient};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

const PHONES: usize = 200;
const CHAOS: Duration = Duration::from_secs(8);

/// A WebSocket-aware proxy: every phone connection gets its own upstream
/// connection to the real server, and faults while `chaos` is set.
async fn proxy(listener: TcpListener, upstream: String, origin: String, chaos: Arc<AtomicBool>) {
    let mut n = 0u64;
    while let Ok((stream, _)) = listener.accept().await {
        n += 1;
        let (upstream, origin, chaos) = (upstream.clone(), origin.clone(), chaos.clone());
        tokio::spawn(async move {
            let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ n.wrapping_mul(0x9E37_79B9));
            let Ok(client) = tokio_tungstenite::accept_async(stream).await else { return };
            let Ok(server) = WsClient::raw(&upstream, &origin).await else { return };
            let (mut to_client, mut from_client) = client.split();
            let (mut to_server, mut from_server) = server.split();
            // Under chaos a connection lives between 0.2 and 3 s, then is cut without a close frame.
            let lifetime = Duration::from_millis(200 + rng.next(2800));
            let cut = tokio::time::sleep(lifetime);
            tokio::pin!(cut);
            loop {
                let faulty = chaos.load(Ordering::Relaxed);
                tokio::select! {
                    () = &mut cut, if faulty => return,
                    frame = from_client.next() => {
                        let Some(Ok(frame)) = frame else { return };
                        let is_vote = frame.to_text().is_ok_and(|t| t.contains(r#""type":"vote""#));
                        if faulty && is_vote && rng.chance(5) {
                            continue; // lost on the way to the server
                        }
                        if faulty {
                            tokio::time::sleep(Duration::from_millis(rng.next(30))).await;
                        }
                        if to_server.send(frame).await.is_err() { return }
                    }
                    frame = from_server.next() => {
                        let Some(Ok(frame)) = frame else { return };
                        let is_ack = frame.to_text().is_ok_and(|t| t.starts_with(r#"{"type":"ack""#));
                        if faulty && is_ack && rng.chance(20) {
                            continue; // stored, but the phone never hears so
                        }
                        if faulty {
                            tokio::time::sleep(Duration::from_millis(rng.next(30))).await;
                        }
                        if to_client.send(frame).await.is_err() { return }
                    }
                }
            }
        });
    }
}

/// What one phone knows for certain: the choices of its last acknowledged vote per question.
type Acked = Arc<Mutex<HashMap<(String, String), Vec<u16>>>>;

/// A phone that behaves like the page: one vote in flight, re-sent with the same
/// request id after a timeout or a reconnect, until it is acknowledged or refused.
async fn phone(index: usize, via: String, origin: String, chaos: Arc<AtomicBool>, acked: Acked) -> Result<()> {
    let id = format!("fault-phone-{index:04}");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    let mut pending: Option<(String, String, Vec<u16>)> = None;
    let mut sequence = 0;
    let settle_until = Instant::now() + CHAOS + Duration::from_secs(15);
    loop {
        if Instant::now() > settle_until {
            return Err(anyhow!("{id}: still not settled; pending {pending:?}"));
        }
        if !chaos.load(Ordering::Relaxed) && pending.is_none() && sequence > 0 {
            return Ok(());
        }
        let Ok(mut socket) = WsClient::raw(&via, &origin).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        if socket.send(Message::text(json!({"type": "hello", "participant": id}).to_string())).await.is_err() {
            continue;
        }
        let mut current: Option<(String, bool)> = None; // (question, voting open)
        let mut resend_at = Instant::now();
        let mut next_vote_at = Instant::now() + Duration::from_millis(rng.next(400));
        loop {
            let now = Instant::now();
            // Send (or re-send) the vote in flight, or start a new one while chaos lasts.
            if let Some((request, question, choices)) = &pending {
                if now >= resend_at && current.is_some() {
                    let vote = json!({"type": "vote", "request": request, "question": question, "answer": {"choices": choices}});
                    if socket.send(Message::text(vote.to_string())).await.is_err() {
                        break;
                    }
                    resend_at = now + Duration::from_millis(700);
                }
            } else if let Some((question, true)) = &current {
                if chaos.load(Ordering::Relaxed) && now >= next_vote_at {
                    sequence += 1;
                    let choices = vec![rng.next(4) as u16];
                    pending = Some((format!("v{sequence}"), question.clone(), choices));
                    resend_at = now;
                    next_vote_at = now + Duration::from_millis(300 + rng.next(700));
                    continue;
                }
            }
            if !chaos.load(Ordering::Relaxed) && pending.is_none() {
                sequence = sequence.max(1);
                break;
            }
            let frame = match tokio::time::timeout(Duration::from_millis(100), socket.next()).await {
                Err(_) => continue,
                Ok(Some(Ok(Message::Text(text)))) => serde_json::from_str::<Value>(&text)?,
                Ok(Some(Ok(_))) => continue,
                Ok(_) => break, // cut: reconnect
            };
            match frame["type"].as_str() {
                Some("state") => {
                    current = frame["question"]["id"].as_str().map(|q| (q.to_string(), frame["voting"] == "open"));
                }
                Some("ack") if pending.as_ref().is_some_and(|p| frame["request"] == p.0.as_str()) => {
                    let question = frame["question"].as_str().unwrap_or_default().to_string();
                    let choices: Vec<u16> = serde_json::from_value(frame["answer"]["choices"].clone())?;
                    acked.lock().map_err(|_| anyhow!("poisoned"))?.insert((id.clone(), question), choices);
                    pending = None;
                }
                Some("error") if pending.as_ref().is_some_and(|p| frame["request"] == p.0.as_str()) => {
                    match frame["code"].as_str() {
                        // Refused, so not stored: the phone moves on, as a person would.
                        Some("voting_closed" | "not_current") => pending = None,
                        Some("rate_limited" | "storage") => resend_at = Instant::now() + Duration::from_millis(500),
                        _ => return Err(anyhow!("{id}: unexpected refusal {frame}")),
                    }
                }
                _ => {}
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_answers_match_the_model_after_chaos() -> Result<()> {
    let mut server = TestServer::start().await?;
    let chaos = Arc::new(AtomicBool::new(true));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let via = format!("ws://{}/ws", listener.local_addr()?);
    tokio::spawn(proxy(listener, server.participant_ws(), origin_of(&server.participant_url), chaos.clone()));

    let mut presenter = server.presenter().await?;
    let deck = presenter.wait_type("deck").await?;
    let questions: Vec<(usize, String)> = (0..3).map(|n| nth_question(&deck, n)).collect::<Result<_>>()?;
    goto(&mut presenter, questions[0].0).await?;

    let acked: Acked = Arc::default();
    let mut phones = Vec::new();
    for index in 0..PHONES {
        let (via, origin, chaos, acked) = (via.clone(), "http://proxy".to_string(), chaos.clone(), acked.clone());
        phones.push(tokio::spawn(phone(index, via, origin, chaos, acked)));
    }

    // The presenter works through the questions, closing and reopening voting.
    let started = Instant::now();
    let mut step = 0usize;
    while started.elapsed() < CHAOS {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let command = match step % 4 {
            0 => json!({"type": "close_voting"}),
            1 => json!({"type": "open_voting"}),
            2 => json!({"type": "goto", "slide": questions[(step / 4 + 1) % questions.len()].0}),
            _ => json!({"type": "hide_results"}),
        };
        presenter.send(command).await?;
        step += 1;
    }
    chaos.store(false, Ordering::Relaxed);
    for phone in phones {
        phone.await??;
    }

    // 1. The file holds exactly the model: each phone's last acknowledged choice per question.
    let model = acked.lock().map_err(|_| anyhow!("poisoned"))?.clone();
    ensure!(model.len() > PHONES, "too little happened: {} answers", model.len());
    let db = server.database()?;
    let mut statement = db.prepare(
        "SELECT p.public_id, r.question, json_extract(r.answer, '$.choices') FROM responses r JOIN participants p ON p.id = r.participant_id",
    )?;
    let stored: HashMap<(String, String), Vec<u16>> = statement
        .query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get::<_, String>(2)?)))?
        .map(|row| {
            let (key, choices) = row?;
            Ok((key, serde_json::from_str(&choices)?))
        })
        .collect::<Result<_>>()?;
    let missing: Vec<_> = model.iter().filter(|(k, v)| stored.get(*k) != Some(*v)).take(5).collect();
    ensure!(missing.is_empty(), "stored answers differ from the model: {missing:?}");
    let extra: Vec<_> = stored.keys().filter(|k| !model.contains_key(*k)).take(5).collect();
    ensure!(extra.is_empty(), "stored answers nobody saw acknowledged: {extra:?}");

    // 2. The presenter's tallies equal the model's counts, question by question.
    for (slide, question) in &questions {
        goto(&mut presenter, *slide).await?;
        let mut counts = vec![0u64; 4];
        let mut respondents = 0u64;
        for ((_, q), choices) in &model {
            if q == question {
                respondents += 1;
                for &c in choices {
                    counts[usize::from(c)] += 1;
                }
            }
        }
        // The chaos ends on the first question, so its last results may still be on their way.
        let tally = presenter
            .wait_for("the model's tally", |f| {
                f["type"] == "state"
                    && f["slide"] == *slide
                    && f["results"]["counts"] == json!(counts)
                    && f["results"]["respondents"] == respondents
            })
            .await;
        let shown = presenter.latest("state").map(|f| f["results"].clone());
        ensure!(tally.is_ok(), "{question}: the presenter shows {shown:?}, the model {counts:?} from {respondents}");
    }

    // 3. Every phone, reconnecting directly, sees the server's state and its own answer.
    let (slide, question) = &questions[0];
    let reference = goto(&mut presenter, *slide).await?;
    for index in 0..PHONES {
        let id = format!("fault-phone-{index:04}");
        let mut client = server.participant(&id).await?;
        let state = client.wait_type("state").await?;
        assert_eq!(state["question"]["id"], question.as_str());
        assert_eq!(state["voting"], reference["voting"]);
        match model.get(&(id.clone(), question.clone())) {
            Some(choices) => assert_eq!(client.wait_type("answer").await?["answer"]["choices"], json!(choices), "{id}"),
            None => {
                let extra = tokio::time::timeout(Duration::from_millis(20), client.recv()).await;
                assert!(
                    !matches!(extra, Ok(Ok(ref f)) if f["type"] == "answer"),
                    "{id} got an answer it never had acknowledged"
                );
            }
        }
    }
    server.stop().await
}
