//! A visitor's interaction history as the host hands it over (DESIGN.md §2), before any model checks.

use super::error::ModelError;
use serde::{Deserialize, Serialize};

/// The most events whythis will read from one history; only the last `seq_len` reach the model.
pub const MAX_HISTORY_EVENTS: usize = 100_000;

/// One past interaction, exactly as given: the item is checked against a model later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The item id (checked against the model's 1..=num_items when the window is built).
    pub item: i64,
    /// The action's name from the card's vocabulary, e.g. "play" or "rated_5".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// When it happened, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<i64>,
}

/// A history: events, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct History {
    /// The events, oldest first.
    pub events: Vec<Event>,
}

impl History {
    /// A history of bare item ids, oldest first.
    pub fn from_items(items: impl IntoIterator<Item = i64>) -> History {
        History { events: items.into_iter().map(|item| Event { item, action: None, ts: None }).collect() }
    }

    /// Parses a JSON array of events (`[{"item": 12, "action": "play", "ts": 1700000000}, …]`).
    pub fn from_json(bytes: &[u8]) -> Result<History, ModelError> {
        let history: History =
            serde_json::from_slice(bytes).map_err(|e| ModelError::HistoryJson(e.to_string()))?;
        history.check_length()?;
        Ok(history)
    }

    /// Parses a comma-separated list of item ids, oldest first (`64,199,96`); blank means empty.
    pub fn from_id_list(text: &str) -> Result<History, ModelError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(History::default());
        }
        let items = text
            .split(',')
            .enumerate()
            .map(|(i, part)| {
                part.trim().parse::<i64>().map_err(|_| {
                    ModelError::HistoryJson(format!(
                        "entry {i} of the id list, \"{}\", is not an item id (expected whole numbers separated by commas)",
                        part.trim()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let history = History::from_items(items);
        history.check_length()?;
        Ok(history)
    }

    /// Parses either form: a JSON array when the text starts with `[`, otherwise an id list.
    pub fn parse(text: &str) -> Result<History, ModelError> {
        if text.trim_start().starts_with('[') {
            History::from_json(text.as_bytes())
        } else {
            History::from_id_list(text)
        }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there are no events (a cold start).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn check_length(&self) -> Result<(), ModelError> {
        if self.events.len() > MAX_HISTORY_EVENTS {
            return Err(ModelError::HistoryTooLong { len: self.events.len(), max: MAX_HISTORY_EVENTS });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_id_list_agree() {
        let a = History::parse(r#"[{"item":64},{"item":199},{"item":96}]"#).unwrap();
        let b = History::parse(" 64, 199,96 ").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn optional_fields_are_read() {
        let h = History::parse(r#"[{"item":5,"action":"play","ts":1700000000}]"#).unwrap();
        assert_eq!(h.events[0].action.as_deref(), Some("play"));
        assert_eq!(h.events[0].ts, Some(1_700_000_000));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bad in ["[{\"item\":", "[{\"title\":\"x\"}]", "{}", "1,,2", "1,abc", "[1,2]"] {
            let err = History::parse(bad).unwrap_err();
            assert!(matches!(err, ModelError::HistoryJson(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn blank_is_a_cold_start() {
        assert!(History::parse("").unwrap().is_empty());
        assert!(History::parse("[]").unwrap().is_empty());
    }
}
