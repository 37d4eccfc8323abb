//! Any bytes as a model card: parsing must return a card or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whythis::model::ModelCard;

fuzz_target!(|data: &[u8]| {
    if let Ok(card) = ModelCard::from_json(data) {
        // A card that parsed must satisfy its own rules and answer every lookup.
        assert!(card.violations().is_empty());
        let _ = card.default_action_index();
        for i in -1..4 {
            let _ = card.action_name(i);
        }
    }
});
