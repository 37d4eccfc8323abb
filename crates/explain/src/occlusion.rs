//! Leave-one-out occlusion (docs/explanations.md §3): `delta_i = s(H) - s(H without i)` for every window event,
//! all events in one batch, shared by every target.

use crate::document::OcclusionEntry;
use crate::error::ExplainError;
use crate::rescoring::Rescorer;
use whythis_model::Position;

/// Occlusion entries of every window event, one list per target (in target order).
pub fn occlusion(rescorer: &mut Rescorer, base_scores: &[f32]) -> Result<Vec<Vec<OcclusionEntry>>, ExplainError> {
    let window = rescorer.window();
    let sets: Vec<Vec<Position>> = window.events().iter().map(|e| vec![e.position]).collect();
    let items: Vec<_> = window.events().iter().map(|e| e.item).collect();
    let outcomes = rescorer.removing("occlusion", &sets)?;
    Ok((0..rescorer.targets().len())
        .map(|t| {
            outcomes
                .iter()
                .zip(&items)
                .enumerate()
                .map(|(p, (o, item))| OcclusionEntry {
                    position: Position(p),
                    item: *item,
                    delta: base_scores[t] - o.scores[t],
                    rank_without: o.ranks[t],
                })
                .collect()
        })
        .collect())
}
