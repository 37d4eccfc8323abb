//! Recourse (docs/explanations.md §3): for each explained item, a title the visitor would see instead,
//! from a changed window (its drop-out set left out, or only the older events kept), confirmed by scoring
//! that window afresh. The steps that word it are the narrative's.

use crate::document::{Alternative, AlternativeSource, Counterfactuals, DisplayName};
use crate::error::ExplainError;
use crate::options::RECENT_EVENTS;
use crate::rescoring::{EventSet, Outcome, Rescorer};
use whythis_model::{ItemId, Position, Rank};
use std::collections::HashMap;

/// One alternative per target (in target order), or none when no window tried brings in a title that
/// is not among `shown` (the visitor's top K now).
pub fn alternatives(rescorer: &mut Rescorer, shown: &[ItemId], counterfactuals: &[Counterfactuals]) -> Result<Vec<Option<Alternative>>, ExplainError> {
    let n = rescorer.window().len();
    let r = RECENT_EVENTS.min(n);
    // Only older events are left when the recent ones go; a window of recent events alone has none.
    let long_term: Option<EventSet> = (n > r).then(|| (n - r..n).map(Position).collect());
    let k = rescorer.k();
    let targets = rescorer.targets().to_vec();
    let mut verified: HashMap<EventSet, Outcome> = HashMap::new();
    let mut out = Vec::with_capacity(targets.len());
    for (t, &item) in targets.iter().enumerate() {
        let cf = &counterfactuals[t];
        // The counterfactual's own window first (the chain "what that did → what instead"), then the
        // longer-term taste.
        let tries = [
            cf.drop_out.as_ref().map(|s| (s.positions.clone(), AlternativeSource::Counterfactual)),
            cf.displace.as_ref().map(|s| (s.positions.clone(), AlternativeSource::Counterfactual)),
            long_term.clone().map(|set| (set, AlternativeSource::LongTermOnly)),
        ];
        let mut found = None;
        for (set, source) in tries.into_iter().flatten() {
            let cached = rescorer.removing("recourse", std::slice::from_ref(&set))?.remove(0);
            if newcomer(&cached, item, shown, k).is_none() {
                continue;
            }
            if !verified.contains_key(&set) {
                let fresh = rescorer.verify(std::slice::from_ref(&set))?.remove(0);
                verified.insert(set.clone(), fresh);
            }
            let fresh = &verified[&set];
            if let Some((alt, rank)) = newcomer(fresh, item, shown, k) {
                found = Some(Alternative {
                    item: alt,
                    name: DisplayName::default(),
                    source,
                    without: set,
                    rank,
                    item_rank: fresh.ranks[t],
                });
                break;
            }
        }
        out.push(found);
    }
    Ok(out)
}

/// The best title of `outcome`'s top K that is neither `target` nor shown now, with its rank.
fn newcomer(outcome: &Outcome, target: ItemId, shown: &[ItemId], k: usize) -> Option<(ItemId, Rank)> {
    outcome
        .top
        .iter()
        .take(k)
        .enumerate()
        .find(|(_, (i, _))| *i != target && !shown.contains(i))
        .map(|(place, (i, _))| (*i, Rank(place as u32 + 1)))
}
