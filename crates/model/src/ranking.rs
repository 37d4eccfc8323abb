//! Candidates, ranks and top-K lists (docs/contract.md §3).

use crate::ids::{ItemId, Rank};
use crate::window::Window;
use serde::{Deserialize, Serialize};

/// The items that may be recommended for one window; fixed by the original window, so removing
/// events never changes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates {
    /// Indexed by score column; column 0 (padding) is never a candidate.
    allowed: Vec<bool>,
    count: usize,
}

impl Candidates {
    /// Ids 1..=num_items, minus the window's items unless `allow_seen`.
    pub fn for_window(window: &Window, num_items: u32, allow_seen: bool) -> Candidates {
        let mut allowed = vec![true; num_items as usize + 1];
        allowed[0] = false;
        if !allow_seen {
            for event in window.events() {
                allowed[event.item.column()] = false;
            }
        }
        let count = allowed.iter().filter(|&&a| a).count();
        Candidates { allowed, count }
    }

    /// Takes `items` out of the candidates (the visitor is not interested in them); returns how many
    /// of them were candidates.
    pub fn exclude(&mut self, items: &[ItemId]) -> usize {
        let mut removed = 0;
        for item in items {
            if let Some(allowed) = self.allowed.get_mut(item.column()).filter(|a| **a) {
                *allowed = false;
                removed += 1;
            }
        }
        self.count -= removed;
        removed
    }

    /// True if the item may be recommended.
    pub fn contains(&self, item: ItemId) -> bool {
        self.allowed.get(item.column()).copied().unwrap_or(false)
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when nothing can be recommended.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The candidate ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = ItemId> + '_ {
        self.allowed.iter().enumerate().filter(|(_, &a)| a).map(|(i, _)| ItemId(i as u32))
    }

    /// The rank of `item` in a score row: 1 + the number of other candidates with a strictly larger
    /// score (ties share the better rank).
    pub fn rank(&self, scores: &[f32], item: ItemId) -> Rank {
        let own = scores[item.column()];
        let better = self
            .allowed
            .iter()
            .zip(scores)
            .enumerate()
            .filter(|&(i, (&a, &s))| a && i != item.column() && s > own)
            .count();
        Rank(better as u32 + 1)
    }

    /// The K best candidates of a score row, by score, ties towards the lower id.
    pub fn top_k(&self, scores: &[f32], k: usize) -> Vec<Ranked> {
        let mut ids: Vec<u32> = self.iter().map(|i| i.0).collect();
        let by_score = |a: &u32, b: &u32| {
            scores[*b as usize].total_cmp(&scores[*a as usize]).then(a.cmp(b))
        };
        let k = k.min(ids.len());
        if k == 0 {
            return Vec::new();
        }
        if k < ids.len() {
            ids.select_nth_unstable_by(k - 1, by_score);
            ids.truncate(k);
        }
        ids.sort_unstable_by(by_score);
        ids.into_iter()
            .map(|id| {
                let item = ItemId(id);
                Ranked { item, score: scores[item.column()], rank: self.rank(scores, item) }
            })
            .collect()
    }
}

/// One item of a ranking.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// The item.
    pub item: ItemId,
    /// Its score.
    pub score: f32,
    /// Its rank among the candidates.
    pub rank: Rank,
}

#[cfg(test)]
mod tests {
    use crate::*;
    use crate::{History, ModelCard};

    fn window(items: &[i64], num_items: u32) -> Window {
        let card = ModelCard::from_json(
            format!(
                r#"{{"format":"whythis-model/1","onnx":"m","seq_len":4,"num_items":{num_items},
                "inputs":{{"item_ids":"i"}},"outputs":{{"scores":"s"}}}}"#
            )
            .as_bytes(),
        )
        .unwrap();
        Window::new(&card, &History::from_items(items.iter().copied())).unwrap()
    }

    #[test]
    fn seen_items_are_excluded_unless_allowed() {
        let w = window(&[2, 3], 5);
        let c = Candidates::for_window(&w, 5, false);
        assert_eq!(c.iter().map(|i| i.0).collect::<Vec<_>>(), vec![1, 4, 5]);
        assert_eq!(Candidates::for_window(&w, 5, true).len(), 5);
    }

    #[test]
    fn ties_share_the_better_rank_and_sort_towards_lower_ids() {
        let w = window(&[], 5);
        let c = Candidates::for_window(&w, 5, false);
        // column 0 is padding and must be ignored even when it scores highest
        let scores = [9.0, 1.0, 3.0, 3.0, 0.5, 2.0];
        assert_eq!(c.rank(&scores, ItemId(2)), Rank(1));
        assert_eq!(c.rank(&scores, ItemId(3)), Rank(1));
        assert_eq!(c.rank(&scores, ItemId(5)), Rank(3));
        let top: Vec<u32> = c.top_k(&scores, 3).iter().map(|r| r.item.0).collect();
        assert_eq!(top, vec![2, 3, 5]);
        assert_eq!(c.top_k(&scores, 99).len(), 5);
    }

    #[test]
    fn rank_ignores_non_candidates() {
        let w = window(&[3], 5);
        let c = Candidates::for_window(&w, 5, false);
        let scores = [0.0, 1.0, 2.0, 9.0, 0.0, 0.0];
        assert_eq!(c.rank(&scores, ItemId(2)), Rank(1));
    }
}

/// The window's candidates, its score row, and its top K: everything a ranking needs.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// The candidates, fixed by the original window.
    pub candidates: Candidates,
    /// The window's score row (column 0 = padding).
    pub scores: Vec<f32>,
    /// The top K.
    pub top: Vec<Ranked>,
    /// The window's attention [layers, heads, seq_len, seq_len], when the model exposes it.
    pub attention: Option<Vec<f32>>,
}

impl Ranking {
    /// Scores a window once and ranks its candidates.
    pub fn of(
        scorer: &crate::Scorer,
        window: &Window,
        allow_seen: bool,
        top_k: usize,
    ) -> Result<Ranking, crate::ModelError> {
        Ranking::among(scorer, window, Candidates::for_window(window, scorer.card().num_items, allow_seen), top_k)
    }

    /// Scores a window once and ranks the given candidates: those of the full window when this one is
    /// a what-if of it (events removed), docs/contract.md §3.
    pub fn among(
        scorer: &crate::Scorer,
        window: &Window,
        candidates: Candidates,
        top_k: usize,
    ) -> Result<Ranking, crate::ModelError> {
        if candidates.is_empty() {
            return Err(crate::ModelError::NoCandidates);
        }
        // The plan computes attention anyway; keeping it saves explanations a second base call.
        let (scores, attention) = scorer.score_with_attention(&window.slots())?;
        let top = candidates.top_k(&scores, top_k);
        Ok(Ranking { candidates, scores, top, attention })
    }
}
