//! PDF slides: a PDF's pages as slides, read and drawn in Rust, offline.
//!
//! A slide shows a page with `![](talk.pdf#page=3)`; `handsup talk.pdf` makes a
//! deck of every page, or opens `talk.md` beside it when that exists (the
//! editor writes it when a question goes between pages).

use std::path::{Path, PathBuf};

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::{DecryptionError, LoadPdfError, Pdf};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};

/// The largest PDF a deck may show: a deck of photos fits, a scanned book does not.
pub const MAX_PDF_BYTES: u64 = 200 * 1024 * 1024;
/// The widths a page is drawn at; a window asks for the one that covers it.
pub const WIDTHS: [u32; 5] = [640, 1280, 1920, 2560, 3840];
/// The width drawn when none is asked for: a 1080p projector.
pub const DEFAULT_WIDTH: u32 = 1920;
/// No page is drawn taller than this, whatever its shape: a long strip stays a picture, not a memory hog.
const MAX_HEIGHT: f32 = 4320.0;

/// Whether a path names a PDF (by its extension).
pub fn is_pdf(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("pdf"))
}

/// The companion Markdown deck of a PDF: `talk.md` beside `talk.pdf`.
pub fn companion(pdf: &Path) -> PathBuf {
    pdf.with_extension("md")
}

/// A page reference (`talk.pdf#page=3`): the file part and the page, counted from 1.
pub fn page_reference(reference: &str) -> Option<(&str, usize)> {
    let (file, fragment) = reference.split_once('#')?;
    let page = fragment.strip_prefix("page=")?.parse::<usize>().ok().filter(|&page| page >= 1)?;
    is_pdf(Path::new(file)).then_some((file, page))
}

/// The widest of [`WIDTHS`] a window of `asked` pixels needs (the next one up).
pub fn width_for(asked: Option<u32>) -> u32 {
    match asked {
        None => DEFAULT_WIDTH,
        Some(asked) => WIDTHS.iter().copied().find(|&width| width >= asked).unwrap_or(WIDTHS[WIDTHS.len() - 1]),
    }
}

/// A PDF read into memory and parsed, or why it cannot be shown, naming the file.
pub fn open(file: &Path) -> Result<Pdf, String> {
    let name = file.display();
    let size = std::fs::metadata(file).map_err(|error| format!("cannot read {name}: {error}"))?.len();
    if size > MAX_PDF_BYTES {
        return Err(format!("{name} is {size} bytes; a PDF may be at most {} MiB", MAX_PDF_BYTES / (1024 * 1024)));
    }
    let bytes = std::fs::read(file).map_err(|error| format!("cannot read {name}: {error}"))?;
    parse(bytes).map_err(|why| format!("{name}: {why}"))
}

/// Parses a PDF's bytes; the error says in words what is wrong with it.
pub fn parse(bytes: Vec<u8>) -> Result<Pdf, String> {
    let pdf = Pdf::new(bytes).map_err(|error| match error {
        LoadPdfError::Decryption(DecryptionError::PasswordProtected) => {
            "the PDF is password-protected: export it again without a password".to_string()
        }
        LoadPdfError::Decryption(_) => {
            "the PDF is encrypted in a way Handsup cannot read: export it again without protection".to_string()
        }
        LoadPdfError::Invalid => "not a readable PDF (damaged or cut short): export it again".to_string(),
    })?;
    if pdf.pages().is_empty() {
        return Err("no page of the PDF is readable (damaged or cut short): export it again".into());
    }
    Ok(pdf)
}

/// A deck of every page of `pdf`, one slide each, titled by the file's name.
pub fn deck_text(pdf: &Path) -> Result<String, String> {
    let pages = open(pdf)?.pages().len();
    let name = pdf.file_name().and_then(|name| name.to_str()).ok_or("the PDF's name is not readable text")?;
    let title = pdf.file_stem().and_then(|stem| stem.to_str()).unwrap_or(name);
    // The title goes into front matter: a quote or line break would end it.
    let title: String = title.chars().map(|c| if c.is_control() || c == '"' { ' ' } else { c }).collect();
    let reference = super::images::media_url(name);
    let reference = reference.trim_start_matches(super::images::MEDIA_PREFIX);
    let slides: Vec<String> = (1..=pages).map(|page| format!("![Page {page}]({reference}#page={page})\n")).collect();
    Ok(format!("---\ntitle: \"{title}\"\n---\n\n{}", slides.join("\n---\n\n")))
}

/// How a drawn page is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Lossless: crisp text for the projector and the presenter's windows.
    Png,
    /// For phones on the room's Wi-Fi: a photograph or a gradient weighs far
    /// less than as PNG; a page of text about the same (26 KB either way at 960 px).
    Jpeg,
}

impl Encoding {
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Png => "image/png",
            Encoding::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Png => "png",
            Encoding::Jpeg => "jpg",
        }
    }
}

/// JPEG quality for phones: text stays sharp enough to read at arm's length.
const JPEG_QUALITY: u8 = 80;

/// Draws page `page` (from 1) at `width` pixels wide on white, encoded as asked.
pub fn render_page(pdf: &Pdf, page: usize, width: u32, encoding: Encoding) -> Result<Vec<u8>, String> {
    let pages = pdf.pages();
    let Some(page) = page.checked_sub(1).and_then(|at| pages.get(at)) else {
        return Err(format!("the PDF has {} pages; there is no page {page}", pages.len()));
    };
    let (page_width, page_height) = page.render_dimensions();
    if page_width <= 0.0 || page_height <= 0.0 {
        return Err("the page has no size".into());
    }
    let scale = (width as f32 / page_width).min(MAX_HEIGHT / page_height);
    let settings = PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE };
    let cache = RenderCache::new();
    let pixmap = hayro::render(page, &cache, &InterpreterSettings::default(), &RenderSettings::default(), &settings);
    match encoding {
        Encoding::Png => pixmap.into_png().map_err(|error| format!("cannot encode the page: {error}")),
        // Drawn on white, every pixel is opaque: premultiplied RGBA is plain RGBA.
        Encoding::Jpeg => {
            let mut jpeg = Vec::new();
            jpeg_encoder::Encoder::new(&mut jpeg, JPEG_QUALITY)
                .encode(pixmap.data_as_u8_slice(), pixmap.width(), pixmap.height(), jpeg_encoder::ColorType::Rgba)
                .map_err(|error| format!("cannot encode the page: {error}"))?;
            Ok(jpeg)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_references_name_a_pdf_and_a_page_from_one() {
        assert_eq!(page_reference("talk.pdf#page=3"), Some(("talk.pdf", 3)));
        assert_eq!(page_reference("slides/Talk.PDF#page=12"), Some(("slides/Talk.PDF", 12)));
        for bad in ["talk.pdf", "talk.pdf#page=0", "talk.pdf#page=x", "talk.png#page=2", "talk.pdf#zoom=2"] {
            assert_eq!(page_reference(bad), None, "{bad}");
        }
        assert_eq!(width_for(None), 1920);
        assert_eq!(width_for(Some(1000)), 1280);
        assert_eq!(width_for(Some(9000)), 3840);
    }

    #[test]
    fn broken_and_protected_pdfs_say_so() {
        let Err(why) = parse(b"%PDF-1.4\n1 0 obj".to_vec()) else { panic!("a PDF cut short was read") };
        assert!(why.contains("damaged or cut short"), "{why}");
        assert!(parse(b"hello".to_vec()).is_err());
    }
}
