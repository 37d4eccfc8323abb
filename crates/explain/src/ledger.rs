//! The feature ledger (docs/explanations.md §3): occlusion deltas summed by action, tag and recency, and how alike
//! each past item is to the recommended one.

use crate::document::{Ledger, OcclusionEntry, SimilarityEntry};
use crate::naming::Naming;
use whythis_model::{ItemEmbedding, ItemId, Window};

/// The one key under which the deltas of every tag the host marked sensitive are summed: the ledger
/// shows that such tags weigh, never which (matched as the naming policy matches, in any case or form).
pub const SENSITIVE_TAG: &str = "(sensitive)";

/// The recency bucket of the event `age` places before the most recent one (0 = the last event).
pub fn recency_bucket(age: usize) -> &'static str {
    match age {
        0 => "last",
        1..=4 => "2-5",
        5..=19 => "6-20",
        _ => "older",
    }
}

/// The ledger of one target from its occlusion entries.
pub fn ledger(
    window: &Window,
    occlusion: &[OcclusionEntry],
    naming: &Naming,
    target: ItemId,
    embedding: Option<&ItemEmbedding>,
) -> Ledger {
    let mut ledger = Ledger::default();
    let n = window.len();
    for (event, entry) in window.events().iter().zip(occlusion) {
        let action = event.action.clone().unwrap_or_else(|| "unknown".into());
        *ledger.by_action.entry(action).or_default() += entry.delta;
        for tag in naming.catalog().tags(event.item) {
            let shown = if naming.is_sensitive_tag(tag) { SENSITIVE_TAG.to_owned() } else { tag.clone() };
            *ledger.by_tag.entry(shown).or_default() += entry.delta;
        }
        let age = n - 1 - event.position.0;
        *ledger.by_recency.entry(recency_bucket(age).to_owned()).or_default() += entry.delta;
        if let Some(cosine) = embedding.and_then(|e| e.cosine(event.item.column(), target.column())) {
            ledger.similarity.push(SimilarityEntry { position: event.position, item: event.item, cosine });
        }
    }
    ledger
}
