//! Writes an edited deck back to Markdown, keeping every untouched slide exactly as written.

use super::form::{deck_forms, SlideForm, SlideKind};
use super::model::Deck;
use super::parse::{fence_marker, parse_deck, MAX_OPTIONS, MAX_OPTION_CHARS, MAX_SLIDES};

/// A deck as the editor sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedDeck {
    pub title: String,
    pub slides: Vec<SlideForm>,
}

/// Why an edited deck cannot be saved, and on which slide (0-based) when it is one slide's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FormError {
    pub slide: Option<usize>,
    pub message: String,
}

/// The deck file the editor started from.
pub struct Original<'a> {
    pub source: &'a str,
    pub deck: &'a Deck,
}

/// Writes `edited` as Markdown. Slides the editor left alone keep their text
/// byte for byte; the rest are written fresh. The result is read back and must
/// give the deck the editor shows, or nothing is returned.
pub fn write_deck(
    original: Option<Original<'_>>,
    edited: &EditedDeck,
    file: &str,
) -> Result<(String, Deck), FormError> {
    if edited.slides.is_empty() {
        return Err(FormError { slide: None, message: "a deck needs at least one slide".into() });
    }
    if edited.slides.len() > MAX_SLIDES {
        return Err(FormError { slide: None, message: format!("a deck may have at most {MAX_SLIDES} slides") });
    }
    for (index, slide) in edited.slides.iter().enumerate() {
        check_slide(slide).map_err(|message| FormError { slide: Some(index), message })?;
    }

    // First without explicit ids; a question whose id the deck would not derive
    // by itself (it was reworded, or had an explicit id) gets `id=` written out.
    let mut explicit = vec![false; edited.slides.len()];
    let mut written = assemble(original.as_ref(), edited, &explicit);
    let mut deck = read_back(&written, file)?;
    let mut rewrite = false;
    for (index, (form, slide)) in edited.slides.iter().zip(&deck.slides).enumerate() {
        if let (Some(id), Some(question)) = (&form.id, &slide.question) {
            if *id != question.id && form.kind != SlideKind::Content {
                explicit[index] = true;
                rewrite = true;
            }
        }
    }
    if rewrite {
        written = assemble(original.as_ref(), edited, &explicit);
        deck = read_back(&written, file)?;
    }
    verify(edited, &deck)?;
    Ok((written, deck))
}

fn read_back(written: &str, file: &str) -> Result<Deck, FormError> {
    parse_deck(file, written).map_err(|error| FormError { slide: None, message: error.to_string() })
}

/// The written deck must read back as the editor showed it.
fn verify(edited: &EditedDeck, deck: &Deck) -> Result<(), FormError> {
    if deck.slides.len() != edited.slides.len() {
        return Err(FormError {
            slide: None,
            message: format!(
                "the deck would read back with {} slides instead of {}: is there a line with only `---` in a text?",
                deck.slides.len(),
                edited.slides.len()
            ),
        });
    }
    let title = edited.title.trim();
    if !title.is_empty() && deck.title != title {
        return Err(FormError { slide: None, message: format!("the title would read back as `{}`", deck.title) });
    }
    for (index, (form, read)) in edited.slides.iter().zip(deck_forms(deck)).enumerate() {
        let expected = form.normalised();
        let id_changed = matches!((&form.id, &read.id), (Some(want), Some(got)) if want != got);
        if slide_markdown(&expected, false) != slide_markdown(&read, false) || id_changed {
            return Err(FormError {
                slide: Some(index),
                message: "this slide would read back differently from what the form shows; \
                          simplify its text (for example a list right under the options, or a heading inside the text)"
                    .into(),
            });
        }
    }
    Ok(())
}

/// Rules a form must follow before it is written, in the editor's words.
fn check_slide(form: &SlideForm) -> Result<(), String> {
    let form = form.normalised();
    for (field, value) in [("title", &form.title), ("text", &form.text)] {
        if value.contains("<!--") || value.contains("-->") {
            return Err(format!("the {field} cannot contain `<!--` or `-->`; put notes in Speaker notes"));
        }
    }
    if form.notes.contains("-->") {
        return Err("speaker notes cannot contain `-->`".into());
    }
    if form.text.lines().any(|line| line.trim_end() == "---") {
        return Err("a line with only `---` would start a new slide: use `***` for a dividing line".into());
    }
    if form.kind == SlideKind::Content {
        return Ok(());
    }
    if form.title.is_empty() {
        return Err("a question needs its question text".into());
    }
    if form.options.len() < 2 {
        return Err("a question needs at least two options".into());
    }
    if form.options.len() > MAX_OPTIONS {
        return Err(format!("a question may have at most {MAX_OPTIONS} options"));
    }
    for (index, option) in form.options.iter().enumerate() {
        let letter = char::from(b'A' + u8::try_from(index).unwrap_or(25));
        if option.is_empty() {
            return Err(format!("option {letter} is empty"));
        }
        if option.chars().count() > MAX_OPTION_CHARS {
            return Err(format!("option {letter} is longer than {MAX_OPTION_CHARS} characters"));
        }
        if option.contains(['\n', '\r']) {
            return Err(format!("option {letter} must be one line"));
        }
        if option.contains("<!--") || option.contains("-->") {
            return Err(format!("option {letter} cannot contain `<!--` or `-->`"));
        }
        if form.options[..index].contains(option) {
            return Err(format!("option {letter} (`{option}`) is listed twice"));
        }
    }
    if let Some(max) = form.max {
        if max == 0 || usize::from(max) > form.options.len() {
            return Err(format!("“at most” must be between 1 and the number of options ({})", form.options.len()));
        }
    }
    if let Some(id) = &form.id {
        let valid =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(format!("the question id `{id}` must be 1 to 64 letters, digits, `-` or `_`"));
        }
    }
    Ok(())
}

/// A slide's Markdown, without surrounding blank lines.
fn slide_markdown(form: &SlideForm, explicit_id: bool) -> String {
    let form = form.normalised();
    let mut blocks: Vec<String> = Vec::new();
    // A title ending in `#` gets a closing `#` of its own, which readers strip instead.
    let closing = if form.title.ends_with('#') { " #" } else { "" };
    let heading = (!form.title.is_empty()).then(|| format!("# {}{closing}", form.title));
    if form.kind == SlideKind::Content {
        blocks.extend(heading);
        if !form.text.is_empty() {
            blocks.push(form.text.clone());
        }
    } else {
        let mut directive =
            format!("<!-- question: {}", if form.kind == SlideKind::Single { "single" } else { "multiple" });
        if let Some(max) = form.max {
            directive.push_str(&format!(" max={max}"));
        }
        if let (true, Some(id)) = (explicit_id, &form.id) {
            directive.push_str(&format!(" id={id}"));
        }
        directive.push_str(" -->");
        // A text that opens with a list would run into the options: it goes above the question.
        let text_first = form.text.lines().next().is_some_and(starts_list);
        if text_first {
            blocks.push(form.text.clone());
        }
        blocks.push(directive + "\n" + heading.as_deref().unwrap_or(""));
        blocks.push(form.options.iter().map(|option| format!("- {option}")).collect::<Vec<_>>().join("\n"));
        if !text_first && !form.text.is_empty() {
            blocks.push(form.text.clone());
        }
    }
    if !form.notes.is_empty() {
        blocks.push(format!("<!--\n{}\n-->", form.notes));
    }
    blocks.join("\n\n")
}

fn starts_list(line: &str) -> bool {
    let trimmed = line.trim_start();
    let digits = trimmed.len() - trimmed.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    trimmed.starts_with(['-', '*', '+']) || (digits > 0 && trimmed[digits..].starts_with(['.', ')']))
}

/// The deck file cut into its raw parts: front matter, slides and the `---` lines between them.
struct Layout<'a> {
    front: &'a str,
    slides: Vec<&'a str>,
    separators: Vec<&'a str>,
}

fn layout(source: &str) -> Layout<'_> {
    let lines: Vec<(usize, &str)> = source
        .split_inclusive('\n')
        .scan(0, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
        .collect();
    let bare = |line: &str| line.trim_end_matches(['\n', '\r']).trim_end().to_string();
    let mut body_start = 0;
    if lines.first().is_some_and(|(_, line)| bare(line) == "---") {
        if let Some(close) = lines.iter().skip(1).position(|(_, line)| bare(line).trim() == "---") {
            body_start = close + 2;
        }
    }
    let offset_of = |index: usize| lines.get(index).map_or(source.len(), |(offset, _)| *offset);
    let front = &source[..offset_of(body_start)];
    let mut slides = Vec::new();
    let mut separators = Vec::new();
    let mut chunk_start = offset_of(body_start);
    let mut fence: Option<String> = None;
    for (offset, line) in lines.iter().skip(body_start) {
        if let Some(marker) = fence_marker(line.trim_end_matches(['\n', '\r'])) {
            fence = match fence {
                Some(open) if marker.starts_with(open.as_str()) => None,
                None => Some(marker.to_string()),
                other => other,
            };
        }
        if fence.is_none() && bare(line) == "---" {
            slides.push(&source[chunk_start..*offset]);
            separators.push(&source[*offset..*offset + line.len()]);
            chunk_start = *offset + line.len();
        }
    }
    slides.push(&source[chunk_start..]);
    Layout { front, slides, separators }
}

/// Puts the deck together from raw untouched slides and freshly written ones.
fn assemble(original: Option<&Original<'_>>, edited: &EditedDeck, explicit: &[bool]) -> String {
    let newline = if original.is_some_and(|o| o.source.contains("\r\n")) { "\r\n" } else { "\n" };
    let layout = original.map(|o| layout(o.source));
    let forms = original.map(|o| deck_forms(o.deck)).unwrap_or_default();
    // Raw text is only trusted when the file cuts into exactly the parsed slides.
    let raw = layout.as_ref().filter(|layout| layout.slides.len() == forms.len());

    let mut out = String::new();
    let title = edited.title.trim();
    match original {
        Some(o) if title.is_empty() || title == o.deck.title => out.push_str(layout.as_ref().map_or("", |l| l.front)),
        Some(_) => out.push_str(&with_title(layout.as_ref().map_or("", |l| l.front), title, newline)),
        None if title.is_empty() => {}
        None => out.push_str(&with_title("", title, newline)),
    }

    let count = edited.slides.len();
    let mut previous: Option<usize> = None;
    for (index, form) in edited.slides.iter().enumerate() {
        let untouched = form
            .original
            .filter(|&o| raw.is_some() && o < forms.len() && forms[o].same_slide(form) && !explicit[index]);
        if index > 0 {
            let separator = match (previous, untouched, raw) {
                (Some(before), Some(now), Some(layout)) if now == before + 1 => layout.separators[before],
                _ => "---",
            };
            out.push_str(separator);
            if !separator.ends_with('\n') {
                out.push_str(newline);
            }
        }
        let last = index + 1 == count;
        match (untouched, raw) {
            (Some(o), Some(layout)) => {
                out.push_str(layout.slides[o]);
                // The file's old last slide may end without a blank line, or a newline.
                if !last && o + 1 == layout.slides.len() {
                    while !out.ends_with(&format!("{newline}{newline}")) {
                        out.push_str(newline);
                    }
                }
            }
            _ => {
                if index > 0 || !out.is_empty() {
                    out.push_str(newline);
                }
                let markdown = slide_markdown(form, explicit[index]).replace('\n', newline);
                out.push_str(&markdown);
                out.push_str(newline);
                if !last {
                    out.push_str(newline);
                }
            }
        }
        previous = untouched;
    }
    out
}

/// Front matter with `title` set: the existing block with its title line
/// replaced or added, or a new block.
fn with_title(front: &str, title: &str, newline: &str) -> String {
    let quoted = if title.contains('"') { format!("'{title}'") } else { format!("\"{title}\"") };
    let line = format!("title: {quoted}");
    if front.is_empty() {
        return format!("---{newline}{line}{newline}---{newline}");
    }
    let mut lines: Vec<String> = front.lines().map(str::to_string).collect();
    match lines.iter().position(|l| l.trim_start().starts_with("title:")) {
        Some(at) => lines[at] = line,
        None => lines.insert(1, line),
    }
    lines.join(newline) + newline
}
