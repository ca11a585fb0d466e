//! `handsup check` and `handsup export`: one-shot commands for scripts, with exit codes.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use handsup_core::app::{default_data_dir, load_deck};
use handsup_core::export::Format;
use handsup_core::{export, Config, DeckSource};

use crate::cli::{ExportArgs, SessionsArgs};

/// Prints `ok: N slides, M questions`, or the deck's error as `FILE:LINE: …` (exit 1).
pub fn check(deck: &Path) -> ExitCode {
    match load_deck(&DeckSource::File(deck.to_path_buf())) {
        Ok(file) => {
            let questions = file.deck.questions().count();
            println!("ok: {} slides, {questions} questions", file.deck.slides.len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the CSV to `--out` (atomically enough: all at once) or to standard output.
pub fn export(args: ExportArgs) -> ExitCode {
    let data = args.data.unwrap_or_else(default_data_dir);
    if let Some(out) = &args.out {
        let written = if args.leaderboard {
            export::leaderboard_csv(&data, args.session)
                .map_err(|e| e.to_string())
                .and_then(|csv| std::fs::write(out, csv).map_err(|e| format!("cannot write {}: {e}", out.display())))
        } else {
            export::write(&data, args.session, args.format, out).map_err(|e| e.to_string())
        };
        return finish(written);
    }
    let text = match args.format {
        _ if args.leaderboard => export::leaderboard_csv(&data, args.session),
        Format::Csv => export::csv(&data, args.session),
        Format::Html => export::report(&data, args.session),
        Format::Xlsx | Format::Handsup => {
            return finish(Err("this format is a binary file: name it with --out FILE".to_string()));
        }
    };
    finish(
        text.map_err(|e| e.to_string())
            .and_then(|text| std::io::stdout().lock().write_all(text.as_bytes()).map_err(|error| error.to_string())),
    )
}

fn finish(done: Result<(), String>) -> ExitCode {
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("handsup: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints every session in the data folder (`handsup sessions`), or deletes one,
/// or one participant's answers, once `--yes` confirms it.
pub fn sessions(args: SessionsArgs) -> ExitCode {
    let data = args.data.unwrap_or_else(default_data_dir);
    let listed = match export::sessions(&data) {
        Ok(sessions) => sessions,
        Err(error) => return finish(Err(error.to_string())),
    };
    let done = if let Some(id) = args.delete {
        match listed.iter().find(|session| session.id == id) {
            None => Err(format!("there is no session {id} in this data folder")),
            Some(session) if !args.yes => {
                println!(
                    "would delete session {id} ({}, {} participants, {} answers): add --yes to delete it",
                    session.title, session.participants, session.answers
                );
                Ok(())
            }
            Some(_) => export::delete_session(&data, id).map_err(|error| error.to_string()).map(|()| {
                println!("deleted session {id}");
            }),
        }
    } else if let (Some(who), Some(id)) = (&args.delete_participant, args.session) {
        match who.strip_prefix(['P', 'p']).and_then(|number| number.parse::<i64>().ok()) {
            None => Err(format!("`{who}` is not a participant: expected P and a number, as exports write them (P7)")),
            Some(number) if !args.yes => {
                println!("would delete P{number}'s answers and posts from session {id}: add --yes to delete them");
                Ok(())
            }
            Some(number) => export::delete_participant(&data, id, number)
                .map_err(|error| error.to_string())
                .map(|gone| println!("deleted {gone} answers and posts of P{number} from session {id}")),
        }
    } else {
        std::io::stdout()
            .lock()
            .write_all(export::sessions_table(&listed).as_bytes())
            .map_err(|error| error.to_string())
    };
    finish(done)
}

/// The unpacked session files' folders in the temporary folder: `handsup-record-PID-TIME`.
const RECORD_PREFIX: &str = "handsup-record-";

/// Removes what an earlier Handsup unpacked and could not remove itself (the
/// desktop app ends without returning here): folders of processes no longer
/// running, or, where that cannot be told, older than a day. They hold answers.
fn sweep_old_records() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(RECORD_PREFIX).and_then(|rest| rest.split('-').next()) else { continue };
        let gone = if cfg!(target_os = "linux") {
            !std::path::Path::new("/proc").join(pid).exists()
        } else {
            let age = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            age.is_some_and(|age| age > std::time::Duration::from_secs(24 * 3600))
        };
        if gone && pid != std::process::id().to_string() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs `present` on `config`, or on the unpacked session when the deck is a
/// `.handsup` file (see [`record`]), and removes the unpacked copy afterwards.
pub fn with_record(
    config: Config,
    present: impl FnOnce(Config) -> Result<(), handsup_core::Error>,
) -> Result<(), handsup_core::Error> {
    let file = match &config.deck {
        DeckSource::File(file) if file.extension().and_then(|e| e.to_str()) == Some(export::EXTENSION) => file.clone(),
        _ => return present(config),
    };
    let (config, unpacked) = record(config, &file)?;
    let presented = present(config);
    let _ = std::fs::remove_dir_all(unpacked);
    presented
}

/// A `.handsup` file given as the deck is unpacked into a folder of its own and
/// its session shown from there read-only: its results as they were, phones
/// turned away, and the file itself never changes. Returns the folder.
fn record(mut config: Config, file: &std::path::Path) -> Result<(Config, std::path::PathBuf), handsup_core::Error> {
    sweep_old_records();
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let into = std::env::temp_dir().join(format!("{RECORD_PREFIX}{}-{stamp}", std::process::id()));
    let unpacked = export::unpack(file, &into)
        .map_err(|error| handsup_core::Error::Server(std::io::Error::other(format!("{}: {error}", file.display()))))?;
    eprintln!("handsup: presenting the session recorded in {} (read-only: phones cannot join)", file.display());
    config.deck = DeckSource::File(unpacked.deck);
    config.data_dir = unpacked.data_dir;
    config.bind = Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    config.fresh = false;
    config.review = Some(unpacked.session);
    Ok((config, into))
}
