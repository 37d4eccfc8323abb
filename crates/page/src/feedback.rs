//! The local feedback log in localStorage, never sent anywhere by whythis; the visitor can export and
//! clear it.
//!
//! Each record has a key of its own, `whythis.feedback.v2.<id>`, where a new id starts with the answer's
//! time in milliseconds, zero-padded, so key order is time order. Writing one record is one `setItem` of
//! that record alone: there is no read-modify-write of a shared array, so two tabs answering at once cannot
//! overwrite each other's answers, and a reason typed later replaces its own record (same id, same key)
//! instead of adding one. The log is trimmed to the newest [`MAX_RECORDS`]. The v1 log (one JSON array
//! under `whythis.feedback.v1`) is moved over once, the first time the log is touched.

use whythis_js::protocol::to_js;
use whythis_types::boundary::FeedbackRecord;
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::JsValue;

/// The prefix of every record's key.
pub const KEY_PREFIX: &str = "whythis.feedback.v2.";
/// The key of the log of earlier versions (one JSON array), migrated once.
pub const V1_KEY: &str = "whythis.feedback.v1";
/// The most records kept; the oldest go first.
pub const MAX_RECORDS: usize = 500;

/// Why an answer could not be kept on this device.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FeedbackError {
    /// localStorage is missing or throws when touched (disabled by the visitor, a sandbox or a policy).
    #[error("this browser does not let the page keep data here (storage is disabled or unavailable)")]
    Unavailable,
    /// `setItem` threw: the storage is full, or writing was refused.
    #[error("the browser refused to store it (its storage for this site may be full)")]
    Refused,
    /// The record could not be written as JSON (not expected to happen).
    #[error("the answer could not be written down")]
    Encode,
}

fn storage() -> Result<web_sys::Storage, FeedbackError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or(FeedbackError::Unavailable)
}

/// The key of a stored record (an object): see [`key_for`].
pub fn key_of(record: &JsValue) -> Option<String> {
    let text = |name: &str| Reflect::get(record, &name.into()).ok().and_then(|v| v.as_string());
    Some(key_for(&text("id")?, &text("time").unwrap_or_default()))
}

/// The key of a record: its id when the id starts with its time (every id this version makes), else the
/// record's time followed by its id (records of the v1 log), so that key order stays time order.
fn key_for(id: &str, time: &str) -> String {
    let timed = id.len() > 14 && id.as_bytes()[..13].iter().all(u8::is_ascii_digit) && id.as_bytes()[13] == b'-';
    if timed {
        return format!("{KEY_PREFIX}{id}");
    }
    let ms = js_sys::Date::parse(time);
    let ms = if ms.is_finite() && ms >= 0.0 { ms as u64 } else { 0 };
    format!("{KEY_PREFIX}{ms:013}-{id}")
}

/// JSON text of a JS value, written by the browser (the page's module has no JSON writer of its own).
fn stringify(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok()?.as_string()
}

/// Every record key in storage, oldest first.
fn keys(storage: &web_sys::Storage) -> Vec<String> {
    let n = storage.length().unwrap_or(0);
    let mut keys: Vec<String> =
        (0..n).filter_map(|i| storage.key(i).ok().flatten()).filter(|k| k.starts_with(KEY_PREFIX)).collect();
    keys.sort();
    keys
}

/// Moves the v1 array to one key per record, then removes it (once; a failed move keeps the v1 log, a
/// corrupt one is dropped).
fn migrate(storage: &web_sys::Storage) {
    let Some(text) = storage.get_item(V1_KEY).ok().flatten() else { return };
    let old: Array = JSON::parse(&text).ok().filter(Array::is_array).map(Into::into).unwrap_or_default();
    for record in old.iter() {
        let (Some(key), Some(text)) = (key_of(&record), stringify(&record)) else { continue };
        if storage.set_item(&key, &text).is_err() {
            return;
        }
    }
    let _ = storage.remove_item(V1_KEY);
}

/// Every record as a JS object, oldest first (unreadable records are skipped; no storage reads as empty).
pub fn records() -> Array {
    let list = Array::new();
    let Ok(storage) = storage() else { return list };
    migrate(&storage);
    for text in keys(&storage).iter().filter_map(|k| storage.get_item(k).ok().flatten()) {
        if let Ok(record) = JSON::parse(&text) {
            list.push(&record);
        }
    }
    list
}

/// Stores a record under its own key (a record with the same id, a reason added later, is replaced) and
/// trims the log to the newest [`MAX_RECORDS`]. Returns the log size.
pub fn append(record: &FeedbackRecord) -> Result<usize, FeedbackError> {
    let storage = storage()?;
    migrate(&storage);
    let text = to_js(record).ok().and_then(|v| stringify(&v)).ok_or(FeedbackError::Encode)?;
    storage.set_item(&key_for(&record.id, &record.time), &text).map_err(|_| FeedbackError::Refused)?;
    let all = keys(&storage);
    let extra = all.len().saturating_sub(MAX_RECORDS);
    for old in &all[..extra] {
        let _ = storage.remove_item(old);
    }
    Ok(all.len() - extra)
}

/// Number of records.
pub fn count() -> usize {
    storage()
        .map(|s| {
            migrate(&s);
            keys(&s).len()
        })
        .unwrap_or(0)
}

/// The log as pretty JSON text (an array, oldest first).
pub fn export_text() -> String {
    JSON::stringify_with_replacer_and_space(&records(), &JsValue::NULL, &JsValue::from(2))
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_else(|| "[]".into())
}

/// Empties the log (and any v1 log left behind).
pub fn clear() {
    if let Ok(s) = storage() {
        for key in keys(&s) {
            let _ = s.remove_item(&key);
        }
        let _ = s.remove_item(V1_KEY);
    }
}
