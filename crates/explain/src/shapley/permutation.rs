//! Antithetic permutation sampling: each random order of the events and its reverse, with a fixed seed.
//! The values add up to `v(all) - v(none)` because each permutation's marginals telescope. Kept as the
//! baseline the kernel estimator is measured against (`bench/shapley_accuracy.rs`).
//!
//! Sampling runs in chunks of [`SHAPLEY_CHUNK_PAIRS`] pairs, drawn from one seeded stream; before each
//! chunk the rescorer is asked whether it still fits the budget, so a stopped run gives exactly what a
//! run asking for the permutations it completed would give.

use super::Estimate;
use crate::document::Estimator;
use crate::error::ExplainError;
use crate::options::SHAPLEY_CHUNK_PAIRS;
use crate::rescoring::Rescorer;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Up to `permutations` (rounded up to pairs) random permutations and their reverses, chunk by chunk
/// until done or the budget is spent; the prefixes of each are the coalitions. The standard errors
/// come from the spread of the pairs, which are independent.
pub fn values(rescorer: &mut Rescorer, permutations: usize, seed: u64) -> Result<Estimate, ExplainError> {
    let n = rescorer.window().len();
    let pairs = permutations.div_ceil(2).max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let targets = rescorer.targets().len();
    let mut sum = vec![vec![0.0f64; n]; targets];
    let mut sum_sq = vec![vec![0.0f64; n]; targets];
    // v(none) and v(all) ride in the first chunk's batch: every order starts and ends with them.
    let mut ends: Option<(Vec<f32>, Vec<f32>)> = None;
    let mut done = 0;
    let mut stopped = None;
    while done < pairs {
        let chunk = SHAPLEY_CHUNK_PAIRS.min(pairs - done);
        if done > 0 && rescorer.affordable().is_some_and(|room| room < chunk * 2 * (n - 1)) {
            stopped = rescorer.binding_budget();
            break;
        }
        let mut orders: Vec<Vec<usize>> = Vec::with_capacity(chunk * 2);
        for _ in 0..chunk {
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(&mut rng);
            let reversed = order.iter().rev().copied().collect();
            orders.push(order);
            orders.push(reversed);
        }
        let mut masks = if ends.is_none() { vec![vec![false; n], vec![true; n]] } else { Vec::new() };
        let first = masks.len();
        for order in &orders {
            let mut keep = vec![false; n];
            for &i in &order[..n - 1] {
                keep[i] = true;
                masks.push(keep.clone());
            }
        }
        let mut v = rescorer.target_scores_keeping("shapley", &masks)?;
        let prefixes = v.split_off(first);
        if ends.is_none() {
            let all = v.pop().unwrap_or_default();
            let none = v.pop().unwrap_or_default();
            ends = Some((none, all));
        }
        let Some((none, all)) = &ends else { unreachable!("set above") };
        // A permutation and its reverse are one sample: the pairs are independent, their halves not.
        for pair in 0..orders.len() / 2 {
            let mut unit = vec![vec![0.0f64; n]; targets];
            for o in [2 * pair, 2 * pair + 1] {
                let (order, base) = (&orders[o], o * (n - 1));
                let score = |j: usize| match j {
                    0 => none,
                    j if j == n => all,
                    j => &prefixes[base + (j - 1)],
                };
                for (j, &event) in order.iter().enumerate() {
                    let (before, after) = (score(j), score(j + 1));
                    for t in 0..targets {
                        unit[t][event] += (f64::from(after[t]) - f64::from(before[t])) / 2.0;
                    }
                }
            }
            for t in 0..targets {
                for i in 0..n {
                    sum[t][i] += unit[t][i];
                    sum_sq[t][i] += unit[t][i] * unit[t][i];
                }
            }
        }
        done += chunk;
    }
    let m = done as f64;
    let phi: Vec<Vec<f64>> = sum.iter().map(|row| row.iter().map(|s| s / m).collect()).collect();
    let se = sum
        .iter()
        .zip(&sum_sq)
        .map(|(s, sq)| {
            s.iter()
                .zip(sq)
                .map(|(s, sq)| if done > 1 { ((sq - s * s / m) / (m - 1.0) / m).max(0.0).sqrt() } else { 0.0 })
                .collect()
        })
        .collect();
    let degraded = stopped.map(|spent| format!("Shapley values used {} of {} permutations {}.", done * 2, pairs * 2, spent.reason()));
    Ok(Estimate {
        phi,
        se,
        coalitions: 2 + done * 2 * (n - 1),
        permutations: done * 2,
        estimator: Estimator::Permutation,
        degraded,
    })
}
