//! Structure-aware ONNX fuzzing: the fuzzer edits a few bytes of a valid small model (tiny.onnx) or
//! the default model, so most inputs still parse as protobuf and reach tract's analysis and the plan.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use whythis::model::{History, ModelCard, Scorer, Window};

#[derive(Debug, Arbitrary)]
struct Edits {
    default_model: bool,
    /// (offset, byte) pairs written over the model; offsets wrap around its length.
    writes: Vec<(u32, u8)>,
    /// A cut: the model is truncated to this fraction (in 1/65536ths) when present.
    truncate: Option<u16>,
}

fuzz_target!(init: whythis_fuzz::crash_only_outside_dependencies(), |edits: Edits| {
    let (card, onnx): (&[u8], &[u8]) = if edits.default_model {
        (include_bytes!("../../models/sasrec.card.json"), include_bytes!("../../models/sasrec.onnx"))
    } else {
        (include_bytes!("../../tests/fixtures/tiny.card.json"), include_bytes!("../../tests/fixtures/tiny.onnx"))
    };
    let card = ModelCard::from_json(card).expect("the fixture card parses");
    let mut bytes = onnx.to_vec();
    for (offset, byte) in edits.writes.iter().take(16) {
        let at = *offset as usize % bytes.len();
        bytes[at] = *byte;
    }
    if let Some(cut) = edits.truncate {
        bytes.truncate(bytes.len() * usize::from(cut) / 65536);
    }
    let Ok(scorer) = Scorer::load(card, &bytes) else { return };
    let window = Window::new(scorer.card(), &History::from_items([1, 2, 3])).expect("items 1-3 exist");
    let _ = scorer.score(&[window.slots()]);
});
