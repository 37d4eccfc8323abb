//! `whythis recommend`: the top K for a history.

use crate::input;
use std::process::ExitCode;
use whythis::explain::explainer::ranking_document;
use whythis::explain::naming::Naming;
use whythis::files;
use whythis::model::{Ranking, Window};

/// Arguments of `whythis recommend`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    query: crate::input::Query,
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    if args.query.top_k == 0 {
        return Err("--top-k must be at least 1".into());
    }
    let loaded = files::load_model(&args.query.model).map_err(|e| e.to_string())?;
    let history = input::history(&args.query.history)?;
    let card = loaded.scorer.card();
    let window = Window::new(card, &history).map_err(|e| e.to_string())?;
    let ranking = Ranking::of(&loaded.scorer, &window, args.query.allow_seen, args.query.top_k).map_err(|e| e.to_string())?;
    let document = ranking_document(card, &Naming::new(&loaded.catalog, &[], &[], None), &window, &ranking.top);
    if args.query.json {
        println!("{}", serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} for a history of {} events ({} in the model's window of {}):",
        card.name.as_deref().unwrap_or("Recommendations"),
        history.len(),
        window.len(),
        card.seq_len
    );
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
