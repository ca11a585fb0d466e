//! The deck editor's save, as a use case: check, ask before discarding answers, write atomically.
//!
//! The HTTP handler only carries the request here (through `SaveDeck`) and the
//! outcome back; the supervisor checks it, prepares the new deck's session,
//! writes the file, and only then swaps the deck on screen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::deck::{check_forms, deck_forms, write_deck, DeckFile, DeckSource, EditedDeck, Original, SlideForm};
use crate::server::{Answered, EditRefusal, SaveRequest};

/// A save that passed every check: the deck to write and present, and the answers it discards.
pub(super) struct Checked {
    /// The deck as it will read from its file once written.
    pub file: DeckFile,
    pub path: PathBuf,
    pub discard: Vec<String>,
    pub slides: usize,
}

/// Checks `request` against `file`, the deck on screen, without writing anything.
/// `counts` are the answers the running session holds per question, for the
/// "this discards answers" question.
pub(super) fn check(
    file: &DeckFile,
    counts: &HashMap<String, u64>,
    request: SaveRequest,
) -> Result<Checked, EditRefusal> {
    let path = checked_path(&request.path)?;
    if file.path().as_deref() == Some(path.as_path()) {
        // Someone else (a text editor, a sync tool) may have changed the file since it was opened.
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk != file.text {
            return Err(EditRefusal::Conflict(format!(
                "{} changed on disk since Handsup opened it; reopen it to edit the new version",
                path.display()
            )));
        }
    } else if path.exists() {
        return Err(EditRefusal::message(format!("{} already exists: choose another name", path.display())));
    }

    let slides = request.slides.len();
    let edited = EditedDeck { title: request.title, slides: request.slides };
    // A deck made from scratch in the editor owes nothing (front matter included) to the one on screen.
    let from_scratch = edited.slides.iter().all(|slide| slide.original.is_none());
    let original = (!from_scratch).then(|| Original { source: &file.text, deck: &file.deck });
    let (markdown, deck) = write_deck(original, &edited, &path.display().to_string())
        .map_err(|error| EditRefusal::invalid(error, check_forms(&edited)))?;

    let affected = affected_questions(&deck_forms(&file.deck), &edited.slides, counts);
    if !affected.is_empty() && !request.discard_answers {
        return Err(EditRefusal::Confirm { questions: affected });
    }
    let file = DeckFile { source: DeckSource::File(path.clone()), text: markdown, deck: Arc::new(deck) };
    Ok(Checked { file, path, discard: affected.into_iter().map(|q| q.id).collect(), slides })
}

/// Writes a checked deck to its file.
pub(super) async fn write(checked: &Checked) -> Result<(), EditRefusal> {
    let (path, text) = (checked.path.clone(), checked.file.text.clone());
    tokio::task::spawn_blocking(move || write_atomically(&path, &text))
        .await
        .map_err(|join| EditRefusal::Io(join.to_string()))?
        .map_err(|error| EditRefusal::Io(format!("cannot save {}: {error}", checked.path.display())))
}

/// Questions with answers whose kind, options or answer-bound settings the edit changes, or that it removes.
fn affected_questions(before: &[SlideForm], after: &[SlideForm], counts: &HashMap<String, u64>) -> Vec<Answered> {
    before
        .iter()
        .filter(|form| form.is_question())
        .filter_map(|old| {
            let id = old.id.as_ref()?;
            let answers = counts.get(id).copied().unwrap_or(0);
            if answers == 0 {
                return None;
            }
            let kept = after.iter().find(|new| new.id.as_ref() == Some(id) && new.is_question());
            match kept {
                Some(new) if !old.answers_change(new) => None,
                _ => Some(Answered { id: id.clone(), title: old.title.clone(), answers }),
            }
        })
        .collect()
}

/// A full path to a Markdown file, with its folder's links resolved and, when the
/// file itself is a link, the link resolved once: the save is written at its target
/// and the link stays a link. Nothing is created here: the folder is made only
/// once every check has passed.
fn checked_path(path: &Path) -> Result<PathBuf, EditRefusal> {
    let invalid = EditRefusal::message;
    if !path.is_absolute() {
        return Err(invalid(format!("`{}` is not a full path: start it at the root, like /home/…", path.display())));
    }
    let markdown =
        path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"));
    if !markdown {
        return Err(invalid("a deck is a Markdown file: end its name with .md".into()));
    }
    let name = path.file_name().ok_or_else(|| invalid("the path has no file name".into()))?;
    let folder = path.parent().ok_or_else(|| invalid("the path has no folder".into()))?;
    // The nearest folder that exists, with its links resolved; the rest is made at write time.
    let mut existing = folder.to_path_buf();
    let mut missing = Vec::new();
    while !existing.exists() {
        let Some(last) = existing.file_name().map(|n| n.to_os_string()) else { break };
        missing.push(last);
        existing.pop();
    }
    let mut resolved =
        std::fs::canonicalize(&existing).map_err(|error| invalid(format!("{}: {error}", existing.display())))?;
    if !resolved.is_dir() {
        return Err(invalid(format!("{} is not a folder", resolved.display())));
    }
    resolved.extend(missing.into_iter().rev());
    let target = resolved.join(name);
    match std::fs::symlink_metadata(&target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let real = std::fs::canonicalize(&target).map_err(|error| {
                invalid(format!("{} is a link that leads nowhere ({error}): choose another name", target.display()))
            })?;
            if !real.is_file() {
                return Err(invalid(format!("{} is a link to something that is not a file", target.display())));
            }
            Ok(real)
        }
        Ok(meta) if !meta.is_file() => Err(invalid(format!("{} is not a file", target.display()))),
        _ => Ok(target),
    }
}

/// Writes beside the target and renames over it: a crash leaves the old file or
/// the new, never half of one. The file beside it gets an unpredictable name and
/// is created only if nothing (not even a link) has that name, so a planted link
/// can never redirect the write; the old file's permissions carry over.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path.parent().ok_or_else(|| std::io::Error::other("the path has no folder"))?;
    std::fs::create_dir_all(folder)?;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|error| std::io::Error::other(error.to_string()))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let temporary = folder.join(format!(".{name}.{suffix}.saving"));
    // create_new is O_CREAT|O_EXCL: it fails on any existing name, a dangling link included.
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temporary)?;
    let written = (|| {
        if let Ok(old) = std::fs::metadata(path) {
            file.set_permissions(old.permissions())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    // The rename itself must reach the disk too.
    if let Ok(folder) = std::fs::File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}
