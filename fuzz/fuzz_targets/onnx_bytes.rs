//! Any bytes as the ONNX model of a fixed valid card: Scorer::load must return a scorer or an error.
//! A scorer that loaded also scores one window, so a graph that loads but breaks at run time is found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whythis::model::{History, ModelCard, Scorer, Window};

fuzz_target!(init: whythis_fuzz::crash_only_outside_dependencies(), |data: &[u8]| {
    let card = ModelCard::from_json(include_bytes!("../../models/sasrec.card.json")).expect("the default card parses");
    let Ok(scorer) = Scorer::load(card, data) else { return };
    let window = Window::new(scorer.card(), &History::from_items([1, 2, 3])).expect("items 1-3 exist");
    let _ = scorer.score(&[window.slots()]);
});
