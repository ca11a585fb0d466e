//! `handsup check` and `handsup export`: one-shot commands for scripts, with exit codes.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use handsup_core::app::{default_data_dir, load_deck};
use handsup_core::{export, DeckSource};

use crate::cli::ExportArgs;

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
    let csv =
        if args.leaderboard { export::leaderboard_csv(&data, args.session) } else { export::csv(&data, args.session) };
    let written = csv.map_err(|error| error.to_string()).and_then(|csv| match &args.out {
        Some(path) => std::fs::write(path, csv).map_err(|error| format!("cannot write {}: {error}", path.display())),
        None => std::io::stdout().lock().write_all(csv.as_bytes()).map_err(|error| error.to_string()),
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("handsup: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints every session in the data folder (`handsup sessions`).
pub fn sessions(data: Option<std::path::PathBuf>) -> ExitCode {
    let data = data.unwrap_or_else(default_data_dir);
    match export::sessions(&data) {
        Ok(sessions) => match std::io::stdout().lock().write_all(export::sessions_table(&sessions).as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("handsup: {error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("handsup: {error}");
            ExitCode::FAILURE
        }
    }
}
