//! The local feedback log: a bounded JSON array in localStorage that survives reloads, never sent
//! anywhere by whythis; the visitor can export and clear it.

use crate::ui::FeedbackRecord;
use serde_json::Value;

/// The localStorage key.
pub const LOG_KEY: &str = "whythis.feedback.v1";
/// The most records kept; the oldest go first.
pub const MAX_RECORDS: usize = 500;

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "this browser does not let the page keep data (localStorage is unavailable)".to_string())
}

/// Every record, oldest first (an unreadable log reads as empty).
pub fn records() -> Vec<Value> {
    storage()
        .ok()
        .and_then(|s| s.get_item(LOG_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str::<Vec<Value>>(&text).ok())
        .unwrap_or_default()
}

/// Adds a record, or replaces the one with the same id (a reason added later). Returns the log size.
pub fn append(record: &FeedbackRecord) -> Result<usize, String> {
    let storage = storage()?;
    let mut all = records();
    let value = serde_json::to_value(record).map_err(|e| e.to_string())?;
    match all.iter_mut().find(|r| r.get("id").and_then(Value::as_str) == Some(record.id.as_str())) {
        Some(slot) => *slot = value,
        None => all.push(value),
    }
    if all.len() > MAX_RECORDS {
        let extra = all.len() - MAX_RECORDS;
        all.drain(..extra);
    }
    let text = serde_json::to_string(&all).map_err(|e| e.to_string())?;
    storage
        .set_item(LOG_KEY, &text)
        .map_err(|_| "the browser refused to store it (storage may be full or disabled)".to_string())?;
    Ok(all.len())
}

/// Number of records.
pub fn count() -> usize {
    records().len()
}

/// The log as pretty JSON text.
pub fn export_text() -> String {
    serde_json::to_string_pretty(&records()).unwrap_or_else(|_| "[]".into())
}

/// Empties the log.
pub fn clear() {
    if let Ok(s) = storage() {
        let _ = s.remove_item(LOG_KEY);
    }
}
