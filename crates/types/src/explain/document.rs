//! The explanation document (docs/explanations.md §5): one serde type that the CLI prints,
//! the JS API hands to the host page, and the panel renders. Field names are part of the contract. Every
//! sentence a reader sees is in it, worded once by the core (`narrative`, `naming`, `wording`), so the
//! panel only lays them out.

use crate::model::{ItemId, Position, Rank, WindowEvent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The document's format tag.
pub const DOCUMENT_FORMAT: &str = "whythis-explanation/1";

/// Everything whythis says about one history: the window and each recommendation with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationDocument {
    /// Always `whythis-explanation/1`.
    pub format: String,
    /// The model's name from its card, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The window's events, oldest first: the events the ranking and the explanations are of (for a
    /// what-if, the window without the events left out, numbered afresh from 0).
    pub window: Vec<WindowEvent>,
    /// How each event of `window` is named (same order), by the naming policy.
    #[serde(default)]
    pub window_names: Vec<DisplayName>,
    /// The tags of the window's items that may be shown (none the host marked sensitive), each once,
    /// ascending: what a "don't use events of this kind" control offers.
    #[serde(default)]
    pub window_tags: Vec<String>,
    /// Present when events were left out (`ExplainOptions::without`): what the what-if changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_if: Option<WhatIf>,
    /// Present when the visitor's controls were set (`ExplainOptions::controls`): what they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controls: Option<super::controls::ControlsApplied>,
    /// The top K, best first.
    pub recommendations: Vec<Recommendation>,
    /// What the model uses and what weighs most here, in plain words (docs/explanations.md §3, main
    /// parameters); absent for a ranking alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<MainParameters>,
    /// Model evaluations used, per method; absent for a ranking alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
}

impl ExplanationDocument {
    /// Every item the document names, once each, in the order its names are needed: the window's
    /// items, the recommendations, then the items that would replace them in a counterfactual. A
    /// catalog looked up id by id (`Lookups`) needs names for exactly these.
    pub fn named_items(&self) -> Vec<ItemId> {
        let counterfactual = self
            .recommendations
            .iter()
            .filter_map(|r| r.explanation.as_ref())
            .flat_map(|e| [&e.counterfactual.drop_out, &e.counterfactual.displace])
            .flatten()
            .map(|set| set.replaced_by);
        let alternatives = self
            .recommendations
            .iter()
            .filter_map(|r| r.explanation.as_ref()?.recourse.as_ref()?.alternative.as_ref())
            .map(|a| a.item);
        let all = self
            .window
            .iter()
            .map(|e| e.item)
            .chain(self.recommendations.iter().map(|r| r.item))
            .chain(counterfactual)
            .chain(alternatives);
        let mut seen = std::collections::HashSet::new();
        all.filter(|i| seen.insert(*i)).collect()
    }
}

/// One recommended item and, when explained, why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Its rank among the candidates.
    pub rank: Rank,
    /// The item.
    pub item: ItemId,
    /// Its score.
    pub score: f32,
    /// Its catalog title, when the catalog names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// How whythis names it (a private item by the one neutral phrase).
    #[serde(default)]
    pub name: DisplayName,
    /// Under a what-if: where the item ranked with every event of the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_if: Option<RankChange>,
    /// The explanation; absent when only a ranking was asked for.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<ItemExplanation>,
}

/// Every explanation of one item (docs/explanations.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemExplanation {
    /// Leave-one-out deltas of every window event.
    pub occlusion: Vec<OcclusionEntry>,
    /// Last-layer, head-averaged attention of the last query slot; null when the model has none.
    pub attention: Option<Vec<AttentionEntry>>,
    /// Shapley values over window events.
    pub shapley: ShapleyValues,
    /// The smallest sets of events whose removal moves the item.
    pub counterfactual: Counterfactuals,
    /// The last few events against the rest.
    pub recent_vs_long_term: RecentVsLongTerm,
    /// Influence grouped by action, tag, recency, and item similarity.
    pub ledger: Ledger,
    /// A plain summary of at most two sentences.
    pub narrative: String,
    /// The templates the summary was built from, e.g. "counterfactual+recent".
    pub narrative_template: String,
    /// The counterfactual sets in words (or that none was found, and what was searched), for beside
    /// the summary.
    #[serde(default)]
    pub counterfactual_sentences: Vec<String>,
    /// Which counts for more toward the item, the recent events or the rest; null when every event of
    /// the window is a recent one. The summary and the deep dive both word this one verdict.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// A longer account for the curious, one sentence per entry (the counterfactual sentences apart).
    pub deep_dive: Vec<String>,
    /// One sentence naming the event each per-event method rates highest (a chart's text alternative).
    #[serde(default)]
    pub per_event_summary: String,
    /// How the Shapley values were computed, in a sentence.
    #[serde(default)]
    pub shapley_note: String,
    /// Every layer's attention and the rollout, when asked for and the model has attention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention_layers: Option<AttentionLayers>,
    /// The answer to "why this, and what else?": what weighed most, what that did, and an alternative;
    /// absent for an empty window (nothing weighed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recourse: Option<Recourse>,
}

/// Recourse (docs/explanations.md §3): three steps in words, and the alternative the third names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recourse {
    /// "What weighed most", "what that did" (the counterfactual), "an alternative", in that order.
    pub steps: Vec<String>,
    /// The title the visitor would see instead, verified by re-scoring; null when no window tried
    /// brought in a title not shown now.
    pub alternative: Option<Alternative>,
}

/// A title not in the visitor's top K now that a changed window brings into it, confirmed by scoring
/// that window afresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The title.
    pub item: ItemId,
    /// Its name, by the naming policy.
    pub name: DisplayName,
    /// Which changed window it comes from.
    pub source: AlternativeSource,
    /// The events that window leaves out, ascending.
    pub without: Vec<Position>,
    /// Its rank in that window.
    pub rank: Rank,
    /// The explained item's rank in that window.
    pub item_rank: Rank,
}

/// Where an alternative comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlternativeSource {
    /// The window without the item's drop-out set: what takes its place in the top K.
    Counterfactual,
    /// The window of the older events only (the recent ones left out): the longer-term taste.
    LongTermOnly,
}

/// The main parameters of the recommender in plain words (the DSA's Art. 27 asks for them): what the
/// model reads, and what weighs most in this visitor's picks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MainParameters {
    /// What the model uses and does not use, from its card.
    pub uses: Vec<String>,
    /// What weighs most across the explained picks, and why, from their ledgers.
    pub weighs: Vec<String>,
}

/// An item's name as whythis shows it: the catalog title, or for a private item the one neutral phrase
/// (docs/explanations.md, "Naming").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisplayName {
    /// Shortened for a list or a table (at most `wording::MAX_TITLE` characters, "…" when cut).
    pub short: String,
    /// The whole title, trimmed (for a tooltip).
    pub full: String,
}

/// What a what-if left out, and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    /// The events left out, as positions of the full window, ascending.
    pub without: Vec<Position>,
    /// For each event of the document's `window`, its position in the full window.
    pub kept: Vec<Position>,
    /// One sentence: how many events were left out and what comes first now.
    pub sentence: String,
}

/// Under a what-if, an item's rank with every event of the window against its rank now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankChange {
    /// Its rank with every event, among the same candidates.
    pub rank_with_all_events: Rank,
    /// The change in words: "up from #3", "down from #1", "unchanged".
    pub movement: String,
}

/// Which part of the window counts for more toward an item (docs/explanations.md §3, recent vs long-term).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Removing the recent events costs more than removing the rest.
    Recent,
    /// Removing the rest costs at least as much as removing the recent events.
    LongTerm,
}

/// What an explanation cost in model evaluations; shared windows are scored once and counted once,
/// under the method that asked for them first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Cost {
    /// tract calls (each scores a batch of windows).
    pub model_calls: usize,
    /// Windows scored in all.
    pub windows: usize,
    /// Windows scored per method.
    pub by_method: BTreeMap<String, usize>,
    /// One sentence per method that did less than asked to stay within a budget (empty = none did).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub degraded: Vec<String>,
}

/// The occlusion of one event: `delta = s(H) - s(H without it)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcclusionEntry {
    /// The event.
    pub position: Position,
    /// Its item.
    pub item: ItemId,
    /// Score lost when the event is removed (positive = the event supports the item).
    pub delta: f32,
    /// The item's rank without the event.
    pub rank_without: Rank,
}

/// The attention of the last query slot onto one event's slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionEntry {
    /// The event.
    pub position: Position,
    /// The attention weight, heads averaged.
    pub weight: f32,
}

/// Attention of the last query slot in every layer, and the rollout through all of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionLayers {
    /// `layers[l]` = the last query slot's head-averaged attention in layer l, per event.
    pub layers: Vec<Vec<AttentionEntry>>,
    /// Attention rollout (Abnar & Zuidema 2020): layer matrices with the residual (0.5 A + 0.5 I),
    /// multiplied from the first layer to the last; the last query slot's row.
    pub rollout: Vec<AttentionEntry>,
}

/// Shapley values with how they were computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapleyValues {
    /// One value per window event.
    pub values: Vec<ShapleyEntry>,
    /// Permutations sampled by the permutation estimator (0 for the exact and kernel estimators).
    pub permutations: usize,
    /// The sampling seed.
    pub seed: u64,
    /// True when every coalition was evaluated.
    pub exact: bool,
    /// How the values were computed.
    #[serde(default)]
    pub estimator: Estimator,
    /// Coalitions the estimate rests on, counting those shared with other methods (occlusion's
    /// leave-one-out windows, the empty and full window).
    #[serde(default)]
    pub coalitions: usize,
    /// The estimate's own error: the standard errors' root sum of squares over the values' L2 norm
    /// (0 when exact). About two thirds of estimates are closer than this to the exact values.
    #[serde(default)]
    pub relative_error: f32,
}

/// How Shapley values were computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// Every coalition scored.
    Exact,
    /// Paired kernel regression over coalitions sampled by size (KernelSHAP with antithetic pairs and
    /// the leave-one-out and singleton coalitions scored in full), stopped once its standard error
    /// meets the accuracy goal.
    #[default]
    Kernel,
    /// Antithetic permutation sampling: each permutation's marginal contributions, averaged.
    Permutation,
}

/// The Shapley value of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapleyEntry {
    /// The event.
    pub position: Position,
    /// Its Shapley value.
    pub value: f32,
    /// The standard error of the estimate (0 when exact): two values closer than about twice their
    /// errors are not told apart.
    #[serde(default)]
    pub standard_error: f32,
}

impl ShapleyValues {
    /// True when the estimate can tell `a` from `b`: their difference exceeds twice its standard
    /// error. Exact values are told apart whenever they differ.
    pub fn distinguishes(&self, a: Position, b: Position) -> bool {
        let (Some(x), Some(y)) = (self.values.get(a.0), self.values.get(b.0)) else { return false };
        let se = (x.standard_error.powi(2) + y.standard_error.powi(2)).sqrt();
        (x.value - y.value).abs() > 2.0 * se
    }
}

/// Both kinds of counterfactual set; null where the search found none within `max_events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counterfactuals {
    /// Removing these takes the item out of the top K.
    pub drop_out: Option<CounterfactualSet>,
    /// Removing these costs the item its rank.
    pub displace: Option<CounterfactualSet>,
    /// The largest set size searched.
    pub max_events: usize,
    /// What the search tried: a missing set means "none found" in that much search, and "none exists"
    /// only when `complete_up_to` reaches `max_events`.
    #[serde(default)]
    pub search: CounterfactualSearch,
}

/// How much of the space of removals one item's counterfactual search covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterfactualSearch {
    /// Distinct sets whose removal was scored for this item (shared ones included).
    pub sets_tried: usize,
    /// Every set of up to this many events was tried: below it, a missing set is proven not to exist.
    pub complete_up_to: usize,
    /// True when a budget stopped the search before it had tried what it meant to.
    #[serde(default)]
    pub stopped_by_budget: bool,
}

impl Counterfactuals {
    /// True when the search covered every set up to `max_events`: a null kind is then proven absent.
    pub fn exhaustive(&self) -> bool {
        self.search.complete_up_to >= self.max_events
    }
}

/// A verified, irreducible set of events and what their removal does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterfactualSet {
    /// The events removed, ascending.
    pub positions: Vec<Position>,
    /// The item's rank once they are removed.
    pub new_rank: Rank,
    /// The item now in the item's old place.
    pub replaced_by: ItemId,
}

/// The recent events against the long-term rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentVsLongTerm {
    /// How many of the most recent events count as recent.
    pub recent_events: usize,
    /// `s(H) - s(H without the recent events)`.
    pub without_recent: f32,
    /// `s(H) - s(only the recent events)`.
    pub only_recent: f32,
}

/// Occlusion deltas grouped, and the similarity of each history item to the recommended one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// Summed deltas by action name.
    pub by_action: BTreeMap<String, f32>,
    /// Summed deltas by tag of the history item; tags the host marked sensitive are summed together
    /// under `(sensitive)`, never under their own names.
    pub by_tag: BTreeMap<String, f32>,
    /// Summed deltas by recency bucket ("last", "2-5", "6-20", "older").
    pub by_recency: BTreeMap<String, f32>,
    /// Cosine similarity of each event's item to the recommended item (empty without embeddings).
    pub similarity: Vec<SimilarityEntry>,
}

/// How alike one history item is to the recommended item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarityEntry {
    /// The event.
    pub position: Position,
    /// Its item.
    pub item: ItemId,
    /// Cosine of the two item embeddings.
    pub cosine: f32,
}
