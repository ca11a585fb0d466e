//! Writes an edited deck back to Markdown, keeping every untouched slide exactly as written.

use super::form::{deck_forms, SlideForm};
use super::model::Deck;
use super::parse::{
    fence_marker, parse_deck, valid_id, MAX_HEADING_CHARS, MAX_NOTES_CHARS, MAX_SLIDES, MAX_TITLE_CHARS,
};
use crate::question::{write_value, Code, Fault, Said};

/// A deck as the editor sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedDeck {
    pub title: String,
    pub slides: Vec<SlideForm>,
}

/// Why an edited deck cannot be saved: on which slide (0-based) and in which
/// field (`title`, `options.2`, `settings.max`…) when it is one slide's fault.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{message}")]
pub struct FormError {
    pub slide: Option<usize>,
    pub field: Option<String>,
    pub message: String,
    /// `code` and `vars` beside the message, for the problems the editor translates.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
}

impl FormError {
    fn deck(said: impl Into<Said>) -> FormError {
        let Said { message, code } = said.into();
        FormError { slide: None, field: None, message, code }
    }
}

/// Every problem in an edited deck's forms, slide by slide; empty when it can be written.
pub fn check_forms(edited: &EditedDeck) -> Vec<FormError> {
    let mut problems = Vec::new();
    if edited.slides.is_empty() {
        problems.push(FormError::deck(Said::coded("a deck needs at least one slide", Code::new("deck.no_slides"))));
    }
    if edited.slides.len() > MAX_SLIDES {
        problems.push(FormError::deck(Said::coded(
            format!("a deck may have at most {MAX_SLIDES} slides"),
            Code::new("deck.too_many_slides").with("n", MAX_SLIDES),
        )));
    }
    if edited.title.trim().chars().count() > MAX_TITLE_CHARS {
        problems.push(FormError {
            slide: None,
            field: Some("title".into()),
            message: format!("the deck's title is longer than {MAX_TITLE_CHARS} characters"),
            code: Some(Code::new("deck.title_too_long").with("n", MAX_TITLE_CHARS)),
        });
    }
    for (index, slide) in edited.slides.iter().enumerate() {
        problems.extend(check_slide(slide).into_iter().map(|(field, Said { message, code })| FormError {
            slide: Some(index),
            field,
            message,
            code,
        }));
    }
    problems
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
    if let Some(problem) = check_forms(edited).into_iter().next() {
        return Err(problem);
    }

    // First without explicit ids; a question whose id the deck would not derive
    // by itself (it was reworded, or had an explicit id) gets `id=` written out.
    let mut explicit = vec![false; edited.slides.len()];
    let mut written = assemble(original.as_ref(), edited, &explicit);
    let mut deck = read_back(&written, file)?;
    let mut rewrite = false;
    for (index, (form, slide)) in edited.slides.iter().zip(&deck.slides).enumerate() {
        if let (Some(id), Some(question)) = (&form.id, &slide.question) {
            if *id != question.id && form.is_question() {
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
    parse_deck(file, written).map_err(|error| FormError::deck(error.to_string()))
}

/// The written deck must read back as the editor showed it.
fn verify(edited: &EditedDeck, deck: &Deck) -> Result<(), FormError> {
    if deck.slides.len() != edited.slides.len() {
        return Err(FormError::deck(format!(
            "the deck would read back with {} slides instead of {}: is there a line with only `---` in a text?",
            deck.slides.len(),
            edited.slides.len()
        )));
    }
    let title = edited.title.trim();
    if !title.is_empty() && deck.title != title {
        return Err(FormError::deck(format!("the title would read back as `{}`", deck.title)));
    }
    for (index, (form, read)) in edited.slides.iter().zip(deck_forms(deck)).enumerate() {
        let expected = form.normalised();
        let id_changed = matches!((&form.id, &read.id), (Some(want), Some(got)) if want != got);
        if slide_markdown(&expected, false) != slide_markdown(&read, false) || id_changed {
            return Err(FormError {
                slide: Some(index),
                field: None,
                message: "this slide would read back differently from what the form shows; \
                          simplify its text (for example a list right under the options, or a heading inside the text)"
                    .into(),
                code: None,
            });
        }
    }
    Ok(())
}

/// What keeps a form from being written, each with its field (`None`: the slide
/// as a whole). The question's own rules are the deck parser's, via [`SlideForm::question`].
fn check_slide(form: &SlideForm) -> Vec<(Option<String>, Said)> {
    let form = form.normalised();
    let mut problems: Vec<(Option<String>, Said)> = Vec::new();
    let mut problem = |field: &str, message: String, code: Code| {
        problems.push((Some(field.to_string()), Said::coded(message, code)));
    };
    for (field, value) in [("title", &form.title), ("text", &form.text)] {
        if value.contains("<!--") || value.contains("-->") {
            let message = format!("the {field} cannot contain `<!--` or `-->`; put notes in Speaker notes");
            problem(field, message, Code::new("field.comment_marker"));
        }
    }
    if form.notes.contains("-->") {
        problem("notes", "speaker notes cannot contain `-->`".into(), Code::new("notes.comment_end"));
    }
    if form.title.chars().count() > MAX_HEADING_CHARS {
        let message = format!("the title is longer than {MAX_HEADING_CHARS} characters");
        problem("title", message, Code::new("title.too_long").with("n", MAX_HEADING_CHARS));
    }
    if form.notes.chars().count() > MAX_NOTES_CHARS {
        let message = format!("speaker notes are longer than {MAX_NOTES_CHARS} characters");
        problem("notes", message, Code::new("notes.too_long").with("n", MAX_NOTES_CHARS));
    }
    if form.text.lines().any(|line| line.trim_end() == "---") {
        let message = "a line with only `---` would start a new slide: use `***` for a dividing line";
        problem("text", message.into(), Code::new("text.slide_break"));
    }
    if !form.is_question() {
        return problems;
    }
    if form.title.is_empty() {
        problem("title", "a question needs its question text".into(), Code::new("question.no_title"));
    }
    for (index, option) in form.options.iter().enumerate() {
        if option.contains(['\n', '\r']) {
            problem(&format!("options.{index}"), "each entry must be one line".into(), Code::new("option.one_line"));
        }
        if option.contains("<!--") || option.contains("-->") {
            let message = "an entry cannot contain `<!--` or `-->`";
            problem(&format!("options.{index}"), message.into(), Code::new("option.comment_marker"));
        }
    }
    for (key, value) in &form.settings {
        if value.contains("-->") || value.contains(['\n', '\r']) || (value.contains('"') && value.contains('\'')) {
            let message = "this setting cannot hold `-->`, a line break, or both kinds of quote";
            problem(&format!("settings.{key}"), message.into(), Code::new("setting.bad_characters"));
        }
    }
    if let Some(id) = form.id.as_deref().filter(|id| !valid_id(id)) {
        let message = format!("the question id `{id}` must be 1 to 64 letters, digits, `-` or `_`");
        problem("id", message, Code::new("id.invalid"));
    }
    if let Err(fault) = form.question() {
        let field = match &fault {
            Fault::Setting(error) => {
                Some(error.key.as_ref().map_or("kind".to_string(), |key| format!("settings.{key}")))
            }
            Fault::List(_) => Some("options".to_string()),
            Fault::Option(index, _) => Some(format!("options.{index}")),
        };
        let said = Said { message: fault.message().to_string(), code: fault.code().cloned() };
        problems.push((field, said));
    }
    problems
}

/// A slide's Markdown, without surrounding blank lines.
fn slide_markdown(form: &SlideForm, explicit_id: bool) -> String {
    let form = form.normalised();
    let mut blocks: Vec<String> = Vec::new();
    // A title ending in `#` gets a closing `#` of its own, which readers strip instead.
    let closing = if form.title.ends_with('#') { " #" } else { "" };
    let heading = (!form.title.is_empty()).then(|| format!("# {}{closing}", form.title));
    if !form.is_question() {
        blocks.extend(heading);
        if !form.text.is_empty() {
            blocks.push(form.text.clone());
        }
        if form.qa {
            blocks.push("<!-- qa -->".to_string());
        }
        if let Some(scores) = form.scores {
            blocks.push(format!("<!-- {} -->", scores.name()));
        }
    } else {
        // Settings in the order the kind writes them (its own first, then the common ones).
        let settings = form.question().map(|q| q.settings()).unwrap_or_default();
        let mut directive = format!("<!-- question: {}", form.kind);
        for (key, value) in settings {
            // Switches are written bare, as people write them (`moderate`).
            if value == "yes" {
                directive.push_str(&format!(" {key}"));
            } else {
                directive.push_str(&format!(" {key}={}", write_value(&value)));
            }
        }
        if let (true, Some(id)) = (explicit_id, &form.id) {
            directive.push_str(&format!(" id={id}"));
        }
        directive.push_str(" -->");
        // A text that opens with a list would run into the options: it goes above the question.
        // With no list of its own (a scale without statements, a number), any list in
        // the text would be read as its statements: the text goes above then too.
        let text_first = form.text.lines().next().is_some_and(starts_list)
            || (form.options.is_empty() && form.text.lines().any(starts_list));
        if text_first {
            blocks.push(form.text.clone());
        }
        blocks.push(directive + "\n" + heading.as_deref().unwrap_or(""));
        if !form.options.is_empty() {
            blocks.push(form.options.iter().map(|option| format!("- {option}")).collect::<Vec<_>>().join("\n"));
        }
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
