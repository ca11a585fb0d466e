//! The `handsup` command: the desktop app, or `handsup serve` with no window.
//!
//! Everything that matters lives in `handsup-core`; this crate parses the
//! command line, runs the server headless, or wraps it in a Tauri window.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod cli;
mod commands;
#[cfg(feature = "desktop")]
mod desktop;
mod serve;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    init_logging();
    if let Err(error) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(%error, "cannot raise the open-file limit; large rooms may be turned away");
    }
    let cli = cli::Cli::parse();
    let result = match cli.command {
        Some(cli::Command::Serve(args)) => commands::with_record(args.into_config(), serve::run),
        Some(cli::Command::Check { deck }) => return commands::check(&deck),
        Some(cli::Command::Export(args)) => return commands::export(args),
        Some(cli::Command::Sessions(args)) => return commands::sessions(args),
        None => commands::with_record(cli.app.into_config(), |config| open_window(config, cli.desktop, started)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("handsup: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "desktop")]
fn open_window(
    config: handsup_core::Config,
    options: cli::DesktopArgs,
    started: std::time::Instant,
) -> Result<(), handsup_core::Error> {
    desktop::run(config, options, started)
}

#[cfg(not(feature = "desktop"))]
fn open_window(_: handsup_core::Config, _: cli::DesktopArgs, _: std::time::Instant) -> Result<(), handsup_core::Error> {
    Err(handsup_core::Error::Server(std::io::Error::other(
        "this build has no desktop window (built without the `desktop` feature): use `handsup serve`",
    )))
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HANDSUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,handsup=info,handsup_core=info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
