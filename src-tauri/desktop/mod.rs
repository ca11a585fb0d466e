//! The desktop app: the projector and presenter windows around the core server, with native menus and dialogs.
//!
//! Every window shows a page from the loopback presenter listener; no page gets
//! Tauri IPC. Native parts (menus, file dialogs, dropped files, a second launch)
//! are handled here in Rust and reach the server through the core's [`Controller`].

mod menu;
mod windows;
mod words;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use handsup_core::{Config, Controller, DeckSource, Error, Running};
use tauri::{AppHandle, Manager, RunEvent};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

use crate::cli::{Cli, DesktopArgs};

/// The running server, held by the app so the exit handler can stop it.
struct ServerSlot(Mutex<Option<Running>>);

/// What menus and window code need from the running server.
#[derive(Clone)]
struct Shell {
    /// Steers the server: open decks, move slides. The core's supervisor holds the other end.
    controller: Controller,
    /// The presenter page on loopback with its token; every window URL derives from it.
    presenter_url: String,
    options: DesktopArgs,
}

pub fn run(config: Config, options: DesktopArgs, started: Instant) -> Result<(), Error> {
    let app = tauri::Builder::default()
        // First: a second launch hands its arguments to this one and exits before starting a server.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            windows::focus_main(app);
            if let Some(path) = deck_argument(&argv, &cwd) {
                open_deck(app, path);
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(
            // The projector's place follows the chosen display, not the last run.
            tauri_plugin_window_state::Builder::default().with_denylist(&[windows::PROJECTOR]).build(),
        )
        .setup(move |app| {
            let handle = app.handle().clone();
            // Tauri's runtime is the one the server runs on (a plain tokio::spawn here has no reactor).
            match tauri::async_runtime::block_on(handsup_core::start(config)) {
                Ok(running) => {
                    eprintln!("participant: {}", running.participant_url);
                    let shell = Shell {
                        controller: running.controller(),
                        presenter_url: running.presenter_url.clone(),
                        options,
                    };
                    menu::follow_presented(&handle, running.presented());
                    menu::follow_notices(&handle, running.notices());
                    menu::follow_networks(&handle, running.controller());
                    // Logging out or `kill` ends the app like Quit: sockets closed, votes committed.
                    let quit = handle.clone();
                    tauri::async_runtime::spawn(async move {
                        crate::serve::termination().await;
                        tracing::info!("asked to stop: quitting");
                        quit.exit(0);
                    });
                    windows::open_for_displays(&handle, &shell, &running.deck().title, started)?;
                    app.manage(shell);
                    app.manage(ServerSlot(Mutex::new(Some(running))));
                }
                Err(error) => cannot_start(&handle, &error),
            }
            Ok(())
        })
        .on_menu_event(menu::handle)
        .build(tauri::generate_context!())
        .map_err(|error| Error::Server(std::io::Error::other(error.to_string())))?;

    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            let running = handle
                .try_state::<ServerSlot>()
                .and_then(|slot| slot.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take());
            if let Some(running) = running {
                // Close every phone's socket and commit the last votes before the process ends.
                if let Err(error) = tauri::async_runtime::block_on(running.stop()) {
                    eprintln!("handsup: {error}");
                }
            }
        }
    });
    Ok(())
}

/// The port is taken, the deck has an error…: say so in a window, not only on a terminal nobody sees.
fn cannot_start(handle: &AppHandle, error: &Error) {
    eprintln!("handsup: {error}");
    let exit = handle.clone();
    handle
        .dialog()
        .message(error.to_string())
        .title("Handsup cannot start")
        .kind(MessageDialogKind::Error)
        .show(move |_| exit.exit(1));
}

/// Puts the deck at `path` on screen, or explains in a dialog why it cannot.
fn open_deck(handle: &AppHandle, path: PathBuf) {
    let Some(shell) = handle.try_state::<Shell>().map(|shell| shell.inner().clone()) else {
        return;
    };
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = shell.controller.open(DeckSource::File(path), Vec::new()).await {
            handle
                .dialog()
                .message(error.to_string())
                .title("Cannot open the deck")
                .kind(MessageDialogKind::Error)
                .show(|_| {});
        }
    });
}

/// The deck a second launch named, resolved against the folder it was started in.
fn deck_argument(argv: &[String], cwd: &str) -> Option<PathBuf> {
    use clap::Parser;
    let cli = Cli::try_parse_from(argv).ok()?;
    let deck = cli.app.deck?;
    Some(if deck.is_absolute() { deck } else { PathBuf::from(cwd).join(deck) })
}
