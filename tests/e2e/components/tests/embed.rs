//! Browser tests of the embedding layer's pieces that need no model (wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]

use whythis::embed::feedback;
use whythis::embed::history::parse_history;
use whythis::ui::FeedbackRecord;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn record(id: &str, reason: Option<&str>) -> FeedbackRecord {
    FeedbackRecord {
        id: id.into(),
        item: 50,
        rank: 1,
        helpful: true,
        reason: reason.map(str::to_string),
        kind: "narrative".into(),
        model: "m".into(),
        time: "2026-01-01T00:00:00.000Z".into(),
    }
}

#[wasm_bindgen_test]
fn the_feedback_log_replaces_by_id_and_is_bounded() {
    feedback::clear();
    assert_eq!(feedback::count(), 0);
    assert_eq!(feedback::append(&record("a", None)).unwrap(), 1);
    assert_eq!(feedback::append(&record("a", Some("because"))).unwrap(), 1);
    assert_eq!(feedback::records()[0]["reason"], "because");
    for i in 0..feedback::MAX_RECORDS + 3 {
        feedback::append(&record(&format!("r{i}"), None)).unwrap();
    }
    assert_eq!(feedback::count(), feedback::MAX_RECORDS);
    // The oldest went first.
    assert_eq!(feedback::records()[0]["id"], "r3");
    feedback::clear();
    assert_eq!(feedback::count(), 0);
}

#[wasm_bindgen_test]
fn a_corrupt_log_reads_as_empty_and_is_rewritten() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item(feedback::LOG_KEY, "{not json").unwrap();
    assert_eq!(feedback::count(), 0);
    assert_eq!(feedback::append(&record("x", None)).unwrap(), 1);
    feedback::clear();
}

#[wasm_bindgen_test]
fn histories_are_read_in_every_form_the_host_may_use() {
    assert_eq!(parse_history("null").unwrap(), None);
    assert_eq!(parse_history("[64,199,96]").unwrap().unwrap().len(), 3);
    assert_eq!(parse_history(r#"[{"item":5,"action":"rated_4"}]"#).unwrap().unwrap().events[0].item, 5);
    assert!(parse_history(r#"[{"title":"x"}]"#).is_err());
    assert!(parse_history("not json: cyclic").is_err());
}
