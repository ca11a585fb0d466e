//! The command line: `handsup [DECK.md]`, `handsup serve [DECK.md]`, `handsup check`, `handsup export`, `handsup sessions`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use handsup_core::app::{default_data_dir, DEFAULT_PORT};
use handsup_core::export::{Format, Which};
use handsup_core::server::Limits;
use handsup_core::{Config, DeckSource};

/// Live polls for talks and classes, over the room's Wi-Fi: no internet, no accounts.
///
/// Without a command, opens the desktop app on DECK (or the built-in demo deck).
/// Phones join by scanning the QR code on screen.
#[derive(Debug, Parser)]
#[command(name = "handsup", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub app: ServeArgs,
    #[command(flatten)]
    pub desktop: DesktopArgs,
}

/// Options of the desktop app only.
#[derive(Debug, Clone, Default, Args)]
pub struct DesktopArgs {
    /// The display the projector window goes full screen on, counted from 1
    /// (default: the first display that is not the laptop's own).
    #[arg(long, value_name = "N")]
    pub display: Option<usize>,
    /// Open the presenter view even with a single display (to rehearse).
    #[arg(long)]
    pub presenter_view: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run without a window. Prints `participant: URL` (the LAN address the QR
    /// code encodes) and `presenter: URL` (loopback, with a secret token; open it
    /// in a browser on this machine), then serves until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Read a deck and report: `ok: N slides, M questions` (exit 0), or
    /// `FILE:LINE: what was expected` (exit 1).
    Check {
        #[arg(value_name = "DECK.md")]
        deck: PathBuf,
    },
    /// Write a session's results: its answers as CSV (UTF-8 with BOM; to standard
    /// output without --out), a workbook (xlsx), a printable report (html) or a
    /// portable session file (handsup) that another Handsup opens read-only.
    Export(ExportArgs),
    /// List every session in the data folder, the newest first: one tab-separated
    /// line each (id, start in UTC, deck title, participants, answers) under a header.
    Sessions(SessionsArgs),
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    /// The folder that holds the SQLite file (default: the platform's app-data folder).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Delete this session and every answer in it (asks for --yes).
    #[arg(long, value_name = "ID")]
    pub delete: Option<i64>,
    /// Delete one participant's answers and posts (`P7`) from the session given by --session (asks for --yes).
    #[arg(long, value_name = "P<N>", requires = "session", conflicts_with = "delete")]
    pub delete_participant: Option<String>,
    /// The session --delete-participant applies to.
    #[arg(long, value_name = "ID")]
    pub session: Option<i64>,
    /// Confirms a deletion: without it, --delete and --delete-participant only say what they would delete.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder that holds the SQLite file (default: the platform's app-data folder).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// `latest` (the most recently started session) or a session number.
    #[arg(long, value_name = "latest|ID", default_value = "latest")]
    pub session: Which,
    /// The file to write (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// What to write: `csv` (one row per answer), `xlsx` (a summary sheet and one
    /// sheet per question), `html` (a self-contained report) or `handsup` (the
    /// session, its deck and its media in one file).
    #[arg(long, value_name = "csv|xlsx|html|handsup", default_value = "csv")]
    pub format: Format,
    /// Write the quiz's final ranking instead: `rank,participant,nickname,points,correct,answered`.
    #[arg(long, conflicts_with = "format")]
    pub leaderboard: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The Markdown deck to present (default: the built-in demo deck).
    #[arg(value_name = "DECK.md")]
    pub deck: Option<PathBuf>,
    /// The address phones connect to (default: every interface; the QR code
    /// shows the Wi-Fi or Ethernet address).
    #[arg(long, value_name = "IP")]
    pub bind: Option<IpAddr>,
    /// The port phones connect to; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// The folder that holds the SQLite file (default: the platform's app-data folder).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Start a new session instead of resuming this deck's last one.
    #[arg(long)]
    pub new_session: bool,
    /// The most phones connected at once.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_sockets)]
    pub max_connections: usize,
    /// The most phones connected from one address (guest Wi-Fi may put a whole room behind one).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_sockets_per_address)]
    pub max_per_address: usize,
    /// New participants one address may bring at once (then --joins-per-minute):
    /// a room behind one address gets in, a script inventing respondents does not.
    #[arg(long, value_name = "N", default_value_t = Limits::default().join_burst)]
    pub join_burst: u32,
    /// New participants one address may bring per minute once its burst is spent.
    #[arg(long, value_name = "N", default_value_t = Limits::default().joins_per_minute)]
    pub joins_per_minute: f64,
}

impl ServeArgs {
    pub fn into_config(self) -> Config {
        Config {
            deck: self.deck.map_or(DeckSource::Demo, DeckSource::File),
            bind: self.bind,
            port: self.port,
            data_dir: self.data.unwrap_or_else(default_data_dir),
            fresh: self.new_session,
            limits: Limits {
                max_sockets: self.max_connections,
                max_sockets_per_address: self.max_per_address,
                join_burst: self.join_burst,
                joins_per_minute: self.joins_per_minute,
                ..Limits::default()
            },
            review: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let cli = Cli::try_parse_from(["handsup", "talk.md", "--port", "0"]).expect("app");
        assert!(cli.command.is_none());
        assert_eq!(cli.app.deck, Some(PathBuf::from("talk.md")));

        let cli = Cli::try_parse_from(["handsup", "serve", "--bind", "127.0.0.1", "--data", "/tmp/x"]).expect("serve");
        let Some(Command::Serve(args)) = cli.command else { panic!("expected serve") };
        assert_eq!(args.bind, Some("127.0.0.1".parse().expect("ip")));
        assert_eq!(args.port, DEFAULT_PORT);
        assert!(Cli::try_parse_from(["handsup", "serve", "--bind", "not-an-ip"]).is_err());

        let cli = Cli::try_parse_from(["handsup", "--display", "2", "--presenter-view"]).expect("desktop");
        assert_eq!(cli.desktop.display, Some(2));
        assert!(cli.desktop.presenter_view);
        assert!(Cli::try_parse_from(["handsup", "serve", "--display", "2"]).is_err(), "serve has no windows");

        let cli = Cli::try_parse_from(["handsup", "export", "--session", "3", "--out", "r.csv"]).expect("export");
        let Some(Command::Export(args)) = cli.command else { panic!("expected export") };
        assert_eq!((args.session, args.out), (Which::Id(3), Some(PathBuf::from("r.csv"))));
        assert!(Cli::try_parse_from(["handsup", "export", "--session", "last"]).is_err());
        assert!(matches!(
            Cli::try_parse_from(["handsup", "check", "t.md"]).map(|c| c.command),
            Ok(Some(Command::Check { .. }))
        ));
    }
}
