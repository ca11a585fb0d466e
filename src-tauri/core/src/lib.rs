//! Handsup's headless core: everything except the desktop window.
//!
//! A presenter runs one program; phones on the room's Wi-Fi open a page and
//! answer the questions in the deck; answers are stored in SQLite on the
//! presenter's machine. This crate holds all of it without any GUI dependency,
//! so `handsup serve` and the tests run with no display.
//!
//! # Layout
//!
//! - [`app`]: starts and stops Handsup from a [`app::Config`], and swaps decks while it runs.
//! - [`question`]: one module per question kind: settings, answer checks, results, export cells;
//!   with them, the normaliser for participant text and the word filter.
//! - [`deck`]: the deck model, the Markdown deck format, rendering, slide images and PDF pages, the demo deck.
//! - [`session`]: presenter-driven session state and live tallies; the board of posts and Q&A.
//! - [`protocol`]: the typed WebSocket messages, one enum per direction and role.
//! - [`engine`]: the single writer that batches votes, posts and upvotes and commits before acknowledging.
//! - [`store`]: the SQLite file: schema migrations, resume, batched writes, history, portable session files.
//! - [`server`]: the LAN (participant) and loopback (presenter) listeners and their sockets,
//!   with the paced feeds (reactions, the moderation queue, the Q&A list) and the drawn PDF pages.
//! - [`export`]: a session's results as CSV, a workbook, an HTML report or a portable file,
//!   from the deck copy the session ran; deleting from the history.
//! - [`net`]: choosing the address phones should use; binding listeners.
//! - [`qr`]: the join QR code.
//! - [`error`]: the errors callers see.

pub mod app;
pub mod deck;
pub mod engine;
pub mod error;
pub mod export;
pub mod net;
pub mod protocol;
pub mod qr;
pub mod question;
pub mod server;
pub mod session;
pub mod store;

pub use app::{start, Config, Controller, DeckSource, Presented, Running};
pub use error::Error;
