//! The pages built into the binary, with headers that keep them self-contained.

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub const PARTICIPANT_PAGE: &str = include_str!("../../../../assets/participant.html");
pub const PRESENTER_PAGE: &str = include_str!("../../../../ui/index.html");
pub const PRESENTER_SCRIPT: &str = include_str!("../../../../ui/presenter.js");
pub const PRESENTER_STYLE: &str = include_str!("../../../../ui/presenter.css");
pub const BARS_SCRIPT: &str = include_str!("../../../../ui/bars.js");
pub const SLIDE_STYLE: &str = include_str!("../../../../ui/slide.css");
pub const EDITOR_PAGE: &str = include_str!("../../../../ui/editor.html");
pub const EDITOR_SCRIPT: &str = include_str!("../../../../ui/editor.js");
pub const EDITOR_STYLE: &str = include_str!("../../../../ui/editor.css");

/// The phone page: inline script and style only, talks only to its own host.
const PARTICIPANT_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
    connect-src 'self' ws:; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The presenter page: its own files, inline SVG data for the QR code.
const PRESENTER_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    connect-src 'self' ws:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub fn participant_page() -> Response {
    page(PARTICIPANT_PAGE, PARTICIPANT_POLICY)
}

pub fn presenter_page() -> Response {
    page(PRESENTER_PAGE, PRESENTER_POLICY)
}

pub fn editor_page() -> Response {
    page(EDITOR_PAGE, PRESENTER_POLICY)
}

pub fn editor_script() -> Response {
    file(EDITOR_SCRIPT, "text/javascript; charset=utf-8")
}

pub fn editor_style() -> Response {
    file(EDITOR_STYLE, "text/css; charset=utf-8")
}

pub fn bars_script() -> Response {
    file(BARS_SCRIPT, "text/javascript; charset=utf-8")
}

pub fn slide_style() -> Response {
    file(SLIDE_STYLE, "text/css; charset=utf-8")
}

pub fn presenter_script() -> Response {
    file(PRESENTER_SCRIPT, "text/javascript; charset=utf-8")
}

pub fn presenter_style() -> Response {
    file(PRESENTER_STYLE, "text/css; charset=utf-8")
}

fn page(body: &'static str, policy: &'static str) -> Response {
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
