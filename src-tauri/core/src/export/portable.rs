//! The portable session file: write one session with its deck and images, and unpack one to present its results.

use std::path::{Component, Path, PathBuf};

use super::{ExportError, Which};
use crate::deck::images::{images_in, is_local, percent_decode, resolve, MAX_IMAGE_BYTES};
use crate::deck::parse_deck;
use crate::deck::pdf::{is_pdf, page_reference, MAX_PDF_BYTES};
use crate::store::{read_portable, unpack_portable};

/// The extension of a portable session file.
pub const EXTENSION: &str = "handsup";

/// Writes the session to `out` as one SQLite file: its answers, posts and states,
/// the deck text it ran and every image that deck shows (read from the deck's
/// folder, where that folder still holds them).
pub fn portable(data_dir: &Path, which: Which, out: &Path) -> Result<(), ExportError> {
    let (store, id) = super::open_session(data_dir, which)?;
    let session = store.export_session(id)?.ok_or(ExportError::NoSuchSession(id))?;
    let key = store.session_deck_key(id)?.unwrap_or_default();
    let folder = Path::new(&key).parent().filter(|_| Path::new(&key).is_absolute());
    let mut media: Vec<(String, Vec<u8>)> = Vec::new();
    if let (Ok(deck), Some(folder)) = (parse_deck(&session.deck_name, &session.deck_text), folder) {
        for reference in deck.slides.iter().flat_map(|slide| images_in(&slide.body)).filter(|r| is_local(r)) {
            // A PDF travels once, however many of its pages the deck shows.
            let (stored_as, check) = match page_reference(&reference) {
                Some((file, _)) => (file.to_string(), reference.clone()),
                None => (reference.clone(), reference.clone()),
            };
            if media.iter().any(|(known, _)| *known == stored_as) {
                continue;
            }
            // An image gone from the folder since is left out: the record shows the rest.
            if let Some(bytes) = resolve(folder, &check).ok().and_then(|file| std::fs::read(file).ok()) {
                media.push((stored_as, bytes));
            }
        }
    }
    store.write_portable(id, out, &media)?;
    Ok(())
}

/// A portable file unpacked to be presented: its deck file and the data folder that holds its session.
#[derive(Debug, Clone)]
pub struct Unpacked {
    pub deck: PathBuf,
    pub data_dir: PathBuf,
    /// The session it holds, to show read-only.
    pub session: i64,
}

/// Unpacks a `.handsup` file into `into` (a folder of its own, created here): the
/// deck and its images under `deck/`, the session under `data/`. The file itself
/// is only read; whatever the presenter then does changes the copy, never it.
pub fn unpack(file: &Path, into: &Path) -> Result<Unpacked, ExportError> {
    let record = read_portable(file)?;
    let folder = into.join("deck");
    let write = |path: &Path, bytes: &[u8]| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)
    };
    let io = |error: std::io::Error| ExportError::Unpack(format!("{}: {error}", into.display()));
    // The deck keeps its name, so messages and exports read as before; a name
    // that is not a plain file name becomes `deck.md`.
    let name = Path::new(&record.deck_name)
        .file_name()
        .and_then(|name| name.to_str())
        .filter(|name| name.ends_with(".md") && !name.starts_with('.'))
        .unwrap_or("deck.md");
    let deck = folder.join(name);
    write(&deck, record.deck_text.as_bytes()).map_err(io)?;
    for (reference, bytes) in &record.media {
        // The file is someone else's: an image may only land inside the deck's folder.
        let Some(relative) = safe_relative(reference) else { continue };
        let cap = if is_pdf(&relative) { MAX_PDF_BYTES } else { MAX_IMAGE_BYTES };
        if bytes.len() as u64 > cap {
            continue;
        }
        write(&folder.join(relative), bytes).map_err(io)?;
    }
    let deck = std::fs::canonicalize(&deck).map_err(io)?;
    let data_dir = into.join("data");
    unpack_portable(file, &data_dir, &deck.display().to_string())?;
    Ok(Unpacked { deck, data_dir, session: record.session })
}

/// A reference as a path under the deck's folder, if it stays there.
fn safe_relative(reference: &str) -> Option<PathBuf> {
    let decoded = percent_decode(reference.split(['?', '#']).next().unwrap_or(reference));
    let path = PathBuf::from(decoded.replace('\\', "/"));
    let plain = path.components().all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    (plain && !decoded.is_empty() && decoded.as_bytes().get(1) != Some(&b':')).then_some(path)
}
