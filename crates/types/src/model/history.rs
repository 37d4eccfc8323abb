//! A visitor's interaction history as the host hands it over (docs/contract.md §2), before any model checks.
//! Every way a history arrives (a JSON array of events or of bare ids, a comma-separated id list) is
//! read here, under one pair of limits, counted while reading.

use super::bounded_list::{self, TOO_MANY};
use super::error::ModelError;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most events whythis will read from one history; only the last `seq_len` reach the model.
pub const MAX_HISTORY_EVENTS: usize = 100_000;
/// The longest history text whythis will parse: 160 bytes for each of the most events, room for
/// `{"item": 1682, "action": "rated_5", "ts": 1700000000}` with generous whitespace.
pub const MAX_HISTORY_BYTES: usize = 160 * MAX_HISTORY_EVENTS;

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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct History {
    /// The events, oldest first.
    pub events: Vec<Event>,
}

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<History, D::Error> {
        let entries: Vec<Entry> = bounded_list::deserialize(d, MAX_HISTORY_EVENTS)?;
        Ok(History { events: entries.into_iter().map(|e| e.0).collect() })
    }
}

/// One element of a history array: an event object, or a bare item id standing for an event with no
/// action or time (hosts hand over `[64, 199, 96]` as often as events).
struct Entry(Event);

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event {\"item\": 12, …} or a bare item id")
    }

    fn visit_i64<E: de::Error>(self, item: i64) -> Result<Entry, E> {
        Ok(Entry(Event { item, action: None, ts: None }))
    }

    fn visit_u64<E: de::Error>(self, item: u64) -> Result<Entry, E> {
        let item = i64::try_from(item).map_err(|_| E::invalid_value(de::Unexpected::Other("a number"), &self))?;
        self.visit_i64(item)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry, A::Error> {
        // The derived reader keeps serde's own field messages ("missing field `item`").
        Event::deserialize(de::value::MapAccessDeserializer::new(map)).map(Entry)
    }
}

/// The reason a history's JSON was refused, without quoting any of it: serde's own messages repeat the
/// offending value ("invalid type: string \"…\""), and a history must not reach error texts.
fn private_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    let message = e.to_string();
    match e.classify() {
        // Field names come from whythis's own schema, not from the visitor.
        Category::Data if message.starts_with("missing field") || message.starts_with("duplicate field") => {
            let field = message.split(" at line").next().unwrap_or(&message);
            format!("an event has a {field} ({at})")
        }
        Category::Data => format!(
            "a value has the wrong type or range ({at}); expected a list of events such as \
             [{{\"item\": 12, \"action\": \"play\", \"ts\": 1700000000}}] or of item ids such as [12, 7]"
        ),
        Category::Syntax => format!("it is not valid JSON ({at})"),
        Category::Eof => "the JSON ends before it is complete".into(),
        Category::Io => "it could not be read".into(),
    }
}

impl History {
    /// A history of bare item ids, oldest first.
    pub fn from_items(items: impl IntoIterator<Item = i64>) -> History {
        History { events: items.into_iter().map(|item| Event { item, action: None, ts: None }).collect() }
    }

    /// Parses a JSON array of events (`[{"item": 12, "action": "play", "ts": 1700000000}, …]`) or of bare
    /// item ids (`[64, 199, 96]`), or a mix of both.
    pub fn from_json(bytes: &[u8]) -> Result<History, ModelError> {
        check_size(bytes.len())?;
        serde_json::from_slice(bytes).map_err(|e| {
            if e.classify() == serde_json::error::Category::Data && e.to_string().starts_with(TOO_MANY) {
                ModelError::HistoryTooLong { max: MAX_HISTORY_EVENTS }
            } else {
                ModelError::HistoryJson(private_reason(&e))
            }
        })
    }

    /// Parses a comma-separated list of item ids, oldest first (`64,199,96`); blank means empty.
    /// Entries are counted as they are read, so the list stops at the first entry past the limit.
    pub fn from_id_list(text: &str) -> Result<History, ModelError> {
        check_size(text.len())?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(History::default());
        }
        let mut events = Vec::new();
        for (i, part) in text.split(',').enumerate() {
            if i == MAX_HISTORY_EVENTS {
                return Err(ModelError::HistoryTooLong { max: MAX_HISTORY_EVENTS });
            }
            let item = part.trim().parse::<i64>().map_err(|_| {
                // The entry itself is not quoted: the history must not reach error texts.
                ModelError::HistoryJson(format!(
                    "entry {i} of the id list (counting from 0) is not an item id (expected whole numbers separated by commas)"
                ))
            })?;
            events.push(Event { item, action: None, ts: None });
        }
        Ok(History { events })
    }

    /// Parses any form: a JSON array when the text starts with `[`, otherwise an id list.
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

    /// Refuses a history with more events than whythis accepts (for histories built in code).
    pub fn check_length(&self) -> Result<(), ModelError> {
        if self.events.len() > MAX_HISTORY_EVENTS {
            return Err(ModelError::HistoryTooLong { max: MAX_HISTORY_EVENTS });
        }
        Ok(())
    }
}

fn check_size(bytes: usize) -> Result<(), ModelError> {
    if bytes > MAX_HISTORY_BYTES {
        return Err(ModelError::TooLarge { what: "history", bytes, max: MAX_HISTORY_BYTES });
    }
    Ok(())
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
    fn bare_ids_and_events_mix_in_one_array() {
        let a = History::parse("[64, 199, {\"item\": 96, \"action\": \"play\"}]").unwrap();
        assert_eq!(a.events[..2], History::parse("64,199").unwrap().events[..]);
        assert_eq!(a.events[2].action.as_deref(), Some("play"));
    }

    #[test]
    fn optional_fields_are_read() {
        let h = History::parse(r#"[{"item":5,"action":"play","ts":1700000000}]"#).unwrap();
        assert_eq!(h.events[0].action.as_deref(), Some("play"));
        assert_eq!(h.events[0].ts, Some(1_700_000_000));
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for bad in ["[{\"item\":", "[{\"title\":\"x\"}]", "{}", "1,,2", "1,abc", "[1.5,2]", "[true]", "[[1]]"] {
            let err = History::parse(bad).unwrap_err();
            assert!(matches!(err, ModelError::HistoryJson(_)), "{bad}: {err}");
        }
    }

    #[test]
    fn errors_never_quote_the_history() {
        for (bad, secret) in [
            (r#"[{"item":"SecretTitle"}]"#, "SecretTitle"),
            (r#"[{"item":12.75}]"#, "12.75"),
            (r#"[{"item":5,"action":991177}]"#, "991177"),
            ("12,SecretTitle,4", "SecretTitle"),
            (r#"[12, "SecretTitle"]"#, "SecretTitle"),
            ("[12, 31.5]", "31.5"),
            (r#"[{"item":424242}, nonsense]"#, "424242"),
        ] {
            let err = History::parse(bad).unwrap_err().to_string();
            assert!(!err.contains(secret), "{bad}: {err}");
            assert!(err.len() > 30, "{bad}: the error should still say what is wrong: {err}");
        }
        let err = History::parse(r#"[{"action":"play"}]"#).unwrap_err().to_string();
        assert!(err.contains("missing field `item`"), "{err}");
    }

    #[test]
    fn too_many_events_are_refused_while_reading_in_every_form() {
        let too_many = |err: ModelError| matches!(err, ModelError::HistoryTooLong { max: MAX_HISTORY_EVENTS });
        let json = format!("[{}{{\"item\":1}}]", "{\"item\":1},".repeat(MAX_HISTORY_EVENTS));
        let err = History::from_json(json.as_bytes()).unwrap_err();
        assert!(err.to_string().contains(&format!("more than {MAX_HISTORY_EVENTS} events")), "{err}");
        assert!(too_many(err));
        let ok = format!("[{}{{\"item\":1}}]", "{\"item\":1},".repeat(MAX_HISTORY_EVENTS - 1));
        assert_eq!(History::from_json(ok.as_bytes()).unwrap().len(), MAX_HISTORY_EVENTS);
        // Bare ids, as a JSON array and as a comma-separated list: the 100 001st event stops the read.
        let ids = vec!["1"; MAX_HISTORY_EVENTS + 1].join(",");
        assert!(too_many(History::parse(&format!("[{ids}]")).unwrap_err()));
        assert!(too_many(History::parse(&ids).unwrap_err()));
        // The list is refused at the limit even when a later entry is malformed: counted as it is read.
        assert!(too_many(History::parse(&format!("{ids},x")).unwrap_err()));
        let ids = vec!["1"; MAX_HISTORY_EVENTS].join(",");
        assert_eq!(History::parse(&format!("[{ids}]")).unwrap().len(), MAX_HISTORY_EVENTS);
        assert_eq!(History::parse(&ids).unwrap().len(), MAX_HISTORY_EVENTS);
    }

    #[test]
    fn oversized_text_is_refused_before_parsing() {
        let text = format!("[{}]", " ".repeat(MAX_HISTORY_BYTES));
        let err = History::parse(&text).unwrap_err();
        assert!(matches!(err, ModelError::TooLarge { what: "history", .. }), "{err}");
        assert!(err.to_string().contains("bytes"), "{err}");
    }

    #[test]
    fn blank_is_a_cold_start() {
        assert!(History::parse("").unwrap().is_empty());
        assert!(History::parse("[]").unwrap().is_empty());
    }
}
