//! Test helpers: a real server on ephemeral loopback ports, and a WebSocket client.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use handsup_core::server::Limits;
use handsup_core::{Config, DeckSource, Running};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a state it expects before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A server started in-process on 127.0.0.1 with its own data folder.
pub struct TestServer {
    pub running: Option<Running>,
    pub participant_url: String,
    pub presenter_url: String,
    pub data: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Result<TestServer> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().to_path_buf();
        let mut server = TestServer::start_in(&data, DeckSource::Demo).await?;
        server._dir = Some(dir);
        Ok(server)
    }

    /// Starts with its own data folder and the given limits.
    pub async fn start_with(limits: Limits) -> Result<TestServer> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().to_path_buf();
        let mut server = TestServer::start_configured(&data, DeckSource::Demo, limits).await?;
        server._dir = Some(dir);
        Ok(server)
    }

    /// Starts on a deck file written from `text` in its own folder, with its own data.
    pub async fn start_on(text: &str) -> Result<TestServer> {
        let dir = tempfile::tempdir()?;
        let deck = dir.path().join("talk.md");
        std::fs::write(&deck, text)?;
        let mut server = TestServer::start_in(&dir.path().join("data"), DeckSource::File(deck)).await?;
        server._dir = Some(dir);
        Ok(server)
    }

    /// Starts on an existing data folder (to test resuming).
    pub async fn start_in(data: &Path, deck: DeckSource) -> Result<TestServer> {
        TestServer::start_configured(data, deck, Limits::default()).await
    }

    /// Starts on an existing data folder with a new session of the deck (`--new-session`).
    pub async fn start_new_session(data: &Path, deck: DeckSource) -> Result<TestServer> {
        TestServer::start_full(data, deck, Limits::default(), true).await
    }

    async fn start_configured(data: &Path, deck: DeckSource, limits: Limits) -> Result<TestServer> {
        TestServer::start_full(data, deck, limits, false).await
    }

    /// Listens on every interface, as the app does, so the QR code's address is chosen and followed.
    pub async fn start_on_every_interface(data: &Path, deck: DeckSource, limits: Limits) -> Result<TestServer> {
        TestServer::start_bound(data, deck, limits, false, None).await
    }

    async fn start_full(data: &Path, deck: DeckSource, limits: Limits, fresh: bool) -> Result<TestServer> {
        TestServer::start_bound(data, deck, limits, fresh, Some("127.0.0.1".parse()?)).await
    }

    async fn start_bound(
        data: &Path,
        deck: DeckSource,
        limits: Limits,
        fresh: bool,
        bind: Option<std::net::IpAddr>,
    ) -> Result<TestServer> {
        let config = Config { deck, bind, port: 0, data_dir: data.to_path_buf(), fresh, limits, review: None };
        let running = handsup_core::start(config).await?;
        Ok(TestServer {
            participant_url: running.participant_url.clone(),
            presenter_url: running.presenter_url.clone(),
            running: Some(running),
            data: data.to_path_buf(),
            _dir: None,
        })
    }

    /// Stops the server and waits until every socket closed and the writer finished.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(running) = self.running.take() {
            running.stop().await?;
        }
        Ok(())
    }

    pub fn participant_ws(&self) -> String {
        format!("{}ws", self.participant_url.replacen("http://", "ws://", 1))
    }

    pub fn presenter_ws(&self) -> String {
        self.presenter_url.replacen("http://", "ws://", 1).replacen("/?token=", "/ws?token=", 1)
    }

    pub async fn participant(&self, id: &str) -> Result<WsClient> {
        let mut client = WsClient::connect(&self.participant_ws(), Some(&origin_of(&self.participant_url))).await?;
        client.send(json!({"type": "hello", "participant": id})).await?;
        Ok(client)
    }

    /// A presenter moved to the deck's first question: (presenter, question id).
    pub async fn presenter_on_first_question(&self) -> Result<(WsClient, String)> {
        let mut presenter = self.presenter().await?;
        let deck = presenter.wait_type("deck").await?;
        let (slide, question) = nth_question(&deck, 0)?;
        goto(&mut presenter, slide).await?;
        Ok((presenter, question))
    }

    /// A phone that has `question` on screen.
    pub async fn phone_on(&self, id: &str, question: &str) -> Result<WsClient> {
        let mut phone = self.participant(id).await?;
        phone.wait_for("the question", |f| f["question"]["id"] == question).await?;
        Ok(phone)
    }

    pub async fn presenter(&self) -> Result<WsClient> {
        WsClient::connect(&self.presenter_ws(), Some(&origin_of(&self.presenter_url))).await
    }

    /// A read-only connection to the session's SQLite file.
    pub fn database(&self) -> Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            self.data.join("handsup.sqlite3"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        Ok(conn)
    }
}

/// `http://host:port` of a URL, as a browser would send it in `Origin`.
pub fn origin_of(url: &str) -> String {
    let rest = url.trim_start_matches("http://");
    format!("http://{}", rest.split('/').next().unwrap_or(rest))
}

/// A WebSocket client that speaks JSON frames.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The newest frame of each type seen so far: the state as this client knows it.
    latest: std::collections::HashMap<String, Value>,
}

impl WsClient {
    pub async fn connect(url: &str, origin: Option<&str>) -> Result<WsClient> {
        let mut request = url.into_client_request()?;
        if let Some(origin) = origin {
            request.headers_mut().insert("Origin", HeaderValue::from_str(origin)?);
        }
        let (stream, _) =
            tokio_tungstenite::connect_async(request).await.with_context(|| format!("connecting to {url}"))?;
        Ok(WsClient { stream, latest: Default::default() })
    }

    /// A bare stream with an `Origin`, for tests that relay or inspect frames themselves.
    pub async fn raw(url: &str, origin: &str) -> Result<WebSocketStream<MaybeTlsStream<TcpStream>>> {
        Ok(WsClient::connect(url, Some(origin)).await?.stream)
    }

    pub async fn send(&mut self, message: Value) -> Result<()> {
        self.send_text(&message.to_string()).await
    }

    pub async fn send_text(&mut self, text: &str) -> Result<()> {
        self.stream.send(Message::text(text)).await?;
        Ok(())
    }

    /// The next JSON frame, or an error on close or timeout.
    pub async fn recv(&mut self) -> Result<Value> {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .map_err(|_| anyhow!("no frame within {PATIENCE:?}"))?
                .ok_or_else(|| anyhow!("socket ended"))??;
            match frame {
                Message::Text(text) => {
                    let value: Value = serde_json::from_str(&text)?;
                    if let Some(kind) = value["type"].as_str() {
                        self.latest.insert(kind.to_string(), value.clone());
                    }
                    return Ok(value);
                }
                Message::Close(frame) => bail!("closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Waits until the client's view satisfies `wanted`: the newest frame of some
    /// type already does, or a frame read from now on does. Returns that frame.
    pub async fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Result<Value> {
        if let Some(frame) = self.latest.values().find(|frame| wanted(frame)) {
            return Ok(frame.clone());
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = tokio::time::timeout(left, self.recv())
                .await
                .map_err(|_| anyhow!("waited {PATIENCE:?} for {what}"))??;
            if wanted(&frame) {
                return Ok(frame);
            }
        }
    }

    pub async fn wait_type(&mut self, kind: &str) -> Result<Value> {
        self.wait_for(kind, |frame| frame["type"] == kind).await
    }

    /// Waits for the close frame and returns its code.
    pub async fn closed(&mut self) -> Result<CloseCode> {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .map_err(|_| anyhow!("socket not closed within {PATIENCE:?}"))?;
            match frame {
                Some(Ok(Message::Close(Some(frame)))) => return Ok(frame.code),
                Some(Ok(Message::Close(None))) => return Ok(CloseCode::Status),
                Some(Ok(_)) => continue,
                Some(Err(error)) => bail!("socket error instead of a close frame: {error}"),
                None => bail!("socket ended without a close frame"),
            }
        }
    }

    /// Reads whatever has already arrived (until 100 ms pass quietly), so the
    /// newest frames describe now rather than when this client last read.
    pub async fn catch_up(&mut self) {
        while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(100), self.recv()).await {}
    }

    /// The newest frame of a type read so far.
    pub fn latest(&self, kind: &str) -> Option<&Value> {
        self.latest.get(kind)
    }

    /// Forgets the newest frame of a type, to wait for the next one.
    pub fn latest_clear(&mut self, kind: &str) {
        self.latest.remove(kind);
    }

    /// Votes for options and waits for the matching `ack` (or returns the `error`).
    pub async fn vote(&mut self, request: &str, question: &str, choices: &[u16]) -> Result<Value> {
        self.answer(request, question, json!({"choices": choices})).await
    }

    /// Sends any answer shape and waits for the matching `ack` (or returns the `error`).
    pub async fn answer(&mut self, request: &str, question: &str, answer: Value) -> Result<Value> {
        self.latest.remove("ack");
        self.latest.remove("error");
        self.send(json!({"type": "vote", "request": request, "question": question, "answer": answer})).await?;
        self.wait_for("ack or error", |f| (f["type"] == "ack" || f["type"] == "error") && f["request"] == request).await
    }
}

/// A raw HTTP/1.1 GET: (lower-cased head, body).
pub async fn http_get(url: &str) -> Result<(String, String)> {
    http_request("GET", url, &[], None).await
}

/// Every byte a GET sends back on the wire, headers and (possibly compressed) body.
pub async fn http_get_bytes(url: &str, headers: &[(&str, &str)]) -> Result<Vec<u8>> {
    raw_request("GET", url, headers, None).await
}

/// Sends one HTTP/1.1 request and reads the whole response, bytes as they came.
async fn raw_request(method: &str, url: &str, headers: &[(&str, &str)], json: Option<&str>) -> Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream = TcpStream::connect(host).await?;
    // A test may send its own Host (a rebinding page's name, or none at all).
    let own_host = headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host"));
    let host_line = if own_host { String::new() } else { format!("Host: {host}\r\n") };
    let mut request = format!("{method} {path} HTTP/1.1\r\n{host_line}Connection: close\r\n");
    for (name, value) in headers.iter().filter(|(name, value)| !(name.eq_ignore_ascii_case("host") && value.is_empty()))
    {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = json {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(json.unwrap_or(""));
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(response)
}

/// A raw HTTP/1.1 request with extra headers and an optional JSON body: (lower-cased head, body).
pub async fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
) -> Result<(String, String)> {
    let response = String::from_utf8(raw_request(method, url, headers, json).await?)?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or_else(|| anyhow!("no header end in {response:?}"))?;
    Ok((head.to_ascii_lowercase(), body.to_string()))
}

/// Reads the two contract lines `handsup serve` prints: (participant URL, presenter URL).
pub fn serve_urls(child: &mut std::process::Child) -> Result<(String, String)> {
    use std::io::{BufRead, BufReader};
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("the server's stdout is not piped"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut read = |prefix: &str| -> Result<String> {
        let line = lines.next().ok_or_else(|| anyhow!("the server exited before printing {prefix}"))??;
        line.strip_prefix(prefix).map(str::to_string).ok_or_else(|| anyhow!("expected {prefix:?}, got {line:?}"))
    };
    let participant = read("participant: ")?;
    let presenter = read("presenter: ")?;
    Ok((participant, presenter))
}

/// A small deterministic generator, so a failing run can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}

/// Limits with a heartbeat fast enough for a test to watch.
pub fn fast_heartbeat() -> Limits {
    Limits { ping_every: Duration::from_millis(100), silence_limit: Duration::from_millis(1000), ..Limits::default() }
}

/// Presenter helper: moves to `slide` and waits for the state that shows it.
pub async fn goto(presenter: &mut WsClient, slide: usize) -> Result<Value> {
    presenter.catch_up().await;
    presenter.send(json!({"type": "goto", "slide": slide})).await?;
    presenter.wait_for("the slide change", |f| f["type"] == "state" && f["slide"] == slide).await
}

/// Index and id of the `n`th question slide of a presenter's `deck` frame.
pub fn nth_question(deck: &Value, n: usize) -> Result<(usize, String)> {
    let slides = deck["slides"].as_array().ok_or_else(|| anyhow!("no slides"))?;
    slides
        .iter()
        .filter(|slide| !slide["question"].is_null())
        .nth(n)
        .map(|slide| {
            (slide["index"].as_u64().unwrap_or(0) as usize, slide["question"]["id"].as_str().unwrap_or("").to_string())
        })
        .ok_or_else(|| anyhow!("the deck has no question {n}"))
}

/// The durable-vote rule, read from a database after a run: the file is intact,
/// every acknowledged (participant, request) is stored, and nothing stored was
/// never sent. Returns what is stored.
pub fn acknowledged_within_stored_within_sent(
    database: &Path,
    sent: &std::collections::HashSet<(String, String)>,
    acked: &std::collections::HashSet<(String, String)>,
) -> Result<std::collections::HashSet<(String, String)>> {
    let db = rusqlite::Connection::open(database)?;
    let integrity: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if integrity != "ok" {
        bail!("integrity_check says {integrity}");
    }
    let mut statement =
        db.prepare("SELECT p.public_id, r.request FROM requests r JOIN participants p ON p.id = r.participant_id")?;
    let stored: std::collections::HashSet<(String, String)> =
        statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    let lost: Vec<_> = acked.difference(&stored).take(5).collect();
    if !lost.is_empty() {
        bail!("acknowledged but not stored: {lost:?}");
    }
    let invented: Vec<_> = stored.difference(sent).take(5).collect();
    if !invented.is_empty() {
        bail!("stored but never sent: {invented:?}");
    }
    Ok(stored)
}
