//! Native only: explanations audited over a whole data set — fidelity against random, stability,
//! attention/occlusion agreement, and whether user segments get systematically different justifications.

pub mod drift;
pub mod interactions;
pub mod report;
pub mod segments;

use crate::explain::fidelity::{faithfulness, Faithfulness};
use crate::explain::ledger::recency_bucket;
use crate::explain::rescoring::Rescorer;
use crate::explain::{explain, ExplainError, ExplainOptions};
use crate::model::{Candidates, Catalog, History, ItemId, Scorer, Window};
pub use interactions::Interactions;
pub use report::{AuditReport, UserRecord};
pub use segments::Segments;
use std::collections::BTreeMap;

/// What an audit run does.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// Audit at most this many users (by ascending id); None = all.
    pub users: Option<usize>,
    /// Events held out at the end of each history (2 = MovieLens leave-one-out: validation and test).
    pub holdout: usize,
    /// The explanation options (top K, Shapley budget, seed…).
    pub explain: ExplainOptions,
    /// Explain every n-th user twice to check that documents are byte-identical (1 = every user).
    pub stability_every: usize,
    /// Random deletion orders per user for the random baseline.
    pub random_orders: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions { users: None, holdout: 2, explain: ExplainOptions::default(), stability_every: 10, random_orders: 3 }
    }
}

/// Audits explanations of the top-1 item of each user; `progress(done, total)` is called after each user.
pub fn audit(
    scorer: &Scorer,
    catalog: &Catalog,
    interactions: &Interactions,
    segments: &Segments,
    options: &AuditOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<AuditReport, ExplainError> {
    let users: Vec<(&u64, &History)> = interactions.users.iter().take(options.users.unwrap_or(usize::MAX)).collect();
    let total = users.len();
    let mut records = Vec::with_capacity(total);
    let mut skipped = Vec::new();
    for (done, (user, full)) in users.into_iter().enumerate() {
        let keep = full.len().saturating_sub(options.holdout);
        let history = History { events: full.events[..keep].to_vec() };
        if history.is_empty() {
            skipped.push(format!("user {user}: no events left after holding out {}", options.holdout));
        } else {
            let stable_check = options.stability_every > 0 && done % options.stability_every == 0;
            records.push(audit_user(scorer, catalog, *user, &history, options, stable_check)?);
        }
        progress(done + 1, total);
    }
    Ok(report::summarise(scorer.card().name.clone(), records, skipped, interactions.skipped_unknown_items, segments))
}

fn audit_user(
    scorer: &Scorer,
    catalog: &Catalog,
    user: u64,
    history: &History,
    options: &AuditOptions,
    stable_check: bool,
) -> Result<UserRecord, ExplainError> {
    let doc = explain(scorer, catalog, history, &options.explain)?;
    let stable = if stable_check {
        let again = explain(scorer, catalog, history, &options.explain)?;
        Some(serde_json::to_vec(&doc).ok() == serde_json::to_vec(&again).ok())
    } else {
        None
    };
    let top = &doc.recommendations[0];
    let e = top.explanation.as_ref().expect("explain() explains unless rank_only");
    let window = Window::new(scorer.card(), history)?;
    let candidates = Candidates::for_window(&window, scorer.card().num_items, options.explain.allow_seen);
    let mut rescorer = Rescorer::new(scorer, &window, &candidates, vec![top.item], options.explain.top_k);
    let mut attributions: Vec<(&str, Vec<f32>)> = vec![
        ("occlusion", e.occlusion.iter().map(|o| o.delta).collect()),
        ("shapley", e.shapley.values.iter().map(|v| v.value).collect()),
    ];
    if let Some(att) = &e.attention {
        attributions.push(("attention", att.iter().map(|a| a.weight).collect()));
    }
    let mut fidelity: BTreeMap<String, Faithfulness> = BTreeMap::new();
    for (method, values) in &attributions {
        let f = faithfulness(&mut rescorer, 0, top.score, values, options.explain.seed, options.random_orders)?;
        fidelity.insert((*method).to_owned(), f);
    }
    let spearman = e.attention.as_ref().and_then(|att| {
        let a: Vec<f32> = att.iter().map(|x| x.weight).collect();
        report::spearman(&a, &attributions[0].1)
    });
    let n = window.len();
    let strongest = e.occlusion.iter().max_by(|a, b| a.delta.total_cmp(&b.delta).then(b.position.cmp(&a.position)));
    let supportive = strongest.filter(|o| o.delta > 0.0);
    let top_influence = supportive.and_then(|o| window.event(o.position)).map(|ev| ev.item);
    let counterfactual_items = e.counterfactual.displace.as_ref().map(|set| {
        let mut items: Vec<ItemId> = set.positions.iter().filter_map(|p| window.event(*p)).map(|ev| ev.item).collect();
        items.sort();
        items
    });
    let (top_action, top_recency) = match supportive {
        Some(o) => (
            window.event(o.position).and_then(|ev| ev.action.clone()).unwrap_or_else(|| "unknown".into()),
            recency_bucket(n - 1 - o.position.0).to_owned(),
        ),
        None => ("none".into(), "none".into()),
    };
    Ok(UserRecord {
        user,
        events: n,
        item: top.item,
        template: e.narrative_template.clone(),
        drop_out_size: e.counterfactual.drop_out.as_ref().map(|s| s.positions.len()),
        displace_size: e.counterfactual.displace.as_ref().map(|s| s.positions.len()),
        top_action,
        top_recency,
        top_influence,
        counterfactual_items,
        fidelity,
        spearman_attention_occlusion: spearman,
        stable,
    })
}
