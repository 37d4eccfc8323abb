//! The audit over real MovieLens users (from the fixture): every method is measured against random,
//! occlusion is more faithful than a random order, documents are stable, and segments are compared.

mod common;

use common::{load, real_histories};
use whythis::audit::{self, AuditOptions};
use whythis::explain::ExplainOptions;

#[test]
fn audit_of_real_users_measures_fidelity_stability_and_segments() {
    let m = load("models/sasrec.card.json");
    // Rebuild an interactions table (user, item, rating, ts) from the fixture's real histories.
    let mut table = String::from("user\titem\trating\ttimestamp\n");
    let mut segments = String::from("user|group\n");
    for (i, (user, history)) in real_histories().iter().take(16).enumerate() {
        for e in history.events.iter().take(30) {
            let rating = e.action.as_deref().unwrap_or("rated_3").trim_start_matches("rated_").to_owned();
            table += &format!("{user}\t{}\t{rating}\t{}\n", e.item, e.ts.unwrap_or(0));
        }
        segments += &format!("{user}|{}\n", if i % 8 < 5 { "a" } else { "b" });
    }
    table += "7\t99999\t5\t1\n"; // an item the model does not know is skipped, not fatal
    let interactions = audit::interactions::parse(&table, m.scorer.card()).unwrap();
    assert_eq!(interactions.skipped_unknown_items, 1);
    let segments = audit::segments::parse(&segments, &[]).unwrap();
    let options = AuditOptions {
        explain: ExplainOptions { permutations: 16, ..ExplainOptions::default() },
        stability_every: 4,
        ..AuditOptions::default()
    };
    let mut calls = 0;
    let report = audit::audit(&m.scorer, &m.catalog, &interactions, &segments, &options, |_, _| calls += 1).unwrap();
    assert_eq!(report.users, 16);
    assert_eq!(calls, 16, "progress is reported per user");
    for method in ["occlusion", "shapley", "attention"] {
        assert!(report.methods.contains_key(method), "{method} is audited");
    }
    let occ = &report.methods["occlusion"];
    assert!(occ.users >= 14);
    assert!(
        occ.deletion_auc < occ.random_deletion_auc,
        "removing events in occlusion order must hurt the item faster than a random order: {} vs {}",
        occ.deletion_auc,
        occ.random_deletion_auc
    );
    assert_eq!(report.stability.0, 4);
    assert_eq!(report.stability.1, 4, "explanations are byte-identical when repeated");
    assert!(report.attention_occlusion_spearman.is_some());
    assert!(report.segments.iter().any(|f| f.attribute == "group" && f.segment == "a" && f.users == 10));
    assert!(report.table().contains("Fidelity"));
}

#[test]
fn malformed_interactions_are_reported_by_line() {
    let m = load("models/sasrec.card.json");
    let err = audit::interactions::parse("1\t2\t3\t4\n1\tx\n", m.scorer.card()).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(audit::interactions::parse("", m.scorer.card()).is_err());
}

#[test]
fn drift_between_two_models_counts_each_change_and_a_model_against_itself_drifts_nowhere() {
    let sasrec = load("models/sasrec.card.json");
    let gru = load("models/gru4rec.card.json");
    let mut table = String::new();
    let mut segments = String::from("user|group\n");
    for (i, (user, history)) in real_histories().iter().take(12).enumerate() {
        for e in history.events.iter().take(20) {
            let rating = e.action.as_deref().unwrap_or("rated_3").trim_start_matches("rated_").to_owned();
            table += &format!("{user}\t{}\t{rating}\t{}\n", e.item, e.ts.unwrap_or(0));
        }
        segments += &format!("{user}|{}\n", if i < 10 { "a" } else { "b" });
    }
    let segments = audit::segments::parse(&segments, &[]).unwrap();
    let options = AuditOptions {
        explain: ExplainOptions { shapley_coalitions: 128, ..ExplainOptions::default() },
        stability_every: 0,
        random_orders: 1,
        ..AuditOptions::default()
    };
    let run = |m: &whythis::files::LoadedModel| {
        let interactions = audit::interactions::parse(&table, m.scorer.card()).unwrap();
        audit::audit(&m.scorer, &m.catalog, &interactions, &segments, &options, |_, _| {}).unwrap()
    };
    let (a, b) = (run(&sasrec), run(&gru));
    let same = audit::drift::drift(&a, &run(&sasrec), ("sasrec".into(), "sasrec again".into()), &segments);
    assert_eq!(same.users, 12);
    assert!(same.overall.iter().all(|c| c.changed == 0), "an explanation is deterministic: {same:?}");

    let drift = audit::drift::drift(&a, &b, ("sasrec".into(), "gru4rec".into()), &segments);
    assert_eq!((drift.users, drift.unmatched), (12, 0));
    let by_user: std::collections::BTreeMap<u64, &audit::UserRecord> = b.records.iter().map(|r| (r.user, r)).collect();
    let recount = |f: &dyn Fn(&audit::UserRecord, &audit::UserRecord) -> bool| {
        a.records.iter().filter(|r| f(r, by_user[&r.user])).count()
    };
    let expected = [
        recount(&|x, y| x.item != y.item),
        recount(&|x, y| x.template != y.template),
        recount(&|x, y| x.top_influence != y.top_influence),
        recount(&|x, y| x.counterfactual_items != y.counterfactual_items),
    ];
    let got: Vec<usize> = drift.overall.iter().map(|c| c.changed).collect();
    assert_eq!(got, expected);
    assert!(a.records.iter().any(|r| r.top_influence.is_some() && r.counterfactual_items.is_some()), "the records carry what drift compares");
    // Segment "a" has 10 users (MIN_SEGMENT_USERS); "b" has 2 and is left out.
    assert_eq!(drift.segments.len(), 1);
    assert_eq!((drift.segments[0].segment.as_str(), drift.segments[0].changes[0].users), ("a", 10));
    assert!(drift.table().contains("counterfactual set"));
}
