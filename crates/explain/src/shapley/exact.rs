//! Exact Shapley values: every one of the 2^n coalitions, each scored once.

use super::{removed, Estimate};
use crate::document::Estimator;
use crate::error::ExplainError;
use crate::rescoring::Rescorer;

/// The most events exact values are computed for, whatever the budget: 2^20 windows.
pub const MAX_EXACT_EVENTS: usize = 20;

/// Every coalition: 2^n windows (through the cache, so occlusion's are not scored again).
pub fn values(rescorer: &mut Rescorer) -> Result<Estimate, ExplainError> {
    let n = rescorer.window().len();
    if n > MAX_EXACT_EVENTS {
        return Err(ExplainError::Options(format!(
            "exact Shapley values are computed for windows of at most {MAX_EXACT_EVENTS} events; this one has {n}"
        )));
    }
    let sets: Vec<_> = (0..1usize << n).map(|m| removed(&(0..n).map(|i| m >> i & 1 == 1).collect::<Vec<_>>())).collect();
    // Exact values are chosen only when every coalition fits the coalition budget, so they run in full.
    let v = rescorer.scores_removing_all("shapley", &sets)?;
    // weight(s) = s! (n - s - 1)! / n!
    let weight: Vec<f64> = (0..n).map(|s| 1.0 / (n as f64 * binomial(n - 1, s))).collect();
    let targets = rescorer.targets().len();
    let mut phi = vec![vec![0.0f64; n]; targets];
    for m in 0..v.len() {
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
    Ok(Estimate {
        phi,
        se: vec![vec![0.0; n]; targets],
        coalitions: 1 << n,
        permutations: 0,
        estimator: Estimator::Exact,
        degraded: None,
    })
}

/// C(n, k) as a float (exact for every n this crate meets).
pub fn binomial(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}
