//! The windows: projector (full screen on the chosen display), presenter view, deck editor.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tauri::webview::{NewWindowResponse, PageLoadEvent};
use tauri::{
    AppHandle, DragDropEvent, Manager, Monitor, Url, WebviewUrl, WebviewWindow, WebviewWindowBuilder, WindowEvent,
};

use super::{menu, open_deck, Shell};

pub const PROJECTOR: &str = "projector";
pub const PRESENTER: &str = "presenter";
pub const EDITOR: &str = "editor";
pub const SESSIONS: &str = "sessions";
pub const REPORT: &str = "report";

/// Which display each window goes on, by index into the monitor list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The display the projector window fills; `None` with a single display.
    pub projector: Option<usize>,
    /// Where the presenter view opens (the laptop's own display).
    pub laptop: usize,
}

/// Chooses displays: the projector on `wanted` (counted from 1) or on the first
/// display that is not the primary one; the presenter view on the primary.
pub fn place(monitors: &[(i32, i32)], primary: Option<(i32, i32)>, wanted: Option<usize>) -> Placement {
    let primary = primary.and_then(|at| monitors.iter().position(|m| *m == at)).unwrap_or(0);
    if monitors.len() < 2 {
        return Placement { projector: None, laptop: 0 };
    }
    let projector = match wanted {
        Some(n) if (1..=monitors.len()).contains(&n) => n - 1,
        _ => (0..monitors.len()).find(|&i| i != primary).unwrap_or(0),
    };
    let laptop =
        if projector == primary { (0..monitors.len()).find(|&i| i != projector).unwrap_or(0) } else { primary };
    Placement { projector: Some(projector), laptop }
}

/// Opens the windows for the displays there are: with two or more, the presenter
/// view on the laptop and the projector full screen on the other; with one, the
/// projector alone (plus the presenter view when asked for, to rehearse).
pub fn open_for_displays(app: &AppHandle, shell: &Shell, title: &str, started: Instant) -> tauri::Result<()> {
    let monitors = app.available_monitors().unwrap_or_default();
    let positions: Vec<(i32, i32)> = monitors.iter().map(|m| (m.position().x, m.position().y)).collect();
    let primary = app.primary_monitor().ok().flatten().map(|m| (m.position().x, m.position().y));
    let placement = place(&positions, primary, shell.options.display);
    tracing::info!(displays = monitors.len(), ?placement, "opening windows");
    let ready = Ready::new(started);
    match placement.projector {
        Some(projector) => {
            open_presenter(app, shell, title, monitors.get(placement.laptop), &ready)?;
            open_projector(app, shell, title, monitors.get(projector), false, &ready)?;
        }
        None => {
            open_projector(app, shell, title, None, !shell.options.presenter_view, &ready)?;
            if shell.options.presenter_view {
                open_presenter(app, shell, title, monitors.first(), &ready)?;
            }
        }
    }
    Ok(())
}

/// Logs, once, how long the first window took to show the deck (startup time).
#[derive(Clone)]
struct Ready {
    started: Instant,
    logged: std::sync::Arc<AtomicBool>,
}

impl Ready {
    fn new(started: Instant) -> Ready {
        Ready { started, logged: Default::default() }
    }

    fn page_loaded(&self) {
        if !self.logged.swap(true, Ordering::SeqCst) {
            tracing::info!("window ready in {} ms", self.started.elapsed().as_millis());
        }
    }
}

fn page_url(shell: &Shell, path: &str, view: Option<&str>) -> tauri::Result<Url> {
    let mut url: Url = shell.presenter_url.parse().map_err(|error| tauri::Error::Io(std::io::Error::other(error)))?;
    url.set_path(path);
    {
        let mut query = url.query_pairs_mut();
        if let Some(view) = view {
            query.append_pair("view", view);
        }
        query.append_pair("shell", "desktop");
    }
    Ok(url)
}

/// A window on one of our loopback pages. It may only ever show pages of that
/// origin: a link in a slide cannot take it to the web, and no page can open windows.
fn page_window<'a>(
    app: &'a AppHandle,
    label: &'a str,
    url: Url,
    title: String,
    ready: Option<Ready>,
) -> WebviewWindowBuilder<'a, tauri::Wry, AppHandle> {
    let origin = url.origin();
    let builder = WebviewWindowBuilder::new(app, label, WebviewUrl::External(url))
        .title(title)
        .on_navigation(move |target| {
            let allowed = target.origin() == origin;
            if !allowed {
                tracing::warn!(%target, "navigation away from Handsup's own pages refused");
            }
            allowed
        })
        .on_new_window(|target, _| {
            tracing::warn!(%target, "a page tried to open a window; refused");
            NewWindowResponse::Deny
        });
    match ready {
        Some(ready) => builder.on_page_load(move |_, payload| {
            if payload.event() == PageLoadEvent::Finished {
                ready.page_loaded();
            }
        }),
        None => builder,
    }
}

fn open_presenter(
    app: &AppHandle,
    shell: &Shell,
    title: &str,
    display: Option<&Monitor>,
    ready: &Ready,
) -> tauri::Result<WebviewWindow> {
    let url = page_url(shell, "/", None)?;
    let window = page_window(app, PRESENTER, url, presenter_title(title), Some(ready.clone()))
        .inner_size(1280.0, 800.0)
        .min_inner_size(800.0, 500.0)
        .menu(menu::menu_bar(app)?)
        .build()?;
    if let Some(display) = display {
        let _ = window.set_position(*display.position());
    }
    follow_events(&window, true);
    Ok(window)
}

/// The projector: full screen on `display`, or a plain window (with the menus,
/// hidden in full screen) when it is the only window.
fn open_projector(
    app: &AppHandle,
    shell: &Shell,
    title: &str,
    display: Option<&Monitor>,
    with_menu: bool,
    ready: &Ready,
) -> tauri::Result<WebviewWindow> {
    let url = page_url(shell, "/", Some("projector"))?;
    let mut builder = page_window(app, PROJECTOR, url, projector_title(title), Some(ready.clone()))
        .inner_size(1280.0, 720.0)
        .min_inner_size(480.0, 270.0);
    if with_menu {
        builder = builder.menu(menu::menu_bar(app)?);
    }
    let window = builder.build()?;
    if let Some(display) = display {
        let at = display.position();
        let _ = window.set_position(*at);
        window.set_fullscreen_on_monitor(tauri::PhysicalPosition::new(f64::from(at.x), f64::from(at.y)))?;
    }
    follow_events(&window, !with_menu && display.is_none());
    if with_menu {
        let projector = window.clone();
        window.on_window_event(move |event| {
            if let WindowEvent::Resized(_) = event {
                // The menu bar would sit on top of the audience's full-screen slide.
                let full = projector.is_fullscreen().unwrap_or(false);
                let _ = if full { projector.hide_menu() } else { projector.show_menu() };
            }
        });
    }
    Ok(window)
}

/// The deck editor, in its own window (focused if already open).
pub fn open_editor(app: &AppHandle, shell: &Shell, new_deck: bool) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(EDITOR) {
        return window.set_focus();
    }
    let mut url = page_url(shell, "/editor", None)?;
    if new_deck {
        url.query_pairs_mut().append_pair("new", "1");
    }
    let window = page_window(app, EDITOR, url, "Handsup — deck editor".into(), None)
        .inner_size(1280.0, 800.0)
        .min_inner_size(800.0, 500.0)
        .build()?;
    follow_events(&window, false);
    Ok(())
}

/// The Sessions window: every session of the data folder, to show one again,
/// delete it, or delete one participant's answers.
pub fn open_sessions(app: &AppHandle, shell: &Shell) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(SESSIONS) {
        let _ = window.eval("location.reload()");
        return window.set_focus();
    }
    let url = page_url(shell, "/sessions", None)?;
    let window = page_window(app, SESSIONS, url, "Handsup — sessions".into(), None)
        .inner_size(900.0, 640.0)
        .min_inner_size(480.0, 360.0)
        .build()?;
    follow_events(&window, false);
    Ok(())
}

/// The report of the session on screen, in a window of its own, with the
/// system's print dialog once it has loaded (to paper or to a PDF).
pub fn print_report(app: &AppHandle, shell: &Shell) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(REPORT) {
        let _ = window.close();
    }
    let url = page_url(shell, "/report", None)?;
    let window = page_window(app, REPORT, url, "Handsup — report".into(), None)
        .inner_size(1000.0, 800.0)
        .on_page_load(|window, payload| {
            if payload.event() == PageLoadEvent::Finished {
                if let Err(error) = window.print() {
                    tracing::warn!(%error, "cannot open the print dialog");
                }
            }
        })
        .build()?;
    follow_events(&window, false);
    Ok(())
}

/// Opens the presenter view or the projector when asked from the View menu.
pub fn show(app: &AppHandle, shell: &Shell, label: &str, title: &str) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(label) {
        window.show()?;
        return window.set_focus();
    }
    let ready = Ready::new(Instant::now());
    if label == PRESENTER {
        open_presenter(app, shell, title, None, &ready)?;
    } else {
        let monitors = app.available_monitors().unwrap_or_default();
        let positions: Vec<(i32, i32)> = monitors.iter().map(|m| (m.position().x, m.position().y)).collect();
        let primary = app.primary_monitor().ok().flatten().map(|m| (m.position().x, m.position().y));
        let placement = place(&positions, primary, shell.options.display);
        let display = placement.projector.and_then(|i| monitors.get(i));
        let alone = app.get_webview_window(PRESENTER).is_none();
        open_projector(app, shell, title, display, alone && display.is_none(), &ready)?;
    }
    Ok(())
}

/// Dropped deck files (Markdown or PDF) open; closing the presenter view (the speaker's cockpit) quits.
fn follow_events(window: &WebviewWindow, quits_on_close: bool) {
    let app = window.app_handle().clone();
    window.on_window_event(move |event| match event {
        WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) => {
            // A Markdown deck, or a PDF (its pages, or the deck beside it).
            let deck = paths.iter().find(|path| {
                path.extension()
                    .is_some_and(|ext| ["md", "markdown", "pdf"].iter().any(|known| ext.eq_ignore_ascii_case(known)))
            });
            match deck {
                Some(deck) => open_deck(&app, deck.clone()),
                None => tracing::warn!(?paths, "dropped files are not decks (Markdown or PDF)"),
            }
        }
        // Destroyed as well: a window can go without being asked (a test driver closing it).
        WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed if quits_on_close => {
            tracing::info!("the presenter view closed: quitting");
            app.exit(0);
        }
        _ => {}
    });
}

/// Brings the main window (presenter view, or the projector when alone) to the front.
pub fn focus_main(app: &AppHandle) {
    let window = app.get_webview_window(PRESENTER).or_else(|| app.get_webview_window(PROJECTOR));
    if let Some(window) = window {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

pub fn presenter_title(deck: &str) -> String {
    format!("Handsup — {deck}")
}

pub fn projector_title(deck: &str) -> String {
    format!("Handsup projector — {deck}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_display_gets_the_projector_alone() {
        assert_eq!(place(&[(0, 0)], Some((0, 0)), None), Placement { projector: None, laptop: 0 });
        assert_eq!(place(&[], None, Some(2)), Placement { projector: None, laptop: 0 });
    }

    #[test]
    fn the_projector_goes_on_a_display_that_is_not_the_laptops() {
        let displays = [(0, 0), (1920, 0)];
        assert_eq!(place(&displays, Some((0, 0)), None), Placement { projector: Some(1), laptop: 0 });
        assert_eq!(place(&displays, Some((1920, 0)), None), Placement { projector: Some(0), laptop: 1 });
        assert_eq!(place(&displays, None, None), Placement { projector: Some(1), laptop: 0 });
    }

    #[test]
    fn a_chosen_display_wins_and_out_of_range_is_ignored() {
        let displays = [(0, 0), (1920, 0), (3840, 0)];
        assert_eq!(place(&displays, Some((0, 0)), Some(3)), Placement { projector: Some(2), laptop: 0 });
        assert_eq!(place(&displays, Some((0, 0)), Some(1)), Placement { projector: Some(0), laptop: 1 });
        assert_eq!(place(&displays, Some((0, 0)), Some(9)), Placement { projector: Some(1), laptop: 0 });
    }
}
