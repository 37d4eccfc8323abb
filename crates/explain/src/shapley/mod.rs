//! Shapley values over window events (docs/explanations.md §3), with `v(S) = s(window without the events not in S)`.
//! Either way they add up to `v(all) - v(none)`.
//!
//! Three estimators, one document shape:
//! - [`exact`]: every coalition, when 2^n fits the coalition budget;
//! - [`kernel`] (the default): paired KernelSHAP, which reuses the windows occlusion already scored,
//!   shares every coalition across the top K, and stops when its own standard error meets the goal;
//! - [`permutation`]: antithetic permutation sampling, kept as the baseline the benchmarks compare
//!   against (`bench/shapley_accuracy.rs`).

pub mod exact;
pub mod kernel;
pub mod permutation;

use super::document::{Estimator, ShapleyEntry, ShapleyValues};
use super::error::ExplainError;
use super::options::{exact_shapley, ExplainOptions};
use super::rescoring::Rescorer;
use whythis_model::Position;

/// What the Shapley step was asked to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapleyRequest {
    /// The estimator (exact is chosen by itself when it fits).
    pub estimator: Estimator,
    /// Most coalitions to score, shared ones included.
    pub max_coalitions: usize,
    /// The kernel estimator stops once its estimated relative L2 error is at most this.
    pub target_error: f64,
    /// Permutations of the permutation estimator.
    pub permutations: usize,
    /// Seed of every random draw.
    pub seed: u64,
    /// How the kernel estimator spreads its draws over coalition sizes.
    pub sizes: SizeSampling,
}

/// How the kernel estimator draws coalition sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeSampling {
    /// Uniform over sizes (Leverage SHAP's leverage scores), weighted back to the kernel.
    Leverage,
    /// In proportion to the Shapley kernel's mass per size (KernelSHAP's own sampling).
    Kernel,
}

impl ShapleyRequest {
    /// The request the options describe.
    pub fn from_options(options: &ExplainOptions) -> ShapleyRequest {
        ShapleyRequest {
            estimator: options.estimator,
            max_coalitions: options.shapley_coalitions,
            target_error: f64::from(options.shapley_target_error),
            permutations: options.permutations,
            seed: options.seed,
            sizes: SizeSampling::Kernel,
        }
    }
}

/// Raw values of one estimate: `phi[t][i]` and its standard error, per target.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Values per target, per event.
    pub phi: Vec<Vec<f64>>,
    /// Standard errors per target, per event (0 when exact).
    pub se: Vec<Vec<f64>>,
    /// Distinct coalitions the estimate used.
    pub coalitions: usize,
    /// Permutations used (permutation estimator only).
    pub permutations: usize,
    /// Which estimator made it.
    pub estimator: Estimator,
    /// A sentence when a budget cut the estimate short.
    pub degraded: Option<String>,
}

/// Shapley values of every window event, one set per target, and a sentence when a budget cut the
/// estimate short.
pub fn shapley(rescorer: &mut Rescorer, request: &ShapleyRequest) -> Result<(Vec<ShapleyValues>, Option<String>), ExplainError> {
    let estimate = estimate(rescorer, request)?;
    Ok((values_of(&estimate, request.seed), estimate.degraded.clone()))
}

/// The raw estimate the request asks for.
pub fn estimate(rescorer: &mut Rescorer, request: &ShapleyRequest) -> Result<Estimate, ExplainError> {
    let n = rescorer.window().len();
    if exact_shapley(request.estimator, n, request.max_coalitions) {
        return exact::values(rescorer);
    }
    match request.estimator {
        Estimator::Permutation => permutation::values(rescorer, request.permutations, request.seed),
        _ => kernel::values(rescorer, request),
    }
}

/// The document's form of an estimate.
pub fn values_of(estimate: &Estimate, seed: u64) -> Vec<ShapleyValues> {
    estimate
        .phi
        .iter()
        .zip(&estimate.se)
        .map(|(phi, se)| {
            let norm = phi.iter().map(|v| v * v).sum::<f64>().sqrt();
            let error = se.iter().map(|s| s * s).sum::<f64>().sqrt();
            ShapleyValues {
                values: phi
                    .iter()
                    .zip(se)
                    .enumerate()
                    .map(|(i, (v, s))| ShapleyEntry { position: Position(i), value: *v as f32, standard_error: *s as f32 })
                    .collect(),
                permutations: estimate.permutations,
                seed,
                exact: estimate.estimator == Estimator::Exact,
                estimator: estimate.estimator,
                coalitions: estimate.coalitions,
                relative_error: if norm > 0.0 { (error / norm) as f32 } else { 0.0 },
            }
        })
        .collect()
}

/// The removed set of the coalition that keeps the events marked true.
pub(crate) fn removed(keep: &[bool]) -> Vec<Position> {
    keep.iter().enumerate().filter(|(_, k)| !**k).map(|(i, _)| Position(i)).collect()
}
