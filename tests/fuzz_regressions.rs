//! Inputs the fuzzers (fuzz/) found crashing, replayed. Each must give an error in words and must not
//! panic at all: `Scorer::load` contains panics natively, but on wasm32 a panic aborts the widget, so a
//! contained panic is still a failure here.

mod common;

use common::repo;
use std::sync::atomic::{AtomicBool, Ordering};
use whythis::model::{ModelCard, ModelError, Scorer};

static PANICKED: AtomicBool = AtomicBool::new(false);

fn default_card() -> ModelCard {
    ModelCard::from_json(&std::fs::read(repo("models/sasrec.card.json")).unwrap()).unwrap()
}

#[test]
fn crashing_inputs_are_refused_without_a_panic() {
    std::panic::set_hook(Box::new(|_| PANICKED.store(true, Ordering::SeqCst)));
    // onnx_bytes: a graph output that no node produces made tract-onnx index a missing key.
    let bytes = std::fs::read(repo("tests/fixtures/fuzz/onnx_bytes-output-without-producer.onnx")).unwrap();
    let err = Scorer::load(default_card(), &bytes).unwrap_err();
    let _ = std::panic::take_hook();
    assert!(!PANICKED.load(Ordering::SeqCst), "tract panicked (contained natively, fatal on wasm): {err}");
    assert!(matches!(err, ModelError::Onnx(_)), "{err}");
    assert!(err.to_string().contains("produced by no node"), "{err}");
}
