//! A directive's `key=value` settings, read into typed values with errors that name the key.

use std::fmt;

use super::code::Code;

/// What is wrong with a setting (or, with no key, with the directive as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The setting at fault, as written (`max`, `labels`…).
    pub key: Option<String>,
    pub message: String,
    /// Set for the problems the editor says in its own language.
    pub code: Option<Code>,
}

impl SettingError {
    pub fn of(key: &str, message: impl Into<String>) -> SettingError {
        SettingError { key: Some(key.to_string()), message: message.into(), code: None }
    }

    pub fn general(message: impl Into<String>) -> SettingError {
        SettingError { key: None, message: message.into(), code: None }
    }

    /// The same problem with its code.
    pub fn coded(self, code: Code) -> SettingError {
        SettingError { code: Some(code), ..self }
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The settings of one directive, in the order written. Each reader takes the
/// keys it knows; [`Settings::finish`] refuses whatever is left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pairs: Vec<(String, String)>,
}

impl Settings {
    /// Reads `key=value` words; a value with spaces is quoted (`labels="Not at all|Fully"`).
    pub fn parse(text: &str) -> Result<Settings, SettingError> {
        let mut settings = Settings::default();
        for word in words(text)? {
            // A bare word is a switch turned on (`moderate`); the kind decides whether it takes one.
            let (key, value) = word.split_once('=').unwrap_or((word.as_str(), ""));
            settings.insert(key, value)?;
        }
        Ok(settings)
    }

    /// Settings from a form's name → value pairs; empty values count as unset.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Settings, SettingError> {
        let mut settings = Settings::default();
        for (key, value) in pairs {
            let value = value.trim();
            if !value.is_empty() {
                settings.insert(key.trim(), value)?;
            }
        }
        Ok(settings)
    }

    fn insert(&mut self, key: &str, value: &str) -> Result<(), SettingError> {
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(SettingError::general(format!("`{key}` is not a setting name")));
        }
        if self.pairs.iter().any(|(known, _)| known == key) {
            let code = Code::new("setting.twice").with("key", key);
            return Err(SettingError::of(key, format!("`{key}` is set twice")).coded(code));
        }
        self.pairs.push((key.to_string(), unquote(value).to_string()));
        Ok(())
    }

    /// Takes a setting's text, if it was given.
    pub fn take(&mut self, key: &str) -> Option<String> {
        let at = self.pairs.iter().position(|(known, _)| known == key)?;
        Some(self.pairs.remove(at).1)
    }

    /// Takes a whole number within `range`.
    pub fn take_integer(
        &mut self,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, SettingError> {
        let Some(text) = self.take(key) else { return Ok(None) };
        let value: i64 = text.parse().map_err(|_| {
            SettingError::of(
                key,
                format!("{key}={text} is not a whole number: expected for example `{key}={}`", range.start().max(&1)),
            )
            .coded(Code::new("setting.not_whole"))
        })?;
        if !range.contains(&value) {
            return Err(SettingError::of(
                key,
                format!("{key}={value} is out of range: expected {} to {}", range.start(), range.end()),
            )
            .coded(Code::new("setting.out_of_range").with("min", range.start()).with("max", range.end())));
        }
        Ok(Some(value))
    }

    /// Takes a number; decimals are allowed (`answer=3.14`).
    pub fn take_number(&mut self, key: &str) -> Result<Option<f64>, SettingError> {
        let Some(text) = self.take(key) else { return Ok(None) };
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value.abs() <= MAX_NUMBER => Ok(Some(value)),
            _ => Err(SettingError::of(
                key,
                format!("{key}={text} is not a number: expected for example `{key}=42` or `{key}=2.5`"),
            )
            .coded(Code::new("setting.not_number"))),
        }
    }

    /// Refuses every setting no reader took; `kind` and `known` make the message.
    pub fn finish(self, kind: &str, known: &[&str]) -> Result<(), SettingError> {
        match self.pairs.into_iter().next() {
            None => Ok(()),
            Some((key, _)) => Err(SettingError::of(
                &key,
                format!("unknown setting `{key}` for a {kind} question: expected {}", known.join(", ")),
            )
            .coded(Code::new("setting.unknown").with("key", &key))),
        }
    }
}

/// Numbers in decks and answers stay within what a person types and a double holds exactly.
pub const MAX_NUMBER: f64 = 1e15;

/// A setting's value as written back into a directive: quoted when it holds a space.
pub fn write_value(value: &str) -> String {
    if !value.contains(char::is_whitespace) && !value.contains(['"', '\'']) {
        value.to_string()
    } else if value.contains('"') {
        format!("'{value}'")
    } else {
        format!("\"{value}\"")
    }
}

/// A number as a person writes it: `42`, not `42.0`.
pub fn format_number(value: f64) -> String {
    format!("{value}")
}

/// Splits on white space outside quotes; a quote opens only right after `=`.
fn words(text: &str) -> Result<Vec<String>, SettingError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(open) if c == open => {
                quote = None;
                word.push(c);
            }
            Some(_) => word.push(c),
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            None if (c == '"' || c == '\'') && word.ends_with('=') => {
                quote = Some(c);
                word.push(c);
            }
            None => word.push(c),
        }
    }
    if quote.is_some() {
        return Err(SettingError::general(format!("the quoted value in `{word}` is never closed")));
    }
    if !word.is_empty() {
        words.push(word);
    }
    Ok(words)
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_values_and_refuses_leftovers() {
        let mut settings = Settings::parse(r#"min=1 labels="Not at all|Completely" id=x"#).expect("settings");
        assert_eq!(settings.take_integer("min", 0..=10), Ok(Some(1)));
        assert_eq!(settings.take("labels").as_deref(), Some("Not at all|Completely"));
        let error = settings.finish("scale", &["min", "labels"]).expect_err("id is left");
        assert_eq!(error.key.as_deref(), Some("id"));
    }

    #[test]
    fn names_the_key_at_fault() {
        let mut settings = Settings::parse("max=lots").expect("settings");
        assert_eq!(settings.take_integer("max", 1..=26).map_err(|e| e.key), Err(Some("max".into())));
        assert!(Settings::parse("max=1 max=2").is_err());
        assert!(Settings::parse("labels=\"open").is_err());
        // A bare word is a switch: kinds that take none refuse it by name.
        let stray = Settings::parse("stray").expect("a switch");
        assert!(stray.finish("single", &["max"]).is_err_and(|e| e.message.contains("stray")));
        let mut settings = Settings::parse("answer=NaN").expect("settings");
        assert!(settings.take_number("answer").is_err());
    }

    #[test]
    fn writes_values_that_read_back() {
        for value in ["1", "Not at all|Completely", "it's", "say \"hi\""] {
            let mut settings = Settings::parse(&format!("v={}", write_value(value))).expect("settings");
            assert_eq!(settings.take("v").as_deref(), Some(value));
        }
        assert_eq!(format_number(42.0), "42");
        assert_eq!(format_number(2.5), "2.5");
    }
}
