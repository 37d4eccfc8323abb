//! Re-scoring a window with events removed, for every target item at once, in batched tract calls.
//! Every method of docs/explanations.md §3 goes through here, so identical removals are scored once.

use super::error::ExplainError;
use crate::model::{Candidates, ItemId, Position, Rank, Scorer, Slots, Window};
use std::collections::{BTreeMap, HashMap};

/// What one removal did to the targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Each target's score, in target order.
    pub scores: Vec<f32>,
    /// Each target's rank among the original candidates.
    pub ranks: Vec<Rank>,
    /// The K + 1 best candidates with their scores, best first.
    pub top: Vec<(ItemId, f32)>,
}

impl Outcome {
    /// True if `target` is no longer among the first `k` of the top list.
    pub fn out_of_top(&self, target: ItemId, k: usize) -> bool {
        !self.top.iter().take(k).any(|(i, _)| *i == target)
    }

    /// The best score among candidates other than `target` at 0-based place `place`.
    pub fn other_at(&self, target: ItemId, place: usize) -> Option<f32> {
        self.top.iter().filter(|(i, _)| *i != target).nth(place).map(|(_, s)| *s)
    }

    /// The item now at 1-based rank `rank` of the top list.
    pub fn item_at(&self, rank: Rank) -> Option<ItemId> {
        self.top.get(rank.0 as usize - 1).map(|(i, _)| *i)
    }
}

/// A set of window events, ascending and without repeats.
pub type EventSet = Vec<Position>;

/// Batched, cached re-scoring of one window for a fixed list of target items.
pub struct Rescorer<'a> {
    scorer: &'a Scorer,
    window: &'a Window,
    candidates: &'a Candidates,
    targets: Vec<ItemId>,
    k: usize,
    removed_cache: HashMap<EventSet, Outcome>,
    windows_by_method: BTreeMap<String, usize>,
}

impl<'a> Rescorer<'a> {
    /// A rescorer for `targets`, keeping the K + 1 best of each re-scoring.
    pub fn new(scorer: &'a Scorer, window: &'a Window, candidates: &'a Candidates, targets: Vec<ItemId>, k: usize) -> Self {
        Rescorer { scorer, window, candidates, targets, k, removed_cache: HashMap::new(), windows_by_method: BTreeMap::new() }
    }

    /// The window being explained.
    pub fn window(&self) -> &Window {
        self.window
    }

    /// The target items, in the order of every `Outcome`'s vectors.
    pub fn targets(&self) -> &[ItemId] {
        &self.targets
    }

    /// K of the top K.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Windows scored so far, by the method that asked first.
    pub fn windows_by_method(&self) -> &BTreeMap<String, usize> {
        &self.windows_by_method
    }

    /// Windows scored so far by every method.
    pub fn windows_scored(&self) -> usize {
        self.windows_by_method.values().sum()
    }

    /// Outcomes of removing each set (cached: a set removed twice is scored once).
    pub fn removing(&mut self, method: &str, sets: &[EventSet]) -> Result<Vec<Outcome>, ExplainError> {
        let mut missing: Vec<EventSet> = Vec::new();
        for set in sets {
            if !self.removed_cache.contains_key(set) && !missing.contains(set) {
                missing.push(set.clone());
            }
        }
        let fresh = self.score_removals(method, &missing)?;
        for (set, outcome) in missing.into_iter().zip(fresh) {
            self.removed_cache.insert(set, outcome);
        }
        Ok(sets.iter().map(|s| self.removed_cache[s].clone()).collect())
    }

    /// Outcomes of removing each set, scored afresh: how reported counterfactual sets are confirmed.
    pub fn verify(&mut self, sets: &[EventSet]) -> Result<Vec<Outcome>, ExplainError> {
        self.score_removals("verification", sets)
    }

    fn score_removals(&mut self, method: &str, sets: &[EventSet]) -> Result<Vec<Outcome>, ExplainError> {
        if sets.is_empty() {
            return Ok(Vec::new());
        }
        let windows: Vec<Slots> = sets.iter().map(|s| self.window.slots_without(s)).collect();
        *self.windows_by_method.entry(method.to_owned()).or_default() += windows.len();
        let mut outcomes = Vec::with_capacity(windows.len());
        let (targets, candidates, k) = (&self.targets, self.candidates, self.k);
        self.scorer.for_each_row(&windows, false, |_, row| {
            outcomes.push(Outcome {
                scores: targets.iter().map(|t| row.scores[t.column()]).collect(),
                ranks: targets.iter().map(|t| candidates.rank(row.scores, *t)).collect(),
                top: candidates.top_k(row.scores, k + 1).into_iter().map(|r| (r.item, r.score)).collect(),
            })
        })?;
        Ok(outcomes)
    }

    /// The targets' scores for windows that keep only the events marked true (no ranks, no cache):
    /// the cheap path for the thousands of coalitions Shapley values need.
    pub fn target_scores_keeping(&mut self, method: &str, keeps: &[Vec<bool>]) -> Result<Vec<Vec<f32>>, ExplainError> {
        let windows: Vec<Slots> = keeps.iter().map(|keep| self.window.slots_keeping(|p| keep[p.0])).collect();
        *self.windows_by_method.entry(method.to_owned()).or_default() += windows.len();
        let mut rows = Vec::with_capacity(windows.len());
        let targets = &self.targets;
        self.scorer.for_each_row(&windows, false, |_, row| {
            rows.push(targets.iter().map(|t| row.scores[t.column()]).collect())
        })?;
        Ok(rows)
    }
}
