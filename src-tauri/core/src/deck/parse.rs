//! Reads a Markdown deck (Marp conventions plus a `question:` directive) into a [`Deck`].

use std::collections::HashSet;
use std::fmt;

use super::model::{Deck, Scores, Slide};
use crate::question::filter::Filter;
use crate::question::{self, Draft, Fault, Question, SettingError, Settings};

/// Larger decks are almost certainly the wrong file.
pub const MAX_DECK_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_SLIDES: usize = 1000;
/// Caps that keep every frame a client receives bounded: a title or heading is
/// read from across a room, notes on a laptop; longer is a mistake, not a slide.
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_HEADING_CHARS: usize = 300;
pub const MAX_NOTES_CHARS: usize = 10_000;

/// A deck that cannot be read, with the place to look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DeckError {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DeckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Marp's own directives: read by Marp, ignored by Handsup, never speaker notes.
const MARP_DIRECTIVES: &[&str] = &[
    "marp",
    "theme",
    "style",
    "headingDivider",
    "size",
    "math",
    "title",
    "description",
    "author",
    "image",
    "keywords",
    "url",
    "lang",
    "paginate",
    "header",
    "footer",
    "class",
    "backgroundColor",
    "backgroundImage",
    "backgroundPosition",
    "backgroundRepeat",
    "backgroundSize",
    "color",
];

/// Parses `source`; `file` names it in error messages.
pub fn parse_deck(file: &str, source: &str) -> Result<Deck, DeckError> {
    let fail = |line: usize, message: String| DeckError { file: file.to_string(), line, message };
    if source.len() > MAX_DECK_BYTES {
        return Err(fail(1, format!("the deck is {} bytes; a deck may be at most {MAX_DECK_BYTES}", source.len())));
    }
    let lines: Vec<&str> = source.lines().collect();
    let (front, body_start) = front_matter(&lines).map_err(|(line, message)| fail(line, message))?;

    let mut slides = Vec::new();
    let mut ids = HashSet::new();
    for chunk in split_slides(&lines, body_start) {
        if slides.len() == MAX_SLIDES {
            return Err(fail(chunk.first_line, format!("a deck may have at most {MAX_SLIDES} slides")));
        }
        let slide = parse_slide(&chunk, &mut ids, slides.len()).map_err(|(line, message)| fail(line, message))?;
        slides.push(slide);
    }
    if slides.iter().all(|slide| slide.body.trim().is_empty() && slide.question.is_none()) {
        return Err(fail(1, "the deck has no slides: expected Markdown text, with `---` lines between slides".into()));
    }

    let filter = Filter::with(&front.blocklist);
    if !front.blocklist.is_empty() {
        for question in slides.iter_mut().filter_map(|slide| slide.question.as_mut()) {
            question.kind.use_filter(&filter);
        }
    }
    let title = front
        .title
        .or_else(|| slides.iter().find_map(|slide| first_heading(&slide.body).map(|(_, text)| text)))
        .unwrap_or_else(|| file.rsplit(['/', '\\']).next().unwrap_or(file).trim_end_matches(".md").to_string());
    let reactions =
        front.reactions.unwrap_or_else(|| DEFAULT_REACTIONS.iter().map(|emoji| emoji.to_string()).collect());
    let nicknames = front.nicknames || slides.iter().filter_map(|s| s.question.as_ref()).any(|q| q.final_answers());
    let phones_slides = front.phones_slides;
    let (blocklist, lang) = (front.blocklist, front.lang);
    Ok(Deck { title, slides, reactions, qa: front.qa, nicknames, phones_slides, blocklist, filter, lang })
}

type LineError = (usize, String);

/// What the front matter sets.
#[derive(Default)]
struct FrontMatter {
    title: Option<String>,
    /// `blocklist: word, two words`: kept off the projector besides the built-in lists.
    blocklist: Vec<String>,
    /// `reactions: 👏 🎉` or `reactions: off`; `None` for the default set.
    reactions: Option<Vec<String>>,
    /// `qa: true` (Q&A open from the start) or `qa: moderate` (open, questions wait for approval).
    qa: QaDefault,
    /// `nicknames: true`: phones pick a nickname even without a quiz.
    nicknames: bool,
    /// `phones: slides`: phones show the slide on screen between questions.
    phones_slides: bool,
    /// `lang: de`: the language of the phones' page.
    lang: Option<String>,
}

/// Audience Q&A as the deck starts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QaDefault {
    pub open: bool,
    pub moderated: bool,
}

/// The reactions phones get when the deck does not say.
pub const DEFAULT_REACTIONS: [&str; 5] = ["👏", "❤️", "😂", "😮", "🤔"];
/// The most reactions a deck may offer, and the longest (an emoji with its modifiers).
const MAX_REACTIONS: usize = 8;
const MAX_REACTION_CHARS: usize = 12;

/// The most words a deck's `blocklist:` may hold, and the longest.
pub const MAX_BLOCKLIST_WORDS: usize = 500;
pub const MAX_BLOCKLIST_WORD_CHARS: usize = 60;

/// Reads optional front matter; returns what it sets and the index of the first body line.
fn front_matter(lines: &[&str]) -> Result<(FrontMatter, usize), LineError> {
    if lines.first().map(|line| line.trim_end()) != Some("---") {
        return Ok((FrontMatter::default(), 0));
    }
    let mut front = FrontMatter::default();
    for (index, line) in lines.iter().enumerate().skip(1) {
        let trimmed = line.trim();
        if trimmed == "---" {
            return Ok((front, index + 1));
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            return Err((index + 1, format!("expected `key: value` in the front matter, found `{trimmed}`")));
        };
        match key.trim() {
            "title" => {
                let title = Some(unquote(value.trim()).to_string()).filter(|title| !title.is_empty());
                if title.as_ref().is_some_and(|title| title.chars().count() > MAX_TITLE_CHARS) {
                    return Err((index + 1, format!("the title is longer than {MAX_TITLE_CHARS} characters")));
                }
                front.title = title;
            }
            "qa" => {
                front.qa = match unquote(value.trim()) {
                    "true" | "yes" | "on" => QaDefault { open: true, moderated: false },
                    "moderate" | "moderated" => QaDefault { open: true, moderated: true },
                    "false" | "no" | "off" | "" => QaDefault::default(),
                    other => {
                        let message = format!("qa: {other}: expected `true`, `moderate` or `false`");
                        return Err((index + 1, message));
                    }
                };
            }
            "nicknames" => {
                front.nicknames = match unquote(value.trim()) {
                    "true" | "yes" | "on" => true,
                    "false" | "no" | "off" | "" => false,
                    other => return Err((index + 1, format!("nicknames: {other}: expected `true` or `false`"))),
                };
            }
            "phones" => {
                front.phones_slides = match unquote(value.trim()) {
                    "slides" => true,
                    "" | "off" | "none" => false,
                    other => {
                        let message = format!("phones: {other}: expected `slides` (phones show the slide on screen)");
                        return Err((index + 1, message));
                    }
                };
            }
            "lang" => front.lang = language_tag(unquote(value.trim())).map_err(|m| (index + 1, m))?,
            "reactions" => front.reactions = Some(reactions(unquote(value.trim())).map_err(|m| (index + 1, m))?),
            "blocklist" => {
                for word in unquote(value.trim()).split(',').map(str::trim).filter(|word| !word.is_empty()) {
                    if word.chars().count() > MAX_BLOCKLIST_WORD_CHARS {
                        let message = format!("a blocklist word is longer than {MAX_BLOCKLIST_WORD_CHARS} characters");
                        return Err((index + 1, message));
                    }
                    front.blocklist.push(word.to_string());
                }
                if front.blocklist.len() > MAX_BLOCKLIST_WORDS {
                    return Err((index + 1, format!("a blocklist may hold at most {MAX_BLOCKLIST_WORDS} words")));
                }
            }
            _ => {}
        }
    }
    Err((1, "the front matter opened here is never closed: expected a line `---`".into()))
}

/// `lang:` as written: a language tag (`de`, `pt-BR`), or empty for the browser's choice.
fn language_tag(value: &str) -> Result<Option<String>, String> {
    let mut subtags = value.split('-');
    let primary = subtags.next().unwrap_or_default();
    if value.is_empty() {
        return Ok(None);
    }
    let well_formed = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && subtags.all(|tag| (1..=8).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(format!("lang: {value}: expected a language tag such as `de` or `pt-BR`"));
    }
    Ok(Some(value.to_string()))
}

/// `reactions:` as written: `off`, or emoji separated by spaces or commas.
fn reactions(value: &str) -> Result<Vec<String>, String> {
    if value.eq_ignore_ascii_case("off") || value.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut list: Vec<String> = Vec::new();
    for emoji in value.split([' ', ',']).map(|e| question::text::normalise(e, MAX_REACTION_CHARS + 1)) {
        if emoji.is_empty() || list.contains(&emoji) {
            continue;
        }
        if emoji.chars().count() > MAX_REACTION_CHARS || emoji.chars().any(char::is_alphanumeric) {
            return Err(format!("`{emoji}` is not an emoji: reactions are emoji separated by spaces, or `off`"));
        }
        list.push(emoji);
    }
    if list.len() > MAX_REACTIONS {
        return Err(format!("a deck may offer at most {MAX_REACTIONS} reactions"));
    }
    Ok(list)
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

/// The lines of one slide, with the 1-based line number of the first.
struct Chunk<'a> {
    first_line: usize,
    lines: Vec<&'a str>,
}

/// Splits on `---` lines that are not inside a fenced code block.
fn split_slides<'a>(lines: &[&'a str], start: usize) -> Vec<Chunk<'a>> {
    let mut chunks = vec![Chunk { first_line: start + 1, lines: Vec::new() }];
    let mut fence: Option<&str> = None;
    for (index, line) in lines.iter().enumerate().skip(start) {
        if let Some(marker) = fence_marker(line) {
            fence = match fence {
                Some(open) if marker.starts_with(open) => None,
                None => Some(marker),
                other => other,
            };
        }
        if fence.is_none() && line.trim_end() == "---" {
            chunks.push(Chunk { first_line: index + 2, lines: Vec::new() });
        } else if let Some(chunk) = chunks.last_mut() {
            chunk.lines.push(line);
        }
    }
    chunks
}

/// The fence (a run of backticks or tildes) that a code-fence line opens or closes.
pub(super) fn fence_marker(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    ["```", "~~~"].into_iter().find(|marker| trimmed.starts_with(marker)).map(|marker| {
        let run = trimmed.len() - trimmed.trim_start_matches(marker.chars().next().unwrap_or('`')).len();
        &trimmed[..run]
    })
}

/// A slide's text with comments taken out, and what the comments said.
struct Stripped {
    /// (line number, text) of each remaining line.
    lines: Vec<(usize, String)>,
    notes: Vec<String>,
    /// The `question:` directive's line and settings.
    directive: Option<(usize, String)>,
    /// The slide holds `<!-- qa -->`: it shows the audience's Q&A.
    qa: bool,
    /// The slide holds `<!-- leaderboard -->` or `<!-- podium -->`.
    scores: Option<Scores>,
}

fn strip_comments(chunk: &Chunk<'_>) -> Result<Stripped, LineError> {
    let mut out = Stripped { lines: Vec::new(), notes: Vec::new(), directive: None, qa: false, scores: None };
    let mut fence: Option<&str> = None;
    // An open comment: where it began, and its text so far.
    let mut open: Option<(usize, String)> = None;
    for (offset, line) in chunk.lines.iter().enumerate() {
        let number = chunk.first_line + offset;
        if open.is_none() {
            if let Some(marker) = fence_marker(line) {
                fence = match fence {
                    Some(current) if marker.starts_with(current) => None,
                    None => Some(marker),
                    other => other,
                };
                out.lines.push((number, line.to_string()));
                continue;
            }
            if fence.is_some() {
                out.lines.push((number, line.to_string()));
                continue;
            }
        }
        let mut kept = String::new();
        let mut rest: &str = line;
        loop {
            if let Some((start, text)) = open.as_mut() {
                match rest.find("-->") {
                    Some(end) => {
                        text.push_str(&rest[..end]);
                        let start = *start;
                        let text = std::mem::take(text);
                        open = None;
                        classify_comment(&mut out, start, text)?;
                        rest = &rest[end + 3..];
                    }
                    None => {
                        text.push_str(rest);
                        text.push('\n');
                        break;
                    }
                }
            } else {
                match rest.find("<!--") {
                    Some(begin) => {
                        kept.push_str(&rest[..begin]);
                        open = Some((number, String::new()));
                        rest = &rest[begin + 4..];
                    }
                    None => {
                        kept.push_str(rest);
                        break;
                    }
                }
            }
        }
        // A line that held only a comment disappears; otherwise keep what is left.
        let only_a_comment = kept.trim().is_empty() && !line.trim().is_empty();
        if !only_a_comment {
            out.lines.push((number, kept));
        }
    }
    if let Some((start, _)) = open {
        return Err((start, "this comment is never closed: expected `-->`".into()));
    }
    Ok(out)
}

fn classify_comment(out: &mut Stripped, line: usize, text: String) -> Result<(), LineError> {
    let trimmed = text.trim();
    if let Some(rest) = trimmed.strip_prefix("question:") {
        if out.directive.is_some() {
            return Err((line, "a slide can hold only one question: found a second `question:` directive".into()));
        }
        out.directive = Some((line, rest.trim().to_string()));
        return Ok(());
    }
    if trimmed == "qa" {
        out.qa = true;
        return Ok(());
    }
    for scores in [Scores::Leaderboard, Scores::Podium] {
        if trimmed == scores.name() {
            if out.scores.is_some_and(|shown| shown != scores) {
                return Err((line, "a slide shows either the leaderboard or the podium, not both".into()));
            }
            out.scores = Some(scores);
            return Ok(());
        }
    }
    let key = trimmed.split_once(':').map(|(key, _)| key.trim().trim_start_matches('_'));
    if key.is_some_and(|key| MARP_DIRECTIVES.contains(&key)) {
        return Ok(());
    }
    if !trimmed.is_empty() {
        out.notes.push(trimmed.to_string());
    }
    Ok(())
}

fn parse_slide(chunk: &Chunk<'_>, ids: &mut HashSet<String>, index: usize) -> Result<Slide, LineError> {
    let stripped = strip_comments(chunk)?;
    let notes = stripped.notes.join("\n\n");
    if notes.chars().count() > MAX_NOTES_CHARS {
        return Err((
            chunk.first_line,
            format!("this slide's speaker notes are longer than {MAX_NOTES_CHARS} characters"),
        ));
    }
    if let Some((line, _)) = stripped
        .lines
        .iter()
        .find(|(_, text)| heading_text(text).is_some_and(|heading| heading.chars().count() > MAX_HEADING_CHARS))
    {
        return Err((*line, format!("this heading is longer than {MAX_HEADING_CHARS} characters")));
    }
    let Some((directive_line, directive)) = stripped.directive else {
        let body = join(&stripped.lines);
        if stripped.qa && stripped.scores.is_some() {
            return Err((chunk.first_line, "a slide shows either the Q&A or the quiz's scores, not both".into()));
        }
        let (qa, scores) = (stripped.qa, stripped.scores);
        return Ok(Slide { body, notes, question: None, qa, scores, line: chunk.first_line });
    };
    let (kind, mut settings) = parse_directive(&directive).map_err(|error| (directive_line, error.message))?;
    let takes_list = question::spec(kind).map_err(|error| (directive_line, error.message))?.options.is_some();
    let explicit_id = settings.take("id");

    let Some((heading_line, prompt)) = first_heading_in(&stripped.lines) else {
        return Err((
            directive_line,
            "a question slide needs a heading: expected a line like `# Your question?`".into(),
        ));
    };
    let (options, list_lines) =
        if takes_list { option_list(&stripped.lines, heading_line)? } else { (Vec::new(), Vec::new()) };
    let id = match explicit_id {
        Some(id) => {
            if !valid_id(&id) {
                return Err((directive_line, format!("id={id}: expected 1 to 64 letters, digits, `-` or `_`")));
            }
            if !ids.insert(id.clone()) {
                return Err((directive_line, format!("the question id `{id}` is used twice: ids must be unique")));
            }
            id
        }
        None => unique_id(ids, &prompt, index),
    };
    let draft = Draft { kind, settings, id, prompt, options };
    let question = Question::build(draft).map_err(|fault| match fault {
        Fault::Setting(error) => (directive_line, error.message),
        Fault::List(said) => (list_lines.first().copied().unwrap_or(heading_line), said.message),
        Fault::Option(at, said) => (list_lines.get(at).copied().unwrap_or(heading_line), said.message),
    })?;
    let body_lines: Vec<(usize, String)> =
        stripped.lines.into_iter().filter(|(number, _)| !list_lines.contains(number)).collect();
    if stripped.qa {
        return Err((chunk.first_line, "a slide shows either a question or the Q&A (`<!-- qa -->`), not both".into()));
    }
    if let Some(scores) = stripped.scores {
        let message = format!(
            "a slide shows either a question or the {} (`<!-- {} -->`), not both",
            scores.name(),
            scores.name()
        );
        return Err((chunk.first_line, message));
    }
    let body = join(&body_lines);
    Ok(Slide { body, notes, question: Some(question), qa: false, scores: None, line: chunk.first_line })
}

fn join(lines: &[(usize, String)]) -> String {
    let text: Vec<&str> = lines.iter().map(|(_, text)| text.as_str()).collect();
    text.join("\n").trim().to_string()
}

/// A question id: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        // The audience Q&A is filed under this id: no question may take it.
        && id != crate::session::board::QA
}

/// The kind named first in a `question:` directive, and the settings after it.
fn parse_directive(text: &str) -> Result<(&str, Settings), SettingError> {
    let text = text.trim();
    let (kind, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if kind.is_empty() {
        let names: Vec<&str> = question::KINDS.iter().map(|spec| spec.name).collect();
        return Err(SettingError::general(format!("expected a question kind after `question:`: {}", names.join(", "))));
    }
    Ok((kind, Settings::parse(rest)?))
}

fn first_heading(body: &str) -> Option<(usize, String)> {
    body.lines().enumerate().find_map(|(index, line)| heading_text(line).map(|text| (index + 1, text)))
}

fn first_heading_in(lines: &[(usize, String)]) -> Option<(usize, String)> {
    lines.iter().find_map(|(number, line)| heading_text(line).map(|text| (*number, text)))
}

/// The text of an ATX heading line (`# Title`), or `None` for any other line.
pub(super) fn heading_text(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let hashes = trimmed.len() - trimmed.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) || line.len() - trimmed.len() > 3 {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    // A closing run of `#` counts only after a space, as in CommonMark: `# C#` is about C#.
    let text = rest.trim();
    let unclosed = text.trim_end_matches('#');
    let text = if unclosed.is_empty() || unclosed.ends_with([' ', '\t']) { unclosed.trim() } else { text };
    (!text.is_empty()).then(|| text.to_string())
}

/// The first list after the heading: its items are the options (statements, items).
fn option_list(lines: &[(usize, String)], after: usize) -> Result<(Vec<String>, Vec<usize>), LineError> {
    let mut options = Vec::new();
    let mut used = Vec::new();
    for (number, line) in lines.iter().filter(|(number, _)| *number > after) {
        match list_item(line) {
            Some(item) => {
                options.push(item.trim().to_string());
                used.push(*number);
            }
            None if options.is_empty() => {}
            None if line.trim().is_empty() => {}
            None if line.starts_with([' ', '\t']) => {
                return Err((*number, "each option is one line: expected `- Option` here".into()));
            }
            None => break,
        }
    }
    Ok((options, used))
}

fn list_item(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let rest = if let Some(rest) = trimmed.strip_prefix(['-', '*', '+']) {
        rest
    } else {
        let digits = trimmed.len() - trimmed.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || digits > 9 {
            return None;
        }
        trimmed[digits..].strip_prefix(['.', ')'])?
    };
    if !rest.starts_with([' ', '\t']) || rest.trim().is_empty() {
        return None;
    }
    Some(rest.trim())
}

/// A readable id from the prompt, made unique within the deck.
fn unique_id(ids: &mut HashSet<String>, prompt: &str, index: usize) -> String {
    let mut slug = String::new();
    for c in prompt.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let base = if slug.is_empty() { format!("question-{}", index + 1) } else { slug.to_string() };
    // The audience Q&A's own id is never a question's: "QA" becomes `qa-2`.
    if base == crate::session::board::QA {
        ids.insert(base.clone());
    }
    let mut id = base.clone();
    let mut n = 2;
    while !ids.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}
