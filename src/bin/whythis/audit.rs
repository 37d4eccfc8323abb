//! `whythis audit`: explanations over a whole data set, with fidelity, stability and segment disparities.

use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;
use whythis::audit::{self, AuditOptions, Segments};
use whythis::explain::ExplainOptions;
use whythis::files;

/// Arguments of `whythis audit`.
#[derive(clap::Args)]
pub struct Args {
    /// The model card (*.card.json).
    #[arg(long)]
    model: PathBuf,
    /// Interactions table: user, item, [action or rating,] timestamp (e.g. MovieLens u.data).
    #[arg(long)]
    interactions: PathBuf,
    /// Audit only the first N users (by id).
    #[arg(long)]
    users: Option<usize>,
    /// User attributes: user id, then attributes (e.g. MovieLens u.user).
    #[arg(long)]
    segments: Option<PathBuf>,
    /// Names of the segment file's columns after the user id, comma-separated (e.g. age,gender,occupation,zip).
    #[arg(long, value_delimiter = ',')]
    segment_columns: Vec<String>,
    /// Events held out at the end of each history (2 = leave-one-out validation and test).
    #[arg(long, default_value_t = 2)]
    holdout: usize,
    #[command(flatten)]
    shapley: crate::input::Shapley,
    /// Explain every n-th user twice to check byte-identical output.
    #[arg(long, default_value_t = 10)]
    stability_every: usize,
    /// Print the report as JSON (with every user's record).
    #[arg(long)]
    json: bool,
    /// Drift: audit the same users with this second model card too, and report how often the top-1
    /// explanation changed (template, top influence, counterfactual set), overall and per segment.
    #[arg(long, conflicts_with = "compare_interactions")]
    compare_model: Option<PathBuf>,
    /// Drift: audit the same model on this second interactions table (another period) too.
    #[arg(long)]
    compare_interactions: Option<PathBuf>,
}

/// Reads an interactions table for a model's card.
fn interactions(path: &PathBuf, card: &whythis::model::ModelCard) -> Result<audit::Interactions, String> {
    let text = String::from_utf8_lossy(&files::read(path).map_err(|e| e.to_string())?).into_owned();
    audit::interactions::parse(&text, card).map_err(|e| format!("{}: {e}", path.display()))
}

/// One audit with a progress bar.
fn audited(
    loaded: &files::LoadedModel,
    interactions: &audit::Interactions,
    segments: &Segments,
    options: &AuditOptions,
) -> Result<audit::AuditReport, String> {
    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} users, {elapsed} elapsed, ~{eta} left").unwrap_or_else(|_| ProgressStyle::default_bar()));
    let report = audit::audit(&loaded.scorer, &loaded.catalog, interactions, segments, options, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    Ok(report)
}

pub fn run(args: &Args) -> Result<ExitCode, String> {
    let loaded = files::load_model(&args.model).map_err(|e| e.to_string())?;
    let table = interactions(&args.interactions, loaded.scorer.card())?;
    let segments = match &args.segments {
        Some(path) => {
            let text = String::from_utf8_lossy(&files::read(path).map_err(|e| e.to_string())?).into_owned();
            audit::segments::parse(&text, &args.segment_columns).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Segments::default(),
    };
    let options = AuditOptions {
        users: args.users,
        holdout: args.holdout,
        explain: args.shapley.apply(ExplainOptions::default()),
        stability_every: args.stability_every,
        ..AuditOptions::default()
    };
    let report = audited(&loaded, &table, &segments, &options)?;
    let second = match (&args.compare_model, &args.compare_interactions) {
        (Some(card), _) => {
            let other = files::load_model(card).map_err(|e| e.to_string())?;
            let table = interactions(&args.interactions, other.scorer.card())?;
            let label = other.scorer.card().name.clone().unwrap_or_else(|| card.display().to_string());
            Some((label, audited(&other, &table, &segments, &options)?))
        }
        (None, Some(path)) => {
            let other = interactions(path, loaded.scorer.card())?;
            Some((path.display().to_string(), audited(&loaded, &other, &segments, &options)?))
        }
        (None, None) => None,
    };
    if let Some((label, after)) = second {
        let before = match &args.compare_model {
            Some(_) => loaded.scorer.card().name.clone().unwrap_or_else(|| args.model.display().to_string()),
            None => args.interactions.display().to_string(),
        };
        let drift = audit::drift::drift(&report, &after, (before, label), &segments);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&drift).map_err(|e| e.to_string())?);
        } else {
            print!("{}", drift.table());
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        print!("{}", report.table());
    }
    Ok(ExitCode::SUCCESS)
}
