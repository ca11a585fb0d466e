//! Load generator for Handsup: N simulated phones and a presenter against a real `handsup serve`.
//!
//! # Layout
//!
//! - [`run`]: one whole run (connect, rounds, rate sweep, reconnect storm) and its [`Report`].
//! - [`phones`]: the phone and presenter clients.
//! - [`server`]: starting the server and reading its memory and CPU time.
//! - [`stats`]: percentiles and medians.
//! - [`report`]: tables and the latency plot.
//! - [`scenarios`]: the named rooms (idle, spread, revisit, herd, max, restart) on both servers, with ratios.
//! - [`chatter`]: audience Q&A and reactions at scale; [`quiz`]: a quiz question and its per-phone reveal.

pub mod chatter;
pub mod pdf;
pub mod phones;
pub mod quiz;
pub mod report;
pub mod scenarios;
pub mod server;
pub mod stats;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio_util::sync::CancellationToken;

use phones::{Delay, Dial, Event, Orders, Presenter, Round};
use stats::Summary;

/// Which kind of question every round asks: each sends its own answer shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Single,
    Scale,
    Number,
    Ranking,
    Points,
    /// Three words per phone from a vocabulary of 3,000: the cloud's long tail grows with the room.
    Wordcloud,
}

impl Kind {
    /// The directive and list of one question of this kind, `id=q{n}`.
    fn question(self, n: usize) -> String {
        let (directive, list) = match self {
            Kind::Single => ("single", "- Alpha\n- Bravo\n- Charlie\n- Delta\n"),
            Kind::Scale => ("scale", "- Content\n- Delivery\n"),
            Kind::Number => ("number min=0 max=1000", ""),
            Kind::Ranking => ("ranking", "- Alpha\n- Bravo\n- Charlie\n- Delta\n"),
            Kind::Points => ("points total=100", "- Alpha\n- Bravo\n- Charlie\n- Delta\n"),
            Kind::Wordcloud => ("wordcloud max=3", ""),
        };
        format!("\n---\n\n<!-- question: {directive} id=q{n} -->\n# Question {n}\n\n{list}")
    }

    /// Phone `phone`'s answer in `round`, and the option it stands for (the choice
    /// counted for single choice; for the other kinds only the respondents are checked).
    pub fn answer(self, phone: usize, round: usize) -> (serde_json::Value, u16) {
        let pick = phones::choice_for(phone, round, OPTIONS);
        let k = usize::from(pick);
        let answer = match self {
            Kind::Single => serde_json::json!({ "choices": [pick] }),
            Kind::Scale => serde_json::json!({ "values": [1 + k, 5 - k] }),
            Kind::Number => serde_json::json!({ "number": (phone % 1000) as f64 + 0.5 }),
            Kind::Ranking => serde_json::json!({ "order": [k, (k + 1) % 4, (k + 2) % 4, (k + 3) % 4] }),
            Kind::Points => {
                let mut values = [0; OPTIONS];
                values[k] = 70;
                values[(k + 1) % OPTIONS] = 30;
                serde_json::json!({ "values": values })
            }
            // Skewed like a real room: a few words common, a long tail rare.
            Kind::Wordcloud => {
                let word = |i: usize| {
                    let n = (phone * 7 + round * 3 + i * 13) % 3000;
                    format!("word{}", if n.is_multiple_of(4) { n % 40 } else { n })
                };
                let mut words: Vec<String> = (0..3).map(word).collect();
                words.dedup();
                if words.len() < 3 || words[0] == words[2] {
                    words = vec![format!("phone{phone}"), format!("round{round}"), "Rust".into()];
                }
                serde_json::json!({ "words": words })
            }
        };
        (answer, pick)
    }
}

/// How phones vote in the measured rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Every phone votes once at a random moment within 5 s of seeing the question.
    Spread,
    /// Every phone votes the moment it sees the question.
    Herd,
    /// Nobody votes: slide changes only.
    Idle,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub binary: PathBuf,
    /// The kind of every question asked.
    pub kind: Kind,
    pub phones: usize,
    pub rounds: usize,
    pub shape: Shape,
    /// Steady vote rates (votes/s) to sweep; each step is one question.
    pub sweep: Vec<f64>,
    /// Drop and reconnect every phone at once at the end.
    pub storm: bool,
    /// Ask each question twice: the rounds go through the first half of the
    /// questions, then through them again, when every phone already has a
    /// stored answer (which Handsup sends back to each phone) and changes it.
    pub revisit: bool,
    /// At the end, stop the server (SIGTERM) and start it again on the same
    /// port and data: every phone reconnects as the page does (the same
    /// participant id, the same jittered backoff) and must get the question and
    /// its own stored answer back.
    pub restart: bool,
    /// The server sends each phone its own stored answer back (Handsup does, the reference does not).
    pub own_answers: bool,
    /// Loopback source addresses to spread client sockets over (127.0.0.2 …).
    pub sources: usize,
    /// Connections opened at once while phones join.
    pub connect_concurrency: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    pub round: usize,
    /// Presenter advances → each phone has the question.
    pub broadcast: Summary,
    /// Presenter advances → the last phone has it.
    pub last_phone_ms: f64,
    /// The question was asked before in this run: every phone has a stored answer.
    pub revisit: bool,
    /// Presenter advances → each phone has its own stored answer back (revisits only).
    pub own_answer: Summary,
    /// Presenter advances → the presenter's own state shows the new slide
    /// (the slide change is committed before anyone sees it).
    pub presenter_sees_slide_ms: f64,
    pub ack: Summary,
    /// A phone sends its vote → the presenter sees a tally that includes it.
    pub vote_to_tally: Summary,
    /// Acknowledged votes per second: votes / (last ack − first send).
    pub votes_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestartReport {
    /// SIGTERM sent → the old server has exited.
    pub stop_ms: f64,
    /// Old server exited → new server ready (its `presenter:` line).
    pub start_ms: f64,
    /// New server ready → the last phone has the question and its own answer.
    pub all_back_ms: f64,
    /// New server ready → each phone has the question and its own answer.
    pub back: Summary,
    /// Phones whose own answer came back, of those that had one.
    pub answers_back: usize,
    pub answers_expected: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepStep {
    pub target_rate: f64,
    pub achieved_rate: f64,
    pub ack: Summary,
    pub vote_to_tally: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The server binary's file name (`handsup` or `handsup-reference`).
    pub server: String,
    pub phones: usize,
    pub kind: Kind,
    pub shape: Shape,
    pub startup_ms: f64,
    pub connect_all_ms: f64,
    pub rss_before_bytes: u64,
    pub rss_idle_bytes: u64,
    pub bytes_per_phone: f64,
    pub rounds: Vec<RoundReport>,
    pub broadcast: Summary,
    pub ack: Summary,
    pub vote_to_tally: Summary,
    pub sweep: Vec<SweepStep>,
    pub storm_ms: Option<f64>,
    /// Broadcast over the first visits to questions, and over the revisits.
    pub first_visit: Summary,
    pub revisits: Summary,
    /// The restart: the new server ready → every phone has the question and its own answer again.
    pub restart: Option<RestartReport>,
    pub server_cpu_ms: f64,
    /// State frames the presenter received during the rounds, the largest in bytes,
    /// and how many a second at most (over any one-second window).
    pub presenter_frames: usize,
    pub presenter_frame_max_bytes: usize,
    pub presenter_frames_per_second_max: usize,
    /// Problems seen: refused votes, failed sockets, tallies that were not exact.
    pub errors: Vec<String>,
    /// Votes stored in the SQLite file after the run, and how many were expected.
    pub stored_rows: i64,
    pub expected_rows: i64,
}

const OPTIONS: usize = 4;
const ROUND_TIMEOUT: Duration = Duration::from_secs(60);

/// A deck with enough questions of one kind for every round and sweep step.
fn bench_deck(kind: Kind, questions: usize) -> String {
    let mut deck = String::from("---\ntitle: Load test\n---\n\n# Load test\n");
    for n in 0..questions {
        deck.push_str(&kind.question(n));
    }
    deck
}

/// One complete run. The server is started and stopped here.
pub async fn run(config: &Config) -> Result<Report> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let dir = std::env::temp_dir().join(format!("handsup-load-{}-{}", std::process::id(), config.phones));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let deck_path = dir.join("load-deck.md");
    let questions_needed = config.rounds + config.sweep.len() + 1;
    std::fs::write(&deck_path, bench_deck(config.kind, questions_needed))?;
    let mut server = server::Server::spawn(&config.binary, &deck_path, &dir.join("data"))?;
    let result = drive(config, &mut server).await;
    let stopped = server.stop();
    let mut report = result?;
    stopped.context("stopping the server")?;
    report.stored_rows = count_rows(&dir.join("data"))?;
    if report.stored_rows != report.expected_rows {
        report.errors.push(format!("{} rows stored, {} expected", report.stored_rows, report.expected_rows));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

fn count_rows(data: &std::path::Path) -> Result<i64> {
    let db = rusqlite::Connection::open(data.join("handsup.sqlite3"))?;
    Ok(db.query_row("SELECT count(*) FROM responses", [], |row| row.get(0))?)
}

async fn drive(config: &Config, server: &mut server::Server) -> Result<Report> {
    let presenter = Presenter::connect(&server.presenter_url).await?;
    let questions = presenter.questions();
    if questions.len() < config.rounds + config.sweep.len() {
        bail!("the deck has too few questions");
    }
    let rss_before = server.rss_bytes()?;
    let cpu_before = server.cpu_time()?;

    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (rounds_tx, rounds_rx) =
        watch::channel(Round { index: usize::MAX, question: String::new(), delay: Delay::Never });
    let (reconnect_tx, reconnect_rx) = watch::channel(false);
    let round_started = Arc::new(Mutex::new(Instant::now()));
    let orders = |stop: CancellationToken| Orders {
        rounds: rounds_rx.clone(),
        round_started: round_started.clone(),
        reconnect: reconnect_rx.clone(),
        stop,
    };
    let connect_started = Instant::now();
    let mut stops = connect_all(config, server, &orders, &events_tx).await?;
    let mut connected = presenter.connected.clone();
    if let Err(short) = wait_until(&mut connected, config.phones as u64, Duration::from_secs(60)).await {
        // None failed: every socket is open and the presenter's count is what is wrong.
        return Err(short.context(format!("phones joining; the phones said: {}", failures(&mut events))));
    }
    let connect_all_ms = ms(connect_started.elapsed());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle = server.rss_bytes()?;

    let mut errors = Vec::new();
    // The answer each phone holds, by question: a revisit changes them.
    let mut held: HashMap<String, HashMap<usize, u16>> = HashMap::new();
    let mut rounds = Vec::new();
    let mut all_broadcast = Vec::new();
    let mut all_ack = Vec::new();
    let mut all_tally = Vec::new();
    let (mut first_visits, mut revisits) = (Vec::new(), Vec::new());
    let delay = match config.shape {
        Shape::Spread => Delay::Within(Duration::from_secs(5)),
        Shape::Herd => Delay::Immediately,
        Shape::Idle => Delay::Never,
    };
    // With revisits, the rounds go through the first half of the questions twice.
    let distinct = if config.revisit { config.rounds.div_ceil(2) } else { config.rounds };
    let mut plan: Vec<(usize, Delay, Option<f64>)> =
        (0..config.rounds).map(|r| (r % distinct.max(1), delay, None)).collect();
    plan.extend(config.sweep.iter().enumerate().map(|(i, &rate)| (distinct + i, Delay::Rate(rate), Some(rate))));
    let mut sweep = Vec::new();
    // The question on screen when the rounds (and the storm) are over: a restart comes back to it.
    let mut on_screen: Option<String> = None;
    for (index, (asked, delay, rate)) in plan.into_iter().enumerate() {
        let (slide, question, _) = questions[asked].clone();
        on_screen = Some(question.clone());
        let revisit = held.contains_key(&question);
        let outcome =
            play_round(config, &presenter, &rounds_tx, &round_started, &mut events, index, slide, &question, delay)
                .await?;
        errors.extend(outcome.errors.iter().cloned());
        let holding = held.entry(question.clone()).or_default();
        if revisit && config.own_answers && outcome.own_answers.len() != holding.len() {
            errors.push(format!(
                "{question}: {} of {} phones got their own answer back on the revisit",
                outcome.own_answers.len(),
                holding.len()
            ));
        }
        holding.extend(outcome.choices.iter().copied());
        let mut counts = vec![0u64; OPTIONS];
        for &choice in holding.values() {
            counts[usize::from(choice)] += 1;
        }
        check_final_tally(&presenter, &question, config.kind, &counts, &mut errors).await;
        match rate {
            None => {
                all_broadcast.extend(outcome.broadcast.iter().copied());
                all_ack.extend(outcome.ack.iter().copied());
                all_tally.extend(outcome.tally.iter().copied());
                if revisit { &mut revisits } else { &mut first_visits }.extend(outcome.broadcast.iter().copied());
                rounds.push(RoundReport {
                    round: index,
                    broadcast: Summary::of(&outcome.broadcast),
                    last_phone_ms: outcome.broadcast.iter().max().map_or(0.0, |d| ms(*d)),
                    revisit,
                    own_answer: Summary::of(&outcome.own_answers),
                    presenter_sees_slide_ms: ms(outcome.presenter_sees_slide),
                    ack: Summary::of(&outcome.ack),
                    vote_to_tally: Summary::of(&outcome.tally),
                    votes_per_second: outcome.votes_per_second,
                });
            }
            Some(rate) => sweep.push(SweepStep {
                target_rate: rate,
                achieved_rate: outcome.votes_per_second,
                ack: Summary::of(&outcome.ack),
                vote_to_tally: Summary::of(&outcome.tally),
            }),
        }
    }

    let storm_ms = if config.storm {
        let storm_question = questions[questions.len() - 1].clone();
        presenter.goto(storm_question.0)?;
        on_screen = Some(storm_question.1.clone());
        rounds_tx.send_replace(Round {
            index: usize::MAX - 1,
            question: storm_question.1.clone(),
            delay: Delay::Never,
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        for stop in stops.drain(..) {
            stop.cancel();
        }
        wait_until_below(&mut connected, 1, Duration::from_secs(30)).await.context("phones leaving")?;
        drain(&mut events);
        let started = Instant::now();
        rounds_tx.send_replace(Round { index: usize::MAX - 2, question: storm_question.1, delay: Delay::Never });
        stops = connect_all(config, server, &orders, &events_tx).await?;
        let mut ready = 0;
        let deadline = tokio::time::Instant::now() + ROUND_TIMEOUT;
        let mut last = started;
        while ready < config.phones {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(Event::Question { at, .. })) => {
                    ready += 1;
                    last = last.max(at);
                }
                Ok(Some(Event::Failed { why, .. })) => errors.push(format!("storm: {why}")),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    errors.push(format!("storm: only {ready} of {} phones came back", config.phones));
                    break;
                }
            }
        }
        Some(ms(last - started))
    } else {
        None
    };

    let server_cpu_ms = ms(server.cpu_time()? - cpu_before);
    let log = presenter.log.lock().map(|log| log.clone()).unwrap_or_default();
    let restart = match (config.restart, on_screen) {
        (true, Some(last)) => {
            let holding = held.get(&last).filter(|_| config.own_answers).map_or(0, HashMap::len);
            let report = restart(server, &reconnect_tx, &rounds_tx, &mut events, config.phones, &last, holding)
                .await
                .context("restarting the server")?;
            errors.extend(report.1);
            Some(report.0)
        }
        _ => None,
    };
    for stop in stops {
        stop.cancel();
    }
    let expected_rows = held.values().map(HashMap::len).sum::<usize>() as i64;
    let presenter_frame_max_bytes = log.iter().map(|frame| frame.bytes).max().unwrap_or(0);
    let presenter_frames_per_second_max = log
        .iter()
        .enumerate()
        .map(|(i, first)| log[i..].iter().take_while(|f| f.at - first.at < Duration::from_secs(1)).count())
        .max()
        .unwrap_or(0);
    Ok(Report {
        presenter_frames: log.len(),
        presenter_frame_max_bytes,
        presenter_frames_per_second_max,
        server: config.binary.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default(),
        phones: config.phones,
        kind: config.kind,
        shape: config.shape,
        startup_ms: ms(server.startup),
        connect_all_ms,
        rss_before_bytes: rss_before,
        rss_idle_bytes: rss_idle,
        bytes_per_phone: (rss_idle.saturating_sub(rss_before)) as f64 / config.phones as f64,
        rounds,
        broadcast: Summary::of(&all_broadcast),
        ack: Summary::of(&all_ack),
        vote_to_tally: Summary::of(&all_tally),
        sweep,
        storm_ms,
        first_visit: Summary::of(&first_visits),
        revisits: Summary::of(&revisits),
        restart,
        server_cpu_ms,
        errors,
        stored_rows: 0,
        expected_rows,
    })
}

/// Restarts the server under the phones: every phone reconnects with the page's
/// backoff and must get `question` back, and its own answer when it had one.
async fn restart(
    server: &mut server::Server,
    reconnect: &watch::Sender<bool>,
    rounds: &watch::Sender<Round>,
    events: &mut mpsc::UnboundedReceiver<Event>,
    phones: usize,
    question: &str,
    answers_expected: usize,
) -> Result<(RestartReport, Vec<String>)> {
    // Nobody votes while the server restarts; phones report each new connection's first state.
    rounds.send_replace(Round { index: usize::MAX - 3, question: question.to_string(), delay: Delay::Never });
    reconnect.send_replace(true);
    drain(events);
    // Waiting for the old process and the new one's first lines blocks: keep the phones' threads free.
    let stopped = tokio::task::block_in_place(|| server.restart())?;
    let ready = Instant::now();
    let mut back: HashMap<usize, (Option<Instant>, Option<Instant>)> = HashMap::new();
    let mut errors = Vec::new();
    let complete = |back: &HashMap<usize, (Option<Instant>, Option<Instant>)>| {
        back.values().filter(|(state, _)| state.is_some()).count() == phones
            && back.values().filter(|(_, answer)| answer.is_some()).count() >= answers_expected
    };
    let deadline = tokio::time::Instant::now() + ROUND_TIMEOUT;
    while !complete(&back) {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Event::Back { phone, at, question: Some(on) })) if on == question => {
                back.entry(phone).or_default().0 = Some(at)
            }
            Ok(Some(Event::Back { phone, question: other, .. })) => {
                errors.push(format!("restart, phone {phone}: back on {other:?}, not on {question}"))
            }
            Ok(Some(Event::OwnAnswer { phone, at, .. })) => back.entry(phone).or_default().1 = Some(at),
            Ok(Some(Event::Failed { phone, why })) => errors.push(format!("restart, phone {phone}: {why}")),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                errors.push(format!("restart: {} of {phones} phones came back", back.len()));
                break;
            }
        }
    }
    reconnect.send_replace(false);
    let times: Vec<Duration> = back
        .values()
        .filter_map(|(state, answer)| state.map(|state| answer.map_or(state, |answer| answer.max(state))))
        .map(|at| at.saturating_duration_since(ready))
        .collect();
    let answers_back = back.values().filter(|(_, answer)| answer.is_some()).count();
    if answers_back < answers_expected {
        errors.push(format!("restart: {answers_back} of {answers_expected} phones got their own answer back"));
    }
    let report = RestartReport {
        stop_ms: ms(stopped),
        start_ms: ms(server.startup),
        all_back_ms: times.iter().max().map_or(0.0, |d| ms(*d)),
        back: Summary::of(&times),
        answers_back,
        answers_expected,
    };
    Ok((report, errors))
}

/// Connects every phone (bounded concurrency) and starts its task; returns their stop tokens.
async fn connect_all(
    config: &Config,
    server: &server::Server,
    orders: &dyn Fn(CancellationToken) -> Orders,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<Vec<CancellationToken>> {
    let (addr, origin) = phones::target(&server.participant_url)?;
    let ws_url = format!("{}ws", server.participant_url.replacen("http://", "ws://", 1));
    let gate = Arc::new(Semaphore::new(config.connect_concurrency.max(1)));
    let kind = config.kind;
    let mut joins = Vec::with_capacity(config.phones);
    let mut stops = Vec::with_capacity(config.phones);
    for index in 0..config.phones {
        let source = Ipv4Addr::new(127, 0, 0, 2 + (index % config.sources.clamp(1, 250)) as u8);
        let dial = Dial { server: addr, source, url: ws_url.clone(), origin: origin.clone() };
        let (gate, events) = (gate.clone(), events.clone());
        let stop = CancellationToken::new();
        let orders = orders(stop.clone());
        stops.push(stop);
        joins.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await.map_err(|_| anyhow!("closed"))?;
            let socket = phones::connect(dial.server, dial.source, &dial.url, &dial.origin).await?;
            drop(permit);
            tokio::spawn(phones::phone(index, dial, socket, kind, orders, events));
            Ok::<_, anyhow::Error>(())
        }));
    }
    for join in joins {
        join.await??;
    }
    Ok(stops)
}

struct RoundOutcome {
    presenter_sees_slide: Duration,
    broadcast: Vec<Duration>,
    ack: Vec<Duration>,
    tally: Vec<Duration>,
    /// Presenter advances → a phone has its own stored answer back.
    own_answers: Vec<Duration>,
    choices: Vec<(usize, u16)>,
    votes_per_second: f64,
    errors: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
async fn play_round(
    config: &Config,
    presenter: &Presenter,
    rounds: &watch::Sender<Round>,
    round_started: &Arc<Mutex<Instant>>,
    events: &mut mpsc::UnboundedReceiver<Event>,
    index: usize,
    slide: usize,
    question: &str,
    delay: Delay,
) -> Result<RoundOutcome> {
    drain(events);
    // Phones learn the question id before the presenter moves, so none can miss it.
    rounds.send_replace(Round { index, question: question.to_string(), delay });
    let started = Instant::now();
    if let Ok(mut at) = round_started.lock() {
        *at = started;
    }
    presenter.goto(slide)?;

    let voting = !matches!(delay, Delay::Never);
    let mut broadcast = Vec::with_capacity(config.phones);
    let mut own_answers = Vec::new();
    let mut acks: Vec<(Instant, Instant)> = Vec::with_capacity(config.phones);
    let mut choices = Vec::with_capacity(config.phones);
    let mut errors = Vec::new();
    let deadline = tokio::time::Instant::now() + ROUND_TIMEOUT;
    while broadcast.len() < config.phones || (voting && acks.len() + errors.len() < config.phones) {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Event::Question { round, at, .. })) if round == index => broadcast.push(at - started),
            Ok(Some(Event::OwnAnswer { round, at, .. })) if round == index => own_answers.push(at - started),
            Ok(Some(Event::Ack { round, sent, acked, phone, choice })) if round == index => {
                acks.push((sent, acked));
                choices.push((phone, choice));
            }
            Ok(Some(Event::Failed { phone, why })) => errors.push(format!("round {index}, phone {phone}: {why}")),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                errors.push(format!(
                    "round {index}: timed out with {} of {} phones on the question and {} acks",
                    broadcast.len(),
                    config.phones,
                    acks.len()
                ));
                break;
            }
        }
    }
    // Let the presenter's last frames arrive before reading its log: results that only
    // moved reach the presenter at most every 200 ms.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let tally = vote_to_tally(presenter, question, &acks);
    let presenter_sees_slide = presenter
        .log
        .lock()
        .ok()
        .and_then(|log| {
            log.iter().find(|o| o.at >= started && o.question.as_deref() == Some(question)).map(|o| o.at - started)
        })
        .unwrap_or_default();
    let ack = acks.iter().map(|(sent, acked)| *acked - *sent).collect();
    let first = acks.iter().map(|a| a.0).min();
    let last = acks.iter().map(|a| a.1).max();
    let votes_per_second = match (first, last) {
        (Some(first), Some(last)) if last > first => acks.len() as f64 / (last - first).as_secs_f64(),
        _ => 0.0,
    };
    // Own answers come right behind the state frame; take any still queued.
    while let Ok(event) = events.try_recv() {
        match event {
            Event::OwnAnswer { round, at, .. } if round == index => own_answers.push(at - started),
            Event::Failed { phone, why } => errors.push(format!("round {index}, phone {phone}: {why}")),
            _ => {}
        }
    }
    Ok(RoundOutcome { presenter_sees_slide, broadcast, ack, tally, own_answers, choices, votes_per_second, errors })
}

/// For the k-th vote to be acknowledged (acks follow commit order), the time from
/// its sending to the first presenter frame showing at least k answers.
fn vote_to_tally(presenter: &Presenter, question: &str, acks: &[(Instant, Instant)]) -> Vec<Duration> {
    let log = presenter.log.lock().map(|log| log.clone()).unwrap_or_default();
    let frames: Vec<&phones::Observed> = log.iter().filter(|o| o.question.as_deref() == Some(question)).collect();
    let mut by_ack: Vec<(Instant, Instant)> = acks.to_vec();
    by_ack.sort_by_key(|(_, acked)| *acked);
    let mut latencies = Vec::with_capacity(by_ack.len());
    let mut cursor = 0;
    for (rank, (sent, _)) in by_ack.iter().enumerate() {
        while cursor < frames.len() && frames[cursor].respondents < (rank + 1) as u64 {
            cursor += 1;
        }
        if let Some(frame) = frames.get(cursor) {
            latencies.push(frame.at.saturating_duration_since(*sent));
        }
    }
    latencies
}

/// The presenter's last results must count every acknowledged vote: option by
/// option for single choice, respondents for the other kinds. Results are
/// coalesced, so on a busy machine the last frame may still be on its way: it
/// is read again until it matches or `FINAL_TALLY_PATIENCE` has passed.
async fn check_final_tally(
    presenter: &Presenter,
    question: &str,
    kind: Kind,
    expected: &[u64],
    errors: &mut Vec<String>,
) {
    let deadline = Instant::now() + FINAL_TALLY_PATIENCE;
    loop {
        match final_tally(presenter, question, kind, expected) {
            Ok(()) => return,
            Err(why) if Instant::now() >= deadline => return errors.push(why),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// How long the presenter's last frame may trail the last acknowledgement.
const FINAL_TALLY_PATIENCE: Duration = Duration::from_secs(5);

fn final_tally(presenter: &Presenter, question: &str, kind: Kind, expected: &[u64]) -> Result<(), String> {
    let log = presenter.log.lock().map(|log| log.clone()).unwrap_or_default();
    let last = log.iter().rev().find(|o| o.question.as_deref() == Some(question));
    let voted: u64 = expected.iter().sum();
    // No answer yet: the reference server sends no counts at all.
    let zero = |frame: &phones::Observed| frame.counts.is_empty() && voted == 0;
    match last {
        Some(frame) if kind == Kind::Single && (frame.counts == expected || zero(frame)) => Ok(()),
        Some(frame) if kind != Kind::Single && frame.respondents == voted => Ok(()),
        Some(frame) => Err(format!(
            "{question}: presenter shows {:?} ({} answers), phones voted {expected:?}",
            frame.counts, frame.respondents
        )),
        None => Err(format!("{question}: the presenter never showed a tally")),
    }
}

fn drain(events: &mut mpsc::UnboundedReceiver<Event>) {
    while events.try_recv().is_ok() {}
}

/// The failures phones reported so far, the first few in full.
fn failures(events: &mut mpsc::UnboundedReceiver<Event>) -> String {
    let mut reasons = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::Failed { phone, why } = event {
            reasons.push(format!("phone {phone}: {why}"));
        }
    }
    match reasons.len() {
        0 => "no phone reported a failure".to_string(),
        n if n <= 5 => reasons.join("; "),
        n => format!("{}; and {} more", reasons[..5].join("; "), n - 5),
    }
}

async fn wait_until(count: &mut watch::Receiver<u64>, at_least: u64, patience: Duration) -> Result<()> {
    let waited = tokio::time::timeout(patience, count.wait_for(|n| *n >= at_least)).await.map(|seen| seen.is_ok());
    if waited != Ok(true) {
        bail!("only {} of {at_least} connected", *count.borrow());
    }
    Ok(())
}

async fn wait_until_below(count: &mut watch::Receiver<u64>, below: u64, patience: Duration) -> Result<()> {
    let waited = tokio::time::timeout(patience, count.wait_for(|n| *n < below)).await.map(|seen| seen.is_ok());
    if waited != Ok(true) {
        bail!("still {} connected", *count.borrow());
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
