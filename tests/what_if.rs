//! The what-if (`ExplainOptions::without`, docs/contract.md §2): the core ranks and explains the window without
//! some events, among the full window's candidates and with the asked-for K. Every claim is checked
//! against an independent re-scoring: slots laid out by hand from the history, scored directly with
//! the Scorer, candidates and ranks counted by the definition.

mod common;

use common::{load, real_histories};
use whythis::explain::{explain, ExplainOptions, ExplanationDocument};
use whythis::files::LoadedModel;
use whythis::model::{History, ItemId, Position, Rank, Slots, Window};

/// The model's input for the last `seq_len` events of `history` with the events at `without` (positions
/// within that window) removed, laid out by hand: the rest right-aligned, padding on the left.
fn slots_by_hand(m: &LoadedModel, history: &History, without: &[usize]) -> Slots {
    let card = m.scorer.card();
    let window_events = &history.events[history.len().saturating_sub(card.seq_len)..];
    let kept: Vec<_> = window_events.iter().enumerate().filter(|(p, _)| !without.contains(p)).map(|(_, e)| e).collect();
    let mut items = vec![0i64; card.seq_len];
    let mut actions = vec![0i64; card.seq_len];
    let start = card.seq_len - kept.len();
    for (slot, e) in (start..).zip(kept) {
        items[slot] = e.item;
        actions[slot] = match &e.action {
            Some(a) => card.action_index(a).unwrap(),
            None => card.default_action_index(),
        };
    }
    Slots { items, actions }
}

/// The full window's candidates by the definition: every id but those of the full window.
fn candidates_by_hand(m: &LoadedModel, history: &History) -> Vec<u32> {
    let card = m.scorer.card();
    let seen: Vec<i64> = history.events[history.len().saturating_sub(card.seq_len)..].iter().map(|e| e.item).collect();
    (1..=card.num_items).filter(|i| !seen.contains(&i64::from(*i))).collect()
}

fn rank_by_hand(scores: &[f32], candidates: &[u32], item: u32) -> Rank {
    let own = scores[item as usize];
    Rank(1 + candidates.iter().filter(|&&c| c != item && scores[c as usize] > own).count() as u32)
}

fn top_by_hand(scores: &[f32], candidates: &[u32], k: usize) -> Vec<u32> {
    let mut ids = candidates.to_vec();
    ids.sort_by(|a, b| scores[*b as usize].total_cmp(&scores[*a as usize]).then(a.cmp(b)));
    ids.truncate(k);
    ids
}

fn what_if(m: &LoadedModel, history: &History, without: &[usize], k: usize, rank_only: bool) -> ExplanationDocument {
    let options = ExplainOptions {
        top_k: k,
        permutations: 16,
        rank_only,
        without: without.iter().copied().map(Position).collect(),
        ..ExplainOptions::default()
    };
    explain(&m.scorer, &m.catalog, history, &options).unwrap()
}

/// Checks a what-if document against re-scorings by hand.
fn check(m: &LoadedModel, history: &History, without: &[usize], k: usize, doc: &ExplanationDocument) {
    let candidates = candidates_by_hand(m, history);
    let reduced = m.scorer.score(&[slots_by_hand(m, history, without)]).unwrap().remove(0);
    let full = m.scorer.score(&[slots_by_hand(m, history, &[])]).unwrap().remove(0);
    let top = top_by_hand(&reduced, &candidates, k);
    let shown: Vec<u32> = doc.recommendations.iter().map(|r| r.item.0).collect();
    assert_eq!(shown, top, "the what-if's top {k} among the full window's candidates");
    for rec in &doc.recommendations {
        assert_eq!(rec.rank, rank_by_hand(&reduced, &candidates, rec.item.0), "rank of {}", rec.item);
        assert!((rec.score - reduced[rec.item.column()]).abs() < 1e-5);
        let change = rec.what_if.as_ref().expect("each item says where it ranked with every event");
        assert_eq!(change.rank_with_all_events, rank_by_hand(&full, &candidates, rec.item.0));
    }
    let what_if = doc.what_if.as_ref().expect("the document says what was left out");
    let n = Window::new(m.scorer.card(), history).unwrap().len();
    assert_eq!(what_if.without, without.iter().copied().map(Position).collect::<Vec<_>>());
    let kept: Vec<usize> = (0..n).filter(|p| !without.contains(p)).collect();
    assert_eq!(what_if.kept.iter().map(|p| p.0).collect::<Vec<_>>(), kept);
    assert_eq!(doc.window.len(), kept.len());
    assert_eq!(doc.window_names.len(), kept.len());
    let window_items: Vec<i64> = doc.window.iter().map(|e| i64::from(e.item.0)).collect();
    let offset = history.len().saturating_sub(m.scorer.card().seq_len);
    assert_eq!(window_items, kept.iter().map(|p| history.events[offset + p].item).collect::<Vec<_>>());
}

#[test]
fn star_wars_switched_off_ranks_from_one_among_the_full_windows_candidates_with_the_widgets_k() {
    // The case of issue 12: history 64,199,96,50,181 on a 5-item widget, Star Wars (50, position 3) off.
    let m = load("models/sasrec.card.json");
    let history = History::from_items([64, 199, 96, 50, 181]);
    assert_eq!(m.catalog.title(ItemId(50)), "Star Wars (1977)");
    let doc = what_if(&m, &history, &[3], 5, false);
    check(&m, &history, &[3], 5, &doc);
    assert_eq!(doc.recommendations.len(), 5);
    assert_eq!(doc.recommendations[0].rank, Rank(1), "the list starts at #1");
    assert!(doc.recommendations.iter().all(|r| r.item != ItemId(50)), "an event left out is no candidate");
    for rec in &doc.recommendations {
        let e = rec.explanation.as_ref().unwrap();
        assert!(e.deep_dive[0].contains("of your top 5."), "{}", e.deep_dive[0]);
        assert!(e.deep_dive.iter().chain(&e.counterfactual_sentences).all(|s| !s.contains("top 6")));
        assert_eq!(e.occlusion.len(), 4, "the explanation is of the window without the event");
    }
    // The way the panel did it before, which this replaces: the reduced history asked for K + 1 and its
    // seen items filtered out. Star Wars becomes its own candidate and comes first, so the list the
    // panel showed started at #2. Kept as a check that this case still exercises the defect.
    let reduced = History::from_items([64, 199, 96, 181]);
    let options = ExplainOptions { top_k: 6, rank_only: true, ..ExplainOptions::default() };
    let old = explain(&m.scorer, &m.catalog, &reduced, &options).unwrap();
    let first_left = old.recommendations.iter().find(|r| ![64, 199, 96, 50, 181].contains(&r.item.0)).unwrap();
    assert!(first_left.rank > Rank(1), "the old way would have started at {}", first_left.rank);
}

#[test]
fn what_if_ranks_and_explanations_match_an_independent_rescoring() {
    let m = load("models/sasrec.card.json");
    let (_, long) = real_histories().into_iter().find(|(_, h)| h.len() > 60).expect("a history longer than the window");
    // Oldest, middle and newest events of a full window: older events must not slide in.
    for without in [vec![0], vec![10, 20, 49], vec![49], (0..50).step_by(2).collect::<Vec<_>>()] {
        let doc = what_if(&m, &long, &without, 7, true);
        check(&m, &long, &without, 7, &doc);
    }
    // Explained: occlusion is of the reduced window, scored by hand as the reduced window minus one event.
    let without = [1, 2];
    let doc = what_if(&m, &long, &without, 3, false);
    check(&m, &long, &without, 3, &doc);
    let reduced_base = m.scorer.score(&[slots_by_hand(&m, &long, &without)]).unwrap().remove(0);
    let kept: Vec<usize> = (0..50).filter(|p| !without.contains(p)).collect();
    for rec in &doc.recommendations {
        let e = rec.explanation.as_ref().unwrap();
        assert_eq!(e.occlusion.len(), 48);
        for o in e.occlusion.iter().step_by(16) {
            let mut gone = without.to_vec();
            gone.push(kept[o.position.0]);
            let after = m.scorer.score(&[slots_by_hand(&m, &long, &gone)]).unwrap().remove(0);
            let expected = reduced_base[rec.item.column()] - after[rec.item.column()];
            assert!((o.delta - expected).abs() < 1e-4, "occlusion of {} is {} not {expected}", o.position, o.delta);
        }
    }
}

#[test]
fn leaving_out_every_event_ranks_a_cold_start_among_the_full_windows_candidates() {
    let m = load("models/sasrec.card.json");
    let history = History::from_items([64, 199, 96, 50, 181]);
    let doc = what_if(&m, &history, &[0, 1, 2, 3, 4], 5, false);
    check(&m, &history, &[0, 1, 2, 3, 4], 5, &doc);
    assert!(doc.window.is_empty());
    assert!(doc.recommendations[0].explanation.as_ref().unwrap().narrative.contains("left out"));
}

#[test]
fn positions_outside_the_window_are_refused_naming_the_valid_range_and_no_history_value() {
    let m = load("models/sasrec.card.json");
    let history = History::from_items([64, 199, 96, 50, 181]);
    let options = ExplainOptions { without: vec![Position(2), Position(7)], ..ExplainOptions::default() };
    let err = explain(&m.scorer, &m.catalog, &history, &options).unwrap_err().to_string();
    assert!(err.contains("position 7") && err.contains("0 to 4"), "{err}");
    for item in ["64", "199", "96", "50", "181"] {
        assert!(!err.contains(item), "the history leaked into: {err}");
    }
    let err = explain(&m.scorer, &m.catalog, &History::default(), &ExplainOptions { without: vec![Position(0)], ..options })
        .unwrap_err()
        .to_string();
    assert!(err.contains("no events"), "{err}");
}

#[test]
fn no_events_left_out_is_the_plain_explanation() {
    let m = load("models/sasrec.card.json");
    let history = History::from_items([64, 199, 96, 50, 181]);
    let plain = explain(&m.scorer, &m.catalog, &history, &ExplainOptions { permutations: 16, ..ExplainOptions::default() }).unwrap();
    assert!(plain.what_if.is_none() && plain.recommendations.iter().all(|r| r.what_if.is_none()));
    // Repeated positions are one.
    let twice = what_if(&m, &history, &[3, 3], 5, true);
    assert_eq!(twice.what_if.unwrap().without, vec![Position(3)]);
}
