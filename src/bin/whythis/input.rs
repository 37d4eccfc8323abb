//! Reading the CLI's inputs: histories given as a file or an id list.

use std::path::{Path, PathBuf};
use whythis::files;
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
}
