//! A participant's answer as it travels on the wire and sits in the database.

use serde::{Deserialize, Serialize};

/// One answer, in one of the documented shapes: `{"choices":[…]}`,
/// `{"values":[…]}`, `{"order":[…]}`, `{"number":x}` or `{"words":[…]}`. Exactly one key; any
/// other key, or a second one, is refused when the frame is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// Option indices (single and multiple choice), sorted once checked.
    Choices(Vec<u16>),
    /// One integer per row (scale) or per option (points).
    Values(Vec<i64>),
    /// Every option index once, the top first (ranking).
    Order(Vec<u16>),
    /// A finite number (number questions).
    Number(f64),
    /// Words or short phrases (word clouds), normalised once checked.
    Words(Vec<String>),
    /// One post (open text), normalised once checked.
    Text(String),
}

impl Answer {
    /// The answer as stored: the same JSON as on the wire, readable with any SQLite tool.
    pub fn to_json(&self) -> String {
        // Our own enum of numbers and vectors always serialises.
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }

    /// Reads a stored answer; `None` for a row this program did not write.
    pub fn from_json(text: &str) -> Option<Answer> {
        serde_json::from_str(text).ok()
    }

    /// The shape's name, for messages that say which shape a kind expects.
    pub fn shape(&self) -> &'static str {
        match self {
            Answer::Choices(_) => "choices",
            Answer::Values(_) => "values",
            Answer::Order(_) => "order",
            Answer::Number(_) => "number",
            Answer::Words(_) => "words",
            Answer::Text(_) => "text",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_documented_shapes() {
        for (json, answer) in [
            (r#"{"choices":[0,2]}"#, Answer::Choices(vec![0, 2])),
            (r#"{"values":[4,5]}"#, Answer::Values(vec![4, 5])),
            (r#"{"order":[1,0,2]}"#, Answer::Order(vec![1, 0, 2])),
            (r#"{"number":42.5}"#, Answer::Number(42.5)),
        ] {
            assert_eq!(Answer::from_json(json), Some(answer.clone()), "{json}");
            assert_eq!(answer.to_json(), json);
        }
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "{}",
            r#"{"choices":[0],"values":[1]}"#,
            r#"{"choice":[0]}"#,
            r#"{"values":[1.5]}"#,
            r#"{"number":"4"}"#,
            r#"{"number":1e400}"#,
            r#"{"order":[-1]}"#,
            "[0]",
            "null",
        ] {
            assert_eq!(Answer::from_json(bad), None, "accepted {bad}");
        }
    }
}
