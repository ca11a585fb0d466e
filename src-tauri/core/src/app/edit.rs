//! The deck editor's save, as a use case: check, ask before discarding answers, write atomically.
//!
//! The HTTP handler only carries the request here (through [`SaveDeck`]) and the
//! outcome back; the supervisor runs this, then puts the saved deck on screen.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::deck::{check_forms, deck_forms, write_deck, DeckFile, EditedDeck, Original, SlideForm};
use crate::server::{Answered, EditRefusal, SaveRequest};

/// A save that went through: the file to present, and the answers it discards.
pub(super) struct Saved {
    pub path: PathBuf,
    pub discard: Vec<String>,
    pub slides: usize,
}

/// Checks and writes `request` over (or beside) `file`. `counts` are the answers the
/// running session holds per question, for the "this discards answers" question.
pub(super) async fn save(
    file: &DeckFile,
    counts: &HashMap<String, u64>,
    request: SaveRequest,
) -> Result<Saved, EditRefusal> {
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
    let (markdown, _) = write_deck(original, &edited, &path.display().to_string())
        .map_err(|error| EditRefusal::invalid(error, check_forms(&edited)))?;

    let affected = affected_questions(&deck_forms(&file.deck), &edited.slides, counts);
    if !affected.is_empty() && !request.discard_answers {
        return Err(EditRefusal::Confirm { questions: affected });
    }
    let target = path.clone();
    tokio::task::spawn_blocking(move || write_atomically(&target, &markdown))
        .await
        .map_err(|join| EditRefusal::Io(join.to_string()))?
        .map_err(|error| EditRefusal::Io(format!("cannot save {}: {error}", path.display())))?;
    Ok(Saved { path, discard: affected.into_iter().map(|q| q.id).collect(), slides })
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

/// A full path to a Markdown file in a folder that exists (or can be made).
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
    let folder = path.parent().ok_or_else(|| invalid("the path has no folder".into()))?;
    std::fs::create_dir_all(folder)
        .map_err(|error| invalid(format!("cannot use the folder {}: {error}", folder.display())))?;
    let folder = std::fs::canonicalize(folder).map_err(|error| invalid(format!("{}: {error}", folder.display())))?;
    let name = path.file_name().ok_or_else(|| invalid("the path has no file name".into()))?;
    Ok(folder.join(name))
}

/// Writes beside the target and renames over it: a crash leaves the old file or the new, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.saving"));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    if let Some(folder) = path.parent() {
        // The rename itself must reach the disk too.
        if let Ok(folder) = std::fs::File::open(folder) {
            let _ = folder.sync_all();
        }
    }
    Ok(())
}
