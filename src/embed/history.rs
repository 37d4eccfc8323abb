//! Reading a history handed over by the host page (a JS array, JSON text, or an id list).

use crate::model::History;

/// Parses a history: JSON `null`/blank is "none given"; an array of ids or of events, or an id list.
pub fn parse_history(text: &str) -> Result<Option<History>, String> {
    let text = text.trim();
    if text.is_empty() || text == "null" {
        return Ok(None);
    }
    if let Ok(ids) = serde_json::from_str::<Vec<i64>>(text) {
        return Ok(Some(History::from_items(ids)));
    }
    if text.starts_with("not json:") {
        return Err("the history could not be turned into JSON".into());
    }
    History::parse(text).map(Some).map_err(|e| e.to_string())
}
