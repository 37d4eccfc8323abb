//! The visitor's controls kept in localStorage, one entry per widget's `history-key` and model, never
//! sent anywhere by whythis (the host page hears of each change in `whythis-controls` and decides
//! itself whether to keep them elsewhere).

use whythis_js::protocol::to_js;
use whythis_types::explain::Controls;

/// The prefix of every entry's key: `whythis.controls.v1.<history-key>|<model id>`.
pub const KEY_PREFIX: &str = "whythis.controls.v1.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The entry's key for a widget (no `history-key`: the page's one set of controls for that model).
pub fn key(history_key: Option<&str>, model: &str) -> String {
    format!("{KEY_PREFIX}{}|{model}", history_key.unwrap_or(""))
}

/// The kept controls, or none decided (no entry, no storage, or an entry this version cannot read: a
/// corrupt entry must not stop the widget, and the next decision replaces it).
pub fn load(key: &str) -> Controls {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .and_then(|value| serde_wasm_bindgen::from_value(value).ok())
        .unwrap_or_default()
}

/// Keeps the controls (none decided: the entry is removed). The error says why they could not be kept.
pub fn save(key: &str, controls: &Controls) -> Result<(), String> {
    let storage = storage().ok_or("this browser does not let the page keep data here")?;
    if controls.is_empty() {
        let _ = storage.remove_item(key);
        return Ok(());
    }
    // The browser writes the JSON: the page's module has no JSON writer of its own.
    let text = to_js(controls).ok().and_then(|v| js_sys::JSON::stringify(&v).ok()).and_then(|t| t.as_string());
    let text = text.ok_or("they could not be written down")?;
    storage.set_item(key, &text).map_err(|_| "the browser refused to store them (its storage for this site may be full)".to_string())
}

/// The controls as a JS object (for `el.controls` and the event).
pub fn to_object(controls: &Controls) -> wasm_bindgen::JsValue {
    to_js(controls).unwrap_or(wasm_bindgen::JsValue::NULL)
}
