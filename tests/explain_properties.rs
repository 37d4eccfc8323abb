//! Invariants of docs/explanations.md §3 on real models and generated histories: Shapley efficiency, valid and
//! irreducible counterfactual sets, occlusion as defined, and byte-identical output under a seed.

mod common;

use common::{load, real_histories};
use proptest::prelude::*;
use whythis::explain::{explain, ExplainOptions, ExplanationDocument};
use whythis::files::LoadedModel;
use whythis::model::{Candidates, History, Position, Rank, Window};

fn options() -> ExplainOptions {
    ExplainOptions { top_k: 5, permutations: 16, ..ExplainOptions::default() }
}

/// Checks a document against the model itself, re-scoring every claim independently.
fn check_document(m: &LoadedModel, history: &History, doc: &ExplanationDocument, k: usize) {
    let card = m.scorer.card();
    let window = Window::new(card, history).unwrap();
    let cands = Candidates::for_window(&window, card.num_items, false);
    let score = |removed: &[Position]| m.scorer.score(&[window.slots_without(removed)]).unwrap().remove(0);
    let base = score(&[]);
    let all: Vec<Position> = (0..window.len()).map(Position).collect();
    let empty = score(&all);
    for rec in &doc.recommendations {
        let e = rec.explanation.as_ref().expect("explained");
        let t = rec.item.column();
        // Shapley efficiency: the values add up to s(H) - s(empty window).
        let sum: f64 = e.shapley.values.iter().map(|v| f64::from(v.value)).sum();
        let expected = f64::from(base[t]) - f64::from(empty[t]);
        assert!((sum - expected).abs() < 1e-4 * (1.0 + expected.abs()), "efficiency: {sum} vs {expected}");
        // Occlusion is s(H) - s(H without i), with the rank without i.
        for o in e.occlusion.iter().take(5) {
            let without = score(&[o.position]);
            assert!((o.delta - (base[t] - without[t])).abs() < 1e-4, "occlusion of {}", o.position);
            assert_eq!(o.rank_without, cands.rank(&without, rec.item));
        }
        // Every counterfactual set does what it claims, and no event can be taken out of it.
        let achieves = |scores: &[f32], drop_out: bool| {
            if drop_out {
                !cands.top_k(scores, k).iter().any(|r| r.item == rec.item)
            } else {
                cands.rank(scores, rec.item) > rec.rank
            }
        };
        for (set, drop_out) in [(&e.counterfactual.drop_out, true), (&e.counterfactual.displace, false)] {
            let Some(set) = set else { continue };
            assert!(!set.positions.is_empty() && set.positions.len() <= e.counterfactual.max_events);
            let after = score(&set.positions);
            assert!(achieves(&after, drop_out), "set {:?} does not hold", set.positions);
            assert_eq!(set.new_rank, cands.rank(&after, rec.item));
            assert_ne!(set.replaced_by, rec.item);
            for i in 0..set.positions.len() {
                let mut smaller = set.positions.clone();
                smaller.remove(i);
                if !smaller.is_empty() {
                    assert!(!achieves(&score(&smaller), drop_out), "set {:?} is reducible", set.positions);
                }
            }
        }
        assert!(rec.rank >= Rank(1));
        assert!(!e.narrative.is_empty());
    }
}

#[test]
fn real_users_get_valid_explanations_from_both_shipped_models() {
    for card in common::SHIPPED {
        let m = load(card);
        for (_, history) in real_histories().iter().take(3) {
            let doc = explain(&m.scorer, &m.catalog, history, &options()).unwrap();
            assert_eq!(doc.recommendations.len(), 5);
            assert_eq!(doc.recommendations[0].explanation.as_ref().unwrap().attention.is_some(), m.scorer.attention_shape().is_some(), "{card}");
            check_document(&m, history, &doc, 5);
        }
    }
}

#[test]
fn exact_shapley_is_used_for_short_windows() {
    let m = load("models/sasrec.card.json");
    let (_, history) = &real_histories()[0];
    let short = History { events: history.events[..6].to_vec() };
    let doc = explain(&m.scorer, &m.catalog, &short, &options()).unwrap();
    let s = &doc.recommendations[0].explanation.as_ref().unwrap().shapley;
    assert!(s.exact && s.values.len() == 6);
    check_document(&m, &short, &doc, 5);
}

#[test]
fn the_same_input_gives_byte_identical_documents() {
    let m = load("models/sasrec.card.json");
    let (_, history) = &real_histories()[1];
    let a = serde_json::to_vec(&explain(&m.scorer, &m.catalog, history, &options()).unwrap()).unwrap();
    let b = serde_json::to_vec(&explain(&m.scorer, &m.catalog, history, &options()).unwrap()).unwrap();
    assert_eq!(a, b);
    let other_seed = ExplainOptions { seed: 99, ..options() };
    let c = serde_json::to_vec(&explain(&m.scorer, &m.catalog, history, &other_seed).unwrap()).unwrap();
    assert_ne!(a, c, "the seed drives the Shapley sampling");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn generated_histories_keep_every_invariant(
        items in prop::collection::vec(1i64..=1682, 0..70),
        actions in prop::collection::vec(1usize..=5, 70),
    ) {
        let m = load("models/sasrec.card.json");
        let history = History::parse(&serde_json::to_string(
            &items.iter().zip(&actions).map(|(i, a)| serde_json::json!({"item": i, "action": format!("rated_{a}")})).collect::<Vec<_>>()
        ).unwrap()).unwrap();
        let doc = explain(&m.scorer, &m.catalog, &history, &options()).unwrap();
        check_document(&m, &history, &doc, 5);
    }
}
