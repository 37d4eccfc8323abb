//! Shapley accuracy per scored window (issue 11, target 1): the kernel estimator against the permutation
//! sampler, on real MovieLens-100k windows, judged against exact values (short windows, every
//! coalition scored) and against a high-budget kernel reference (full windows).
//!
//! Run: `cargo run --release --example shapley_accuracy -- [CARD] [--users N] [--short L] [--reference-coalitions C]`
//! (bench/run.sh runs it on both default models). Exact values and references are cached under
//! bench/out/shapley-cache/, keyed by model, user and window length, so a rerun only re-estimates.
//! Errors are relative L2: ‖estimate − reference‖ / ‖reference‖ per (user, item), over the top 3
//! items; the tables print medians (and the 90th percentile).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use whythis::audit::interactions;
use whythis::explain::options::Estimator;
use whythis::explain::rescoring::Rescorer;
use whythis::explain::shapley::{estimate, ShapleyRequest, SizeSampling};
use whythis::explain::{explain, ExplainOptions};
use whythis::files;
use whythis::model::{Candidates, History, Scorer, Window};

const TOP: usize = 3;

struct Args {
    card: String,
    users: usize,
    short: usize,
    reference_coalitions: usize,
    budgets: Vec<usize>,
}

fn args() -> Args {
    let mut a = Args { card: "models/sasrec.card.json".into(), users: 24, short: 16, reference_coalitions: 1 << 16, budgets: vec![100, 200, 400, 1000, 2000, 4000] };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = |what: &str| it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{what} needs a number"));
        match arg.as_str() {
            "--users" => a.users = num("--users"),
            "--short" => a.short = num("--short"),
            "--reference-coalitions" => a.reference_coalitions = num("--reference-coalitions"),
            "--budgets" => {
                let list = it.next().expect("--budgets 100,1000");
                a.budgets = list.split(',').map(|b| b.parse().expect("--budgets takes numbers")).collect();
            }
            card => a.card = card.into(),
        }
    }
    a
}

fn rel_l2(est: &[f64], reference: &[f64]) -> f64 {
    let err: f64 = est.iter().zip(reference).map(|(a, b)| (a - b).powi(2)).sum();
    let norm: f64 = reference.iter().map(|b| b * b).sum();
    (err / norm).sqrt()
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// The top-3 values of one estimator on one window, and the coalitions it used.
fn run(scorer: &Scorer, window: &Window, request: &ShapleyRequest) -> (Vec<Vec<f64>>, usize, f64) {
    let card = scorer.card();
    let candidates = Candidates::for_window(window, card.num_items, false);
    let top = candidates.top_k(&scorer.score(&[window.slots()]).expect("scores")[0], TOP);
    let mut rescorer = Rescorer::new(scorer, window, &candidates, top.iter().map(|r| r.item).collect(), 10);
    let e = estimate(&mut rescorer, request).expect("estimate");
    let est_err = {
        let err: f64 = e.se.iter().flatten().map(|s| s * s).sum();
        let norm: f64 = e.phi.iter().flatten().map(|v| v * v).sum();
        (err / norm).sqrt()
    };
    (e.phi, rescorer.windows_scored(), est_err)
}

fn cached(path: &Path, compute: impl FnOnce() -> Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    if let Ok(bytes) = std::fs::read(path) {
        if let Ok(v) = serde_json::from_slice(&bytes) {
            return v;
        }
    }
    let v = compute();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
    v
}

fn request(estimator: Estimator, coalitions: usize, n: usize, target_error: f64, seed: u64) -> ShapleyRequest {
    ShapleyRequest {
        sizes: SizeSampling::Kernel,
        estimator,
        max_coalitions: coalitions,
        target_error,
        // The permutation sampler's windows: 2 + permutations × (n − 1).
        permutations: (coalitions.saturating_sub(2) / (n - 1)).max(2),
        seed,
    }
}

fn main() {
    let a = args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let m = files::load_model(&root.join(&a.card)).expect("model loads");
    let card = m.scorer.card().clone();
    let model_name = Path::new(&a.card).file_stem().unwrap().to_string_lossy().replace(".card", "");
    let data = root.join("../shared/data/movielens-100k/u.data");
    let text = std::fs::read_to_string(&data).unwrap_or_else(|_| panic!("{} is needed (MovieLens-100k)", data.display()));
    let users = interactions::parse(&text, &card).expect("u.data parses").users;
    // Every k-th user with a full window: a fixed, spread sample.
    let eligible: Vec<(&u64, &History)> = users.iter().filter(|(_, h)| h.events.len() >= card.seq_len).collect();
    let step = (eligible.len() / a.users).max(1);
    let sample: Vec<(u64, History)> = eligible.iter().step_by(step).take(a.users).map(|(u, h)| (**u, (*h).clone())).collect();
    let cache: PathBuf = root.join("bench/out/shapley-cache");
    let budgets = a.budgets.clone();
    println!("model {model_name}: {} users, top {TOP} items each", sample.len());

    for (label, len) in [("exact", a.short), ("reference", card.seq_len)] {
        let mut references: BTreeMap<u64, (Window, Vec<Vec<f64>>)> = BTreeMap::new();
        let mut reference_noise = Vec::new();
        for (user, history) in &sample {
            let short = History { events: history.events[history.events.len() - len..].to_vec() };
            let window = Window::new(&card, &short).expect("window");
            let path = cache.join(format!("{model_name}-{label}-L{len}-u{user}.json"));
            let reference = cached(&path, || {
                let r = if label == "exact" {
                    request(Estimator::Exact, 1 << len, len, 0.0, 7)
                } else {
                    request(Estimator::Kernel, a.reference_coalitions, len, 0.0, 7)
                };
                run(&m.scorer, &window, &r).0
            });
            if label == "reference" && reference_noise.len() < 4 {
                // The reference's own noise: a second reference with another seed, on a few users.
                let path = cache.join(format!("{model_name}-{label}-L{len}-u{user}-seed8.json"));
                let other = cached(&path, || run(&m.scorer, &window, &request(Estimator::Kernel, a.reference_coalitions, len, 0.0, 8)).0);
                for (x, y) in other.iter().zip(&reference) {
                    reference_noise.push(rel_l2(x, y));
                }
            }
            references.insert(*user, (window, reference));
        }
        println!("\n## against {label} values, windows of {len} events");
        if !reference_noise.is_empty() {
            println!(
                "reference: kernel with {} coalitions; two seeds differ by median {:.2} % (max {:.2} %)",
                a.reference_coalitions,
                quantile(reference_noise.clone(), 0.5) * 100.0,
                quantile(reference_noise, 1.0) * 100.0
            );
        }
        println!("| windows | permutation median | permutation p90 | kernel median | kernel p90 | kernel estimated (median) |");
        println!("|---:|---:|---:|---:|---:|---:|");
        for &b in &budgets {
            let mut errs = [Vec::new(), Vec::new()];
            let mut estimated = Vec::new();
            for (window, reference) in references.values() {
                for (e, estimator) in [Estimator::Permutation, Estimator::Kernel].into_iter().enumerate() {
                    let mut r = request(estimator, b, len, 0.0, 11);
                    if std::env::var("WHYTHIS_SIZES").as_deref() == Ok("leverage") {
                        r.sizes = SizeSampling::Leverage;
                    }
                    let (phi, _, est) = run(&m.scorer, window, &r);
                    if estimator == Estimator::Kernel {
                        estimated.push(est);
                    }
                    errs[e].extend(phi.iter().zip(reference).map(|(x, y)| rel_l2(x, y)));
                }
            }
            let [p, k] = errs;
            println!(
                "| {b} | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % |",
                quantile(p.clone(), 0.5) * 100.0,
                quantile(p, 0.9) * 100.0,
                quantile(k.clone(), 0.5) * 100.0,
                quantile(k, 0.9) * 100.0,
                quantile(estimated, 0.5) * 100.0
            );
        }
        // The default: what `explain` does, top 10, stopping at its accuracy goal.
        let defaults = ExplainOptions::default();
        let mut errs = Vec::new();
        let mut coalitions = Vec::new();
        let mut whole = Vec::new();
        for ((_, history), (_, reference)) in sample.iter().zip(references.values()) {
            let short = History { events: history.events[history.events.len() - len..].to_vec() };
            let doc = explain(&m.scorer, &m.catalog, &short, &defaults).expect("explains");
            let cost = doc.cost.as_ref().unwrap();
            whole.push(cost.windows as f64);
            for (rec, r) in doc.recommendations.iter().take(TOP).zip(reference) {
                let s = &rec.explanation.as_ref().unwrap().shapley;
                coalitions.push(s.coalitions as f64);
                errs.push(rel_l2(&s.values.iter().map(|v| f64::from(v.value)).collect::<Vec<_>>(), r));
            }
        }
        println!(
            "default explain (top 10, goal {:.0} %, ≤ {} coalitions): Shapley error median {:.1} % (p90 {:.1} %), coalitions median {:.0}, whole explanation median {:.0} windows (max {:.0})",
            defaults.shapley_target_error * 100.0,
            defaults.shapley_coalitions,
            quantile(errs.clone(), 0.5) * 100.0,
            quantile(errs, 0.9) * 100.0,
            quantile(coalitions, 0.5),
            quantile(whole.clone(), 0.5),
            quantile(whole, 1.0)
        );
    }
}
