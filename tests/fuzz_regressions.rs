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

/// One test for every input, because the panic hook is process-wide.
#[test]
fn crashing_inputs_are_refused_without_a_panic() {
    let cases = [
        // onnx_bytes: a graph output that no node produces made tract-onnx index a missing key.
        ("onnx_bytes-output-without-producer.onnx", "produced by no node"),
        // onnx_bytes, second run: an `Or` node reads "unsqueeze_2", whose producer the mutation
        // removed; tract-hir's analysis indexed past the end of its outlets.
        ("onnx_bytes-node-input-without-producer.onnx", "reads \"unsqueeze_2\""),
    ];
    std::panic::set_hook(Box::new(|_| PANICKED.store(true, Ordering::SeqCst)));
    let mut failures = Vec::new();
    for (file, expected) in cases {
        let bytes = std::fs::read(repo(&format!("tests/fixtures/fuzz/{file}"))).unwrap();
        PANICKED.store(false, Ordering::SeqCst);
        let result = Scorer::load(default_card(), &bytes);
        let panicked = PANICKED.load(Ordering::SeqCst);
        match result {
            Err(ModelError::Onnx(text)) if !panicked && text.contains(expected) => {}
            Err(e) => failures.push(format!("{file}: panicked = {panicked}, error: {e}")),
            Ok(_) => failures.push(format!("{file}: loaded")),
        }
    }
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{failures:#?}");
}
