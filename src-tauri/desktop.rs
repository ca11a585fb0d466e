//! The desktop app: a Tauri window on the presenter page, over the same core server.

use std::sync::Mutex;

use handsup_core::{Config, Error, Running};
use tauri::{Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};

/// The running server, held by the app so the exit handler can stop it.
struct ServerSlot(Mutex<Option<Running>>);

pub fn run(config: Config) -> Result<(), Error> {
    let app = tauri::Builder::default()
        .setup(move |app| {
            // Tauri's runtime is the one the server runs on (a plain tokio::spawn here has no reactor).
            let running = tauri::async_runtime::block_on(handsup_core::start(config))?;
            eprintln!("participant: {}", running.participant_url);
            let url = running.presenter_url.parse()?;
            WebviewWindowBuilder::new(app, "presenter", WebviewUrl::External(url))
                .title(format!("Handsup — {}", running.deck().title))
                .inner_size(1280.0, 800.0)
                .min_inner_size(800.0, 500.0)
                .build()?;
            app.manage(ServerSlot(Mutex::new(Some(running))));
            Ok(())
        })
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
