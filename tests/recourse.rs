//! Recourse and the main parameters (docs/explanations.md §3) on real MovieLens histories and both
//! shipped models: every alternative is checked by scoring its window here, outside the explainer.

mod common;

use common::{load, real_histories, SHIPPED};
use whythis::explain::naming::Naming;
use whythis::explain::{explain, AlternativeSource, ExplainOptions, ExplanationDocument};
use whythis::model::{Candidates, ItemId, Position, Window};

fn options() -> ExplainOptions {
    ExplainOptions { top_k: 5, ..ExplainOptions::default() }
}

#[test]
fn every_alternative_survives_rescoring_and_a_drop_out_set_always_yields_one() {
    let (mut found, mut drop_outs, mut long_term) = (0, 0, 0);
    for card in SHIPPED {
        let m = load(card);
        let naming = Naming::new(&m.catalog, &[], &[], None);
        for (user, history) in real_histories().iter().take(6) {
            let options = options();
            let doc = explain(&m.scorer, &m.catalog, history, &options).unwrap();
            let window = Window::new(m.scorer.card(), history).unwrap();
            let candidates = Candidates::for_window(&window, m.scorer.card().num_items, false);
            let shown: Vec<ItemId> = doc.recommendations.iter().map(|r| r.item).collect();
            for rec in &doc.recommendations {
                let e = rec.explanation.as_ref().unwrap();
                let recourse = e.recourse.as_ref().expect("a window with events has recourse");
                assert_eq!(recourse.steps.len(), 3, "{card} user {user}: {:?}", recourse.steps);
                assert!(recourse.steps[0].starts_with("What weighed most: "), "{}", recourse.steps[0]);
                assert_eq!(recourse.steps[1], format!("What that did: {}", e.counterfactual_sentences[0]));
                // Leaving out a drop-out set takes the item out of the top K, so some title not shown now
                // must come in: the search for an alternative may not miss it.
                if let Some(set) = &e.counterfactual.drop_out {
                    drop_outs += 1;
                    let alt = recourse.alternative.as_ref().unwrap_or_else(|| panic!("{card} user {user}: a drop-out set but no alternative"));
                    assert_eq!(alt.source, AlternativeSource::Counterfactual);
                    assert_eq!(alt.without, set.positions);
                }
                let Some(alt) = &recourse.alternative else {
                    assert!(recourse.steps[2].contains("none of the changes tried"), "{}", recourse.steps[2]);
                    continue;
                };
                found += 1;
                match alt.source {
                    AlternativeSource::Counterfactual => {
                        let sets = [&e.counterfactual.drop_out, &e.counterfactual.displace];
                        assert!(sets.iter().flat_map(|s| s.iter()).any(|s| s.positions == alt.without));
                    }
                    AlternativeSource::LongTermOnly => {
                        long_term += 1;
                        let n = window.len();
                        let recent: Vec<Position> = (n - 5.min(n)..n).map(Position).collect();
                        assert_eq!(alt.without, recent);
                    }
                }
                // Scored here, independently: the alternative is in that window's top K, is not shown
                // now, and both ranks are what the document says.
                let scores = m.scorer.score(&[window.slots_without(&alt.without)]).unwrap().remove(0);
                let rank = candidates.rank(&scores, alt.item);
                assert_eq!(rank, alt.rank, "{card} user {user}");
                assert!(rank.0 as usize <= options.top_k);
                assert!(!shown.contains(&alt.item), "{card} user {user}: the alternative is already shown");
                assert_eq!(candidates.rank(&scores, rec.item), alt.item_rank);
                assert_eq!(alt.name, naming.shown(alt.item));
                assert!(recourse.steps[2].contains(&naming.in_text(alt.item)), "{}", recourse.steps[2]);
                assert!(doc.named_items().contains(&alt.item), "a looked-up catalog learns the alternative's name");
            }
        }
    }
    // The real windows have both kinds; a search that found nothing would fail here, not pass quietly.
    assert!(drop_outs > 0 && found > drop_outs / 2 && long_term > 0, "found {found}, drop-outs {drop_outs}, long-term {long_term}");
}

#[test]
fn the_main_parameters_say_what_the_card_reads_and_follow_the_ledgers() {
    for card in SHIPPED {
        let m = load(card);
        let (_, history) = &real_histories()[0];
        let doc = explain(&m.scorer, &m.catalog, history, &options()).unwrap();
        let p = doc.parameters.as_ref().expect("an explained document has its main parameters");
        let c = m.scorer.card();
        assert!(p.uses[0].contains(&format!("the last {} things", c.seq_len)), "{}", p.uses[0]);
        // The actions are named exactly when the model reads them.
        assert_eq!(p.uses[0].contains("what you did with it"), c.inputs.action_types.is_some(), "{card}: {}", p.uses[0]);
        assert!(p.uses.iter().any(|s| s.contains("not their dates or times")));
        // The recency bucket named is the one whose summed occlusion is largest.
        let mut totals = std::collections::BTreeMap::<String, f32>::new();
        for rec in &doc.recommendations {
            for (bucket, v) in &rec.explanation.as_ref().unwrap().ledger.by_recency {
                *totals.entry(bucket.clone()).or_default() += v;
            }
        }
        let (top, _) = totals.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        let phrase = match top.as_str() {
            "last" => "your latest event",
            "2-5" => "your 2nd to 5th latest",
            "6-20" => "your 6th to 20th latest",
            _ => "before the latest 20",
        };
        assert!(p.weighs[0].starts_with("By recency: ") && p.weighs[0].contains(phrase), "{card}: {totals:?} {}", p.weighs[0]);
        // A ranking alone has none (nothing was weighed), and an empty window says nothing of yours weighs.
        let ranking: ExplanationDocument = explain(&m.scorer, &m.catalog, history, &ExplainOptions { rank_only: true, ..options() }).unwrap();
        assert!(ranking.parameters.is_none());
        let empty = explain(&m.scorer, &m.catalog, &Default::default(), &options()).unwrap();
        let p = empty.parameters.unwrap();
        assert!(p.weighs[0].starts_with("Nothing of yours weighs"), "{:?}", p.weighs);
        assert!(empty.recommendations.iter().all(|r| r.explanation.as_ref().unwrap().recourse.is_none()));
    }
}
