//! The native menus, and keeping titles and the recent-decks list in step with the deck on screen.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use handsup_core::export::Format;
use handsup_core::net::Kind;
use handsup_core::server::Networks;
use handsup_core::session::PresenterAction;
use handsup_core::Controller;
use handsup_core::Presented;
use tauri::menu::{CheckMenuItemBuilder, Menu, MenuBuilder, MenuEvent, MenuItemBuilder, Submenu, SubmenuBuilder};
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::watch;

use super::windows::{self, EDITOR, PRESENTER, PROJECTOR};
use super::words::Words;
use super::{open_deck, Shell};

/// The recent-decks list the menu shows, so a click maps back to a path.
#[derive(Default)]
struct RecentDecks(Mutex<Vec<PathBuf>>);

/// The networks the View menu lists, as last heard from the server.
#[derive(Default)]
struct NetworkList(Mutex<Option<Networks>>);

/// How often the menu's network list is compared with the server's (which looks at the interfaces every 2 s).
const NETWORKS_EVERY: Duration = Duration::from_secs(3);

/// The deck on screen now, for window titles opened later.
#[derive(Default)]
struct DeckTitle(Mutex<String>);

/// The menu bar, with the recent decks known now.
pub fn menu_bar(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let recent = app
        .try_state::<RecentDecks>()
        .map(|recent| recent.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone())
        .unwrap_or_default();
    let networks = app
        .try_state::<NetworkList>()
        .and_then(|list| list.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone());
    build(app, &recent, networks.as_ref())
}

/// View → Phones Join On: every address phones might use, the one shown checked.
fn network_menu(app: &AppHandle, words: Words, networks: Option<&Networks>) -> tauri::Result<Submenu<Wry>> {
    let say = |english| words.say(english);
    let mut menu = SubmenuBuilder::new(app, say("Phones Join On"));
    let candidates = networks.map(|n| n.candidates.as_slice()).unwrap_or_default();
    if candidates.is_empty() {
        menu = menu.item(&MenuItemBuilder::with_id("none", say("No network")).enabled(false).build(app)?);
    }
    for candidate in candidates {
        let kind = say(match candidate.kind {
            Kind::Wifi => "Wi-Fi",
            Kind::Ethernet => "Ethernet",
            Kind::Hotspot => "Hotspot",
            Kind::Vpn => "VPN",
            Kind::Virtual => "Virtual adapter",
        });
        let label = format!("{kind} · {} · {}", candidate.interface, candidate.address);
        let shown = networks.is_some_and(|n| n.shown.as_deref() == Some(candidate.interface.as_str()));
        let fixed = networks.is_some_and(|n| n.fixed);
        let item = CheckMenuItemBuilder::with_id(format!("network:{}", candidate.interface), label)
            .checked(shown)
            .enabled(!fixed)
            .build(app)?;
        menu = menu.item(&item);
    }
    if networks.is_some_and(|n| n.fixed) {
        menu = menu.item(&MenuItemBuilder::with_id("none", say("Fixed by --bind")).enabled(false).build(app)?);
    }
    menu.build()
}

fn build(app: &AppHandle, recent: &[PathBuf], networks: Option<&Networks>) -> tauri::Result<Menu<Wry>> {
    let words = Words::system();
    let say = |english| words.say(english);
    let mut open_recent = SubmenuBuilder::new(app, say("Open Recent"));
    if recent.is_empty() {
        let none = MenuItemBuilder::with_id("none", say("No recent decks")).enabled(false).build(app)?;
        open_recent = open_recent.item(&none);
    }
    for (index, path) in recent.iter().enumerate() {
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let label = format!("{name} — {}", path.parent().map(|p| p.display().to_string()).unwrap_or_default());
        open_recent = open_recent.item(&MenuItemBuilder::with_id(format!("recent:{index}"), label).build(app)?);
    }
    let item = |id: &str, label: &str, accelerator: Option<&str>| {
        let builder = MenuItemBuilder::with_id(id, label);
        match accelerator {
            Some(accelerator) => builder.accelerator(accelerator).build(app),
            None => builder.build(app),
        }
    };
    let file = SubmenuBuilder::new(app, say("File"))
        .item(&item("new", say("New Deck"), Some("CmdOrCtrl+N"))?)
        .item(&item("open", say("Open Deck…"), Some("CmdOrCtrl+O"))?)
        .item(&open_recent.build()?)
        .item(&item("edit", say("Edit Deck…"), Some("CmdOrCtrl+E"))?)
        .item(&item("export", say("Export Results…"), Some("CmdOrCtrl+Shift+E"))?)
        .item(&item("print-report", say("Print Report…"), None)?)
        .item(&item("sessions", say("Sessions…"), None)?)
        .separator()
        .item(&item("quit", say("Quit"), Some("CmdOrCtrl+Q"))?)
        .build()?;
    // Slide keys (arrows, B…) belong to the page, so these items carry no accelerators.
    let slides = SubmenuBuilder::new(app, say("Slides"))
        .item(&item("next", say("Next Slide"), None)?)
        .item(&item("previous", say("Previous Slide"), None)?)
        .item(&item("first", say("First Slide"), None)?)
        .separator()
        .item(&item("open-voting", say("Open Voting"), None)?)
        .item(&item("close-voting", say("Close Voting"), None)?)
        .item(&item("show-results", say("Show Results"), None)?)
        .item(&item("hide-results", say("Hide Results"), None)?)
        .separator()
        .item(&item("black", say("Black Screen"), None)?)
        .item(&item("unblack", say("Show the Slide Again"), None)?)
        .build()?;
    let view = SubmenuBuilder::new(app, say("View"))
        .item(&item("presenter-view", say("Presenter View"), Some("CmdOrCtrl+P"))?)
        .item(&item("projector", say("Projector Window"), None)?)
        .item(&item("fullscreen", say("Projector Full Screen"), Some("F11"))?)
        .separator()
        .item(&network_menu(app, words, networks)?)
        .item(&item("network", say("Network and Phones…"), None)?)
        .build()?;
    MenuBuilder::new(app).items(&[&file, &slides, &view]).build()
}

pub fn handle(app: &AppHandle, event: MenuEvent) {
    let Some(shell) = app.try_state::<Shell>().map(|shell| shell.inner().clone()) else {
        return;
    };
    let id = event.id().as_ref();
    let result = match id {
        "new" => windows::open_editor(app, &shell, true),
        "edit" => windows::open_editor(app, &shell, false),
        "open" => {
            let app = app.clone();
            app.dialog()
                .file()
                .add_filter("Deck (Markdown or PDF)", &["md", "markdown", "pdf"])
                .set_title("Open a deck")
                .pick_file(move |picked| {
                    if let Some(path) = picked.and_then(|path| path.into_path().ok()) {
                        open_deck(&app, path);
                    }
                });
            Ok(())
        }
        "export" => {
            export_results(app, &shell);
            Ok(())
        }
        "print-report" => windows::print_report(app, &shell),
        "sessions" => windows::open_sessions(app, &shell),
        "quit" => {
            app.exit(0);
            Ok(())
        }
        "presenter-view" => windows::show(app, &shell, PRESENTER, &current_title(app)),
        "projector" => windows::show(app, &shell, PROJECTOR, &current_title(app)),
        "fullscreen" => toggle_projector_fullscreen(app),
        // The network picker lives in the presenter view, where the address shown is always
        // the current one (it follows the laptop's network).
        "network" => windows::show(app, &shell, PRESENTER, &current_title(app)).and_then(|()| {
            match app.get_webview_window(PRESENTER) {
                Some(window) => window.eval("location.hash = 'network'"),
                None => Ok(()),
            }
        }),
        other => {
            if let Some(index) = other.strip_prefix("recent:").and_then(|n| n.parse::<usize>().ok()) {
                let path = app.try_state::<RecentDecks>().and_then(|recent| {
                    recent.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(index).cloned()
                });
                if let Some(path) = path {
                    open_deck(app, path);
                }
            } else if let Some(interface) = other.strip_prefix("network:") {
                let (controller, interface, app) = (shell.controller.clone(), interface.to_string(), app.clone());
                tauri::async_runtime::spawn(async move {
                    if let Err(error) = controller.choose_network(interface).await {
                        tracing::warn!(%error, "cannot choose the network");
                    }
                    // The check mark follows the server's answer, whatever it was.
                    refresh_networks(&app, &controller).await;
                });
            } else if let Some(action) = slide_action(other) {
                let controller = shell.controller.clone();
                tauri::async_runtime::spawn(async move {
                    if let Err(error) = controller.present(action).await {
                        tracing::warn!(%error, "menu action refused");
                    }
                });
            }
            Ok(())
        }
    };
    if let Err(error) = result {
        tracing::error!(%error, id, "menu action failed");
    }
}

/// Asks where to save, then writes the session on screen in the format the
/// file's name asks for (CSV, workbook, report or portable session file); a
/// failure is said in a dialog.
fn export_results(app: &AppHandle, shell: &Shell) {
    let app = app.clone();
    let controller = shell.controller.clone();
    let name = format!("{} results.xlsx", current_title(&app).replace(['/', '\\'], "-"));
    app.dialog()
        .file()
        .add_filter("Excel workbook", &["xlsx"])
        .add_filter("CSV", &["csv"])
        .add_filter("Report (HTML, printable)", &["html"])
        .add_filter("Handsup session", &["handsup"])
        .set_file_name(name)
        .set_title("Export results")
        .save_file(move |picked| {
            let Some(path) = picked.and_then(|path| path.into_path().ok()) else { return };
            tauri::async_runtime::spawn(async move {
                let written = match Format::of_file(&path) {
                    Some(format) => controller.export(format, path).await.map_err(|error| error.to_string()),
                    None => Err("end the file's name with .xlsx, .csv, .html or .handsup".to_string()),
                };
                if let Err(message) = written {
                    app.dialog().message(message).title("Export failed").show(|_| {});
                }
            });
        });
}

fn slide_action(id: &str) -> Option<PresenterAction> {
    Some(match id {
        "next" => PresenterAction::Next,
        "previous" => PresenterAction::Previous,
        "first" => PresenterAction::Goto(0),
        "open-voting" => PresenterAction::SetVoting(true),
        "close-voting" => PresenterAction::SetVoting(false),
        "show-results" => PresenterAction::SetResultsVisible(true),
        "hide-results" => PresenterAction::SetResultsVisible(false),
        "black" => PresenterAction::SetBlack(true),
        "unblack" => PresenterAction::SetBlack(false),
        _ => return None,
    })
}

fn toggle_projector_fullscreen(app: &AppHandle) -> tauri::Result<()> {
    match app.get_webview_window(PROJECTOR) {
        Some(projector) => projector.set_fullscreen(!projector.is_fullscreen()?),
        None => Ok(()),
    }
}

fn current_title(app: &AppHandle) -> String {
    app.try_state::<DeckTitle>()
        .map(|title| title.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone())
        .unwrap_or_default()
}

/// Keeps window titles and the Open Recent menu in step with the deck on screen.
/// Call before opening windows: their menus are built from what this records.
pub fn follow_presented(app: &AppHandle, mut presented: watch::Receiver<Presented>) {
    let now = presented.borrow_and_update().clone();
    app.manage(RecentDecks(Mutex::new(now.recent.clone())));
    app.manage(DeckTitle(Mutex::new(now.deck.title.clone())));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while presented.changed().await.is_ok() {
            let now = presented.borrow_and_update().clone();
            apply(&app, &now);
        }
    });
}

/// Keeps View → Phones Join On in step with the server's list of networks.
pub fn follow_networks(app: &AppHandle, controller: Controller) {
    app.manage(NetworkList::default());
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            refresh_networks(&app, &controller).await;
            tokio::time::sleep(NETWORKS_EVERY).await;
        }
    });
}

/// Asks the server for its networks and rebuilds the menus when they changed.
async fn refresh_networks(app: &AppHandle, controller: &Controller) {
    let Ok(networks) = controller.networks().await else { return };
    let Some(list) = app.try_state::<NetworkList>() else { return };
    let changed = {
        let mut known = list.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let changed = known.as_ref() != Some(&networks);
        *known = Some(networks);
        changed
    };
    if changed {
        rebuild_menus(app);
    }
}

/// Every window that has the menu bar gets it again, as it is now.
fn rebuild_menus(app: &AppHandle) {
    for (_, window) in app.webview_windows() {
        if window.menu().is_none() {
            continue;
        }
        match menu_bar(app) {
            Ok(menu) => {
                let _ = window.set_menu(menu);
            }
            Err(error) => tracing::warn!(%error, "cannot rebuild the menu"),
        }
    }
}

/// Says in a dialog when the app itself had trouble (its server died and was
/// brought back), beside the banner in the presenter view.
pub fn follow_notices(app: &AppHandle, mut notices: watch::Receiver<Option<handsup_core::app::Notice>>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while notices.changed().await.is_ok() {
            let Some(notice) = notices.borrow_and_update().clone() else { continue };
            app.dialog()
                .message(notice.text.to_string())
                .title("Handsup recovered")
                .kind(tauri_plugin_dialog::MessageDialogKind::Warning)
                .show(|_| {});
        }
    });
}

fn apply(app: &AppHandle, presented: &Presented) {
    let recent_changed = match app.try_state::<RecentDecks>() {
        Some(recent) => {
            let mut recent = recent.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let changed = *recent != presented.recent;
            *recent = presented.recent.clone();
            changed
        }
        None => false,
    };
    if let Some(title) = app.try_state::<DeckTitle>() {
        *title.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = presented.deck.title.clone();
    }
    for (label, window) in app.webview_windows() {
        let title = match label.as_str() {
            PRESENTER => windows::presenter_title(&presented.deck.title),
            PROJECTOR => windows::projector_title(&presented.deck.title),
            EDITOR => continue,
            _ => continue,
        };
        let _ = window.set_title(&title);
    }
    if recent_changed {
        rebuild_menus(app);
    }
}
