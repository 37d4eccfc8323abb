//! Browser tests of the embedding layer's pieces that need no model (wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]

use whythis_page::feedback;
use whythis_js::history::parse_history;
use wasm_bindgen::JsValue;
use whythis_ui::FeedbackRecord;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn record(id: &str, reason: Option<&str>) -> FeedbackRecord {
    FeedbackRecord {
        id: id.into(),
        item: 50,
        rank: 1,
        helpful: true,
        reason: reason.map(str::to_string),
        kind: whythis_types::boundary::ExplanationKind::Narrative,
        template: Some("recent_pull".into()),
        model: "m".into(),
        time: "2026-01-01T00:00:00.000Z".into(),
    }
}

/// A text field of the `i`th record of the log.
fn field(i: u32, name: &str) -> Option<String> {
    js_sys::Reflect::get(&feedback::records().get(i), &JsValue::from(name)).ok()?.as_string()
}

/// Every record's id, oldest first.
fn ids() -> Vec<String> {
    (0..feedback::records().length()).filter_map(|i| field(i, "id")).collect()
}

/// An id as the widget makes them: the time in milliseconds (13 digits), a random part, the item.
fn id(ms: u64) -> String {
    format!("{ms:013}-000000001-50")
}

#[wasm_bindgen_test]
fn the_feedback_log_replaces_by_id_and_is_bounded() {
    feedback::clear();
    assert_eq!(feedback::count(), 0);
    assert_eq!(feedback::append(&record(&id(1), None)).unwrap(), 1);
    assert_eq!(feedback::append(&record(&id(1), Some("because"))).unwrap(), 1);
    assert_eq!(field(0, "reason").as_deref(), Some("because"));
    for i in 0..feedback::MAX_RECORDS as u64 + 3 {
        feedback::append(&record(&id(1000 + i), None)).unwrap();
    }
    assert_eq!(feedback::count(), feedback::MAX_RECORDS);
    // The oldest went first.
    assert_eq!(field(0, "id"), Some(id(1003)));
    feedback::clear();
    assert_eq!(feedback::count(), 0);
}

#[wasm_bindgen_test]
fn every_record_has_its_own_key_in_time_order() {
    feedback::clear();
    feedback::append(&record(&id(2000), None)).unwrap();
    feedback::append(&record(&id(1000), None)).unwrap();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let own = storage.get_item(&format!("{}{}", feedback::KEY_PREFIX, id(2000))).unwrap().unwrap();
    assert!(own.contains(&id(2000)), "{own}");
    assert_eq!(ids(), vec![id(1000), id(2000)]);
    feedback::clear();
}

#[wasm_bindgen_test]
fn a_v1_log_is_migrated_once_and_a_corrupt_one_dropped() {
    feedback::clear();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let v1 = serde_json::json!([
        { "id": "50-1-2", "item": 50, "rank": 1, "helpful": true, "reason": null, "kind": "narrative", "model": "m", "time": "2026-01-01T00:00:01.000Z" },
        { "id": "7-0-1", "item": 7, "rank": 2, "helpful": false, "reason": null, "kind": "narrative", "model": "m", "time": "2026-01-01T00:00:00.000Z" },
    ]);
    storage.set_item(feedback::V1_KEY, &v1.to_string()).unwrap();
    assert_eq!(ids(), vec!["7-0-1", "50-1-2"], "in time order");
    assert_eq!(storage.get_item(feedback::V1_KEY).unwrap(), None);
    assert_eq!(feedback::count(), 2);
    storage.set_item(feedback::V1_KEY, "{not json").unwrap();
    assert_eq!(feedback::count(), 2);
    assert_eq!(feedback::append(&record(&id(1), None)).unwrap(), 3);
    feedback::clear();
    assert_eq!(feedback::count(), 0);
}

#[wasm_bindgen_test]
fn histories_are_read_in_every_form_the_host_may_use() {
    assert_eq!(parse_history("null").unwrap(), None);
    assert_eq!(parse_history("[64,199,96]").unwrap().unwrap().len(), 3);
    assert_eq!(parse_history(r#"[{"item":5,"action":"rated_4"}]"#).unwrap().unwrap().events[0].item, 5);
    assert!(parse_history(r#"[{"title":"x"}]"#).is_err());
    assert!(parse_history("not json: cyclic").is_err());
}
