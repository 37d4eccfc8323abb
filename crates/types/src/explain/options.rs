//! What the caller asks of an explanation.

pub use super::controls::Controls;
pub use super::document::Estimator;
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
/// Default coalition budget of the Shapley estimate, shared coalitions included: with ranking,
/// occlusion and the counterfactual search, a 50-event top-10 explanation stays within 1,000 windows.
/// Windows short enough that every coalition fits (2^n ≤ this) get exact values.
pub const DEFAULT_SHAPLEY_COALITIONS: usize = 640;
/// Default accuracy goal of the kernel estimator: it stops once its estimated relative L2 error is
/// this small (`bench/shapley_accuracy.rs` measures what that gives against exact values).
pub const DEFAULT_SHAPLEY_TARGET_ERROR: f32 = 0.03;
/// Default window budget of the counterfactual search, for all items together.
pub const DEFAULT_COUNTERFACTUAL_WINDOWS: usize = 240;
/// Shapley permutation pairs (a permutation and its reverse) scored per chunk: budgets are checked
/// between chunks, so this is how much a budget can be overrun, and what a degraded result is a
/// multiple of.
pub const SHAPLEY_CHUNK_PAIRS: usize = 8;
/// The first pass's coalition budget: below what the kernel estimator scores in any case (the empty
/// and full windows, every singleton and every leave-one-out), so it samples nothing more.
pub const FIRST_PASS_COALITIONS: usize = 2;
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
    /// Shapley estimator: `kernel` (default) or `permutation`; exact values whenever every coalition fits.
    pub estimator: Estimator,
    /// Most coalitions the Shapley estimate may score, shared ones included.
    pub shapley_coalitions: usize,
    /// The kernel estimator stops once its estimated relative error is at most this (0 = use the whole
    /// coalition budget).
    pub shapley_target_error: f32,
    /// Permutation budget of the permutation estimator.
    pub permutations: usize,
    /// Window budget of the counterfactual search, all items together.
    pub counterfactual_windows: usize,
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
    /// Wall-clock budget of one explanation in milliseconds (none = unlimited). Ranking, occlusion and
    /// recent-vs-long-term always run; the counterfactual search and the Shapley estimate size their
    /// work from what is left, and the document says what they gave up.
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
    /// The visitor's standing decisions (not interested, events not to use, recency, not personalised),
    /// applied before anything is ranked; the document says what they did.
    pub controls: Controls,
}

/// True when a window of `events` events gets exact Shapley values: the exact estimator was asked for,
/// or every one of its 2^n coalitions fits `max_coalitions`.
pub fn exact_shapley(estimator: Estimator, events: usize, max_coalitions: usize) -> bool {
    estimator == Estimator::Exact || events < usize::BITS as usize - 1 && (1usize << events) <= max_coalitions.max(2)
}

impl ExplainOptions {
    /// True when a window of `events` events gets exact Shapley values under these options.
    pub fn shapley_is_exact(&self, events: usize) -> bool {
        exact_shapley(self.estimator, events, self.shapley_coalitions)
    }

    /// A cheaper first pass of the same request, for a panel that paints before the Shapley estimate
    /// is done (docs/explanations.md §3, "progressive"): the same ranking, occlusion, counterfactual
    /// search and sentences, with Shapley values fitted to the coalitions scored anyway (each event
    /// alone and each left out, 2n + 2 windows, half of them occlusion's), whose standard errors say
    /// they cannot yet tell events apart. None when a first pass would buy nothing: a ranking alone,
    /// or exact values, which a window short enough for them computes at once.
    pub fn first_pass(&self, events: usize) -> Option<ExplainOptions> {
        if self.rank_only || self.shapley_is_exact(events) {
            return None;
        }
        Some(ExplainOptions { estimator: Estimator::Kernel, shapley_coalitions: FIRST_PASS_COALITIONS, ..self.clone() })
    }
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            top_k: DEFAULT_TOP_K,
            allow_seen: false,
            item: None,
            seed: DEFAULT_SEED,
            estimator: Estimator::Kernel,
            shapley_coalitions: DEFAULT_SHAPLEY_COALITIONS,
            shapley_target_error: DEFAULT_SHAPLEY_TARGET_ERROR,
            permutations: DEFAULT_PERMUTATIONS,
            counterfactual_windows: DEFAULT_COUNTERFACTUAL_WINDOWS,
            max_events: DEFAULT_MAX_EVENTS,
            attention: AttentionDetail::LastLayer,
            sensitive_tags: Vec::new(),
            sensitive_items: Vec::new(),
            rank_only: false,
            time_budget_ms: None,
            max_windows: None,
            without: Vec::new(),
            verb: None,
            controls: Controls::default(),
        }
    }
}
