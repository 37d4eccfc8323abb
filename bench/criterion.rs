//! Criterion benches of scoring and of each explanation method on the default model and a real 50-event
//! MovieLens window: `cargo bench --bench explain` (or `bench/run.sh`). Under `cargo test --all-targets`
//! criterion runs each bench once as a smoke test; the Shapley budgets are cut to 8 permutations there so
//! the test suite stays fast (the figures come only from `cargo bench`).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;
use whythis::explain::options::Estimator;
use whythis::explain::shapley::ShapleyRequest;
use whythis::explain::{counterfactual, explain, occlusion, rescoring::Rescorer, shapley, ExplainOptions};
use whythis::files::{self, LoadedModel};
use whythis::model::{Candidates, History, Position, Ranked, Window};

/// The default model and the first fixture history that fills its window.
struct Setup {
    model: LoadedModel,
    history: History,
    window: Window,
    candidates: Candidates,
    top: Vec<Ranked>,
}

fn setup() -> Setup {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let card = std::env::var("WHYTHIS_BENCH_CARD").unwrap_or_else(|_| "models/sasrec.card.json".into());
    let model = files::load_model(&root.join(card)).expect("the bench model loads");
    #[derive(serde::Deserialize)]
    struct Entry {
        history: History,
    }
    let fixtures = std::fs::read(root.join("tests/fixtures/windows.json")).expect("tests/fixtures/windows.json is readable");
    let entries: Vec<Entry> = serde_json::from_slice(&fixtures).expect("the window fixtures parse");
    let c = model.scorer.card();
    let history = entries.into_iter().find(|e| e.history.len() >= c.seq_len).expect("a fixture fills the window").history;
    let window = Window::new(c, &history).unwrap();
    let candidates = Candidates::for_window(&window, c.num_items, false);
    let scores = model.scorer.score(&[window.slots()]).unwrap();
    let top = candidates.top_k(&scores[0], ExplainOptions::default().top_k);
    Setup { model, history, window, candidates, top }
}

/// `cargo bench` passes `--bench`; without it criterion is in test mode and runs each bench once.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let scorer = &s.model.scorer;
    let n = s.window.len();
    let permutation_budgets: &[usize] = if benchmarking() { &[64, 256] } else { &[8] };

    let mut scoring = c.benchmark_group("scoring");
    let one = [s.window.slots()];
    scoring.bench_function("batch 1", |b| b.iter(|| scorer.score(black_box(&one)).unwrap()));
    let leave_one_out: Vec<_> = (0..n).map(|p| s.window.slots_without(&[Position(p)])).collect();
    scoring.bench_function(format!("batch {n} (leave-one-out)"), |b| b.iter(|| scorer.score(black_box(&leave_one_out)).unwrap()));
    scoring.finish();

    let items: Vec<_> = s.top.iter().map(|r| r.item).collect();
    let base: Vec<f32> = s.top.iter().map(|r| r.score).collect();
    let ranks: Vec<_> = s.top.iter().map(|r| r.rank).collect();
    let k = s.top.len();
    let rescorer = || Rescorer::new(scorer, &s.window, &s.candidates, items.clone(), k);

    let mut methods = c.benchmark_group(format!("top-{k} methods"));
    // Shapley at 256 permutations takes seconds per run: ten samples are plenty for a median.
    methods.sample_size(10).warm_up_time(Duration::from_millis(500));
    methods.bench_function("occlusion", |b| b.iter(|| occlusion::occlusion(&mut rescorer(), &base).unwrap()));
    methods.bench_function("counterfactuals (both kinds, after occlusion)", |b| {
        b.iter(|| {
            let mut r = rescorer();
            let occ = occlusion::occlusion(&mut r, &base).unwrap();
            let evidence: Vec<_> =
                occ.iter().zip(&ranks).map(|(o, rank)| counterfactual::Evidence { occlusion: o, shapley: None, rank: *rank }).collect();
            let defaults = ExplainOptions::default();
            let search = counterfactual::Search {
                max_events: defaults.max_events,
                windows: defaults.counterfactual_windows,
                catalog: Some(&s.model.catalog),
            };
            counterfactual::counterfactuals(&mut r, &evidence, &search).unwrap()
        })
    });
    let defaults = ShapleyRequest::from_options(&ExplainOptions::default());
    for &perms in permutation_budgets {
        let request = ShapleyRequest { estimator: Estimator::Permutation, permutations: perms, ..defaults };
        methods.bench_function(format!("shapley {perms} permutations"), |b| {
            b.iter(|| shapley::shapley(&mut rescorer(), &request).unwrap())
        });
    }
    methods.bench_function("shapley kernel (default goal)", |b| b.iter(|| shapley::shapley(&mut rescorer(), &defaults).unwrap()));
    methods.bench_function("whole explanation (default)", |b| {
        b.iter(|| explain(scorer, &s.model.catalog, black_box(&s.history), &ExplainOptions::default()).unwrap())
    });
    for &perms in permutation_budgets {
        let options = ExplainOptions { estimator: Estimator::Permutation, permutations: perms, ..ExplainOptions::default() };
        methods.bench_function(format!("whole explanation, shapley {perms} permutations"), |b| {
            b.iter(|| explain(scorer, &s.model.catalog, black_box(&s.history), &options).unwrap())
        });
    }
    methods.finish();
}

criterion_group!(explain_benches, benches);
criterion_main!(explain_benches);
