//! Inputs the fuzzers (fuzz/) found crashing, replayed. Most must give an error in words without any
//! panic: `Scorer::load` contains panics natively, but on wasm32 a panic aborts the engine, so a
//! contained panic is still a failure for them.

mod common;

use common::repo;
use std::sync::atomic::{AtomicBool, Ordering};
use whythis::model::{ModelCard, ModelError, Scorer};

static PANICKED: AtomicBool = AtomicBool::new(false);

fn default_card() -> ModelCard {
    ModelCard::from_json(&std::fs::read(repo("models/sasrec.card.json")).unwrap()).unwrap()
}

fn load(file: &str) -> (Result<Scorer, ModelError>, bool) {
    let bytes = std::fs::read(repo(&format!("tests/fixtures/fuzz/{file}"))).unwrap();
    PANICKED.store(false, Ordering::SeqCst);
    let result = Scorer::load(default_card(), &bytes);
    (result, PANICKED.load(Ordering::SeqCst))
}

/// One test for every input, because the panic hook is process-wide.
#[test]
fn crashing_inputs_are_refused_in_words() {
    let refused_before_tract = [
        // onnx_bytes: a graph output that no node produces made tract-onnx index a missing key.
        ("onnx_bytes-output-without-producer.onnx", "produced by no node"),
    ];
    std::panic::set_hook(Box::new(|_| PANICKED.store(true, Ordering::SeqCst)));
    let mut failures = Vec::new();
    for (file, expected) in refused_before_tract {
        match load(file) {
            (Err(ModelError::Onnx(text)), false) if text.contains(expected) => {}
            (Err(e), panicked) => failures.push(format!("{file}: panicked = {panicked}, error: {e}")),
            (Ok(_), _) => failures.push(format!("{file}: loaded")),
        }
    }
    // onnx_bytes, second run: a mutated node list on which tract-hir's analysis indexes past the end
    // of a node's outlets ("index exceeds length", in tract). Contained natively and named as a
    // broken model; in the browser the worker that trapped is replaced (tests/e2e: engine panics).
    match load("onnx_bytes-tract-hir-outlet-index.onnx") {
        (Err(ModelError::Panic(_) | ModelError::Onnx(_)), _) => {}
        (Err(e), _) => failures.push(format!("hir: unexpected error: {e}")),
        (Ok(_), _) => failures.push("hir: loaded".into()),
    }
    // onnx_bytes, third run: a Gather whose indices leave its table; tract panics at run time (an
    // unchecked index in tract-core), which whythis can only contain: natively it is caught, in the
    // browser the engine's worker traps and is replaced. The load check (`Scorer::probe`) makes it a
    // load error in words, before any visitor's request.
    match load("onnx_bytes-gather-index-out-of-range.onnx") {
        (Err(ModelError::Probe(text)), _) if !text.is_empty() => {}
        (Err(e), _) => failures.push(format!("gather: not refused by the load check: {e}")),
        (Ok(_), _) => failures.push("gather: loaded".into()),
    }
    // onnx_mutated: one byte of the default model set to 0 (the fuzzer's edit list is kept as
    // tests/fixtures/fuzz/onnx_mutated-gather-overflow.bin) sends a Gather out of its table, as above.
    let mut bytes = std::fs::read(repo("models/sasrec.onnx")).unwrap();
    bytes[269] = 0;
    PANICKED.store(false, Ordering::SeqCst);
    match Scorer::load(default_card(), &bytes) {
        Err(ModelError::Probe(text)) if !text.is_empty() => {}
        Err(e) => failures.push(format!("mutated: not refused by the load check: {e}")),
        Ok(_) => failures.push("mutated: loaded".into()),
    }
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The other half of the check the first input led to: a node that reads a name nothing produces.
/// tract-onnx looks such names up unchecked, so whythis refuses the graph before tract sees it.
#[test]
fn a_node_reading_a_name_nothing_produces_is_refused_in_words() {
    use prost::Message;
    let bytes = std::fs::read(repo("tests/fixtures/tiny.onnx")).unwrap();
    let mut proto = tract_onnx::pb::ModelProto::decode(&bytes[..]).unwrap();
    let graph = proto.graph.as_mut().unwrap();
    let last = graph.node.last_mut().unwrap();
    let node = format!("\"{}\" ({})", last.name, last.op_type);
    last.input[0] = "made_by_nothing".into();
    let card = ModelCard::from_json(&std::fs::read(repo("tests/fixtures/tiny.card.json")).unwrap()).unwrap();
    match Scorer::load(card, &proto.encode_to_vec()) {
        Err(ModelError::Onnx(text)) => {
            assert!(text.contains(&node) && text.contains("\"made_by_nothing\""), "names the node and the name: {text}")
        }
        other => panic!("expected an ONNX error in words, got {other:?}"),
    }
}
