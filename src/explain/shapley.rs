//! Shapley values over window events (DESIGN.md §3), with `v(S) = s(window without the events not in S)`.
//! Exact for short windows; otherwise antithetic permutation sampling with a fixed seed. Either way the
//! values add up to `v(all) - v(none)`, because each permutation's marginals telescope.
//!
//! Sampling runs in chunks of [`SHAPLEY_CHUNK_PAIRS`] pairs, drawn from one seeded stream; between chunks
//! the budget is checked, so a stopped run gives exactly what a run asking for the permutations it
//! completed would give.

use super::budget::{Budget, Spent};
use super::document::{ShapleyEntry, ShapleyValues};
use super::error::ExplainError;
use super::options::{EXACT_SHAPLEY_MAX_EVENTS, SHAPLEY_CHUNK_PAIRS};
use super::rescoring::Rescorer;
use crate::model::Position;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Shapley values of every window event, one set per target, with no budget.
pub fn shapley(rescorer: &mut Rescorer, permutations: usize, seed: u64) -> Result<Vec<ShapleyValues>, ExplainError> {
    Ok(shapley_within(rescorer, permutations, seed, &Budget::unlimited())?.0)
}

/// Shapley values of every window event (one set per target), and a sentence when a budget cut the
/// sampling short.
pub fn shapley_within(
    rescorer: &mut Rescorer,
    permutations: usize,
    seed: u64,
    budget: &Budget,
) -> Result<(Vec<ShapleyValues>, Option<String>), ExplainError> {
    let n = rescorer.window().len();
    let targets = rescorer.targets().len();
    let (phi, used, exact, degraded) = if n <= EXACT_SHAPLEY_MAX_EVENTS {
        (exact_values(rescorer, n)?, 0, true, None)
    } else {
        let pairs = permutations.div_ceil(2).max(1);
        let (phi, done, spent) = sampled_values(rescorer, n, pairs, seed, budget)?;
        let degraded = spent.map(|spent| {
            format!("Shapley values used {} of {} permutations {}.", done * 2, pairs * 2, spent.reason())
        });
        (phi, done * 2, false, degraded)
    };
    let values = (0..targets)
        .map(|t| ShapleyValues {
            values: (0..n).map(|i| ShapleyEntry { position: Position(i), value: phi[t][i] as f32 }).collect(),
            permutations: used,
            seed,
            exact,
        })
        .collect();
    Ok((values, degraded))
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

/// Up to `pairs` random permutations and their reverses, chunk by chunk until done or the budget is
/// spent; the prefixes of each are the coalitions. Returns the values, the pairs used, and the budget
/// that stopped the sampling early, if one did.
fn sampled_values(
    rescorer: &mut Rescorer,
    n: usize,
    pairs: usize,
    seed: u64,
    budget: &Budget,
) -> Result<(Vec<Vec<f64>>, usize, Option<Spent>), ExplainError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let targets = rescorer.targets().len();
    let mut phi = vec![vec![0.0f64; n]; targets];
    // v(none) and v(all) ride in the first chunk's batch: every order starts and ends with them.
    let mut ends: Option<(Vec<f32>, Vec<f32>)> = None;
    let mut done = 0;
    let mut stopped = None;
    while done < pairs {
        if done > 0 {
            if let Some(spent) = budget.spent(rescorer.windows_scored()) {
                stopped = Some(spent);
                break;
            }
        }
        let chunk = SHAPLEY_CHUNK_PAIRS.min(pairs - done);
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
        for (o, order) in orders.iter().enumerate() {
            let score = |j: usize| match j {
                0 => none,
                j if j == n => all,
                j => &prefixes[o * (n - 1) + (j - 1)],
            };
            for (j, &event) in order.iter().enumerate() {
                let (before, after) = (score(j), score(j + 1));
                for t in 0..targets {
                    phi[t][event] += f64::from(after[t]) - f64::from(before[t]);
                }
            }
        }
        done += chunk;
    }
    let count = (done * 2) as f64;
    for row in &mut phi {
        for value in row.iter_mut() {
            *value /= count;
        }
    }
    Ok((phi, done, stopped))
}
