//! The Sessions window's API: every session of the data folder, a past one shown again, deletions, the report.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::oneshot;

use super::editor::EditorCommand;
use super::presenter::{authorised, forbidden, TokenQuery};
use super::{guard, ServerState};
use crate::export::{self, ExportError, Which};

/// A request to put a past session on screen read-only (`session`), or the deck's
/// live session back (`None`). The supervisor holds the receiver and answers once
/// the new server is up, or why it could not be.
pub struct ReviewSession {
    pub session: Option<i64>,
    pub reply: oneshot::Sender<Result<(), String>>,
}

/// `POST /api/review`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub session: Option<i64>,
}

/// One session as the Sessions window lists it.
#[derive(Debug, Serialize)]
pub struct SessionRow {
    id: i64,
    started_at: i64,
    title: String,
    participants: u64,
    answers: u64,
    /// The session on screen now (live or shown again): it cannot be deleted.
    on_screen: bool,
}

/// What the history routes answer besides success: a status and a sentence.
pub struct HistoryError(StatusCode, String);

impl IntoResponse for HistoryError {
    fn into_response(self) -> Response {
        if self.0 == StatusCode::FORBIDDEN {
            return forbidden();
        }
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<ExportError> for HistoryError {
    fn from(error: ExportError) -> Self {
        let status = match error {
            ExportError::NoSuchSession(_) | ExportError::NoSuchParticipant(..) => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HistoryError(status, error.to_string())
    }
}

/// The token, and for a change the page's own origin (a page on another site cannot post here).
fn check(state: &ServerState, query: &TokenQuery, headers: &HeaderMap, mutating: bool) -> Result<(), HistoryError> {
    let foreign = mutating && guard::same_origin(headers, state.presenter_port).is_err();
    if !authorised(state, query) || foreign {
        return Err(HistoryError(StatusCode::FORBIDDEN, String::new()));
    }
    Ok(())
}

/// Runs a use case of the export module off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ExportError> + Send + 'static,
) -> Result<T, HistoryError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|join| HistoryError(StatusCode::INTERNAL_SERVER_ERROR, join.to_string()))?
        .map_err(HistoryError::from)
}

/// `GET /api/sessions`: every session of the data folder, the newest first.
pub async fn list(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, HistoryError> {
    check(&state, &query, &headers, false)?;
    let data_dir = state.data_dir.clone();
    let sessions = blocking(move || export::sessions(&data_dir)).await?;
    let rows: Vec<SessionRow> = sessions
        .into_iter()
        .map(|session| SessionRow {
            id: session.id,
            started_at: session.started_at,
            title: session.title,
            participants: session.participants,
            answers: session.answers,
            on_screen: session.id == state.session,
        })
        .collect();
    Ok(Json(json!({ "sessions": rows, "review": state.review })))
}

/// `DELETE /api/sessions/{id}`: deletes a session and every answer in it; never the one on screen.
pub async fn delete(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, HistoryError> {
    let data_dir = past_session(&state, &query, &headers, id)?;
    blocking(move || export::delete_session(&data_dir, id)).await?;
    Ok(Json(json!({ "deleted": id })))
}

/// `DELETE /api/sessions/{id}/participants/{number}`: deletes participant `P<number>`'s
/// answers, posts and nickname from a past session (a privacy request).
pub async fn delete_participant(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    Path((id, number)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, HistoryError> {
    let data_dir = past_session(&state, &query, &headers, id)?;
    let deleted = blocking(move || export::delete_participant(&data_dir, id, number)).await?;
    Ok(Json(json!({ "session": id, "participant": format!("P{number}"), "deleted": deleted })))
}

/// A change to session `id` is allowed (the token, the page's own origin) and
/// `id` is not on screen: that one holds its answers in memory too, so it is
/// changed once another session is on screen, never under the presenter.
/// Returns the data folder to change it in.
fn past_session(
    state: &ServerState,
    query: &TokenQuery,
    headers: &HeaderMap,
    id: i64,
) -> Result<std::path::PathBuf, HistoryError> {
    check(state, query, headers, true)?;
    if id == state.session {
        let message = format!("session {id} is on screen: open another deck or session first, then delete it");
        return Err(HistoryError(StatusCode::CONFLICT, message));
    }
    Ok(state.data_dir.clone())
}

/// `POST /api/review`: shows a past session again read-only, or (`null`) the live one.
pub async fn review(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    Json(request): Json<ReviewRequest>,
) -> Result<Json<serde_json::Value>, HistoryError> {
    check(&state, &query, &headers, true)?;
    let stopping = || HistoryError(StatusCode::SERVICE_UNAVAILABLE, "Handsup is shutting down".into());
    let (reply, outcome) = oneshot::channel();
    let command = EditorCommand::Review(ReviewSession { session: request.session, reply });
    state.saves.send(command).await.map_err(|_| stopping())?;
    outcome.await.map_err(|_| stopping())?.map_err(|message| HistoryError(StatusCode::CONFLICT, message))?;
    Ok(Json(json!({ "review": request.session })))
}

/// `GET /report`: the printable report of the session on screen (File → Print Report…).
pub async fn report_on_screen(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Response, HistoryError> {
    let id = state.session;
    report(State(state), Query(query), Path(id), headers).await
}

/// `GET /api/sessions/{id}/report`: a session's printable report, as `handsup export --format html` writes it.
pub async fn report(
    State(state): State<ServerState>,
    Query(query): Query<TokenQuery>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, HistoryError> {
    check(&state, &query, &headers, false)?;
    let data_dir = state.data_dir.clone();
    let back = format!("/sessions?token={}", state.token);
    let html = blocking(move || export::report_page(&data_dir, Which::Id(id), &back)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // The report runs nothing and loads nothing, wherever it is opened.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
        ],
        html,
    )
        .into_response())
}
