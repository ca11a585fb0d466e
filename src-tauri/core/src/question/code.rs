//! A problem's stable code and the values in its sentence, so a window can say it in its own language.

use std::collections::BTreeMap;

use serde::Serialize;

/// Beside a problem's English sentence (kept for deck files, logs and the command line): what
/// the editor looks up (`problem.<code>` in its tables) and fills in. A count is always `n`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    pub code: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<&'static str, String>,
}

impl Code {
    pub fn new(code: &'static str) -> Code {
        Code { code, vars: BTreeMap::new() }
    }

    /// The code with one more value for its sentence.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Code {
        self.vars.insert(name, value.to_string());
        self
    }
}

/// A sentence about what is wrong, and its code when a window can translate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub message: String,
    pub code: Option<Code>,
}

impl Said {
    pub fn coded(message: impl Into<String>, code: Code) -> Said {
        Said { message: message.into(), code: Some(code) }
    }
}

impl From<String> for Said {
    fn from(message: String) -> Said {
        Said { message, code: None }
    }
}

impl From<&str> for Said {
    fn from(message: &str) -> Said {
        Said { message: message.to_string(), code: None }
    }
}
