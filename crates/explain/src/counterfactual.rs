//! Counterfactual sets (docs/explanations.md §3): small sets of events whose removal takes an item out of the top
//! K (`drop_out`) or costs it its rank (`displace`).
//!
//! Every re-scored window gives the outcome for every target item, so the search runs for all items
//! and both kinds at once, in batches, within its own window budget and whatever the explanation's
//! budget leaves:
//! 1. **singletons**: every event alone, shared with occlusion (free);
//! 2. **probe**: structured candidates of every size up to `max_events`: the most supportive events by
//!    Shapley value and by occlusion, the most recent events (a recency suffix), and the events that
//!    share the item's most supportive tag. This finds *a* set whenever a simple one exists, and bounds
//!    the size the level search has to beat;
//! 3. **levels**: sizes 2, 3, … up to one below the best set found: every pair of a pool of the most
//!    supportive and most recent events (every pair of the window, when it is small), then a beam of
//!    the sets closest to the goal grown by one pool event. When every subset up to `max_events` fits
//!    the budget, the search is exhaustive and a missing set is proven absent;
//! 4. each set found is pruned until no event can be taken out (irreducible) and re-scored afresh: only
//!    confirmed sets are reported. Each item's document says what was searched, so "none found" is
//!    never said as "none exists".

use crate::document::{CounterfactualSearch, CounterfactualSet, Counterfactuals, OcclusionEntry, ShapleyValues};
use crate::error::ExplainError;
use crate::rescoring::{combinations, EventSet, Outcome, Rescorer};
use whythis_model::{Catalog, ItemId, Position, Rank};
use std::collections::{BTreeSet, HashSet};

/// How many of the most supportive events (by each ordering) make up the pool of the pair and beam levels.
pub const POOL: usize = 10;
/// How many sets of one level are grown into the next, per item and kind.
pub const BEAM: usize = 6;

/// The two things a counterfactual set can do to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The item leaves the top K.
    DropOut,
    /// The item's rank gets worse than it was.
    Displace,
}

const KINDS: [Kind; 2] = [Kind::DropOut, Kind::Displace];

/// What the search knows of one target item.
pub struct Evidence<'e> {
    /// Leave-one-out deltas of every event.
    pub occlusion: &'e [OcclusionEntry],
    /// Shapley values of every event, when computed.
    pub shapley: Option<&'e ShapleyValues>,
    /// The item's rank in the full window.
    pub rank: Rank,
}

/// What the search may spend and what it looks for.
#[derive(Debug, Clone, Copy)]
pub struct Search<'c> {
    /// Largest set size searched.
    pub max_events: usize,
    /// Most new windows the search may score, all items together.
    pub windows: usize,
    /// The catalog, for same-tag candidates (none = no tag seeds).
    pub catalog: Option<&'c Catalog>,
}

struct Target {
    index: usize,
    item: ItemId,
    rank: Rank,
    /// Events ordered by each signal, most supportive first.
    orderings: Vec<Vec<Position>>,
    pool: Vec<Position>,
    found: [Option<EventSet>; 2],
    wanted: [bool; 2],
    tried: HashSet<EventSet>,
}

impl Target {
    /// How far a removal is from achieving `kind`: negative once it has (score minus the bar to pass).
    fn margin(&self, kind: Kind, o: &Outcome, k: usize) -> f32 {
        let place = match kind {
            Kind::DropOut => k - 1,
            Kind::Displace => self.rank.0 as usize - 1,
        };
        match o.other_at(self.item, place) {
            Some(bar) => o.scores[self.index] - bar,
            None => f32::INFINITY,
        }
    }

    fn achieves(&self, kind: Kind, o: &Outcome, k: usize) -> bool {
        match kind {
            Kind::DropOut => o.out_of_top(self.item, k),
            Kind::Displace => o.ranks[self.index] > self.rank,
        }
    }

    /// The kinds still worth searching at `size`: not found yet, or found only larger.
    fn open_at(&self, size: usize) -> Vec<Kind> {
        KINDS
            .into_iter()
            .filter(|kind| self.wanted[*kind as usize])
            .filter(|kind| self.found[*kind as usize].as_ref().is_none_or(|f| f.len() > size))
            .collect()
    }

    /// Records what the scored sets did: the best set of the smallest size achieving each kind.
    fn learn(&mut self, sets: &[EventSet], outcomes: &[Outcome], k: usize) {
        for (set, o) in sets.iter().zip(outcomes) {
            self.tried.insert(set.clone());
            for kind in KINDS {
                if !self.wanted[kind as usize] || !self.achieves(kind, o, k) {
                    continue;
                }
                let better = match &self.found[kind as usize] {
                    None => true,
                    Some(f) => set.len() < f.len(),
                };
                if better {
                    self.found[kind as usize] = Some(set.clone());
                }
            }
        }
    }
}

/// The search's window account: its own cap, and the explanation's budget through the rescorer.
struct Allowance {
    start: usize,
    cap: usize,
    /// Windows kept back for re-scoring the sets found, so that confirming them stays in budget.
    keep: usize,
    stopped: bool,
}

impl Allowance {
    fn left(&self, rescorer: &Rescorer) -> usize {
        let own = self.cap.saturating_sub(rescorer.windows_scored() - self.start);
        own.min(rescorer.affordable().unwrap_or(usize::MAX)).saturating_sub(self.keep)
    }

    /// Scores what fits of `sets` (cached ones are free), noting whether anything was left out.
    fn score(&mut self, rescorer: &mut Rescorer, sets: &[EventSet]) -> Result<Vec<Outcome>, ExplainError> {
        let left = self.left(rescorer);
        let outcomes = rescorer.removing_within("counterfactual", sets, left)?;
        if outcomes.len() < sets.len() {
            self.stopped = true;
        }
        Ok(outcomes)
    }
}

/// Counterfactual sets for every target, with what was searched for each.
pub fn counterfactuals(rescorer: &mut Rescorer, evidence: &[Evidence], search: &Search) -> Result<Vec<Counterfactuals>, ExplainError> {
    let n = rescorer.window().len();
    let k = rescorer.k();
    let limit = search.max_events.min(n);
    let mut targets: Vec<Target> = rescorer
        .targets()
        .iter()
        .enumerate()
        .map(|(index, &item)| target(rescorer, index, item, &evidence[index], search, k))
        .collect();
    let goals = targets.iter().map(|t| t.wanted.iter().filter(|w| **w).count()).sum();
    let mut allowance = Allowance { start: rescorer.windows_scored(), cap: search.windows, keep: goals, stopped: false };

    // 1. Singletons, shared with occlusion.
    let singletons: Vec<EventSet> = (0..n).map(|p| vec![Position(p)]).collect();
    let outcomes = rescorer.removing("counterfactual", &singletons)?;
    for t in &mut targets {
        t.learn(&singletons, &outcomes, k);
    }

    // When every subset up to `limit` fits, try them all: then "none" is a proof.
    let every: f64 = (2..=limit).map(|s| crate::shapley::exact::binomial(n, s)).sum();
    let exhaustive = every <= allowance.left(rescorer) as f64 && every <= 4096.0;

    if !exhaustive {
        // 2. Structured probes of every size.
        let mut probes: Vec<EventSet> = Vec::new();
        for t in targets.iter().filter(|t| !t.open_at(1).is_empty()) {
            for ordering in &t.orderings {
                for size in 2..=limit.min(ordering.len()) {
                    probes.push(sorted(ordering[..size].to_vec()));
                }
            }
        }
        let probes = unique(probes.into_iter());
        let outcomes = allowance.score(rescorer, &probes)?;
        for t in &mut targets {
            t.learn(&probes[..outcomes.len()], &outcomes, k);
        }
    }

    // 3. Level by level, smallest first, while something can still be improved.
    let mut level: Vec<Vec<EventSet>> = targets.iter().map(|_| singletons.clone()).collect();
    for size in 2..=limit {
        if allowance.stopped {
            break;
        }
        let mut wanted: Vec<EventSet> = Vec::new();
        let mut per_target: Vec<Vec<EventSet>> = Vec::with_capacity(targets.len());
        for (t, previous) in targets.iter().zip(&level) {
            let open = t.open_at(size);
            let sets = if open.is_empty() {
                Vec::new()
            } else if exhaustive {
                combinations(n, size, false).into_iter().map(|m| m.into_iter().map(Position).collect()).collect()
            } else if size == 2 {
                let pool: Vec<usize> = t.pool.iter().map(|p| p.0).collect();
                combinations(pool.len(), 2, false).into_iter().map(|m| sorted(m.iter().map(|&i| Position(pool[i])).collect())).collect()
            } else {
                grow(t, previous, &open, rescorer, k)
            };
            wanted.extend(sets.iter().cloned());
            per_target.push(sets);
        }
        let wanted = unique(wanted.into_iter());
        if wanted.is_empty() {
            break;
        }
        let outcomes = allowance.score(rescorer, &wanted)?;
        let scored: HashSet<&EventSet> = wanted[..outcomes.len()].iter().collect();
        for (t, sets) in targets.iter_mut().zip(&per_target) {
            let done: Vec<EventSet> = sets.iter().filter(|s| scored.contains(s)).cloned().collect();
            let mine: Vec<Outcome> = rescorer.removing("counterfactual", &done)?;
            t.learn(&done, &mine, k);
        }
        level = per_target.into_iter().map(|sets| sets.into_iter().filter(|s| scored.contains(s)).collect()).collect();
    }

    // 4. Irreducible, then confirmed.
    for target in &mut targets {
        for kind in KINDS {
            if let Some(set) = target.found[kind as usize].take() {
                target.found[kind as usize] = Some(prune(rescorer, &mut allowance, target, kind, set)?);
            }
        }
    }
    let searches: Vec<CounterfactualSearch> = targets
        .iter()
        .map(|t| CounterfactualSearch {
            sets_tried: t.tried.len(),
            complete_up_to: complete_up_to(&t.tried, n, search.max_events),
            stopped_by_budget: allowance.stopped,
        })
        .collect();
    confirm(rescorer, &targets, search.max_events, searches)
}

fn target(rescorer: &Rescorer, index: usize, item: ItemId, evidence: &Evidence, search: &Search, k: usize) -> Target {
    let window = rescorer.window();
    let n = window.len();
    let by = |value: &dyn Fn(usize) -> f32| -> Vec<Position> {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| value(b).total_cmp(&value(a)).then(a.cmp(&b)));
        order.into_iter().map(Position).collect()
    };
    let occlusion = by(&|p| evidence.occlusion[p].delta);
    let mut orderings = vec![occlusion.clone()];
    if let Some(shapley) = evidence.shapley {
        orderings.push(by(&|p| shapley.values[p].value));
    }
    orderings.push((0..n).rev().map(Position).collect());
    if let Some(tagged) = search.catalog.and_then(|c| same_tag(rescorer, c, evidence)) {
        orderings.push(tagged);
    }
    // The pool: the strongest of each signal, and the two most recent events.
    let mut pool: Vec<Position> = Vec::new();
    for ordering in &orderings[..orderings.len().min(2)] {
        pool.extend(ordering.iter().take(POOL));
    }
    pool.extend((0..n).rev().take(2).map(Position));
    let pool: Vec<Position> = pool.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    let wanted = [evidence.rank.0 as usize <= k, true];
    Target { index, item, rank: evidence.rank, orderings, pool, found: [None, None], wanted, tried: HashSet::new() }
}

/// The events that carry the tag whose events support the item most in total, most supportive first.
fn same_tag(rescorer: &Rescorer, catalog: &Catalog, evidence: &Evidence) -> Option<Vec<Position>> {
    let window = rescorer.window();
    let mut totals: std::collections::BTreeMap<&str, f32> = std::collections::BTreeMap::new();
    for e in window.events() {
        for tag in catalog.get(e.item).map(|c| c.tags.as_slice()).unwrap_or_default() {
            *totals.entry(tag.as_str()).or_default() += evidence.occlusion[e.position.0].delta;
        }
    }
    let best = totals.into_iter().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)))?.0;
    let mut events: Vec<&OcclusionEntry> = window
        .events()
        .iter()
        .filter(|e| catalog.get(e.item).is_some_and(|c| c.tags.iter().any(|t| t == best)))
        .map(|e| &evidence.occlusion[e.position.0])
        .collect();
    events.sort_by(|a, b| b.delta.total_cmp(&a.delta).then(a.position.cmp(&b.position)));
    (events.len() >= 2).then(|| events.into_iter().map(|e| e.position).collect())
}

/// The next level of one target: the previous level's sets closest to each open goal, grown by one
/// pool event; plus each ordering's prefix of that size.
fn grow(t: &Target, previous: &[EventSet], open: &[Kind], rescorer: &mut Rescorer, k: usize) -> Vec<EventSet> {
    let Ok(outcomes) = rescorer.removing("counterfactual", previous) else { return Vec::new() };
    let mut beam: Vec<&EventSet> = Vec::new();
    for &kind in open {
        let mut ranked: Vec<(&EventSet, f32)> = previous.iter().zip(&outcomes).map(|(s, o)| (s, t.margin(kind, o, k))).collect();
        ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
        beam.extend(ranked.into_iter().take(BEAM).map(|(s, _)| s));
    }
    let size = previous.first().map_or(1, Vec::len) + 1;
    let mut next: Vec<EventSet> = Vec::new();
    for set in beam {
        for &p in &t.pool {
            if !set.contains(&p) {
                let mut grown = set.clone();
                grown.push(p);
                next.push(sorted(grown));
            }
        }
    }
    for ordering in &t.orderings {
        if ordering.len() >= size {
            next.push(sorted(ordering[..size].to_vec()));
        }
    }
    unique(next.into_iter())
}

/// The largest size s ≤ max such that every subset of up to s events was tried.
fn complete_up_to(tried: &HashSet<EventSet>, n: usize, max: usize) -> usize {
    let mut counts = vec![0usize; n + 1];
    for set in tried {
        counts[set.len()] += 1;
    }
    let mut complete = 0;
    for s in 1..=max.min(n) {
        if (counts[s] as f64) < crate::shapley::exact::binomial(n, s) {
            break;
        }
        complete = s;
    }
    // A window of n ≤ max events has no larger sets: it was searched through max.
    if complete == n { max } else { complete }
}

/// Takes events out of a set while it still achieves `kind`, until none can go (irreducible) or the
/// budget ends the pruning (the set still achieves `kind`, but may not be irreducible: the search
/// summary says the budget stopped it).
fn prune(rescorer: &mut Rescorer, allowance: &mut Allowance, target: &Target, kind: Kind, mut set: EventSet) -> Result<EventSet, ExplainError> {
    let k = rescorer.k();
    while set.len() > 1 {
        let smaller: Vec<EventSet> =
            (0..set.len()).map(|i| set.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect()).collect();
        let outcomes = allowance.score(rescorer, &smaller)?;
        if outcomes.len() < smaller.len() {
            break;
        }
        let best = smaller
            .into_iter()
            .zip(&outcomes)
            .filter(|(_, o)| target.achieves(kind, o, k))
            .min_by(|(a, oa), (b, ob)| target.margin(kind, oa, k).total_cmp(&target.margin(kind, ob, k)).then(a.cmp(b)));
        match best {
            Some((s, _)) => set = s,
            None => break,
        }
    }
    Ok(set)
}

/// Re-scores every found set afresh, in one batch, and reports only those that still hold.
fn confirm(
    rescorer: &mut Rescorer,
    targets: &[Target],
    max_events: usize,
    searches: Vec<CounterfactualSearch>,
) -> Result<Vec<Counterfactuals>, ExplainError> {
    let k = rescorer.k();
    let found: Vec<(usize, Kind, EventSet)> = targets
        .iter()
        .flat_map(|t| KINDS.into_iter().filter_map(move |kind| t.found[kind as usize].clone().map(|s| (t.index, kind, s))))
        .collect();
    let sets: Vec<EventSet> = found.iter().map(|(_, _, s)| s.clone()).collect();
    // Afresh when the budget allows (it keeps room for this); else the search's own re-scorings of
    // exactly these sets, which are confirmations too, only not repeated.
    let outcomes = if rescorer.affordable().is_none_or(|room| room >= sets.len()) {
        rescorer.verify(&sets)?
    } else {
        rescorer.removing("counterfactual", &sets)?
    };
    let mut result: Vec<Counterfactuals> = searches
        .into_iter()
        .map(|search| Counterfactuals { drop_out: None, displace: None, max_events, search })
        .collect();
    for ((index, kind, set), o) in found.into_iter().zip(outcomes) {
        let target = &targets[index];
        if !target.achieves(kind, &o, k) {
            continue;
        }
        let replaced_by = o
            .item_at(target.rank)
            .filter(|i| *i != target.item)
            .or_else(|| o.top.iter().map(|(i, _)| *i).find(|i| *i != target.item));
        let Some(replaced_by) = replaced_by else { continue };
        let cf = CounterfactualSet { positions: set, new_rank: o.ranks[index], replaced_by };
        match kind {
            Kind::DropOut => result[index].drop_out = Some(cf),
            Kind::Displace => result[index].displace = Some(cf),
        }
    }
    Ok(result)
}

fn sorted(mut set: EventSet) -> EventSet {
    set.sort();
    set.dedup();
    set
}

fn unique(sets: impl Iterator<Item = EventSet>) -> Vec<EventSet> {
    let mut seen = BTreeSet::new();
    sets.filter(|s| seen.insert(s.clone())).collect()
}
