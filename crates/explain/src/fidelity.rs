//! Faithfulness of an attribution (docs/explanations.md §4), judged by what the model does when events go.

use crate::error::ExplainError;
use crate::rescoring::Rescorer;
use whythis_model::Position;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How faithful one attribution is for one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Faithfulness {
    /// Area under the normalised deletion curve in attribution order (lower = more faithful).
    pub deletion_auc: Option<f32>,
    /// The same, averaged over random orders.
    pub random_deletion_auc: Option<f32>,
    /// `s(H) - s(H without the top-k events)`, by k.
    pub comprehensiveness: BTreeMap<usize, f32>,
    /// `s(H) - s(only the top-k events)`, by k.
    pub sufficiency: BTreeMap<usize, f32>,
}

/// The k at which comprehensiveness and sufficiency are reported.
pub const TOP_KS: [usize; 3] = [1, 3, 5];

/// Target `t`'s score after removing the first j events of `order`, for j = 0..=n.
pub fn deletion_curve(rescorer: &mut Rescorer, t: usize, base: f32, order: &[Position]) -> Result<Vec<f32>, ExplainError> {
    let sets: Vec<Vec<Position>> = (1..=order.len())
        .map(|j| {
            let mut s = order[..j].to_vec();
            s.sort();
            s
        })
        .collect();
    let outcomes = rescorer.removing("fidelity", &sets)?;
    Ok(std::iter::once(base).chain(outcomes.iter().map(|o| o.scores[t])).collect())
}

/// The area under a deletion curve rescaled to run from 1 (full window) to 0 (empty window); None when
/// the two ends are too close for the rescaling to mean anything.
pub fn normalised_auc(curve: &[f32]) -> Option<f32> {
    let (first, last) = (*curve.first()?, *curve.last()?);
    let span = first - last;
    if curve.len() < 2 || span.abs() < 1e-6 {
        return None;
    }
    let y: Vec<f32> = curve.iter().map(|c| (c - last) / span).collect();
    let steps = (y.len() - 1) as f32;
    Some(y.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f32>() / steps)
}

/// Deletion AUC (against `random_orders` seeded random orders), comprehensiveness and sufficiency.
pub fn faithfulness(
    rescorer: &mut Rescorer,
    t: usize,
    base: f32,
    attribution: &[f32],
    seed: u64,
    random_orders: usize,
) -> Result<Faithfulness, ExplainError> {
    let n = attribution.len();
    let mut order: Vec<Position> = (0..n).map(Position).collect();
    order.sort_by(|a, b| attribution[b.0].total_cmp(&attribution[a.0]).then(a.cmp(b)));
    let deletion_auc = normalised_auc(&deletion_curve(rescorer, t, base, &order)?);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut random = Vec::new();
    for _ in 0..random_orders {
        let mut shuffled: Vec<Position> = (0..n).map(Position).collect();
        shuffled.shuffle(&mut rng);
        if let Some(auc) = normalised_auc(&deletion_curve(rescorer, t, base, &shuffled)?) {
            random.push(auc);
        }
    }
    let random_deletion_auc = (!random.is_empty()).then(|| random.iter().sum::<f32>() / random.len() as f32);
    let mut comprehensiveness = BTreeMap::new();
    let mut sufficiency = BTreeMap::new();
    for k in TOP_KS.into_iter().filter(|k| *k <= n) {
        let mut top = order[..k].to_vec();
        top.sort();
        let rest: Vec<Position> = (0..n).map(Position).filter(|p| !top.contains(p)).collect();
        let o = rescorer.removing("fidelity", &[top, rest])?;
        comprehensiveness.insert(k, base - o[0].scores[t]);
        sufficiency.insert(k, base - o[1].scores[t]);
    }
    Ok(Faithfulness { deletion_auc, random_deletion_auc, comprehensiveness, sufficiency })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_an_immediate_drop_is_small_and_of_a_late_drop_large() {
        let early = normalised_auc(&[1.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
        let late = normalised_auc(&[1.0, 1.0, 1.0, 1.0, 0.0]).unwrap();
        assert!(early < 0.2 && late > 0.8, "{early} {late}");
        assert_eq!(normalised_auc(&[1.0, 1.0]), None);
    }
}
