//! Reading a history handed over by the host page (a JS array, JSON text, or an id list). The reading
//! itself is the core's ([`History::parse`], with its limits); this only adds "none given".

use whythis_types::model::History;

/// Parses a history: JSON `null`/blank is "none given"; anything else is read by [`History::parse`]
/// (an array of events or of bare ids, or an id list).
pub fn parse_history(text: &str) -> Result<Option<History>, String> {
    let text = text.trim();
    if text.is_empty() || text == "null" {
        return Ok(None);
    }
    if text.starts_with("not json:") {
        return Err("the history could not be turned into JSON".into());
    }
    History::parse(text).map(Some).map_err(|e| e.to_string())
}
