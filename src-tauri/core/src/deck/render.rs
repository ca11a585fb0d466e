//! Turns a slide's Markdown into HTML for the presenter screens, with raw HTML escaped.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders Markdown to HTML. Raw HTML in the deck is shown as text and link
/// targets with a script scheme are dropped, so a deck can never run code in
/// the presenter's window. An image beside the deck (`img/map.png`) is shown
/// from `media` (the presenter listener's address for the deck's folder, with its
/// secret) followed by its path; see [`super::images`].
pub fn markdown_to_html(markdown: &str, media: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Inside a PDF page's image, whose alt text is dropped (the page is the content).
    let mut skip_alt = false;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
        }
        // A PDF's page: drawn by the server; the class lets a slide of one page fill the screen.
        Event::Start(Tag::Image { dest_url, .. }) if super::pdf::page_reference(&dest_url).is_some() => {
            let served = format!(
                "{media}{}",
                super::images::media_url(&dest_url).trim_start_matches(super::images::MEDIA_PREFIX)
            );
            skip_alt = true;
            Event::Html(CowStr::from(format!(
                "<img class=\"pdf-page\" src=\"{}\" alt=\"\">",
                escape_attribute(&served)
            )))
        }
        Event::End(TagEnd::Image) if skip_alt => {
            skip_alt = false;
            Event::Text(CowStr::Borrowed(""))
        }
        _ if skip_alt => Event::Text(CowStr::Borrowed("")),
        Event::Start(Tag::Image { link_type, dest_url, title, id }) if super::images::is_local(&dest_url) => {
            let served = format!(
                "{media}{}",
                super::images::media_url(&dest_url).trim_start_matches(super::images::MEDIA_PREFIX)
            );
            Event::Start(Tag::Image { link_type, dest_url: CowStr::from(served), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
        }
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, events);
    out
}

/// An attribute value in double quotes: the characters that could end it or start markup, escaped.
fn escape_attribute(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let scheme = url.split(':').next().unwrap_or("").trim().to_ascii_lowercase();
    let unsafe_scheme = url.contains(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file");
    if unsafe_scheme {
        CowStr::Borrowed("#")
    } else {
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let html = markdown_to_html("# Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>", "/media/t/");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn images_beside_the_deck_are_shown_from_the_media_address() {
        let html = markdown_to_html("![Map](<img/my map.png>) ![x](javascript:alert(1))", "/media/secret/");
        assert!(html.contains(r#"src="/media/secret/img/my%20map.png""#), "{html}");
        assert!(!html.contains("javascript"), "{html}");
    }

    #[test]
    fn script_links_are_dropped() {
        let html = markdown_to_html("[click](javascript:alert(1)) [ok](https://example.org)", "/media/t/");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("https://example.org"), "{html}");
    }
}
