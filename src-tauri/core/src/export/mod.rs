//! Results leave the app: a session's answers as CSV, named as the audience saw them.

mod csv;
mod portable;
mod report;
mod results;
mod time;
mod xlsx;

use std::path::Path;

use crate::deck::{parse_deck, Deck};
use crate::session::board::QA;
use crate::store::{ExportedSession, Store, StoreError, DATABASE_FILE};
pub use csv::inert;
pub use portable::{portable, unpack, Unpacked, EXTENSION};
pub use report::escape;
pub use results::{results, QuestionResults};
pub use time::iso_utc;
pub use xlsx::SUMMARY_HEADER;

/// The CSV header: a contract other tools read.
pub const CSV_HEADER: [&str; 11] = [
    "session",
    "started",
    "question_id",
    "question",
    "kind",
    "participant",
    "answer",
    "state",
    "upvotes",
    "points",
    "answered_at",
];

/// The leaderboard's CSV header: a contract too.
pub const LEADERBOARD_HEADER: [&str; 6] = ["rank", "participant", "nickname", "points", "correct", "answered"];

/// Which session to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The most recently started session of any deck.
    Latest,
    Id(i64),
}

impl std::str::FromStr for Which {
    type Err = String;

    fn from_str(text: &str) -> Result<Which, String> {
        match text {
            "latest" => Ok(Which::Latest),
            id => {
                id.parse().map(Which::Id).map_err(|_| format!("`{id}` is not a session: expected `latest` or a number"))
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no Handsup data in {0}: nothing has been presented with this --data folder yet")]
    NoData(String),
    #[error("there is no session {0} in this data folder")]
    NoSuchSession(i64),
    #[error("session {0} has no participant P{1}")]
    NoSuchParticipant(i64, i64),
    #[error("there are no sessions in this data folder yet")]
    NoSessions,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
    #[error("cannot write {0}")]
    Write(String),
    #[error("cannot unpack the session file into {0}")]
    Unpack(String),
}

/// The session's answers as CSV: UTF-8 with a byte-order mark (so Excel reads
/// it as UTF-8), CRLF line ends, one row per answer, every cell inert.
pub fn csv(data_dir: &Path, which: Which) -> Result<String, ExportError> {
    let loaded = Loaded::from_folder(data_dir, which)?;
    Ok(csv::write(&CSV_HEADER, &rows(&loaded.session)))
}

/// The session's final quiz ranking as CSV (`handsup export --leaderboard`):
/// every player, best first, equal points sharing a rank.
pub fn leaderboard_csv(data_dir: &Path, which: Which) -> Result<String, ExportError> {
    let loaded = Loaded::from_folder(data_dir, which)?;
    Ok(csv::write(&LEADERBOARD_HEADER, &loaded.leaderboard()))
}

/// What `handsup export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Html,
    Handsup,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "html" => Ok(Format::Html),
            "handsup" => Ok(Format::Handsup),
            other => Err(format!("`{other}` is not a format: expected csv, xlsx, html or handsup")),
        }
    }
}

/// Writes the session to `out` in `format`: the one use case behind `handsup
/// export --out` and the app's File → Export Results….
pub fn write(data_dir: &Path, which: Which, format: Format, out: &Path) -> Result<(), ExportError> {
    let bytes = match format {
        Format::Csv => csv(data_dir, which)?.into_bytes(),
        Format::Xlsx => xlsx(data_dir, which)?,
        Format::Html => report(data_dir, which)?.into_bytes(),
        Format::Handsup => return portable(data_dir, which, out),
    };
    std::fs::write(out, bytes).map_err(|error| ExportError::Write(format!("{}: {error}", out.display())))
}

impl Format {
    /// The format a file name asks for, by its extension (`results.xlsx`).
    pub fn of_file(path: &Path) -> Option<Format> {
        path.extension()?.to_str()?.to_ascii_lowercase().parse().ok()
    }
}

/// The session as a workbook: a summary sheet, one sheet per question, the Q&A and the leaderboard.
pub fn xlsx(data_dir: &Path, which: Which) -> Result<Vec<u8>, ExportError> {
    let loaded = Loaded::from_folder(data_dir, which)?;
    xlsx::write(&loaded).map_err(|error| ExportError::Xlsx(error.to_string()))
}

/// The session as one self-contained HTML report, printable to PDF.
pub fn report(data_dir: &Path, which: Which) -> Result<String, ExportError> {
    Ok(report::write(&Loaded::from_folder(data_dir, which)?, None))
}

/// The report as the app shows it, with a link back to `back` (the Sessions window) that is never printed.
pub fn report_page(data_dir: &Path, which: Which, back: &str) -> Result<String, ExportError> {
    Ok(report::write(&Loaded::from_folder(data_dir, which)?, Some(back)))
}

/// A session with the deck it ran, read once for an export.
pub struct Loaded {
    pub session: ExportedSession,
    /// The deck as this session ran it, with the presenter's blocked words; `None`
    /// if that text no longer reads as a deck.
    pub deck: Option<Deck>,
}

impl Loaded {
    pub fn from_folder(data_dir: &Path, which: Which) -> Result<Loaded, ExportError> {
        let (store, id) = open_session(data_dir, which)?;
        let session = store.export_session(id)?.ok_or(ExportError::NoSuchSession(id))?;
        let mut deck = parse_deck(&session.deck_name, &session.deck_text).ok();
        if let Some(deck) = &mut deck {
            deck.add_blocklist(&store.presenter_blocklist()?);
        }
        Ok(Loaded { session, deck })
    }

    /// The deck's title, or its file name when it has none.
    pub fn title(&self) -> String {
        self.deck
            .as_ref()
            .map(|deck| deck.title.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.session.deck_name.clone())
    }

    pub fn results(&self) -> Vec<QuestionResults> {
        self.deck.as_ref().map(|deck| results::results(&self.session, deck)).unwrap_or_default()
    }

    pub fn qa(&self) -> Vec<(String, i64, bool)> {
        self.deck.as_ref().map(|deck| results::qa(&self.session, deck)).unwrap_or_default()
    }

    /// Participants who answered or posted anything.
    pub fn participants(&self) -> u64 {
        let numbers: std::collections::HashSet<i64> = self
            .session
            .answers
            .iter()
            .map(|answer| answer.participant)
            .chain(self.session.posts.iter().map(|post| post.participant))
            .collect();
        numbers.len() as u64
    }

    /// The quiz ranking's rows under [`LEADERBOARD_HEADER`]; empty without a quiz.
    pub fn leaderboard(&self) -> Vec<[String; 6]> {
        let scores = scoreboard(&self.session, self.deck.as_ref());
        scores
            .standings(None)
            .entries
            .iter()
            .map(|entry| {
                [
                    entry.rank.to_string(),
                    format!("P{}", entry.number),
                    entry.nickname.clone().unwrap_or_default(),
                    entry.points.to_string(),
                    entry.correct.to_string(),
                    entry.answered.to_string(),
                ]
            })
            .collect()
    }
}

/// The session's quiz scores, from its answers and their times: the same reckoning the live game uses.
fn scoreboard(session: &ExportedSession, deck: Option<&Deck>) -> crate::session::Scoreboard {
    let mut scores = crate::session::Scoreboard::default();
    let player = |number: i64| std::sync::Arc::<str>::from(format!("P{number}"));
    for (&number, nickname) in &session.nicknames {
        scores.know(&player(number), number, Some(nickname.clone()));
    }
    for row in &session.answers {
        let Some(question) = deck.and_then(|deck| deck.question(&row.question)).filter(|q| q.final_answers()) else {
            continue;
        };
        let Some(answer) = crate::question::Answer::from_json(&row.answer) else { continue };
        scores.know(&player(row.participant), row.participant, None);
        let opened = session.opened.get(&row.question).copied().unwrap_or(row.answered_at);
        scores.record(&player(row.participant), question, &answer, row.answered_at, opened);
    }
    scores
}

/// A quiz answer's points, as the `points` cell gives them.
fn points(
    session: &ExportedSession,
    question: &crate::deck::Question,
    answer: &crate::question::Answer,
    at: i64,
) -> String {
    match (question.scoring(answer), question.countdown()) {
        (Some((points, right)), Some(time)) => {
            let opened = session.opened.get(&question.id).copied().unwrap_or(at);
            crate::question::quiz::score(points, time, at - opened, right).to_string()
        }
        _ => String::new(),
    }
}

/// The data folder's store and the id of the session `which` names.
fn open_session(data_dir: &Path, which: Which) -> Result<(Store, i64), ExportError> {
    if !data_dir.join(DATABASE_FILE).is_file() {
        return Err(ExportError::NoData(data_dir.display().to_string()));
    }
    let store = Store::open(data_dir)?;
    let id = match which {
        Which::Latest => store.latest_session()?.ok_or(ExportError::NoSessions)?,
        Which::Id(id) => id,
    };
    Ok((store, id))
}

/// Every session in the data folder, the newest first (`handsup sessions`).
pub fn sessions(data_dir: &Path) -> Result<Vec<crate::store::SessionSummary>, ExportError> {
    if !data_dir.join(DATABASE_FILE).is_file() {
        return Err(ExportError::NoData(data_dir.display().to_string()));
    }
    Ok(Store::open(data_dir)?.sessions()?)
}

/// Deletes a session and all its answers.
pub fn delete_session(data_dir: &Path, id: i64) -> Result<(), ExportError> {
    let (mut store, _) = open_session(data_dir, Which::Id(id))?;
    if store.delete_session(id)? {
        Ok(())
    } else {
        Err(ExportError::NoSuchSession(id))
    }
}

/// Deletes participant `P<number>`'s answers and posts from a session; how many went.
pub fn delete_participant(data_dir: &Path, id: i64, number: i64) -> Result<usize, ExportError> {
    let (mut store, _) = open_session(data_dir, Which::Id(id))?;
    store.delete_participant(id, number)?.ok_or(ExportError::NoSuchParticipant(id, number))
}

/// The history as `handsup sessions` prints it: a header, then one tab-separated
/// line per session (id, start in UTC, deck title, participants, answers).
pub fn sessions_table(sessions: &[crate::store::SessionSummary]) -> String {
    let mut out = String::from("id\tstarted\tdeck\tparticipants\tanswers\n");
    for session in sessions {
        // A tab or line break in a title would shift the columns.
        let title: String = session.title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        out.push_str(&format!(
            "{}\t{}\t{title}\t{}\t{}\n",
            session.id,
            iso_utc(session.started_at),
            session.participants,
            session.answers
        ));
    }
    out
}

/// One row per stored answer: questions in deck order, then participants in joining order.
fn rows(session: &ExportedSession) -> Vec<[String; 11]> {
    // The deck as this session ran it, not as the file reads now.
    let deck: Option<Deck> = parse_deck(&session.deck_name, &session.deck_text).ok();
    let position = |question: &str| {
        deck.as_ref().and_then(|deck| deck.questions().position(|q| q.id == question)).unwrap_or(usize::MAX)
    };
    let mut answers: Vec<_> = session.answers.iter().collect();
    answers.sort_by_key(|answer| (position(&answer.question), answer.question.clone(), answer.participant));
    let started = iso_utc(session.started_at);
    let answer_rows = answers
        .into_iter()
        .map(|row| {
            let question = deck.as_ref().and_then(|deck| deck.question(&row.question));
            let (prompt, kind, text, points) = match (question, crate::question::Answer::from_json(&row.answer)) {
                (Some(q), Some(answer)) => {
                    let points = points(session, q, &answer, row.answered_at);
                    (q.prompt.clone(), q.kind.name().to_string(), q.describe(&answer), points)
                }
                (Some(q), None) => (q.prompt.clone(), q.kind.name().to_string(), row.answer.clone(), String::new()),
                (None, _) => (String::new(), String::new(), row.answer.clone(), String::new()),
            };
            [
                session.id.to_string(),
                started.clone(),
                row.question.clone(),
                prompt,
                kind,
                format!("P{}", row.participant),
                text,
                String::new(),
                String::new(),
                points,
                iso_utc(row.answered_at),
            ]
        })
        .collect::<Vec<_>>();
    // Posts follow the answers: open questions in deck order, then the Q&A, each oldest first.
    let mut posts: Vec<_> = session.posts.iter().collect();
    posts.sort_by_key(|post| (position(&post.question), post.question == QA));
    let post_rows = posts.into_iter().map(|post| {
        let qa = post.question == QA;
        let prompt = if qa {
            "Audience Q&A".to_string()
        } else {
            deck.as_ref().and_then(|deck| deck.question(&post.question)).map_or(String::new(), |q| q.prompt.clone())
        };
        [
            session.id.to_string(),
            started.clone(),
            post.question.clone(),
            prompt,
            if qa { QA.to_string() } else { "open".to_string() },
            format!("P{}", post.participant),
            post.text.clone(),
            post.state.name().to_string(),
            if qa { post.upvotes.to_string() } else { String::new() },
            String::new(),
            iso_utc(post.at),
        ]
    });
    answer_rows.into_iter().chain(post_rows).collect()
}

#[cfg(test)]
mod tests;
