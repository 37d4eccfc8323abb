//! `whythis recommend`: the top K for a history.

use crate::input;
use std::process::ExitCode;
use whythis::explain::{explain, ExplainOptions};
use whythis::files;

/// Arguments of `whythis recommend`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    query: crate::input::Query,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let loaded = files::load_model(&args.query.model).map_err(|e| e.to_string())?;
    let history = input::history(&args.query.history)?;
    let card = loaded.scorer.card();
    // The core's one ranking path, so the controls and the option checks are the explanation's own.
    let options = ExplainOptions {
        top_k: args.query.top_k,
        allow_seen: args.query.allow_seen,
        rank_only: true,
        controls: args.query.controls()?,
        ..ExplainOptions::default()
    };
    let document = explain(&loaded.scorer, &loaded.catalog, &history, &options).map_err(|e| e.to_string())?;
    if args.query.json {
        println!("{}", serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} for a history of {} events ({} in the model's window of {}):",
        card.name.as_deref().unwrap_or("Recommendations"),
        history.len(),
        document.window.len(),
        card.seq_len
    );
    if let Some(controls) = document.controls.as_ref().filter(|c| !c.sentence.is_empty()) {
        println!("{}", controls.sentence);
    }
    for r in &document.recommendations {
        println!(
            "  {:>4}  {:<50}  item {:>6}  score {:>9.4}",
            r.rank.to_string(),
            r.name.short,
            r.item,
            r.score
        );
    }
    Ok(ExitCode::SUCCESS)
}
