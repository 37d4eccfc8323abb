//! The `whythis` command as a user runs it: exit codes and messages for good and bad input.

mod common;

use common::repo;
use std::process::{Command, Output};

fn whythis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whythis")).args(args).current_dir(repo("")).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn check_accepts_the_default_model() {
    let o = whythis(&["check", "models/sasrec.card.json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("OK"), "{}", text(&o));
}

#[test]
fn check_rejects_non_conforming_models_with_sentences() {
    for (card, words) in [
        ("tests/fixtures/bad_dtype.card.json", "must be int64"),
        ("tests/fixtures/no_scores.card.json", "scores"),
        ("tests/fixtures/wrong_seq_len.card.json", "seq_len 50"),
        ("tests/fixtures/truncated.card.json", "ONNX"),
        ("tests/fixtures/does-not-exist.card.json", "cannot read"),
    ] {
        let o = whythis(&["check", card]);
        assert_eq!(o.status.code(), Some(1), "{card}: {}", text(&o));
        assert!(text(&o).contains("FAILED") && text(&o).contains(words), "{card}: {}", text(&o));
        assert!(!text(&o).contains("panicked"), "{card}: {}", text(&o));
    }
}

#[test]
fn check_reports_resolved_control_flow_and_refuses_loops_in_a_sentence() {
    let o = whythis(&["check", "tests/fixtures/zoo/recbole_sasrec_torchscript.card.json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("If node(s) replaced by the branch they take"), "{}", text(&o));
    let o = whythis(&["check", "tests/fixtures/zoo/scripted_gru_loop.card.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("FAILED") && text(&o).contains("is an ONNX Loop"), "{}", text(&o));
}

#[test]
fn recommend_prints_the_document_with_ranks_items_and_scores() {
    let o = whythis(&["recommend", "--model", "models/sasrec.card.json", "--history", "64,199,96", "--top-k", "4", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["format"], "whythis-explanation/1");
    assert_eq!(doc["window"].as_array().unwrap().len(), 3);
    let recs = doc["recommendations"].as_array().unwrap();
    assert_eq!(recs.len(), 4);
    assert_eq!(recs[0]["rank"], 1);
    for r in recs {
        assert!(r["item"].as_u64().unwrap() >= 1 && r["score"].is_number());
        assert!(![64, 199, 96].contains(&r["item"].as_u64().unwrap()), "seen items are not recommended");
    }
}

#[test]
fn recommend_reads_a_json_history_file_and_allows_seen_items_on_request() {
    let path = std::env::temp_dir().join(format!("whythis-cli-{}.json", std::process::id()));
    std::fs::write(&path, r#"[{"item":50,"action":"rated_5","ts":1},{"item":181,"action":"rated_4"}]"#).unwrap();
    let o = whythis(&["recommend", "--model", "models/sasrec.card.json", "--history", path.to_str().unwrap(), "--allow-seen", "--top-k", "1682", "--json"]);
    let _ = std::fs::remove_file(&path);
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["recommendations"].as_array().unwrap().len(), 1682);
}

#[test]
fn bad_input_exits_non_zero_with_a_message_and_never_panics() {
    let path = std::env::temp_dir().join(format!("whythis-bad-{}.json", std::process::id()));
    std::fs::write(&path, "[{\"item\": 5,").unwrap();
    let bad_file = path.to_str().unwrap().to_owned();
    for (history, words) in [
        ("5,99999", "only knows items 1 to 1682"),
        ("5,x", "not a comma-separated list"),
        (bad_file.as_str(), "not valid"),
        ("no/such/file.json", "no such file"),
    ] {
        let o = whythis(&["recommend", "--model", "models/sasrec.card.json", "--history", history]);
        assert_eq!(o.status.code(), Some(1), "{history}: {}", text(&o));
        assert!(text(&o).contains(words), "{history}: {}", text(&o));
        assert!(!text(&o).contains("panicked"));
        assert!(!text(&o).contains("99999"), "the history leaked into the message: {}", text(&o));
    }
    let _ = std::fs::remove_file(&path);
    let o = whythis(&["recommend", "--model", "models/sasrec.card.json", "--history", "1", "--top-k", "0"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn an_empty_history_is_a_cold_start() {
    let o = whythis(&["recommend", "--model", "models/gru4rec.card.json", "--history", "", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["window"].as_array().unwrap().len(), 0);
    assert_eq!(doc["recommendations"].as_array().unwrap().len(), 10);
}

#[test]
fn explain_prints_narratives_and_counterfactuals() {
    let o = whythis(&["explain", "--model", "models/sasrec.card.json", "--history", "64,199,96,50,181,172,174,1,121,117,127,98", "--top-k", "3", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in doc["recommendations"].as_array().unwrap() {
        assert!(r["narrative"].as_str().unwrap().len() > 20);
        assert_eq!(r["occlusion"].as_array().unwrap().len(), 12);
        assert!(r["counterfactual"].get("drop_out").is_some() && r["counterfactual"].get("displace").is_some());
    }
    let o = whythis(&["explain", "--model", "models/gru4rec.card.json", "--history", "64,199,96", "--item", "50", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rec = &doc["recommendations"][0];
    assert_eq!(rec["item"], 50);
    assert!(rec["attention"].is_null(), "a model without attention reports none");
}

#[test]
fn explain_without_is_the_cores_what_if() {
    let base = ["explain", "--model", "models/sasrec.card.json", "--history", "64,199,96,50,181", "--top-k", "5", "--permutations", "8"];
    let o = whythis(&[&base[..], &["--without", "3", "--json"]].concat());
    assert!(o.status.success(), "{}", text(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["what_if"]["without"], serde_json::json!([3]));
    assert_eq!(doc["recommendations"][0]["rank"], 1);
    assert_eq!(doc["recommendations"].as_array().unwrap().len(), 5);
    assert_eq!(doc["window"].as_array().unwrap().len(), 4);
    let o = whythis(&[&base[..], &["--without", "3"]].concat());
    assert!(text(&o).contains("Without 1 of your 5 events"), "{}", text(&o));
    let o = whythis(&[&base[..], &["--without", "2,9"]].concat());
    assert!(!o.status.success());
    assert!(text(&o).contains("0 to 4") && !text(&o).contains("181"), "{}", text(&o));
}
