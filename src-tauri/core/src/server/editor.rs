//! The deck editor's HTTP API on the presenter listener: read the deck as forms, the kinds, check, preview, save.
//!
//! Reading, checking and previewing are answered here; a save is carried to the
//! app's use case through [`SaveDeck`] and its outcome carried back.

use std::collections::HashMap;
use std::path::PathBuf;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::oneshot;

use super::presenter::{authorised, forbidden, TokenQuery};
use super::{guard, ServerState};
use crate::deck::{check_forms, deck_forms, markdown_to_html, write_deck, EditedDeck, FormError, SlideForm};
use crate::question::{Audience, KindSpec, SettingSpec, COMMON_SETTINGS, KINDS};

/// What the editor's API and the presenter view ask of the app's supervisor.
pub enum EditorCommand {
    Save(SaveDeck),
    /// The presenter's own blocked words, for every deck on this computer.
    Blocklist(SetBlocklist),
    /// A past session on screen again, read-only, or the live one back.
    Review(super::history::ReviewSession),
}

/// The presenter's word list on its way to the app: stored, then the deck is
/// put on screen again with it, so every count and mask follows.
pub struct SetBlocklist {
    pub words: Vec<String>,
    pub reply: oneshot::Sender<Result<(), EditRefusal>>,
}

/// `PUT /api/blocklist`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlocklistRequest {
    pub words: Vec<String>,
}

/// Why the deck and the word list cannot change while a past session is on screen:
/// it shows what that session ran, and a save would put that old text in the file.
const REVIEWING: &str =
    "a past session is on screen, read-only: go back to the live session (Sessions…) to edit the deck or the blocked words";

/// A save on its way to the app, which owns the deck file and the running presentation.
pub struct SaveDeck {
    pub request: SaveRequest,
    /// The supervisor answers once the file is written (or refused), before it swaps decks.
    pub reply: oneshot::Sender<Result<Saved, EditRefusal>>,
}

/// `PUT /api/deck`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    pub path: PathBuf,
    #[serde(default)]
    pub title: String,
    pub slides: Vec<SlideForm>,
    #[serde(default)]
    pub discard_answers: bool,
}

/// A written deck: where, and how many slides.
#[derive(Debug, Serialize)]
pub struct Saved {
    pub path: PathBuf,
    pub slides: usize,
}

/// Why the editor's request was not carried out, as the page shows it.
#[derive(Debug)]
pub enum EditRefusal {
    Invalid { message: String, slide: Option<usize>, problems: Vec<FormError> },
    Confirm { questions: Vec<Answered> },
    Conflict(String),
    Io(String),
}

/// A question whose stored answers a save would discard.
#[derive(Debug, Serialize)]
pub struct Answered {
    pub id: String,
    pub title: String,
    pub answers: u64,
}

impl EditRefusal {
    /// A form that cannot be written, with every problem the editor can show by its field.
    pub fn invalid(error: FormError, problems: Vec<FormError>) -> EditRefusal {
        EditRefusal::Invalid { message: error.message.clone(), slide: error.slide, problems }
    }

    pub fn message(message: String) -> EditRefusal {
        EditRefusal::Invalid { message, slide: None, problems: Vec::new() }
    }
}

/// What the editor's routes answer besides success.
pub enum EditorError {
    Forbidden,
    Refused(EditRefusal),
}

impl From<EditRefusal> for EditorError {
    fn from(refusal: EditRefusal) -> Self {
        EditorError::Refused(refusal)
    }
}

impl IntoResponse for EditorError {
    fn into_response(self) -> Response {
        let refusal = match self {
            EditorError::Forbidden => return forbidden(),
            EditorError::Refused(refusal) => refusal,
        };
        match refusal {
            EditRefusal::Invalid { message, slide, problems } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": message, "slide": slide, "problems": problems })),
            )
                .into_response(),
            EditRefusal::Confirm { questions } => {
                let total: u64 = questions.iter().map(|q| q.answers).sum();
                let answers = if total == 1 { "1 answer".to_string() } else { format!("{total} answers") };
                let error =
                    format!("saving discards {answers} to questions whose options changed or that were removed");
                (StatusCode::CONFLICT, Json(json!({ "error": error, "confirm": questions }))).into_response()
            }
            EditRefusal::Conflict(message) => (StatusCode::CONFLICT, Json(json!({ "error": message }))).into_response(),
            EditRefusal::Io(message) => {
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": message }))).into_response()
            }
        }
    }
}

fn check(state: &ServerState, query: &TokenQuery, headers: &HeaderMap, mutating: bool) -> Result<(), EditorError> {
    if !authorised(state, query) {
        return Err(EditorError::Forbidden);
    }
    // A page on another site cannot post here: browsers send Origin on every write.
    if mutating && guard::same_origin(headers, state.presenter_port).is_err() {
        return Err(EditorError::Forbidden);
    }
    Ok(())
}

#[derive(Serialize)]
pub struct DeckForms {
    path: Option<PathBuf>,
    suggested_path: PathBuf,
    title: String,
    slides: Vec<SlideForm>,
}

/// `GET /api/deck`: the deck on screen, one form per slide, with answer counts.
pub async fn read(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Json<DeckForms>, EditorError> {
    check(&state, &query, &headers, false)?;
    let counts = state.engine.answer_counts().await.unwrap_or_default();
    let file = &state.deck_file;
    let slides = with_counts(deck_forms(&file.deck), &counts);
    let path = file.markdown_path();
    let suggested_path = path.clone().unwrap_or_else(|| suggested_path(&file.deck.title));
    Ok(Json(DeckForms { path, suggested_path, title: file.deck.title.clone(), slides }))
}

fn with_counts(mut forms: Vec<SlideForm>, counts: &HashMap<String, u64>) -> Vec<SlideForm> {
    for form in &mut forms {
        form.answers = form.id.as_ref().and_then(|id| counts.get(id)).copied().unwrap_or(0);
    }
    forms
}

/// Where a deck without a file is offered to be saved: the documents folder, under a free name.
fn suggested_path(title: &str) -> PathBuf {
    let folder = dirs::document_dir().or_else(dirs::home_dir).unwrap_or_else(|| PathBuf::from("."));
    let mut stem: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        stem = "talk".into();
    }
    let mut candidate = folder.join(format!("{stem}.md"));
    let mut n = 2;
    while candidate.exists() {
        candidate = folder.join(format!("{stem}-{n}.md"));
        n += 1;
    }
    candidate
}

/// One kind as the editor offers it: its list and its settings, common ones included.
#[derive(Serialize)]
pub struct KindForm {
    #[serde(flatten)]
    spec: &'static KindSpec,
    common: &'static [SettingSpec],
}

/// `GET /api/kinds`: every question kind with its settings, so the editor knows
/// them from the server and never drops a question it does not know.
pub async fn kinds(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Json<Vec<KindForm>>, EditorError> {
    check(&state, &query, &headers, false)?;
    Ok(Json(KINDS.iter().map(|spec| KindForm { spec, common: &COMMON_SETTINGS }).collect()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[serde(default)]
    title: String,
    slides: Vec<SlideForm>,
}

/// `POST /api/check`: every problem in the forms, by slide and field; the
/// editor's only validator is this one, the deck parser's own rules.
pub async fn check_deck(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    Json(request): Json<CheckRequest>,
) -> Result<Json<serde_json::Value>, EditorError> {
    check(&state, &query, &headers, true)?;
    let edited = EditedDeck { title: request.title, slides: request.slides };
    let mut problems = check_forms(&edited);
    if problems.is_empty() {
        // The forms are fine one by one; the written deck must also read back as shown.
        if let Err(error) = write_deck(None, &edited, "check.md") {
            problems.push(error);
        }
    }
    Ok(Json(json!({ "problems": problems })))
}

/// `POST /api/preview`: one slide's HTML exactly as the projector will show it,
/// and its question as the presenter's deck frame has it.
pub async fn preview(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    Json(form): Json<SlideForm>,
) -> Result<Json<serde_json::Value>, EditorError> {
    check(&state, &query, &headers, true)?;
    let edited = EditedDeck { title: "Preview".into(), slides: vec![SlideForm { original: None, ..form }] };
    let (_, deck) =
        write_deck(None, &edited, "preview.md").map_err(|error| EditRefusal::invalid(error, check_forms(&edited)))?;
    let slide = deck.slides.first();
    let media = super::media_prefix(&state.token);
    let html = slide.map(|slide| markdown_to_html(&slide.body, &media)).unwrap_or_default();
    let question = slide.and_then(|slide| slide.question.as_ref()).map(|q| q.view(Audience::Presenter));
    Ok(Json(json!({ "html": html, "question": question })))
}

/// `PUT /api/deck`: the app writes the deck file, answers, then puts it on screen.
pub async fn save(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    Json(request): Json<SaveRequest>,
) -> Result<Json<Saved>, EditorError> {
    check(&state, &query, &headers, true)?;
    if state.review.is_some() {
        return Err(EditRefusal::message(REVIEWING.into()).into());
    }
    let stopping = || EditRefusal::Io("Handsup is shutting down; the deck was not saved".into());
    let (reply, outcome) = oneshot::channel();
    state.saves.send(EditorCommand::Save(SaveDeck { request, reply })).await.map_err(|_| stopping())?;
    Ok(Json(outcome.await.map_err(|_| stopping())??))
}

/// `GET /api/blocklist`: the presenter's own blocked words.
pub async fn blocklist(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, EditorError> {
    check(&state, &query, &headers, false)?;
    Ok(Json(json!({ "words": &*state.blocklist })))
}

/// `PUT /api/blocklist`: stores the presenter's words and puts the deck on screen again with them.
pub async fn set_blocklist(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    Json(request): Json<BlocklistRequest>,
) -> Result<Json<serde_json::Value>, EditorError> {
    check(&state, &query, &headers, true)?;
    if state.review.is_some() {
        return Err(EditRefusal::message(REVIEWING.into()).into());
    }
    let words: Vec<String> = request.words.iter().map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect();
    if words.len() > crate::deck::MAX_BLOCKLIST_WORDS {
        let message = format!("at most {} words", crate::deck::MAX_BLOCKLIST_WORDS);
        return Err(EditRefusal::Invalid { message, slide: None, problems: Vec::new() }.into());
    }
    if let Some(long) = words.iter().find(|w| w.chars().count() > crate::deck::MAX_BLOCKLIST_WORD_CHARS) {
        let message = format!("`{long}` is longer than {} characters", crate::deck::MAX_BLOCKLIST_WORD_CHARS);
        return Err(EditRefusal::Invalid { message, slide: None, problems: Vec::new() }.into());
    }
    let stopping = || EditRefusal::Io("Handsup is shutting down; the list was not saved".into());
    let (reply, outcome) = oneshot::channel();
    let command = EditorCommand::Blocklist(SetBlocklist { words: words.clone(), reply });
    state.saves.send(command).await.map_err(|_| stopping())?;
    outcome.await.map_err(|_| stopping())??;
    Ok(Json(json!({ "words": words })))
}
