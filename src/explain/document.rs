//! The explanation document (DESIGN.md §5): one serde type that the CLI prints, the JS API hands to the
//! host page, and the panel renders. Field names are part of the contract.

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
    /// The window's events, oldest first.
    pub window: Vec<WindowEvent>,
    /// The top K, best first.
    pub recommendations: Vec<Recommendation>,
    /// Model evaluations used, per method; absent for a ranking alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
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
    /// The explanation; absent when only a ranking was asked for.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<ItemExplanation>,
}

/// Every explanation of one item (DESIGN.md §3).
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
    /// A longer account for the curious, one sentence per entry.
    pub deep_dive: Vec<String>,
    /// Every layer's attention and the rollout, when asked for and the model has attention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention_layers: Option<AttentionLayers>,
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
    /// Permutations sampled (0 when exact); fewer than asked for when a budget ran out (see `Cost::degraded`).
    pub permutations: usize,
    /// The sampling seed.
    pub seed: u64,
    /// True when every coalition was evaluated.
    pub exact: bool,
}

/// The Shapley value of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapleyEntry {
    /// The event.
    pub position: Position,
    /// Its Shapley value.
    pub value: f32,
}

/// Both kinds of counterfactual set; null where none exists within `max_events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counterfactuals {
    /// Removing these takes the item out of the top K.
    pub drop_out: Option<CounterfactualSet>,
    /// Removing these costs the item its rank.
    pub displace: Option<CounterfactualSet>,
    /// The largest set size searched.
    pub max_events: usize,
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
    /// Summed deltas by tag of the history item.
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
