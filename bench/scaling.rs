//! Scaling benchmark: one configuration per process, so the peak resident memory it reports (VmHWM) is
//! that configuration's own. Loads a model, scores a full window at batch 1 and the leave-one-out batch,
//! and explains the top K; prints one JSON line of figures. `bench/run.sh` runs it over window lengths,
//! catalog sizes and K with the synthetic models of `bench/synthetic_models.py`.
//!
//! Usage: `cargo run --release --example scaling -- CARD EVENTS TOP_K PERMUTATIONS [REPEATS]`

use std::path::Path;
use std::time::{Duration, Instant};
use whythis::explain::{explain, ExplainOptions};
use whythis::files;
use whythis::model::{History, Position, Window};

fn median(mut runs: Vec<Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1e3
}

fn time_ms<T>(repeats: usize, mut f: impl FnMut() -> T) -> f64 {
    let _ = f();
    median(
        (0..repeats)
            .map(|_| {
                let start = Instant::now();
                let _ = f();
                start.elapsed()
            })
            .collect(),
    )
}

/// Peak resident set size of this process in KiB, from /proc (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: scaling CARD EVENTS TOP_K PERMUTATIONS [REPEATS]");
        std::process::exit(2);
    }
    let card_path = Path::new(&args[1]);
    let events: usize = args[2].parse().expect("EVENTS is a number");
    let top_k: usize = args[3].parse().expect("TOP_K is a number");
    let permutations: usize = args[4].parse().expect("PERMUTATIONS is a number");
    let repeats: usize = args.get(5).map(|r| r.parse().expect("REPEATS is a number")).unwrap_or(3);

    let start = Instant::now();
    let model = files::load_model(card_path).unwrap_or_else(|e| panic!("{e}"));
    let load_ms = start.elapsed().as_secs_f64() * 1e3;
    let card = model.scorer.card();
    assert!(events <= card.seq_len, "EVENTS ({events}) is longer than the model's window ({})", card.seq_len);
    // Distinct items spread over the whole catalog; 7919 is prime, so it steps through every id.
    let history: Vec<serde_json::Value> = (0..events)
        .map(|j| serde_json::json!({ "item": 1 + (j as u64 * 7919) % card.num_items as u64, "action": "rated_4" }))
        .collect();
    let history: History = serde_json::from_value(serde_json::Value::Array(history)).expect("a valid history");
    let window = Window::new(card, &history).unwrap();

    let one = [window.slots()];
    let batch1_ms = time_ms(repeats * 5, || model.scorer.score(&one).unwrap());
    let leave_one_out: Vec<_> = (0..window.len()).map(|p| window.slots_without(&[Position(p)])).collect();
    let loo_ms = time_ms(repeats, || model.scorer.score(&leave_one_out).unwrap());
    let options = ExplainOptions { top_k, permutations, ..ExplainOptions::default() };
    let mut cost = None;
    // No warm-up run here: scoring above has warmed the plan, and a long window's explanation takes seconds.
    let explain_ms = median(
        (0..repeats)
            .map(|_| {
                let start = Instant::now();
                cost = explain(&model.scorer, &model.catalog, &history, &options).unwrap().cost;
                start.elapsed()
            })
            .collect(),
    );
    let cost = cost.expect("an explanation reports its cost");
    println!(
        "{}",
        serde_json::json!({
            "card": card_path.file_name().map(|f| f.to_string_lossy().into_owned()),
            "seq_len": card.seq_len,
            "num_items": card.num_items,
            "events": events,
            "top_k": top_k,
            "permutations": permutations,
            "load_ms": load_ms,
            "batch1_ms": batch1_ms,
            "leave_one_out_ms": loo_ms,
            "explain_ms": explain_ms,
            "windows": cost.windows,
            "model_calls": cost.model_calls,
            "peak_rss_mib": peak_rss_kib().map(|k| k as f64 / 1024.0),
        })
    );
}
