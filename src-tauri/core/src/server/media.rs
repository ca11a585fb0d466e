//! A deck's own images, for the presenter's windows only: from the deck's folder, behind the secret.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{presenter, ServerState};
use crate::deck::images;
use crate::deck::pdf::Encoding;

/// Where slide HTML points a local image: the secret in the path, as an `<img>` cannot add a query.
pub fn media_prefix(token: &str) -> String {
    format!("/media/{token}/")
}

/// A PDF page's query: `?page=3`, and the window's width in pixels if it knows it.
#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    page: Option<usize>,
    width: Option<u32>,
}

/// `GET /media/{token}/{*path}`: an image beside the deck, checked as the deck was
/// (inside its folder, no `..` or link out, an image type, a size cap), or a
/// PDF's page (`talk.pdf?page=3&width=1920`) drawn as PNG.
pub async fn image(
    State(state): State<ServerState>,
    Path((token, path)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Response {
    if !presenter::constant_time_eq(token.as_bytes(), state.token.as_bytes()) {
        return presenter::forbidden();
    }
    let Some(folder) = state.deck_file.folder() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(page) = query.page.filter(|_| crate::deck::pdf::is_pdf(std::path::Path::new(&path))) {
        let file = match images::resolve(&folder, &format!("{path}#page={page}")) {
            Ok(file) => file,
            Err(why) => return (StatusCode::NOT_FOUND, why).into_response(),
        };
        let width = crate::deck::pdf::width_for(query.width);
        return match state.pages.page(&file, page, width, Encoding::Png).await {
            Ok(png) => served(Encoding::Png.content_type(), png),
            Err(why) => (StatusCode::NOT_FOUND, why).into_response(),
        };
    }
    let file = match images::resolve(&folder, &path) {
        Ok(file) => file,
        Err(why) => return (StatusCode::NOT_FOUND, why).into_response(),
    };
    let Some(content_type) = images::content_type(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match read_capped(&file).await {
        Ok(bytes) => served(content_type, bytes),
        Err(error) => (StatusCode::NOT_FOUND, format!("cannot read the image: {error}")).into_response(),
    }
}

fn served(content_type: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // An SVG opened on its own runs nothing and loads nothing.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        ],
        bytes,
    )
        .into_response()
}

/// How wide a slide is drawn for phones: sharp on a phone held upright, small on the room's Wi-Fi.
const PHONE_WIDTH: u32 = 960;

/// `GET /slide/{index}` on the LAN listener (`phones: slides`): the picture of
/// the slide on screen, for phones. Only that slide: the room cannot read ahead.
pub async fn phone_slide(State(state): State<ServerState>, Path(index): Path<usize>) -> Response {
    let on_screen = state.views.participant.borrow().slide;
    let picture = state.deck_file.deck.phone_picture(index).filter(|_| index == on_screen);
    let (Some(picture), Some(folder)) = (picture, state.deck_file.folder()) else {
        return (StatusCode::NOT_FOUND, "no picture of this slide for phones").into_response();
    };
    let file = match images::resolve(&folder, &picture) {
        Ok(file) => file,
        Err(why) => return (StatusCode::NOT_FOUND, why).into_response(),
    };
    let mut response = match crate::deck::pdf::page_reference(&picture) {
        Some((_, page)) => match state.pages.page(&file, page, PHONE_WIDTH, Encoding::Jpeg).await {
            Ok(jpeg) => served(Encoding::Jpeg.content_type(), jpeg),
            Err(why) => return (StatusCode::NOT_FOUND, why).into_response(),
        },
        None => match (images::content_type(&file), read_capped(&file).await) {
            (Some(content_type), Ok(bytes)) => served(content_type, bytes),
            _ => return (StatusCode::NOT_FOUND, "cannot read the picture").into_response(),
        },
    };
    // The address names what it shows (`?v=`): a phone keeps it, and asks again only for another slide.
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, max-age=86400"));
    response
}

/// Reads the file through one handle, at most [`images::MAX_IMAGE_BYTES`]: a file swapped
/// or grown after it was checked is refused, not read past the cap.
async fn read_capped(file: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let handle = tokio::fs::File::open(file).await?;
    let metadata = handle.metadata().await?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a file"));
    }
    let mut bytes = Vec::new();
    handle.take(images::MAX_IMAGE_BYTES + 1).read_to_end(&mut bytes).await?;
    if bytes.len() as u64 > images::MAX_IMAGE_BYTES {
        return Err(std::io::Error::other("larger than an image may be"));
    }
    Ok(bytes)
}
