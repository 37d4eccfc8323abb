//! Shared helpers of the integration tests: the repository's real models and fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use whythis::files::{self, LoadedModel};
use whythis::model::History;

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
