//! Slide images: paths in a deck resolved inside the deck's own folder, and nowhere else.

use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag};

use super::model::Deck;
use super::DeckError;

/// The largest image a slide may show: a photo from a phone fits, a video renamed does not.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;
/// The kinds of image a slide may show, by extension; SVG only ever as an image.
pub const IMAGE_TYPES: [(&str, &str); 6] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("svg", "image/svg+xml"),
];

/// The address under which a slide's image is served; the presenter page adds the secret.
pub const MEDIA_PREFIX: &str = "media/";

/// Every image a slide's Markdown shows, as written (`img/map.png`).
pub fn images_in(markdown: &str) -> Vec<String> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

/// Whether an image reference points at a file beside the deck: no scheme
/// (`https:`, `data:`, `javascript:`), no `//host`. A one-letter "scheme" is a
/// Windows drive (`C:`), local but refused as absolute by [`resolve`].
pub fn is_local(reference: &str) -> bool {
    let scheme = reference.split_once(':').map(|(before, _)| before).filter(|before| {
        before.len() > 1 && before.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    scheme.is_none() && !reference.starts_with("//")
}

/// The content type an image is served with, by its extension.
pub fn content_type(path: &Path) -> Option<&'static str> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    IMAGE_TYPES.iter().find(|(known, _)| *known == extension).map(|(_, mime)| *mime)
}

/// Resolves an image written in the deck (`img/map.png`, `my%20map.png`) to its file
/// inside `folder`, or says in words why it may not be shown: a web address (a room has
/// no internet), an absolute path, `..`, a link out of the folder, a type that is not an
/// image, a missing file, or one over [`MAX_IMAGE_BYTES`].
pub fn resolve(folder: &Path, reference: &str) -> Result<PathBuf, String> {
    if !is_local(reference) {
        return Err(format!(
            "image {reference}: a web address cannot show without internet; put the file beside the deck"
        ));
    }
    let decoded = percent_decode(reference.split(['?', '#']).next().unwrap_or(reference));
    let relative = Path::new(&decoded);
    let drive = decoded.as_bytes().get(1) == Some(&b':');
    if relative.is_absolute() || decoded.starts_with(['/', '\\']) || drive {
        return Err(format!("image {reference}: use a path relative to the deck's folder, not an absolute one"));
    }
    if decoded.split(['/', '\\']).any(|part| part == "..")
        || relative.components().any(|part| !matches!(part, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!("image {reference}: only files in the deck's folder and below may be shown (no `..`)"));
    }
    let page = super::pdf::page_reference(reference).is_some();
    if content_type(relative).is_none() && !page {
        return Err(format!(
            "image {reference}: not an image Handsup shows (png, jpg, gif, webp or svg; a PDF's page as `talk.pdf#page=3`)"
        ));
    }
    let root = std::fs::canonicalize(folder).map_err(|error| format!("the deck's folder: {error}"))?;
    let file = std::fs::canonicalize(root.join(relative))
        .map_err(|_| format!("image {reference}: no such file in the deck's folder"))?;
    // A link inside the folder that points out of it is refused like `..`.
    if !file.starts_with(&root) {
        return Err(format!("image {reference}: it links to a file outside the deck's folder"));
    }
    let metadata = std::fs::metadata(&file).map_err(|error| format!("image {reference}: {error}"))?;
    if !metadata.is_file() {
        return Err(format!("image {reference}: not a file"));
    }
    let cap = if page { super::pdf::MAX_PDF_BYTES } else { MAX_IMAGE_BYTES };
    if metadata.len() > cap {
        let mib = cap / (1024 * 1024);
        let what = if page { "a PDF" } else { "an image" };
        return Err(format!("image {reference}: {} bytes; {what} may be at most {mib} MiB", metadata.len()));
    }
    Ok(file)
}

/// Checks every image of every slide; the first problem names its line.
pub fn check_images(deck: &Deck, folder: &Path, file: &str, text: &str) -> Result<(), DeckError> {
    let lines: Vec<&str> = text.lines().collect();
    // Each PDF is read once, however many of its pages the deck shows.
    let mut pages: std::collections::HashMap<PathBuf, Result<usize, String>> = std::collections::HashMap::new();
    for slide in &deck.slides {
        for reference in images_in(&slide.body) {
            let checked = resolve(folder, &reference).and_then(|path| match super::pdf::page_reference(&reference) {
                None => Ok(()),
                Some((_, page)) => {
                    let count = pages
                        .entry(path.clone())
                        .or_insert_with(|| super::pdf::open(&path).map(|pdf| pdf.pages().len()))
                        .clone()?;
                    if page > count {
                        Err(format!("image {reference}: the PDF has {count} pages; there is no page {page}"))
                    } else {
                        Ok(())
                    }
                }
            });
            if let Err(message) = checked {
                // The line that holds the reference, from the slide's first line on.
                let start = slide.line.saturating_sub(1);
                let line = lines
                    .iter()
                    .enumerate()
                    .skip(start)
                    .find(|(_, line)| line.contains(reference.as_str()))
                    .map_or(slide.line, |(index, _)| index + 1);
                return Err(DeckError { file: file.to_string(), line, message });
            }
        }
    }
    Ok(())
}

/// The address a local image is served at: `media/` and the path, each part escaped.
pub fn media_url(reference: &str) -> String {
    // A PDF's page: the file's address, and the page as a query.
    if let Some((file, page)) = super::pdf::page_reference(reference) {
        return format!("{}?page={page}", media_url(file));
    }
    let decoded = percent_decode(reference);
    let escaped: Vec<String> = decoded.split('/').map(percent_encode).collect();
    format!("{MEDIA_PREFIX}{}", escaped.join("/"))
}

fn percent_encode(part: &str) -> String {
    part.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(byte).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `%20` and friends as the bytes they stand for; anything malformed is kept as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[at], bytes.get(at + 1).copied().and_then(hex), bytes.get(at + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                at += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let deck = dir.path().join("talk");
        std::fs::create_dir_all(deck.join("img")).expect("img");
        std::fs::write(deck.join("img/map.png"), b"\x89PNG").expect("map");
        std::fs::write(deck.join("my map.png"), b"\x89PNG").expect("spaced");
        std::fs::write(dir.path().join("secret.png"), b"secret").expect("secret");
        std::fs::write(deck.join("notes.txt"), b"text").expect("text");
        (dir, deck)
    }

    #[test]
    fn images_inside_the_folder_resolve_and_nothing_else_does() {
        let (dir, deck) = folder();
        assert!(resolve(&deck, "img/map.png").is_ok());
        assert!(resolve(&deck, "./img/map.png").is_ok());
        assert!(resolve(&deck, "my%20map.png").is_ok());
        for (bad, says) in [
            ("../secret.png", "no `..`"),
            ("img/../../secret.png", "no `..`"),
            ("..%2Fsecret.png", "no `..`"),
            ("/etc/passwd.png", "absolute"),
            ("C:/Windows/x.png", "absolute"),
            ("https://example.org/x.png", "web address"),
            ("notes.txt", "not an image"),
            ("img/none.png", "no such file"),
        ] {
            let error = resolve(&deck, bad).expect_err(bad);
            assert!(error.contains(says), "{bad}: {error}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.png"), deck.join("link.png")).expect("link");
            assert!(resolve(&deck, "link.png").expect_err("link out").contains("outside"));
        }
        let big = deck.join("big.png");
        std::fs::File::create(&big).and_then(|f| f.set_len(MAX_IMAGE_BYTES + 1)).expect("big");
        assert!(resolve(&deck, "big.png").expect_err("too big").contains("at most 20 MiB"));
    }

    #[test]
    fn a_deck_names_the_line_of_an_image_it_cannot_show() {
        let (_dir, folder) = folder();
        let text = "# One\n\n![Map](img/map.png)\n\n---\n\n# Two\n\nSee:\n\n![Gone](img/gone.png)\n";
        let deck = super::super::parse_deck("talk.md", text).expect("deck");
        let error = check_images(&deck, &folder, "talk.md", text).expect_err("missing");
        assert_eq!((error.line, error.message.contains("no such file")), (11, true), "{error}");
        assert_eq!(media_url("my map.png"), "media/my%20map.png");
        assert_eq!(media_url("img/map.png"), "media/img/map.png");
    }
}
