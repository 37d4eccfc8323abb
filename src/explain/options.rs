//! What the caller asks of an explanation.

use crate::model::{ItemId, Position};
use serde::{Deserialize, Serialize};

/// Default number of recommendations.
pub const DEFAULT_TOP_K: usize = 10;
/// Default largest counterfactual set searched (docs/explanations.md §3).
pub const DEFAULT_MAX_EVENTS: usize = 5;
/// Default Shapley permutation budget.
pub const DEFAULT_PERMUTATIONS: usize = 64;
/// Default Shapley seed.
pub const DEFAULT_SEED: u64 = 7;
/// Windows of at most this many events get exact Shapley values (2^n coalitions).
pub const EXACT_SHAPLEY_MAX_EVENTS: usize = 10;
/// Shapley permutation pairs (a permutation and its reverse) scored per chunk: budgets are checked
/// between chunks, so this is how much a budget can be overrun, and what a degraded result is a
/// multiple of.
pub const SHAPLEY_CHUNK_PAIRS: usize = 8;
/// How many of the most recent events count as "recent".
pub const RECENT_EVENTS: usize = 5;
/// The longest `verb` a request may give, in characters: a verb, not a sentence.
pub const MAX_VERB_CHARS: usize = 40;

/// How much attention detail to report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionDetail {
    /// The last layer, heads averaged (docs/explanations.md §3).
    #[default]
    LastLayer,
    /// Also every layer and the attention rollout.
    AllLayers,
}

/// The knobs of one explanation request. Serde names match the JS API's option object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExplainOptions {
    /// How many items to recommend and explain.
    pub top_k: usize,
    /// Let items already in the window be recommended.
    pub allow_seen: bool,
    /// Explain only this item (it must be a candidate), instead of the whole top K.
    pub item: Option<ItemId>,
    /// Seed of the Shapley permutation sampling.
    pub seed: u64,
    /// Shapley permutation budget (used when the window is too long for exact values).
    pub permutations: usize,
    /// Largest counterfactual set searched.
    pub max_events: usize,
    /// Attention detail.
    pub attention: AttentionDetail,
    /// Tags the host marks sensitive: never named, nor the items that carry them.
    pub sensitive_tags: Vec<String>,
    /// Items the host marks sensitive: never named in a narrative.
    pub sensitive_items: Vec<ItemId>,
    /// Only rank; skip every explanation (what `recommend` does).
    pub rank_only: bool,
    /// Wall-clock budget of one explanation in milliseconds (none = unlimited). When it runs out,
    /// Shapley sampling stops after its current chunk of permutations and the document says so.
    pub time_budget_ms: Option<u64>,
    /// Budget in scored windows (none = unlimited): like the time budget, but the same on every machine.
    pub max_windows: Option<usize>,
    /// The what-if: events of the window to leave out, as positions of the full window. The candidates
    /// and K stay those of the full window (docs/contract.md §2); the ranking and every explanation are of the
    /// window without these events, and the document says where each item ranked with all of them.
    pub without: Vec<Position>,
    /// Past tense of the storefront's main action ("watched"), used in sentences for every event; none =
    /// a verb read from each event's action ("rated", "played").
    pub verb: Option<String>,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            top_k: DEFAULT_TOP_K,
            allow_seen: false,
            item: None,
            seed: DEFAULT_SEED,
            permutations: DEFAULT_PERMUTATIONS,
            max_events: DEFAULT_MAX_EVENTS,
            attention: AttentionDetail::LastLayer,
            sensitive_tags: Vec::new(),
            sensitive_items: Vec::new(),
            rank_only: false,
            time_budget_ms: None,
            max_windows: None,
            without: Vec::new(),
            verb: None,
        }
    }
}
