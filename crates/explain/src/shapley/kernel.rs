//! Paired KernelSHAP: Shapley values as the weighted least-squares fit of an additive model to the
//! scored coalitions (Lundberg & Lee 2017; Charnes et al. 1988), constrained to add up to
//! `v(all) - v(none)`. Fitted to every coalition, the fit *is* the Shapley value; fitted to a sample,
//! it converges far faster than permutation sampling on scores like a recommender's, which are close to
//! additive with pairwise interactions, where paired sampling is exact.
//!
//! How the budget is spent:
//! - coalitions of size 1 and n - 1 (each event alone, each event left out) are scored in full: the
//!   leave-one-out windows are occlusion's, already in the rescorer's cache;
//! - the other sizes are grouped in classes `{c, n - c}` and sampled in pairs, a coalition with its
//!   complement (antithetic, as Covert & Lee 2021 and Leverage SHAP, Musco & Witter 2025, recommend).
//!   A class is drawn with probability proportional to its number of sizes (Leverage SHAP's leverage
//!   scores: uniform over sizes), and weighted back to the Shapley kernel. A class small enough to
//!   enumerate within what sampling would spend on it is scored in full instead (exact for that class);
//! - every coalition scores every target item, so one design matrix serves the whole top K;
//! - sampling stops once the estimate's own standard error (the delta method on the regression,
//!   Covert & Lee 2021 §4) meets the accuracy goal, or at the coalition budget, or when the rescorer's
//!   budget runs out, whichever comes first.
//!
//! The small dense solve is written here (Cholesky of an n × n matrix, n ≤ 4096): a linear-algebra
//! crate would add more to the worker's download than the twenty lines it replaces.

use super::exact::binomial;
use super::{removed, Estimate, ShapleyRequest, SizeSampling};
use crate::document::Estimator;
use crate::error::ExplainError;
use crate::rescoring::{combinations, EventSet, Rescorer};
use whythis_model::Position;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Pairs drawn per round, between checks of the standard error (more for long windows, where each
/// check costs more).
pub const ROUND_PAIRS: usize = 24;

/// The fewest pairs after which the estimator trusts its own standard error enough to stop early.
pub const MIN_PAIRS_TO_STOP: usize = 96;

/// One sampled pair: a coalition (the events kept) and its complement, with their scores.
struct Draw {
    members: Vec<usize>,
    /// Importance weight: the class's kernel mass over its drawing probability.
    weight: f64,
    /// `v(S) - v(none)` and `v(complement) - v(none)`, per target.
    y: Vec<f64>,
    y_complement: Vec<f64>,
}

/// A size class `{c, n - c}`.
struct Class {
    c: usize,
    /// Drawing probability among the sampled classes.
    q: f64,
    /// Kernel weight of one of its coalitions, and how many pairs it holds.
    weight: f64,
    pairs: f64,
    complete: bool,
}

/// Weighted normal equations `A phi = b` of the regression, one right-hand side per target.
#[derive(Clone)]
struct Normal {
    n: usize,
    a: Vec<f64>,
    b: Vec<Vec<f64>>,
}

impl Normal {
    fn new(n: usize, targets: usize) -> Normal {
        Normal { n, a: vec![0.0; n * n], b: vec![vec![0.0; n]; targets] }
    }

    /// Adds one coalition (the events kept) with its per-target gains `y` and weight `w`.
    fn add(&mut self, members: &[usize], y: &[f64], w: f64) {
        let n = self.n;
        for &i in members {
            for &j in members {
                self.a[i * n + j] += w;
            }
        }
        for (bt, yt) in self.b.iter_mut().zip(y) {
            for &i in members {
                bt[i] += w * yt;
            }
        }
    }
}

/// Paired KernelSHAP for every target (see the module doc).
pub fn values(rescorer: &mut Rescorer, request: &ShapleyRequest) -> Result<Estimate, ExplainError> {
    let n = rescorer.window().len();
    let targets = rescorer.targets().len();
    let everything: EventSet = (0..n).map(Position).collect();

    // The empty and full windows, and class 1, in full: every later step leans on them.
    let mut fixed: Vec<EventSet> = vec![everything.clone(), Vec::new()];
    for p in 0..n {
        fixed.push(everything.iter().copied().filter(|q| q.0 != p).collect());
        fixed.push(vec![Position(p)]);
    }
    let scores = rescorer.scores_removing_all("shapley", &fixed)?;
    let none: Vec<f64> = scores[0].iter().map(|s| f64::from(*s)).collect();
    let all: Vec<f64> = scores[1].iter().map(|s| f64::from(*s)).collect();
    let gain = |row: &[f32]| -> Vec<f64> { row.iter().zip(&none).map(|(s, z)| f64::from(*s) - z).collect() };
    let total: Vec<f64> = all.iter().zip(&none).map(|(a, z)| a - z).collect();

    let mut normal = Normal::new(n, targets);
    let w1 = kernel_weight(n, 1);
    for p in 0..n {
        // fixed[2 + 2p] removes all but p (p alone); fixed[3 + 2p] removes p (p left out).
        normal.add(&[p], &gain(&scores[2 + 2 * p]), w1);
        let rest: Vec<usize> = (0..n).filter(|q| *q != p).collect();
        normal.add(&rest, &gain(&scores[3 + 2 * p]), w1);
    }
    let mut coalitions = fixed.len();

    let pair_budget = request.max_coalitions.saturating_sub(coalitions) / 2;
    let mut classes = plan(n, pair_budget, request.sizes);
    // Complete classes are scored whole when the budget allows it, else sampled like the others.
    let mut spent_on_complete = 0;
    for class in classes.iter_mut().filter(|c| c.complete) {
        let pairs = combinations(n, class.c, 2 * class.c == n);
        let sets: Vec<EventSet> = pairs.iter().flat_map(|m| [complement_set(n, m), members_set(m)]).collect();
        if rescorer.affordable().is_some_and(|room| room < sets.len()) {
            class.complete = false;
            continue;
        }
        let rows = rescorer.scores_removing("shapley", &sets)?;
        for (m, pair) in pairs.iter().zip(rows.chunks(2)) {
            normal.add(m, &gain(&pair[0]), class.weight);
            normal.add(&complement(n, m), &gain(&pair[1]), class.weight);
        }
        coalitions += sets.len();
        spent_on_complete += pairs.len();
    }
    renormalise(&mut classes);

    let mut rng = ChaCha8Rng::seed_from_u64(request.seed);
    let mut draws: Vec<Draw> = Vec::new();
    let sampled_budget = pair_budget.saturating_sub(spent_on_complete);
    let round = ROUND_PAIRS.max(n / 2);
    let mut stopped = None;
    let mut met_before = false;
    let mut solution = solve(&normal, &draws, &total, &classes);
    while classes.iter().any(|c| !c.complete) && draws.len() < sampled_budget {
        let wanted = round.min(sampled_budget - draws.len());
        let fresh: Vec<(Vec<usize>, f64)> = (0..wanted).map(|_| draw(&mut rng, n, &classes)).collect();
        let sets: Vec<EventSet> = fresh.iter().flat_map(|(m, _)| [complement_set(n, m), members_set(m)]).collect();
        let rows = rescorer.scores_removing("shapley", &sets)?;
        let scored = rows.len() / 2;
        for ((members, weight), pair) in fresh.into_iter().zip(rows.chunks_exact(2)) {
            draws.push(Draw { members, weight, y: gain(&pair[0]), y_complement: gain(&pair[1]) });
        }
        if scored < wanted {
            stopped = rescorer.binding_budget();
            if scored == 0 {
                break;
            }
        }
        solution = solve(&normal, &draws, &total, &classes);
        if stopped.is_some() {
            break;
        }
        // A standard error from a few dozen heavy-tailed draws can be far too small (seen: 2 % estimated,
        // 160 % real after 25 pairs), so the goal is trusted only after MIN_PAIRS_TO_STOP and n pairs,
        // and only when two rounds in a row meet it.
        let met = solution.relative_error() <= request.target_error;
        if met && met_before && draws.len() >= MIN_PAIRS_TO_STOP.max(n) {
            break;
        }
        met_before = met;
    }
    coalitions += draws.len() * 2;
    let degraded = stopped.map(|spent| {
        format!(
            "Shapley values rest on {coalitions} coalitions {}; their estimated error is {:.0} %.",
            spent.reason(),
            solution.relative_error() * 100.0
        )
    });
    Ok(Estimate { phi: solution.phi, se: solution.se, coalitions, permutations: 0, estimator: Estimator::Kernel, degraded })
}

/// Values and standard errors of one fit.
struct Solution {
    phi: Vec<Vec<f64>>,
    se: Vec<Vec<f64>>,
}

impl Solution {
    /// Root sum of squared standard errors over the values' norm, pooled over targets.
    fn relative_error(&self) -> f64 {
        let error: f64 = self.se.iter().flatten().map(|s| s * s).sum();
        let norm: f64 = self.phi.iter().flatten().map(|v| v * v).sum();
        if norm > 0.0 { (error / norm).sqrt() } else if error > 0.0 { f64::INFINITY } else { 0.0 }
    }
}

/// The constrained fit to the fully scored classes plus the draws so far, and its standard errors.
fn solve(normal: &Normal, draws: &[Draw], total: &[f64], classes: &[Class]) -> Solution {
    let (n, targets) = (normal.n, normal.b.len());
    let m = draws.len() as f64;
    let mut system = normal.clone();
    for d in draws {
        // The draws are an importance sample of the sampled classes: their mean estimates those classes' sum.
        system.add(&d.members, &d.y, d.weight / m);
        system.add(&complement(n, &d.members), &d.y_complement, d.weight / m);
    }
    let Normal { a, b, .. } = system;
    let Some(chol) = Cholesky::of(a, n) else {
        // Not positive definite only if class 1 was not scored, which `values` always does.
        return Solution { phi: vec![vec![0.0; n]; targets], se: vec![vec![f64::INFINITY; n]; targets] };
    };
    // phi = A^-1 b - a (1'A^-1 b - total) / (1'a), with a = A^-1 1: the efficiency constraint.
    let ones = vec![1.0; n];
    let a1 = chol.solve(&ones);
    let sum_a1: f64 = a1.iter().sum();
    let phi: Vec<Vec<f64>> = b
        .iter()
        .zip(total)
        .map(|(bt, tot)| {
            let x = chol.solve(bt);
            let excess = (x.iter().sum::<f64>() - tot) / sum_a1;
            x.iter().zip(&a1).map(|(xi, ai)| xi - ai * excess).collect()
        })
        .collect();

    // Delta method: a draw moves the fit by M g, M = A^-1 - a a' / (1'a), g = z r + (1 - z) r^c with
    // r the draw's residuals. M 1 = 0, so M g = (r - r^c) M z: one solve per draw serves every target.
    let unsupported = draws.len() < 2 && classes.iter().any(|c| !c.complete);
    let mut se = vec![vec![0.0f64; n]; targets];
    if unsupported {
        // Too few draws to estimate the spread: no value can be told from another.
        for (st, pt) in se.iter_mut().zip(&phi) {
            for (s, p) in st.iter_mut().zip(pt) {
                *s = p.abs().max(f64::EPSILON);
            }
        }
    } else if !draws.is_empty() {
        let mut sum = vec![vec![0.0f64; n]; targets];
        let mut sum_sq = vec![vec![0.0f64; n]; targets];
        for d in draws {
            let mut z = vec![0.0; n];
            for &i in &d.members {
                z[i] = 1.0;
            }
            let az = chol.solve(&z);
            let proj: f64 = az.iter().sum::<f64>() / sum_a1;
            let mz: Vec<f64> = az.iter().zip(&a1).map(|(x, ai)| x - ai * proj).collect();
            for t in 0..targets {
                let fit: f64 = d.members.iter().map(|&i| phi[t][i]).sum();
                let r = d.y[t] - fit;
                let r_c = d.y_complement[t] - (total[t] - fit);
                let scale = d.weight * (r - r_c);
                for i in 0..n {
                    let u = scale * mz[i];
                    sum[t][i] += u;
                    sum_sq[t][i] += u * u;
                }
            }
        }
        for t in 0..targets {
            for i in 0..n {
                let var = (sum_sq[t][i] - sum[t][i] * sum[t][i] / m) / (m - 1.0);
                se[t][i] = (var.max(0.0) / m).sqrt();
            }
        }
    }
    Solution { phi, se }
}

/// The kernel weight of one coalition of size `s`: (n - 1) / (C(n, s) s (n - s)).
fn kernel_weight(n: usize, s: usize) -> f64 {
    (n - 1) as f64 / (binomial(n, s) * s as f64 * (n - s) as f64)
}

/// The size classes 2..=n/2, and which of them fit in full into what sampling would spend on them.
fn plan(n: usize, pair_budget: usize, sizes: SizeSampling) -> Vec<Class> {
    let mut classes: Vec<Class> = (2..=n / 2)
        .map(|c| {
            let middle = 2 * c == n;
            Class {
                c,
                q: match sizes {
                    // Leverage scores are uniform over sizes: a class holds two sizes, the middle one.
                    SizeSampling::Leverage => if middle { 1.0 } else { 2.0 },
                    // The kernel's mass of the class: (n - 1) / (c (n - c)) per size.
                    SizeSampling::Kernel => (if middle { 1.0 } else { 2.0 }) / (c * (n - c)) as f64,
                },
                weight: kernel_weight(n, c),
                pairs: if middle { binomial(n, c) / 2.0 } else { binomial(n, c) },
                complete: false,
            }
        })
        .collect();
    let mut left = pair_budget as f64;
    loop {
        let mass: f64 = classes.iter().filter(|c| !c.complete).map(|c| c.q).sum();
        let Some(next) = classes.iter_mut().filter(|c| !c.complete).min_by(|a, b| a.pairs.total_cmp(&b.pairs)) else { break };
        if next.pairs > left * next.q / mass {
            break;
        }
        next.complete = true;
        left -= next.pairs;
    }
    classes
}

/// Turns the sampled classes' shares into probabilities, and their weights into importance weights.
fn renormalise(classes: &mut [Class]) {
    let mass: f64 = classes.iter().filter(|c| !c.complete).map(|c| c.q).sum();
    for class in classes.iter_mut().filter(|c| !c.complete) {
        class.q /= mass;
    }
}

/// One pair: a class by its probability, then a uniform coalition of that class's smaller size.
fn draw(rng: &mut ChaCha8Rng, n: usize, classes: &[Class]) -> (Vec<usize>, f64) {
    let mut u: f64 = rng.random();
    let sampled: Vec<&Class> = classes.iter().filter(|c| !c.complete).collect();
    let mut chosen = sampled[sampled.len() - 1];
    for class in &sampled {
        if u < class.q {
            chosen = class;
            break;
        }
        u -= class.q;
    }
    let mut members = rand::seq::index::sample(rng, n, chosen.c).into_vec();
    members.sort_unstable();
    (members, chosen.weight * chosen.pairs / chosen.q)
}

fn complement(n: usize, members: &[usize]) -> Vec<usize> {
    let mut keep = vec![true; n];
    for &i in members {
        keep[i] = false;
    }
    (0..n).filter(|i| keep[*i]).collect()
}

/// The removed set that keeps exactly `members`.
fn complement_set(n: usize, members: &[usize]) -> EventSet {
    let mut keep = vec![false; n];
    for &i in members {
        keep[i] = true;
    }
    removed(&keep)
}

/// The removed set that keeps everything but `members`.
fn members_set(members: &[usize]) -> EventSet {
    members.iter().map(|&i| Position(i)).collect()
}

/// The Cholesky factor of a symmetric positive-definite matrix, row-major lower triangle.
struct Cholesky {
    n: usize,
    l: Vec<f64>,
}

impl Cholesky {
    fn of(mut a: Vec<f64>, n: usize) -> Option<Cholesky> {
        for j in 0..n {
            let mut d = a[j * n + j];
            for k in 0..j {
                d -= a[j * n + k] * a[j * n + k];
            }
            if d <= 0.0 || !d.is_finite() {
                return None;
            }
            let d = d.sqrt();
            a[j * n + j] = d;
            for i in j + 1..n {
                let mut s = a[i * n + j];
                for k in 0..j {
                    s -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = s / d;
            }
        }
        Some(Cholesky { n, l: a })
    }

    fn solve(&self, b: &[f64]) -> Vec<f64> {
        let (n, l) = (self.n, &self.l);
        let mut y = b.to_vec();
        for i in 0..n {
            for k in 0..i {
                y[i] -= l[i * n + k] * y[k];
            }
            y[i] /= l[i * n + i];
        }
        for i in (0..n).rev() {
            for k in i + 1..n {
                y[i] -= l[k * n + i] * y[k];
            }
            y[i] /= l[i * n + i];
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_count_and_halve() {
        assert_eq!(combinations(6, 2, false).len(), 15);
        assert_eq!(combinations(6, 3, true).len(), 10);
        assert!(combinations(6, 3, true).iter().all(|m| m[0] == 0));
    }

    #[test]
    fn cholesky_solves() {
        let a = vec![4.0, 2.0, 2.0, 3.0];
        let x = Cholesky::of(a, 2).unwrap().solve(&[2.0, 1.0]);
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12 && (2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_small_enough_budget_completes_the_small_classes_first() {
        let classes = plan(8, 1000, SizeSampling::Leverage);
        assert!(classes.iter().all(|c| c.complete), "8 events: every class fits in 1000 pairs");
        // 12 events: class 2 has 66 pairs, within 400 x 2/9 of leverage sampling's share; class 3 (220) is not.
        let classes = plan(12, 400, SizeSampling::Leverage);
        assert!(classes[0].complete);
        assert!(!classes[1].complete);
    }
}
