//! Reading the CLI's inputs: histories given as a file or an id list.

use std::path::{Path, PathBuf};
use whythis::explain::options::{Controls, Estimator, ExplainOptions};
use whythis::files;
use whythis::json_error::without_values;
use whythis::model::history::MAX_HISTORY_BYTES;
use whythis::model::History;

/// Reads HISTORY: a JSON file of events, or a comma-separated list of item ids (oldest first).
pub fn history(arg: &str) -> Result<History, String> {
    let path = Path::new(arg);
    if path.is_file() {
        let bytes = files::read_at_most(path, "history", MAX_HISTORY_BYTES).map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| format!("{arg}: the history is not UTF-8 text"))?;
        return History::parse(&text).map_err(|e| format!("{arg}: {e}"));
    }
    let looks_like_ids = arg.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '-' || c.is_whitespace());
    if looks_like_ids {
        History::from_id_list(arg).map_err(|e| e.to_string())
    } else {
        Err(format!("{arg}: no such file, and not a comma-separated list of item ids"))
    }
}

/// What `recommend` and `explain` both ask for: a model, a history and the ranking's options.
#[derive(clap::Args)]
pub struct Query {
    /// The model card (*.card.json).
    #[arg(long)]
    pub model: PathBuf,
    /// A JSON file of events, or item ids separated by commas, oldest first (e.g. 64,199,96).
    #[arg(long, allow_hyphen_values = true)]
    pub history: String,
    /// How many items to recommend.
    #[arg(long, default_value_t = 10)]
    pub top_k: usize,
    /// Let items already in the window be recommended again.
    #[arg(long)]
    pub allow_seen: bool,
    /// Print the explanation document (docs/explanations.md §5) as JSON.
    #[arg(long)]
    pub json: bool,
    /// The visitor's controls as JSON (what the widget keeps and `whythis-controls` reports), e.g.
    /// {"not_interested": [50], "unused_tags": ["Horror"], "last_events": 20}.
    #[arg(long)]
    pub controls: Option<PathBuf>,
}

impl Query {
    /// The controls file read, or none decided.
    pub fn controls(&self) -> Result<Controls, String> {
        let Some(path) = &self.controls else { return Ok(Controls::default()) };
        let bytes = files::read_at_most(path, "controls", MAX_CONTROLS_BYTES).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| {
            format!("{}: not the controls' JSON (line {}, column {}): {}", path.display(), e.line(), e.column(), without_values(&e))
        })
    }
}

/// The largest controls file read: 10,000 entries of each list with room to spare.
const MAX_CONTROLS_BYTES: usize = 4 << 20;

/// How `explain` and `audit` estimate Shapley values.
#[derive(clap::Args)]
pub struct Shapley {
    /// Seed of the Shapley sampling.
    #[arg(long, default_value_t = whythis::explain::options::DEFAULT_SEED)]
    pub seed: u64,
    /// Shapley estimator: kernel (paired KernelSHAP, stops at its accuracy goal) or permutation.
    /// Windows short enough for every coalition to fit the coalition budget get exact values.
    #[arg(long, value_enum, default_value_t = EstimatorArg::Kernel)]
    pub estimator: EstimatorArg,
    /// Most coalitions the Shapley estimate may score (shared ones included).
    #[arg(long, default_value_t = whythis::explain::options::DEFAULT_SHAPLEY_COALITIONS)]
    pub shapley_coalitions: usize,
    /// The kernel estimator stops once its estimated relative error is at most this (0 = spend the
    /// whole coalition budget).
    #[arg(long, default_value_t = whythis::explain::options::DEFAULT_SHAPLEY_TARGET_ERROR)]
    pub shapley_target_error: f32,
    /// Permutations of the permutation estimator.
    #[arg(long, default_value_t = whythis::explain::options::DEFAULT_PERMUTATIONS)]
    pub permutations: usize,
}

impl Shapley {
    /// `options` with these Shapley settings.
    pub fn apply(&self, options: ExplainOptions) -> ExplainOptions {
        ExplainOptions {
            seed: self.seed,
            estimator: match self.estimator {
                EstimatorArg::Kernel => Estimator::Kernel,
                EstimatorArg::Permutation => Estimator::Permutation,
            },
            shapley_coalitions: self.shapley_coalitions,
            shapley_target_error: self.shapley_target_error,
            permutations: self.permutations,
            ..options
        }
    }
}

/// The Shapley estimators a user may ask for (exact values are chosen by themselves when they fit).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum EstimatorArg {
    /// Paired KernelSHAP (the default).
    Kernel,
    /// Antithetic permutation sampling (the old estimator, kept as a baseline).
    Permutation,
}
