//! `whythis explain`: the top K for a history, each with every explanation.

use crate::input;
use std::process::ExitCode;
use whythis::explain::{explain, AttentionDetail, ExplainOptions, ExplanationDocument};
use whythis::files;
use whythis::model::{ItemId, Position};

/// Arguments of `whythis explain`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    query: crate::input::Query,
    /// Explain only this item instead of the whole top K.
    #[arg(long)]
    item: Option<u32>,
    #[command(flatten)]
    shapley: input::Shapley,
    /// Window budget of the counterfactual search, all items together.
    #[arg(long, default_value_t = whythis::explain::options::DEFAULT_COUNTERFACTUAL_WINDOWS)]
    counterfactual_windows: usize,
    /// Largest counterfactual set to search.
    #[arg(long, default_value_t = whythis::explain::options::DEFAULT_MAX_EVENTS)]
    max_events: usize,
    /// Also report every attention layer and the rollout.
    #[arg(long)]
    all_layers: bool,
    /// Wall-clock budget per explanation in milliseconds: the counterfactual search and the Shapley
    /// estimate do less to keep it, and the report says so.
    #[arg(long)]
    time_budget_ms: Option<u64>,
    /// Budget in scored windows: like --time-budget-ms, but the same on every machine.
    #[arg(long)]
    max_windows: Option<usize>,
    /// A tag never to be named in narratives (repeatable).
    #[arg(long = "sensitive-tag")]
    sensitive_tags: Vec<String>,
    /// What-if: leave these events out (positions in the window, 0 = oldest, comma-separated, e.g. 3,7).
    /// The candidates stay those of the whole window; the report says where each item ranked before.
    #[arg(long, value_delimiter = ',')]
    without: Vec<usize>,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let loaded = files::load_model(&args.query.model).map_err(|e| e.to_string())?;
    let history = input::history(&args.query.history)?;
    let options = args.shapley.apply(ExplainOptions {
        top_k: args.query.top_k,
        allow_seen: args.query.allow_seen,
        item: args.item.map(ItemId),
        counterfactual_windows: args.counterfactual_windows,
        max_events: args.max_events,
        attention: if args.all_layers { AttentionDetail::AllLayers } else { AttentionDetail::LastLayer },
        sensitive_tags: args.sensitive_tags.clone(),
        time_budget_ms: args.time_budget_ms,
        max_windows: args.max_windows,
        without: args.without.iter().copied().map(Position).collect(),
        controls: args.query.controls()?,
        ..ExplainOptions::default()
    });
    let document = explain(&loaded.scorer, &loaded.catalog, &history, &options).map_err(|e| e.to_string())?;
    if args.query.json {
        println!("{}", serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?);
    } else {
        print!("{}", report(&document));
    }
    Ok(ExitCode::SUCCESS)
}

/// The readable report: per item, the narrative, the strongest events and the counterfactual sets,
/// every name as the document gives it.
fn report(doc: &ExplanationDocument) -> String {
    let mut out = String::new();
    let event_name = |p: Position| doc.window_names.get(p.0).map_or_else(|| format!("event {p}"), |n| n.short.clone());
    out += &format!("{} — window of {} events\n", doc.model.as_deref().unwrap_or("model"), doc.window.len());
    if let Some(controls) = doc.controls.as_ref().filter(|c| !c.sentence.is_empty()) {
        out += &format!("{}\n", controls.sentence);
    }
    if let Some(controls) = doc.controls.as_ref().filter(|c| !c.choices.is_empty()) {
        out += "Your choices:\n";
        for choice in &controls.choices {
            out += &format!("  - {}\n", choice.sentence);
        }
    }
    if let Some(what_if) = &doc.what_if {
        out += &format!("{}\n", what_if.sentence);
    }
    for rec in &doc.recommendations {
        let moved = rec.what_if.as_ref().map(|w| format!(", {}", w.movement)).unwrap_or_default();
        out += &format!("\n{}  {}  (item {}, score {:.4}{moved})\n", rec.rank, rec.name.short, rec.item, rec.score);
        let Some(e) = &rec.explanation else { continue };
        out += &format!("  {}\n", e.narrative);
        for sentence in &e.counterfactual_sentences {
            out += &format!("  {sentence}\n");
        }
        let mut strongest = e.occlusion.clone();
        strongest.sort_by(|a, b| b.delta.abs().total_cmp(&a.delta.abs()));
        for o in strongest.iter().take(3) {
            out += &format!("    {:+.4}  without {} (event {}) → {}\n", o.delta, event_name(o.position), o.position, o.rank_without);
        }
        for step in e.recourse.iter().flat_map(|r| &r.steps) {
            out += &format!("  {step}\n");
        }
    }
    if let Some(parameters) = &doc.parameters {
        out += "\nHow these picks are made:\n";
        for sentence in parameters.uses.iter().chain(&parameters.weighs) {
            out += &format!("  {sentence}\n");
        }
    }
    if let Some(cost) = &doc.cost {
        out += &format!("\n{} windows in {} model calls: {:?}\n", cost.windows, cost.model_calls, cost.by_method);
        for sentence in &cost.degraded {
            out += &format!("{sentence}\n");
        }
    }
    out
}
