//! explain() on the default model with a fuzzer-built history and options (small budgets, so each
//! execution stays short). Every input must give a document or an error, and a document must be
//! internally consistent.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use whythis::explain::{explain, AttentionDetail, ExplainOptions};
use whythis::model::{Catalog, Event, History, ItemId, ModelCard, Scorer};

struct Loaded {
    scorer: Scorer,
    catalog: Catalog,
}

fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        let card = ModelCard::from_json(include_bytes!("../../models/sasrec.card.json")).expect("card");
        let catalog = Catalog::from_json(include_bytes!("../../models/catalog.json"), card.num_items).expect("catalog");
        let scorer = Scorer::load(card, include_bytes!("../../models/sasrec.onnx")).expect("model");
        Loaded { scorer, catalog }
    })
}

const ACTIONS: [&str; 7] = ["rated_1", "rated_2", "rated_3", "rated_4", "rated_5", "pad", "unknown"];

#[derive(Debug, Arbitrary)]
struct FuzzEvent {
    /// Mostly real ids (folded into 0..=1700, so a few are out of range); `raw` sends any i64.
    item: u16,
    raw: Option<i64>,
    action: Option<u8>,
    ts: Option<i64>,
}

#[derive(Debug, Arbitrary)]
struct Input {
    events: Vec<FuzzEvent>,
    top_k: u8,
    allow_seen: bool,
    item: Option<u16>,
    seed: u64,
    permutations: u8,
    max_events: u8,
    all_layers: bool,
    sensitive_tags: Vec<String>,
    sensitive_items: Vec<u16>,
    rank_only: bool,
}

fuzz_target!(init: whythis_fuzz::crash_only_outside_dependencies(), |input: Input| {
    let Loaded { scorer, catalog } = loaded();
    let events = input
        .events
        .iter()
        .take(80)
        .map(|e| Event {
            item: e.raw.unwrap_or(i64::from(e.item % 1701)),
            action: e.action.map(|a| ACTIONS[usize::from(a) % ACTIONS.len()].to_owned()),
            ts: e.ts,
        })
        .collect();
    let options = ExplainOptions {
        // 0 and values above the cap are in range on purpose: they must be refused, not crash.
        top_k: usize::from(input.top_k % 5),
        allow_seen: input.allow_seen,
        item: input.item.map(|i| ItemId(u32::from(i % 1701))),
        seed: input.seed,
        permutations: usize::from(input.permutations % 9),
        max_events: usize::from(input.max_events % 4),
        attention: if input.all_layers { AttentionDetail::AllLayers } else { AttentionDetail::LastLayer },
        sensitive_tags: input.sensitive_tags,
        sensitive_items: input.sensitive_items.into_iter().map(|i| ItemId(u32::from(i))).collect(),
        rank_only: input.rank_only,
        ..ExplainOptions::default()
    };
    let history = History { events };
    let Ok(document) = explain(scorer, catalog, &history, &options) else { return };
    assert!(document.window.len() <= scorer.card().seq_len);
    assert!(document.recommendations.len() <= options.top_k.max(1));
    for rec in &document.recommendations {
        assert!(rec.score.is_finite(), "score {} of item {}", rec.score, rec.item);
        if let Some(e) = &rec.explanation {
            assert_eq!(e.occlusion.len(), document.window.len());
            assert!(!e.narrative.is_empty());
        }
    }
    // The document must serialise: the widget and the CLI both hand it on as JSON.
    serde_json::to_string(&document).expect("the document serialises");
});
