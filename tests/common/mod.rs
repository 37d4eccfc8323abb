//! Shared helpers of the integration tests: the repository's real models and fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use whythis::files::{self, LoadedModel};
use whythis::model::{History, Slots};

/// A path inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Loads a model from its card, panicking with the error text (tests only).
pub fn load(card: &str) -> LoadedModel {
    files::load_model(&repo(card)).unwrap_or_else(|e| panic!("{card}: {e}"))
}

/// Real MovieLens windows (users' training histories) from the fixture.
pub fn real_histories() -> Vec<(u64, History)> {
    #[derive(serde::Deserialize)]
    struct Entry {
        user: u64,
        history: History,
    }
    let bytes = std::fs::read(repo("tests/fixtures/windows.json")).expect("tests/fixtures/windows.json");
    let entries: Vec<Entry> = serde_json::from_slice(&bytes).expect("windows.json parses");
    entries.into_iter().map(|e| (e.user, e.history)).collect()
}

/// The shipped models: the default SASRec (attention, actions) and the GRU4Rec-style one (neither).
pub const SHIPPED: [&str; 2] = ["models/sasrec.card.json", "models/gru4rec.card.json"];

/// onnxruntime's score rows for these windows (tools/parity/ort_scores.py; one row per window,
/// column = item id). `card` is relative to the repository.
pub fn onnxruntime_scores(card: &str, windows: &[Slots]) -> Vec<Vec<f32>> {
    let payload: Vec<serde_json::Value> =
        windows.iter().map(|s| serde_json::json!({ "item_ids": s.items, "action_types": s.actions })).collect();
    let path = std::env::temp_dir().join(format!("whythis-ort-{}-{}.json", std::process::id(), card.replace('/', "_")));
    std::fs::write(&path, serde_json::to_vec(&payload).unwrap()).unwrap();
    let python = std::env::var("WHYTHIS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(repo("tools/parity/ort_scores.py"))
        .arg(repo(card))
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "onnxruntime failed on {card}: {}", String::from_utf8_lossy(&out.stderr));
    #[derive(serde::Deserialize)]
    struct Reply {
        scores: Vec<Vec<f32>>,
    }
    let reply: Reply = serde_json::from_slice(&out.stdout).expect("ort_scores.py prints JSON");
    assert_eq!(reply.scores.len(), windows.len(), "one row per window");
    reply.scores
}
