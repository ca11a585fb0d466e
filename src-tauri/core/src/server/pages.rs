//! PDF pages drawn for the presenter's windows, once per page and width, kept in the data folder.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hayro::hayro_syntax::Pdf;

use crate::deck::pdf::{self, Encoding, DEFAULT_WIDTH};
use crate::deck::{images, Deck};

/// Drawn pages on disk, and each PDF parsed once. Cloned into every request; one
/// page is drawn at a time (the lock), so a projector asking for its page waits
/// for at most one page ahead of it, and a laptop's second core stays with the room.
#[derive(Clone)]
pub struct PageCache {
    folder: PathBuf,
    /// Parsed PDFs by their file's path, size and change time (a PDF exported again is parsed again).
    parsed: Arc<Mutex<HashMap<u64, Arc<Pdf>>>>,
    drawing: Arc<tokio::sync::Mutex<()>>,
}

impl PageCache {
    /// Pages go to `folder` (made when the first is drawn).
    pub fn new(folder: PathBuf) -> PageCache {
        PageCache { folder, parsed: Arc::default(), drawing: Arc::default() }
    }

    /// Page `page` of `file`, `width` pixels wide, encoded as asked: from the cache, or drawn now.
    pub async fn page(&self, file: &Path, page: usize, width: u32, encoding: Encoding) -> Result<Vec<u8>, String> {
        let version = version(file).await?;
        let cached = self.folder.join(format!("{version:016x}-{page}-{width}.{}", encoding.extension()));
        if let Ok(bytes) = tokio::fs::read(&cached).await {
            return Ok(bytes);
        }
        let drawing = self.drawing.clone().lock_owned().await;
        // Drawn while this request waited its turn.
        if let Ok(bytes) = tokio::fs::read(&cached).await {
            return Ok(bytes);
        }
        let cache = self.clone();
        let file = file.to_path_buf();
        tokio::task::spawn_blocking(move || {
            // Held until the page is drawn, even if the request that asked for it is gone.
            let _drawing = drawing;
            let pdf = cache.parsed(&file, version)?;
            let drawn = pdf::render_page(&pdf, page, width, encoding)?;
            // Written whole then renamed: a page cut short by a crash is never served.
            if std::fs::create_dir_all(&cache.folder).is_ok() {
                let partial = cached.with_extension("partial");
                if std::fs::write(&partial, &drawn).is_ok() {
                    let _ = std::fs::rename(&partial, &cached);
                }
            }
            Ok(drawn)
        })
        .await
        .map_err(|error| format!("drawing the page failed: {error}"))?
    }

    /// Draws every PDF page the deck shows at the default width, from slide
    /// `first` on and then the ones before it, so the next pages are ready first.
    pub async fn prepare(&self, deck: &Deck, folder: &Path, first: usize) {
        let slides = deck.slides.len();
        let order = (first..slides).chain(0..first.min(slides));
        for index in order {
            for reference in images::images_in(&deck.slides[index].body) {
                let Some((_, page)) = pdf::page_reference(&reference) else { continue };
                let Ok(file) = images::resolve(folder, &reference) else { continue };
                if let Err(error) = self.page(&file, page, DEFAULT_WIDTH, Encoding::Png).await {
                    tracing::warn!(file = %file.display(), page, %error, "cannot draw a PDF page");
                }
            }
        }
    }

    /// The PDF parsed once per version of the file and server.
    fn parsed(&self, file: &Path, version: u64) -> Result<Arc<Pdf>, String> {
        if let Some(pdf) = self.parsed.lock().map_err(|_| "the page cache is broken")?.get(&version) {
            return Ok(pdf.clone());
        }
        let pdf = Arc::new(pdf::open(file)?);
        self.parsed.lock().map_err(|_| "the page cache is broken")?.insert(version, pdf.clone());
        Ok(pdf)
    }
}

/// A PDF's version: its path, size and change time, so a PDF exported again is drawn again.
async fn version(file: &Path) -> Result<u64, String> {
    let metadata = tokio::fs::metadata(file).await.map_err(|error| format!("{}: {error}", file.display()))?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    file.hash(&mut hasher);
    metadata.len().hash(&mut hasher);
    metadata.modified().ok().hash(&mut hasher);
    Ok(hasher.finish())
}
