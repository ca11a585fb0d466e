//! `handsup serve`: the same server with no window, until Ctrl-C or SIGTERM.

use std::io::Write;

use handsup_core::{Config, Error};

pub fn run(config: Config) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let running = handsup_core::start(config).await?;
        eprintln!(
            "handsup: presenting \"{}\" ({} slides); answers are stored in {}",
            running.deck().title,
            running.deck().slides.len(),
            running.database.display()
        );
        // These two lines are a contract: scripts and tests read them.
        let mut out = std::io::stdout().lock();
        writeln!(out, "participant: {}", running.participant_url)?;
        writeln!(out, "presenter: {}", running.presenter_url)?;
        out.flush()?;
        drop(out);

        let stop = running.shutdown_token();
        tokio::select! {
            () = termination() => eprintln!("handsup: shutting down"),
            () = stop.cancelled() => {}
        }
        running.stop().await
    })
}

/// Resolves on Ctrl-C, or SIGTERM where there is one.
pub async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
