//! Any text as a history (JSON array or id list), then as the window of the default model's card.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use whythis::model::{History, ModelCard, Window};

fn card() -> &'static ModelCard {
    static CARD: OnceLock<ModelCard> = OnceLock::new();
    CARD.get_or_init(|| {
        ModelCard::from_json(include_bytes!("../../models/sasrec.card.json")).expect("the default card parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        let _ = History::from_json(data);
        return;
    };
    if let Ok(history) = History::parse(text) {
        if let Ok(window) = Window::new(card(), &history) {
            assert!(window.len() <= card().seq_len);
            let slots = window.slots();
            assert_eq!(slots.items.len(), card().seq_len);
        }
    }
});
