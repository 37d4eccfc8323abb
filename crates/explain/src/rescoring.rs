//! Re-scoring a window with events removed, for every target item at once, in batched tract calls.
//! Every method of docs/explanations.md §3 goes through here, so identical removals are scored once, and
//! here the budget is kept: the rescorer measures what a window costs on this machine, so the methods
//! that can do with less (counterfactual search, Shapley estimation) ask it how many windows still fit.

use crate::budget::{Budget, Spent};
use crate::error::ExplainError;
use whythis_model::{Candidates, ItemId, Position, Rank, Scorer, Slots, Window};
use std::collections::{BTreeMap, HashMap};
use web_time::Instant;

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

/// Every subset of `size` of the events 0..n, ascending, in lexicographic order (for the middle size
/// with `halve`, only those holding event 0: one of each complementary pair).
pub fn combinations(n: usize, size: usize, halve: bool) -> Vec<Vec<usize>> {
    if size == 0 || size > n {
        return if size == 0 { vec![Vec::new()] } else { Vec::new() };
    }
    let mut out = Vec::new();
    let mut current: Vec<usize> = (0..size).collect();
    loop {
        if !halve || current[0] == 0 {
            out.push(current.clone());
        }
        let Some(i) = (0..size).rev().find(|&i| current[i] < n - size + i) else { break };
        current[i] += 1;
        for j in i + 1..size {
            current[j] = current[j - 1] + 1;
        }
    }
    out
}

/// Batched, cached re-scoring of one window for a fixed list of target items.
pub struct Rescorer<'a> {
    scorer: &'a Scorer,
    window: &'a Window,
    candidates: &'a Candidates,
    targets: Vec<ItemId>,
    k: usize,
    removed_cache: HashMap<EventSet, Outcome>,
    // Target scores only: the thousands of Shapley coalitions need no ranks. Filled by both paths.
    score_cache: HashMap<EventSet, Vec<f32>>,
    windows_by_method: BTreeMap<String, usize>,
    budget: Budget,
    reserve: usize,
    scoring_seconds: f64,
    timed_windows: usize,
}

impl<'a> Rescorer<'a> {
    /// A rescorer for `targets`, keeping the K + 1 best of each re-scoring.
    pub fn new(scorer: &'a Scorer, window: &'a Window, candidates: &'a Candidates, targets: Vec<ItemId>, k: usize) -> Self {
        Rescorer::within(scorer, window, candidates, targets, k, Budget::unlimited())
    }

    /// A rescorer that keeps `budget` for the methods that ask what still fits.
    pub fn within(
        scorer: &'a Scorer,
        window: &'a Window,
        candidates: &'a Candidates,
        targets: Vec<ItemId>,
        k: usize,
        budget: Budget,
    ) -> Self {
        Rescorer {
            scorer,
            window,
            candidates,
            targets,
            k,
            removed_cache: HashMap::new(),
            score_cache: HashMap::new(),
            windows_by_method: BTreeMap::new(),
            budget,
            reserve: 0,
            scoring_seconds: 0.0,
            timed_windows: 0,
        }
    }

    /// Seconds one window has taken to score so far (0 before the first call).
    pub fn seconds_per_window(&self) -> f64 {
        if self.timed_windows == 0 { 0.0 } else { self.scoring_seconds / self.timed_windows as f64 }
    }

    /// How many more windows the budget allows (`None` = no limit), less the reserve.
    pub fn affordable(&self) -> Option<usize> {
        self.budget.affordable(self.windows_scored(), self.seconds_per_window()).map(|room| room.saturating_sub(self.reserve))
    }

    /// Keeps `windows` of the budget back from [`Rescorer::affordable`] for a method that runs later.
    pub fn reserve(&mut self, windows: usize) {
        self.reserve = windows;
    }

    /// The budget that limits the work now, for the sentence of a degraded result.
    pub fn binding_budget(&self) -> Option<Spent> {
        self.budget.binding(self.windows_scored(), self.seconds_per_window())
    }

    /// True if removing `set` has been scored already (it costs nothing to ask again).
    pub fn is_scored(&self, set: &EventSet) -> bool {
        self.score_cache.contains_key(set)
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

    /// Counts windows scored outside the rescorer (the ranking's), so budgets see every window.
    pub fn count(&mut self, method: &str, windows: usize) {
        *self.windows_by_method.entry(method.to_owned()).or_default() += windows;
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
            self.score_cache.insert(set.clone(), outcome.scores.clone());
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
        let started = Instant::now();
        self.scorer.for_each_row(&windows, false, |_, row| {
            outcomes.push(Outcome {
                scores: targets.iter().map(|t| row.scores[t.column()]).collect(),
                ranks: targets.iter().map(|t| candidates.rank(row.scores, *t)).collect(),
                top: candidates.top_k(row.scores, k + 1).into_iter().map(|r| (r.item, r.score)).collect(),
            })
        })?;
        self.timed(started, windows.len());
        Ok(outcomes)
    }

    fn timed(&mut self, started: Instant, windows: usize) {
        self.scoring_seconds += started.elapsed().as_secs_f64();
        self.timed_windows += windows;
    }

    /// The targets' scores after removing each set, through the cache, scoring the missing ones in
    /// batches no larger than the budget allows. Returns the scores of the leading sets that fit (all
    /// of them without a budget): a caller that gets fewer has met its budget.
    pub fn scores_removing(&mut self, method: &str, sets: &[EventSet]) -> Result<Vec<Vec<f32>>, ExplainError> {
        self.scores_of(method, sets, true)
    }

    /// The targets' scores after removing each set, through the cache, whatever the budget.
    pub fn scores_removing_all(&mut self, method: &str, sets: &[EventSet]) -> Result<Vec<Vec<f32>>, ExplainError> {
        self.scores_of(method, sets, false)
    }

    fn scores_of(&mut self, method: &str, sets: &[EventSet], budgeted: bool) -> Result<Vec<Vec<f32>>, ExplainError> {
        let mut done = 0;
        while done < sets.len() {
            // The leading sets already scored cost nothing.
            while done < sets.len() && self.score_cache.contains_key(&sets[done]) {
                done += 1;
            }
            if done == sets.len() {
                break;
            }
            let room = if budgeted { self.affordable().unwrap_or(usize::MAX) } else { usize::MAX };
            if room == 0 {
                break;
            }
            // One tract call at a time (or fewer windows, once the budget is near), so the budget is
            // checked where the time is spent, not after a fixed chunk.
            let mut batch: Vec<EventSet> = Vec::new();
            let mut end = done;
            while end < sets.len() && batch.len() < self.scorer.batch_size().min(room) {
                if !self.score_cache.contains_key(&sets[end]) && !batch.contains(&sets[end]) {
                    batch.push(sets[end].clone());
                }
                end += 1;
            }
            let windows: Vec<Slots> = batch.iter().map(|s| self.window.slots_without(s)).collect();
            *self.windows_by_method.entry(method.to_owned()).or_default() += windows.len();
            let targets = &self.targets;
            let mut rows = Vec::with_capacity(windows.len());
            let started = Instant::now();
            self.scorer.for_each_row(&windows, false, |_, row| rows.push(targets.iter().map(|t| row.scores[t.column()]).collect::<Vec<f32>>()))?;
            self.timed(started, windows.len());
            for (set, row) in batch.into_iter().zip(rows) {
                self.score_cache.insert(set, row);
            }
            done = end;
        }
        Ok(sets.iter().map_while(|s| self.score_cache.get(s).cloned()).collect())
    }

    /// Like [`Rescorer::removing`], but at most `cap` new windows, fewer if the budget allows fewer:
    /// the outcomes of the leading sets that fit.
    pub fn removing_within(&mut self, method: &str, sets: &[EventSet], cap: usize) -> Result<Vec<Outcome>, ExplainError> {
        let mut fit = 0;
        let mut fresh = 0;
        let room = self.affordable().unwrap_or(usize::MAX).min(cap);
        let mut counted: Vec<&EventSet> = Vec::new();
        for set in sets {
            if !self.removed_cache.contains_key(set) && !counted.contains(&set) {
                if fresh == room {
                    break;
                }
                fresh += 1;
                counted.push(set);
            }
            fit += 1;
        }
        self.removing(method, &sets[..fit])
    }

    /// The targets' scores for windows that keep only the events marked true (no ranks, no cache):
    /// the cheap path for the thousands of coalitions Shapley values need.
    pub fn target_scores_keeping(&mut self, method: &str, keeps: &[Vec<bool>]) -> Result<Vec<Vec<f32>>, ExplainError> {
        let windows: Vec<Slots> = keeps.iter().map(|keep| self.window.slots_keeping(|p| keep[p.0])).collect();
        *self.windows_by_method.entry(method.to_owned()).or_default() += windows.len();
        let mut rows = Vec::with_capacity(windows.len());
        let targets = &self.targets;
        let started = Instant::now();
        self.scorer.for_each_row(&windows, false, |_, row| {
            rows.push(targets.iter().map(|t| row.scores[t.column()]).collect())
        })?;
        self.timed(started, windows.len());
        Ok(rows)
    }
}
