//! The errors the core reports to its callers.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::deck::{DeckError, LoadError};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the deck {path}: {source}")]
    ReadDeck { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Deck(#[from] DeckError),
    #[error("{0}")]
    Load(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}{hint}")]
    Bind { addr: SocketAddr, source: std::io::Error, hint: &'static str },
    #[error("cannot read random bytes from the system: {0}")]
    Random(String),
    #[error("{0}")]
    Export(#[from] crate::export::ExportError),
    #[error("{0}")]
    Review(String),
    #[error("Handsup is shutting down")]
    Stopped,
    #[error("the server stopped: {0}")]
    Server(#[from] std::io::Error),
}

impl From<LoadError> for Error {
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Read { path, source } => Error::ReadDeck { path, source },
            LoadError::Deck(error) => Error::Deck(error),
            LoadError::TooLarge { .. } => Error::Load(error.to_string()),
        }
    }
}
