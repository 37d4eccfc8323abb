//! Native benchmark: scoring latency at batch 1 and 50, and the cost of each explanation method on the
//! default model with real MovieLens windows. Prints medians of repeated runs. Run: `bench/run.sh`.

use std::path::Path;
use std::time::{Duration, Instant};
use whythis::explain::options::Estimator;
use whythis::explain::shapley::ShapleyRequest;
use whythis::explain::{ablation, counterfactual, explain, occlusion, rescoring::Rescorer, shapley, ExplainOptions};
use whythis::files;
use whythis::model::{Candidates, History, Position, Window};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> Duration {
    let _ = f(); // warm-up
    median((0..repeats).map(|_| {
        let start = Instant::now();
        let _ = f();
        start.elapsed()
    }).collect())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let card = std::env::args().nth(1).unwrap_or_else(|| "models/sasrec.card.json".into());
    let m = files::load_model(&root.join(&card)).expect("model loads");
    #[derive(serde::Deserialize)]
    struct Entry {
        history: History,
    }
    let entries: Vec<Entry> = serde_json::from_slice(&std::fs::read(root.join("tests/fixtures/windows.json")).unwrap()).unwrap();
    let c = m.scorer.card();
    let history = &entries.iter().find(|e| e.history.len() >= c.seq_len).expect("a full window").history;
    let window = Window::new(c, history).unwrap();
    let n = window.len();
    println!("model {card}: seq_len {}, {} items, window of {n} events", c.seq_len, c.num_items);

    let one = [window.slots()];
    let loo: Vec<_> = (0..n).map(|p| window.slots_without(&[Position(p)])).collect();
    let t1 = time(50, || m.scorer.score(&one).unwrap());
    let t50 = time(20, || m.scorer.score(&loo).unwrap());
    println!("scoring  batch 1: {}   batch {n} (leave-one-out pass): {} ({} per window)", ms(t1), ms(t50), ms(t50 / n as u32));

    let opts = ExplainOptions::default();
    let cands = Candidates::for_window(&window, c.num_items, false);
    let top: Vec<_> = cands.top_k(&m.scorer.score(&one).unwrap()[0], opts.top_k);
    let items: Vec<_> = top.iter().map(|r| r.item).collect();
    let base: Vec<f32> = top.iter().map(|r| r.score).collect();
    let ranks: Vec<_> = top.iter().map(|r| r.rank).collect();
    println!("\nper method, top {} together (median of 5; windows = model evaluations):", opts.top_k);
    let report = |name: &str, f: &mut dyn FnMut(&mut Rescorer)| {
        let mut windows = 0;
        let d = time(5, || {
            let mut r = Rescorer::new(&m.scorer, &window, &cands, items.clone(), opts.top_k);
            f(&mut r);
            windows = r.windows_by_method().values().sum::<usize>();
        });
        println!("  {name:<28} {:>10}  {windows:>6} windows", ms(d));
    };
    report("occlusion", &mut |r| {
        occlusion::occlusion(r, &base).unwrap();
    });
    report("recent vs long-term", &mut |r| {
        ablation::recent_vs_long_term(r, &base).unwrap();
    });
    for perms in [64, 256] {
        let request = ShapleyRequest { estimator: Estimator::Permutation, permutations: perms, ..ShapleyRequest::from_options(&opts) };
        report(&format!("shapley ({perms} permutations)"), &mut |r| {
            shapley::shapley(r, &request).unwrap();
        });
    }
    report("shapley (kernel, default goal)", &mut |r| {
        shapley::shapley(r, &ShapleyRequest::from_options(&opts)).unwrap();
    });
    report("counterfactual (both kinds)", &mut |r| {
        let occ = occlusion::occlusion(r, &base).unwrap();
        let evidence: Vec<_> =
            occ.iter().zip(&ranks).map(|(o, rank)| counterfactual::Evidence { occlusion: o, shapley: None, rank: *rank }).collect();
        let search = counterfactual::Search { max_events: opts.max_events, windows: opts.counterfactual_windows, catalog: Some(&m.catalog) };
        counterfactual::counterfactuals(r, &evidence, &search).unwrap();
    });
    for (name, o) in [
        ("whole top-10 (default)", ExplainOptions::default()),
        ("whole top-10 (permutation 64)", ExplainOptions { estimator: Estimator::Permutation, ..ExplainOptions::default() }),
    ] {
        let mut cost = None;
        let d = time(5, || cost = explain(&m.scorer, &m.catalog, history, &o).unwrap().cost);
        let cost = cost.unwrap();
        println!("  {name:<28} {:>10}  {:>6} windows in {} calls", ms(d), cost.windows, cost.model_calls);
    }

    // Budgets are hard (issue 11, target 4): the wall-clock time of a budgeted explanation against its budget.
    println!("\ntime budgets, whole top-10 explanation (median of 5):");
    for ms_budget in [50u64, 100, 300, 1000] {
        let o = ExplainOptions { time_budget_ms: Some(ms_budget), shapley_target_error: 0.0, ..ExplainOptions::default() };
        let mut windows = 0;
        let d = time(5, || windows = explain(&m.scorer, &m.catalog, history, &o).unwrap().cost.unwrap().windows);
        println!("  budget {ms_budget:>5} ms: took {} ({:.0} % of the budget), {windows} windows", ms(d), d.as_secs_f64() * 1e5 / ms_budget as f64);
    }
}
