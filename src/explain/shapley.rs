//! Shapley values over window events (DESIGN.md §3), with `v(S) = s(window without the events not in S)`.
//! Exact for short windows; otherwise antithetic permutation sampling with a fixed seed. Either way the
//! values add up to `v(all) - v(none)`, because each permutation's marginals telescope.

use super::document::{ShapleyEntry, ShapleyValues};
use super::error::ExplainError;
use super::options::EXACT_SHAPLEY_MAX_EVENTS;
use super::rescoring::Rescorer;
use crate::model::Position;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Shapley values of every window event, one set per target.
pub fn shapley(rescorer: &mut Rescorer, permutations: usize, seed: u64) -> Result<Vec<ShapleyValues>, ExplainError> {
    let n = rescorer.window().len();
    let targets = rescorer.targets().len();
    let (phi, used, exact) = if n <= EXACT_SHAPLEY_MAX_EVENTS {
        (exact_values(rescorer, n)?, 0, true)
    } else {
        let pairs = permutations.div_ceil(2).max(1);
        (sampled_values(rescorer, n, pairs, seed)?, pairs * 2, false)
    };
    Ok((0..targets)
        .map(|t| ShapleyValues {
            values: (0..n).map(|i| ShapleyEntry { position: Position(i), value: phi[t][i] as f32 }).collect(),
            permutations: used,
            seed,
            exact,
        })
        .collect())
}

/// Every coalition: 2^n windows.
fn exact_values(rescorer: &mut Rescorer, n: usize) -> Result<Vec<Vec<f64>>, ExplainError> {
    let masks: Vec<Vec<bool>> = (0..1usize << n).map(|m| (0..n).map(|i| m >> i & 1 == 1).collect()).collect();
    let v = rescorer.target_scores_keeping("shapley", &masks)?;
    // weight(s) = s! (n - s - 1)! / n!
    let mut weight = vec![0.0f64; n.max(1)];
    for (s, w) in weight.iter_mut().enumerate().take(n) {
        *w = factorial(s) * factorial(n - s - 1) / factorial(n);
    }
    let targets = rescorer.targets().len();
    let mut phi = vec![vec![0.0f64; n]; targets];
    for m in 0..1usize << n {
        let size = m.count_ones() as usize;
        for i in 0..n {
            if m >> i & 1 == 0 {
                let with = m | 1 << i;
                for t in 0..targets {
                    phi[t][i] += weight[size] * (f64::from(v[with][t]) - f64::from(v[m][t]));
                }
            }
        }
    }
    Ok(phi)
}

fn factorial(k: usize) -> f64 {
    (1..=k).map(|x| x as f64).product()
}

/// `pairs` random permutations and their reverses; the prefixes of each are the coalitions.
fn sampled_values(rescorer: &mut Rescorer, n: usize, pairs: usize, seed: u64) -> Result<Vec<Vec<f64>>, ExplainError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut orders: Vec<Vec<usize>> = Vec::with_capacity(pairs * 2);
    for _ in 0..pairs {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        let reversed = order.iter().rev().copied().collect();
        orders.push(order);
        orders.push(reversed);
    }
    // Row 0 = no event, row 1 = every event, then the n - 1 proper prefixes of each order.
    let mut masks = vec![vec![false; n], vec![true; n]];
    for order in &orders {
        let mut keep = vec![false; n];
        for &i in &order[..n - 1] {
            keep[i] = true;
            masks.push(keep.clone());
        }
    }
    let v = rescorer.target_scores_keeping("shapley", &masks)?;
    let targets = rescorer.targets().len();
    let mut phi = vec![vec![0.0f64; n]; targets];
    for (o, order) in orders.iter().enumerate() {
        let prefix_row = |j: usize| match j {
            0 => 0,
            j if j == n => 1,
            j => 2 + o * (n - 1) + (j - 1),
        };
        for (j, &event) in order.iter().enumerate() {
            let (before, after) = (prefix_row(j), prefix_row(j + 1));
            for t in 0..targets {
                phi[t][event] += f64::from(v[after][t]) - f64::from(v[before][t]);
            }
        }
    }
    let count = orders.len() as f64;
    for row in &mut phi {
        for value in row.iter_mut() {
            *value /= count;
        }
    }
    Ok(phi)
}
