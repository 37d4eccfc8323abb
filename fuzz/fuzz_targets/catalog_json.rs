//! Any bytes as a catalog, against a model of up to 2^16 items: an entry or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whythis::model::{Catalog, ItemId};

fuzz_target!(|data: &[u8]| {
    let Some((head, json)) = data.split_first_chunk::<2>() else { return };
    let num_items = u32::from(u16::from_le_bytes(*head)).max(1);
    if let Ok(catalog) = Catalog::from_json(json, num_items) {
        assert!(catalog.len() <= num_items as usize);
        for id in [0, 1, num_items, num_items.saturating_add(1)] {
            let _ = catalog.title(ItemId(id));
            let _ = catalog.tags(ItemId(id));
        }
    }
});
