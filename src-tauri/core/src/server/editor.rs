//! The deck editor's HTTP API on the presenter listener: read the deck as forms, preview a slide, save.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::presenter::{authorised, forbidden, TokenQuery};
use super::{guard, ServerState};
use crate::app::DeckSource;
use crate::deck::{check_forms, deck_forms, markdown_to_html, write_deck, EditedDeck, FormError, Original, SlideForm};
use crate::question::{Audience, KindSpec, SettingSpec, COMMON_SETTINGS, KINDS};

/// A refusal, as the editor page shows it.
pub enum EditorError {
    Forbidden,
    Invalid { message: String, slide: Option<usize>, problems: Vec<FormError> },
    Confirm { questions: Vec<Answered> },
    Conflict(String),
    Io(String),
}

#[derive(Serialize)]
pub struct Answered {
    id: String,
    title: String,
    answers: u64,
}

impl IntoResponse for EditorError {
    fn into_response(self) -> Response {
        match self {
            EditorError::Forbidden => forbidden(),
            EditorError::Invalid { message, slide, problems } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": message, "slide": slide, "problems": problems })),
            )
                .into_response(),
            EditorError::Confirm { questions } => {
                let total: u64 = questions.iter().map(|q| q.answers).sum();
                let answers = if total == 1 { "1 answer".to_string() } else { format!("{total} answers") };
                let error =
                    format!("saving discards {answers} to questions whose options changed or that were removed");
                (StatusCode::CONFLICT, Json(json!({ "error": error, "confirm": questions }))).into_response()
            }
            EditorError::Conflict(message) => (StatusCode::CONFLICT, Json(json!({ "error": message }))).into_response(),
            EditorError::Io(message) => {
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
    let path = match &file.source {
        DeckSource::File(path) => Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
        DeckSource::Demo => None,
    };
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

impl EditorError {
    /// A form that cannot be written, with every problem the editor can show by its field.
    fn invalid(error: FormError, problems: Vec<FormError>) -> EditorError {
        EditorError::Invalid { message: error.message.clone(), slide: error.slide, problems }
    }

    fn message(message: String) -> EditorError {
        EditorError::Invalid { message, slide: None, problems: Vec::new() }
    }
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
    let (_, deck) = write_deck(None, &edited, "preview.md").map_err(|error| {
        let problems = check_forms(&edited);
        EditorError::invalid(error, problems)
    })?;
    let slide = deck.slides.first();
    let html = slide.map(|slide| markdown_to_html(&slide.body)).unwrap_or_default();
    let question = slide.and_then(|slide| slide.question.as_ref()).map(|q| q.view(Audience::Presenter));
    Ok(Json(json!({ "html": html, "question": question })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    path: PathBuf,
    #[serde(default)]
    title: String,
    slides: Vec<SlideForm>,
    #[serde(default)]
    discard_answers: bool,
}

/// `PUT /api/deck`: writes the deck file, then puts it on screen.
pub async fn save(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    Json(request): Json<SaveRequest>,
) -> Result<Json<serde_json::Value>, EditorError> {
    check(&state, &query, &headers, true)?;
    let path = checked_path(&request.path)?;
    let file = state.deck_file.clone();
    let current = match &file.source {
        DeckSource::File(current) => Some(std::fs::canonicalize(current).unwrap_or_else(|_| current.clone())),
        DeckSource::Demo => None,
    };
    let same_file = current.as_deref() == Some(path.as_path());
    if same_file {
        // Someone else (a text editor, a sync tool) may have changed the file since it was opened.
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk != file.text {
            return Err(EditorError::Conflict(format!(
                "{} changed on disk since Handsup opened it; reopen it to edit the new version",
                path.display()
            )));
        }
    } else if path.exists() {
        return Err(EditorError::message(format!("{} already exists: choose another name", path.display())));
    }

    let edited = EditedDeck { title: request.title.clone(), slides: request.slides.clone() };
    let name = path.display().to_string();
    // A deck made from scratch in the editor owes nothing (front matter included) to the one on screen.
    let from_scratch = request.slides.iter().all(|slide| slide.original.is_none());
    let original = (!from_scratch).then(|| Original { source: &file.text, deck: &file.deck });
    let (markdown, _) = write_deck(original, &edited, &name).map_err(|error| {
        let problems = check_forms(&edited);
        EditorError::invalid(error, problems)
    })?;

    let counts = state.engine.answer_counts().await.unwrap_or_default();
    let affected = affected_questions(&deck_forms(&file.deck), &request.slides, &counts);
    if !affected.is_empty() && !request.discard_answers {
        return Err(EditorError::Confirm { questions: affected });
    }

    let target = path.clone();
    tokio::task::spawn_blocking(move || write_atomically(&target, &markdown))
        .await
        .map_err(|join| EditorError::Io(join.to_string()))?
        .map_err(|error| EditorError::Io(format!("cannot save {}: {error}", path.display())))?;

    // Swapping decks stops this very server, so the swap runs on its own task
    // and this response goes out first (shutdown lets open requests finish).
    let discard: Vec<String> = affected.into_iter().map(|q| q.id).collect();
    let controller = state.controller.clone();
    let source = DeckSource::File(path.clone());
    tokio::spawn(async move {
        if let Err(error) = controller.open(source, discard).await {
            tracing::error!(%error, "the saved deck could not be opened");
        }
    });
    Ok(Json(json!({ "path": path, "slides": request.slides.len() })))
}

/// Questions with answers whose kind or options the edit changes, or that it removes.
fn affected_questions(before: &[SlideForm], after: &[SlideForm], counts: &HashMap<String, u64>) -> Vec<Answered> {
    before
        .iter()
        .filter(|form| form.is_question())
        .filter_map(|old| {
            let id = old.id.as_ref()?;
            let answers = counts.get(id).copied().unwrap_or(0);
            if answers == 0 {
                return None;
            }
            let kept = after.iter().find(|new| new.id.as_ref() == Some(id) && new.is_question());
            match kept {
                Some(new) if !old.answers_change(new) => None,
                _ => Some(Answered { id: id.clone(), title: old.title.clone(), answers }),
            }
        })
        .collect()
}

/// A full path to a Markdown file in a folder that exists (or can be made).
fn checked_path(path: &Path) -> Result<PathBuf, EditorError> {
    let invalid = EditorError::message;
    if !path.is_absolute() {
        return Err(invalid(format!("`{}` is not a full path: start it at the root, like /home/…", path.display())));
    }
    let markdown =
        path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"));
    if !markdown {
        return Err(invalid("a deck is a Markdown file: end its name with .md".into()));
    }
    let folder = path.parent().ok_or_else(|| invalid("the path has no folder".into()))?;
    std::fs::create_dir_all(folder)
        .map_err(|error| invalid(format!("cannot use the folder {}: {error}", folder.display())))?;
    let folder = std::fs::canonicalize(folder).map_err(|error| invalid(format!("{}: {error}", folder.display())))?;
    let name = path.file_name().ok_or_else(|| invalid("the path has no file name".into()))?;
    Ok(folder.join(name))
}

/// Writes beside the target and renames over it: a crash leaves the old file or the new, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.saving"));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    if let Some(folder) = path.parent() {
        // The rename itself must reach the disk too.
        if let Ok(folder) = std::fs::File::open(folder) {
            let _ = folder.sync_all();
        }
    }
    Ok(())
}
