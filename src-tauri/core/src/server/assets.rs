//! The pages built into the binary, with headers that keep them self-contained.

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));

/// The phone page: inline script and style only, talks only to its own host.
const PARTICIPANT_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
    connect-src 'self' ws:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The presenter page: its own files, inline SVG data for the QR code.
const PRESENTER_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    connect-src 'self' ws:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A file under `ui/`, by its path there.
pub fn ui_file(name: &str) -> Option<&'static str> {
    UI_FILES.iter().find(|(known, _)| *known == name).map(|(_, body)| *body)
}

/// The phone page in the phone's language (see [`super::language`]), compressed when
/// the browser says it takes gzip (every phone browser does).
pub fn participant_page(headers: &HeaderMap, deck_lang: Option<&str>) -> Response {
    let chosen = super::language::phone_page(headers, deck_lang);
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|coding| coding.split(';').next().map(str::trim) == Some("gzip")));
    let mut response = if gzip {
        let mut response = page(chosen.gzip, PARTICIPANT_POLICY);
        response.headers_mut().insert(header::CONTENT_ENCODING, header::HeaderValue::from_static("gzip"));
        response
    } else {
        page(chosen.plain.as_bytes(), PARTICIPANT_POLICY)
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LANGUAGE, header::HeaderValue::from_static(chosen.code));
    headers.insert(header::VARY, header::HeaderValue::from_static("accept-encoding, accept-language, cookie"));
    response
}

/// The presenter's remote: one self-contained page, inline script and style, its socket on its own host.
/// In the phone's language, like the participant page.
pub fn remote_page(headers: &HeaderMap) -> Response {
    let (code, body) = super::language::remote_page(headers);
    let mut response = page(body.as_bytes(), PARTICIPANT_POLICY);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LANGUAGE, header::HeaderValue::from_static(code));
    headers.insert(header::VARY, header::HeaderValue::from_static("accept-language"));
    response
}

/// What a phone opening the join address sees while a past session is on screen:
/// two sentences in the phone's language, no script, nothing to load.
pub fn ended_page(headers: &HeaderMap, deck_lang: Option<&str>) -> Response {
    let code = super::language::phone_page(headers, deck_lang).code;
    let (heading, text) = super::language::session_ended(code);
    let body = format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Handsup</title>\
        <style>body{{font:1.2rem/1.5 system-ui,sans-serif;margin:2rem 1.25rem;color:#1b1f24}}\
        @media(prefers-color-scheme:dark){{body{{background:#111;color:#eee}}}}</style></head>\
        <body><main><h1>{heading}</h1><p>{text}</p></main></body></html>"
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
        .into_response();
    response.headers_mut().insert(header::CONTENT_LANGUAGE, header::HeaderValue::from_static(code));
    response
}

pub fn presenter_page() -> Response {
    page(ui_file("index.html").unwrap_or_default().as_bytes(), PRESENTER_POLICY)
}

pub fn sessions_page() -> Response {
    page(ui_file("sessions.html").unwrap_or_default().as_bytes(), PRESENTER_POLICY)
}

pub fn editor_page() -> Response {
    page(ui_file("editor.html").unwrap_or_default().as_bytes(), PRESENTER_POLICY)
}

/// `GET /ui/{*path}`: the presenter pages' scripts and styles (pages are served at their own routes).
pub async fn ui(Path(path): Path<String>) -> Response {
    let content_type = match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match ui_file(&path) {
        Some(body) => file(body, content_type),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn page(body: &'static [u8], policy: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // The presenter URL carries the secret token: never leak it in a Referer.
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
        .into_response()
}

fn file(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_and_module_is_embedded() {
        for name in [
            "index.html",
            "editor.html",
            "sessions.html",
            "presenter.js",
            "editor.js",
            "sessions.js",
            "kinds/index.js",
            "lib/socket.js",
        ] {
            assert!(ui_file(name).is_some_and(|body| !body.is_empty()), "{name}");
        }
        assert!(ui_file("../Cargo.toml").is_none());
    }
}
