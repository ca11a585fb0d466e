//! A deck as read from its file, or the built-in demo, with what writing it back needs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{demo_deck, parse_deck, Deck, DeckError, DEMO_DECK, MAX_DECK_BYTES};

/// Which deck to present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeckSource {
    Demo,
    File(PathBuf),
}

/// A deck as read from its file, with what the editor needs to write it back.
#[derive(Debug, Clone)]
pub struct DeckFile {
    pub source: DeckSource,
    /// The file's text as read (the built-in demo's own text for the demo).
    pub text: String,
    pub deck: Arc<Deck>,
}

/// Why a deck could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the deck {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is {bytes} bytes; a deck may be at most {MAX_DECK_BYTES}: is it the right file?")]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error("{0}")]
    Deck(#[from] DeckError),
}

impl DeckFile {
    /// The file's name as messages show it (`demo-deck.md` for the built-in demo).
    pub fn name(&self) -> String {
        match &self.source {
            DeckSource::Demo => "demo-deck.md".into(),
            DeckSource::File(path) => path.display().to_string(),
        }
    }

    /// The folder a deck's images are served from; `None` for the built-in demo.
    pub fn folder(&self) -> Option<PathBuf> {
        self.path().and_then(|path| path.parent().map(Path::to_path_buf))
    }

    /// Where the editor writes this deck: its own file, or for a PDF the companion
    /// Markdown deck beside it (`talk.md`); `None` for the built-in demo.
    pub fn markdown_path(&self) -> Option<PathBuf> {
        self.path().map(|path| if super::pdf::is_pdf(&path) { super::pdf::companion(&path) } else { path })
    }

    /// The file's full path with links resolved; `None` for the built-in demo.
    pub fn path(&self) -> Option<PathBuf> {
        match &self.source {
            DeckSource::File(path) => Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
            DeckSource::Demo => None,
        }
    }
}

/// Reads the deck named by `source`.
pub fn load_deck(source: &DeckSource) -> Result<DeckFile, LoadError> {
    match source {
        DeckSource::Demo => {
            Ok(DeckFile { source: DeckSource::Demo, text: DEMO_DECK.to_string(), deck: Arc::new(demo_deck()) })
        }
        // A PDF opens its companion deck when it has one, else a deck of its pages.
        DeckSource::File(path) if super::pdf::is_pdf(path) => {
            let companion = super::pdf::companion(path);
            if companion.is_file() {
                return load_deck(&DeckSource::File(companion));
            }
            let name = path.display().to_string();
            let text =
                super::pdf::deck_text(path).map_err(|message| DeckError { file: name.clone(), line: 1, message })?;
            let deck = parse_deck(&name, &text)?;
            Ok(DeckFile { source: source.clone(), text, deck: Arc::new(deck) })
        }
        DeckSource::File(path) => {
            let read = |source| LoadError::Read { path: path.clone(), source };
            // Measured before reading: a video dropped on the window is not read into memory.
            let bytes = std::fs::metadata(path).map_err(read)?.len();
            if bytes > MAX_DECK_BYTES as u64 {
                return Err(LoadError::TooLarge { path: path.clone(), bytes });
            }
            let text = std::fs::read_to_string(path).map_err(read)?;
            let name = path.display().to_string();
            let deck = parse_deck(&name, &text)?;
            // Every image a slide shows is there, in the deck's folder, and small enough.
            let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty()).unwrap_or(Path::new("."));
            super::images::check_images(&deck, folder, &name, &text)?;
            Ok(DeckFile { source: source.clone(), text, deck: Arc::new(deck) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_too_large_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("video.md");
        let file = std::fs::File::create(&path).expect("create");
        // Sparse: the size is there without writing 3 MiB.
        file.set_len(3 * 1024 * 1024).expect("grow");
        match load_deck(&DeckSource::File(path)) {
            Err(LoadError::TooLarge { bytes, .. }) => assert_eq!(bytes, 3 * 1024 * 1024),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }
}
