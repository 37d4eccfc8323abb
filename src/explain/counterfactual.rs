//! Counterfactual sets (DESIGN.md §3): small sets of events whose removal takes an item out of the top
//! K (`drop_out`) or costs it its rank (`displace`).
//!
//! The search runs level by level over set sizes, for every target at once, so each level is one
//! batch of re-scorings: size 1 is every event (shared with occlusion), size 2 is every pair of the
//! events that support the item most, and larger sizes grow the most promising sets of the level before
//! (a beam). The greedy-by-occlusion set of each size is always tried too, so the search never does
//! worse than greedy. A found set is pruned until no event can be taken out of it, then re-scored
//! afresh: only confirmed sets are reported.

use super::document::{CounterfactualSet, Counterfactuals, OcclusionEntry};
use super::error::ExplainError;
use super::rescoring::{EventSet, Outcome, Rescorer};
use crate::model::{ItemId, Position, Rank};
use std::collections::BTreeSet;

/// How many of the most supportive events the pair and beam levels draw from.
pub const POOL: usize = 16;
/// How many sets of one level are grown into the next.
pub const BEAM: usize = 8;

/// The two things a counterfactual set can do to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The item leaves the top K.
    DropOut,
    /// The item's rank gets worse than it was.
    Displace,
}

const KINDS: [Kind; 2] = [Kind::DropOut, Kind::Displace];

struct Target {
    index: usize,
    item: ItemId,
    rank: Rank,
    pool: Vec<Position>,
    greedy: Vec<Position>,
    found: [Option<EventSet>; 2],
    pending: Vec<Kind>,
    level: Vec<EventSet>,
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
}

/// Counterfactual sets for every target; `ranks` are the targets' original ranks.
pub fn counterfactuals(
    rescorer: &mut Rescorer,
    occlusion: &[Vec<OcclusionEntry>],
    ranks: &[Rank],
    max_events: usize,
) -> Result<Vec<Counterfactuals>, ExplainError> {
    let n = rescorer.window().len();
    let k = rescorer.k();
    let limit = max_events.min(n);
    let mut targets: Vec<Target> = rescorer
        .targets()
        .iter()
        .enumerate()
        .map(|(index, &item)| {
            let mut by_support: Vec<&OcclusionEntry> = occlusion[index].iter().collect();
            by_support.sort_by(|a, b| b.delta.total_cmp(&a.delta).then(a.position.cmp(&b.position)));
            let order: Vec<Position> = by_support.iter().map(|e| e.position).collect();
            let pending = KINDS
                .into_iter()
                .filter(|kind| *kind == Kind::Displace || ranks[index].0 as usize <= k)
                .collect();
            Target {
                index,
                item,
                rank: ranks[index],
                pool: order.iter().take(POOL).copied().collect(),
                greedy: order,
                found: [None, None],
                pending,
                level: (0..n).map(|p| vec![Position(p)]).collect(),
            }
        })
        .collect();

    for size in 1..=limit {
        let searching: Vec<usize> =
            targets.iter().filter(|t| !t.pending.is_empty()).map(|t| t.index).collect();
        if searching.is_empty() {
            break;
        }
        let sets: Vec<EventSet> = unique(searching.iter().flat_map(|&i| targets[i].level.iter().cloned()));
        let outcomes = rescorer.removing("counterfactual", &sets)?;
        let outcome_of = |set: &EventSet| &outcomes[sets.iter().position(|s| s == set).unwrap_or(0)];
        for &i in &searching {
            let target = &mut targets[i];
            for kind in target.pending.clone() {
                let best = target
                    .level
                    .iter()
                    .filter(|s| target.achieves(kind, outcome_of(s), k))
                    .min_by(|a, b| {
                        target.margin(kind, outcome_of(a), k).total_cmp(&target.margin(kind, outcome_of(b), k)).then(a.cmp(b))
                    })
                    .cloned();
                if let Some(set) = best {
                    target.found[kind as usize] = Some(set);
                    target.pending.retain(|k| *k != kind);
                }
            }
            if target.pending.is_empty() || size == limit {
                continue;
            }
            target.level = next_level(target, size, &|s| outcome_of(s), k);
        }
    }

    for target in &mut targets {
        for kind in KINDS {
            if let Some(set) = target.found[kind as usize].take() {
                target.found[kind as usize] = Some(prune(rescorer, target, kind, set)?);
            }
        }
    }
    confirm(rescorer, &targets, max_events)
}

/// The sets of the next size: every pool pair after singletons, then the beam grown by one pool event;
/// plus the greedy set of that size.
fn next_level<'o>(target: &Target, size: usize, outcome_of: &dyn Fn(&EventSet) -> &'o Outcome, k: usize) -> Vec<EventSet> {
    let mut next: Vec<EventSet> = Vec::new();
    if size == 1 {
        for (a, &pa) in target.pool.iter().enumerate() {
            for &pb in &target.pool[a + 1..] {
                next.push(sorted(vec![pa, pb]));
            }
        }
    } else {
        let mut beam: Vec<&EventSet> = Vec::new();
        for &kind in &target.pending {
            let mut level: Vec<&EventSet> = target.level.iter().collect();
            level.sort_by(|a, b| {
                target.margin(kind, outcome_of(a), k).total_cmp(&target.margin(kind, outcome_of(b), k)).then(a.cmp(b))
            });
            beam.extend(level.into_iter().take(BEAM));
        }
        for set in beam {
            for &p in &target.pool {
                if !set.contains(&p) {
                    let mut grown = set.clone();
                    grown.push(p);
                    next.push(sorted(grown));
                }
            }
        }
    }
    next.push(sorted(target.greedy.iter().take(size + 1).copied().collect()));
    unique(next.into_iter())
}

/// Takes events out of a set while it still achieves `kind`, until none can go (irreducible).
fn prune(rescorer: &mut Rescorer, target: &Target, kind: Kind, mut set: EventSet) -> Result<EventSet, ExplainError> {
    let k = rescorer.k();
    while set.len() > 1 {
        let smaller: Vec<EventSet> =
            (0..set.len()).map(|i| set.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect()).collect();
        let outcomes = rescorer.removing("counterfactual", &smaller)?;
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
fn confirm(rescorer: &mut Rescorer, targets: &[Target], max_events: usize) -> Result<Vec<Counterfactuals>, ExplainError> {
    let k = rescorer.k();
    let found: Vec<(usize, Kind, EventSet)> = targets
        .iter()
        .flat_map(|t| KINDS.into_iter().filter_map(move |kind| t.found[kind as usize].clone().map(|s| (t.index, kind, s))))
        .collect();
    let sets: Vec<EventSet> = found.iter().map(|(_, _, s)| s.clone()).collect();
    let outcomes = rescorer.verify(&sets)?;
    let mut result: Vec<Counterfactuals> =
        targets.iter().map(|_| Counterfactuals { drop_out: None, displace: None, max_events }).collect();
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
