//! Limits and budgets: every oversized input is refused with a sentence before anything large is
//! allocated, errors about a history never quote it, and a budget degrades an explanation visibly
//! and deterministically.

mod common;

use common::{load, real_histories, repo};
use std::process::Command;
use whythis::explain::options::Estimator;
use whythis::explain::explainer::{MAX_PERMUTATIONS, MAX_SENSITIVE, MAX_TOP_K};
use whythis::explain::options::SHAPLEY_CHUNK_PAIRS;
use whythis::explain::{explain, ExplainError, ExplainOptions, ExplanationDocument};
use whythis::files::{self, FileError};
use whythis::model::card::{MAX_NUM_ITEMS, MAX_SEQ_LEN};
use whythis::model::scorer::{MAX_BATCH, MAX_MODEL_BYTES, MAX_OUTPUT_FLOATS};
use whythis::model::{History, ItemId, ModelCard, ModelError, Scorer, Window};

fn long_history() -> History {
    let (_, history) = real_histories().into_iter().find(|(_, h)| h.len() > 20).expect("a real user with > 20 events");
    history
}

fn explain_with(options: ExplainOptions) -> Result<ExplanationDocument, ExplainError> {
    let m = load("models/sasrec.card.json");
    explain(&m.scorer, &m.catalog, &long_history(), &options)
}

fn options_error(options: ExplainOptions) -> String {
    match explain_with(options) {
        Err(e @ ExplainError::Options(_)) => e.to_string(),
        other => panic!("expected an options error, got {other:?}"),
    }
}

#[test]
fn a_model_over_the_byte_limit_is_refused_before_parsing() {
    let card = ModelCard::from_json(&std::fs::read(repo("models/sasrec.card.json")).unwrap()).unwrap();
    let bytes = vec![0u8; MAX_MODEL_BYTES + 1];
    let err = Scorer::load(card.clone(), &bytes).unwrap_err();
    assert!(matches!(err, ModelError::TooLarge { what: "ONNX model", .. }), "{err}");
    assert!(err.to_string().contains(&format!("at most {MAX_MODEL_BYTES} bytes")), "{err}");
    // Just under the limit, the same zeros reach the ONNX parser and fail there instead.
    let err = Scorer::load(card, &bytes[..1024]).unwrap_err();
    assert!(!matches!(err, ModelError::TooLarge { .. }), "{err}");
}

#[test]
fn oversized_files_are_refused_by_their_size_alone() {
    let dir = std::env::temp_dir().join(format!("whythis-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let card = dir.join("huge.card.json");
    // A sparse file: the size is what is checked, so nothing is read or written.
    std::fs::File::create(&card).unwrap().set_len(2 << 20).unwrap();
    let err = files::read_card(&card).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(&err, FileError::Model { source: ModelError::TooLarge { what: "model card", .. }, .. }), "{err}");
}

#[test]
fn card_limits_for_seq_len_and_num_items_are_sentences() {
    let text = std::fs::read_to_string(repo("tests/fixtures/tiny.card.json")).unwrap();
    for (from, to, words) in [
        ("\"seq_len\": 4", format!("\"seq_len\": {}", MAX_SEQ_LEN + 1), "\"seq_len\" must be between 1 and 4096"),
        ("\"num_items\": 10", format!("\"num_items\": {}", MAX_NUM_ITEMS + 1), "\"num_items\" must be between 1 and 10000000"),
    ] {
        assert!(text.contains(from), "the fixture changed: {from}");
        let err = ModelCard::from_json(text.replace(from, &to).as_bytes()).unwrap_err().to_string();
        assert!(err.contains(words), "{err}");
    }
}

#[test]
fn batches_shrink_so_one_call_never_outputs_more_than_the_cap() {
    let m = load("models/sasrec.card.json");
    assert_eq!(m.scorer.batch_size(), MAX_BATCH, "the default model is far below the cap");
    // A model with the most items: one score row is 40 MB, so a full batch of 64 would be 2.5 GB.
    let per_row = MAX_NUM_ITEMS as usize + 1;
    assert_eq!((MAX_OUTPUT_FLOATS / per_row).clamp(1, MAX_BATCH), 1);
}

#[test]
fn option_limits_are_sentences() {
    let o = ExplainOptions::default;
    let err = options_error(ExplainOptions { top_k: MAX_TOP_K + 1, ..o() });
    assert!(err.contains("top_k must be between 1 and 100"), "{err}");
    let err = options_error(ExplainOptions { permutations: MAX_PERMUTATIONS + 1, ..o() });
    assert!(err.contains("permutations must be between 1 and 4096"), "{err}");
    let err = options_error(ExplainOptions { time_budget_ms: Some(0), ..o() });
    assert!(err.contains("time_budget_ms must be at least 1"), "{err}");
    let err = options_error(ExplainOptions { max_windows: Some(0), ..o() });
    assert!(err.contains("max_windows must be at least 1"), "{err}");
    let err = options_error(ExplainOptions { sensitive_items: vec![ItemId(1); MAX_SENSITIVE + 1], ..o() });
    assert!(err.contains("sensitive"), "{err}");
}

#[test]
fn history_errors_name_the_position_and_range_but_never_the_item() {
    let m = load("models/sasrec.card.json");
    let err = Window::new(m.scorer.card(), &History::from_items([5, 987_654, 7])).unwrap_err().to_string();
    assert!(err.contains("event 1") && err.contains("1 to 1682"), "{err}");
    assert!(!err.contains("987654"), "the history leaked into: {err}");
    let history = History::parse(r#"[{"item": 5, "action": "bought_SecretThing"}]"#).unwrap();
    let err = Window::new(m.scorer.card(), &history).unwrap_err().to_string();
    assert!(err.contains("event 0") && err.contains("rated_1"), "{err}");
    assert!(!err.contains("SecretThing"), "the history leaked into: {err}");
    // Errors from explain() carry the same text.
    let err = explain(&m.scorer, &m.catalog, &History::from_items([987_654]), &ExplainOptions::default()).unwrap_err();
    assert!(!err.to_string().contains("987654"), "{err}");
}

#[test]
fn a_window_budget_degrades_shapley_deterministically_and_says_so() {
    let asked = 256;
    let degraded = explain_with(ExplainOptions { estimator: Estimator::Permutation, counterfactual_windows: 0, top_k: 3, permutations: asked, max_windows: Some(1), ..Default::default() }).unwrap();
    let used = SHAPLEY_CHUNK_PAIRS * 2;
    let cost = degraded.cost.as_ref().unwrap();
    let sentence = format!("Shapley values used {used} of {asked} permutations to stay within the budget of 1 scored windows.");
    // The permutation sampler's sentence first; the counterfactual search, left no windows, says so too.
    assert_eq!(cost.degraded[0], sentence);
    for rec in &degraded.recommendations {
        let e = rec.explanation.as_ref().unwrap();
        assert_eq!(e.shapley.permutations, used);
        assert!(e.deep_dive.iter().any(|s| s.starts_with(&sentence)), "{:?}", e.deep_dive);
    }
    // The degraded values are exactly those of a run that asked for the permutations it completed.
    let small = explain_with(ExplainOptions { estimator: Estimator::Permutation, counterfactual_windows: 0, top_k: 3, permutations: used, ..Default::default() }).unwrap();
    assert!(small.cost.as_ref().unwrap().degraded.is_empty());
    for (a, b) in degraded.recommendations.iter().zip(&small.recommendations) {
        assert_eq!(a.explanation.as_ref().unwrap().shapley, b.explanation.as_ref().unwrap().shapley);
    }
    // A larger budget completes more chunks, in whole chunks.
    let first = cost.by_method["shapley"];
    let more = explain_with(ExplainOptions { estimator: Estimator::Permutation, counterfactual_windows: 0, top_k: 3, permutations: asked, max_windows: Some(cost.windows + first), ..Default::default() }).unwrap();
    let used_more = more.recommendations[0].explanation.as_ref().unwrap().shapley.permutations;
    assert!(used_more > used && used_more < asked && used_more % used == 0, "{used_more}");
}

#[test]
fn a_time_budget_stops_a_long_sampling_and_a_generous_one_changes_nothing() {
    // 4096 permutations of a 50-event window are 200 000 windows: seconds of work, far over 1 ms.
    let doc = explain_with(ExplainOptions { estimator: Estimator::Permutation, counterfactual_windows: 0, top_k: 1, permutations: MAX_PERMUTATIONS, time_budget_ms: Some(1), ..Default::default() }).unwrap();
    let used = doc.recommendations[0].explanation.as_ref().unwrap().shapley.permutations;
    assert!(used < MAX_PERMUTATIONS && used % (SHAPLEY_CHUNK_PAIRS * 2) == 0, "{used}");
    let degraded = &doc.cost.as_ref().unwrap().degraded;
    assert_eq!(degraded.len(), 1);
    assert!(degraded[0].contains("to stay within the time budget of 1 ms"), "{degraded:?}");

    let plain = explain_with(ExplainOptions { estimator: Estimator::Permutation, counterfactual_windows: 0, top_k: 2, ..Default::default() }).unwrap();
    let generous = explain_with(ExplainOptions { estimator: Estimator::Permutation, counterfactual_windows: 0, top_k: 2, time_budget_ms: Some(3_600_000), ..Default::default() }).unwrap();
    assert_eq!(serde_json::to_string(&plain).unwrap(), serde_json::to_string(&generous).unwrap());
}

#[test]
fn the_cli_passes_budgets_and_prints_the_degradation() {
    let history: Vec<String> = long_history().events.iter().map(|e| e.item.to_string()).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_whythis"))
        .args(["explain", "--model", "models/sasrec.card.json", "--top-k", "1", "--estimator", "permutation"])
        .args(["--permutations", "256", "--max-windows", "1", "--history", &history.join(",")])
        .current_dir(repo(""))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("Shapley values used 16 of 256 permutations"), "{text}");
    // The default kernel estimator under the same budget rests on its fixed coalitions and says so.
    let out = Command::new(env!("CARGO_BIN_EXE_whythis"))
        .args(["explain", "--model", "models/sasrec.card.json", "--top-k", "1", "--max-windows", "1"])
        .args(["--history", &history.join(",")])
        .current_dir(repo(""))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Shapley values rest on 102 coalitions to stay within the budget of 1 scored windows"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_whythis"))
        .args(["explain", "--model", "models/sasrec.card.json", "--history", "1,2,3", "--time-budget-ms", "0"])
        .current_dir(repo(""))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("time_budget_ms must be at least 1"));
}
